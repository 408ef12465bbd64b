/* native.c — meta_pkg._native: one C function, so the package has an extension module inside it. */
#include <stdint.h>
#include <sigbind.h>

static int64_t add(int64_t a, int64_t b)
{
    return a + b;
}

static const sb_function_def functions[] = {
    SB_FUNCTION(add, "int64_t add(int64_t a, int64_t b = 1)", "a + b"),
    SB_END,
};

SB_MODULE(_native, .doc = "meta_pkg's C part.", .functions = functions);
