/* wrong_return.c — must not build: half() returns double, its signature says int64_t (the example). */
#include <stdint.h>

#include <sigbind.h>

static double half(double x) { return x / 2; }

static const sb_function_def functions[] = {
    SB_FUNCTION(half, "int64_t half(int64_t x)", "Half of x."),
    SB_END,
};
SB_MODULE(wrong_return, .functions = functions);
