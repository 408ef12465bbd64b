/* sig_typo.c — must not build: a signature with a syntax error (a missing ')') and one with an unknown type name. */
#include <stdint.h>

#include <sigbind.h>

static int64_t twice(int64_t x) { return 2 * x; }
static int64_t thrice(int64_t x) { return 3 * x; }

static const sb_function_def functions[] = {
    SB_FUNCTION(twice, "int64_t twice(int64_t x", NULL),
    SB_FUNCTION(thrice, "int64_t thrice(int64 x)", NULL),
    SB_END,
};
SB_MODULE(sig_typo, .functions = functions);
