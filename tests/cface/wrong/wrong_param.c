/* wrong_param.c — must not build: a parameter is int32_t in C, int64_t in the signature; another is const char * vs PyObject *. */
#include <stdint.h>

#include <sigbind.h>

static int64_t add(int64_t a, int32_t b) { return a + b; }
static int64_t length(const char *s) { return s ? 1 : 0; }

static const sb_function_def functions[] = {
    SB_FUNCTION(add, "int64_t add(int64_t a, int64_t b)", NULL),
    SB_FUNCTION(length, "int64_t length(PyObject *obj)", NULL),
    SB_END,
};
SB_MODULE(wrong_param, .functions = functions);
