/* sum_as_string.c — the PyO3 guide's first module (rust2py) in C: an ordinary C function registered by its signature. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <sigbind.h>

/* Formats the sum of the numbers as a string. The result is malloc'd; the
 * [[free]] annotation tells the runtime to free it once it is a Python str. */
static char *sum_as_string(int64_t a, int64_t b)
{
    char *text = malloc(24);
    if (text)
        snprintf(text, 24, "%" PRId64, a + b);
    else
        sb_raise("MemoryError", "no memory for the result");
    return text;
}

static const sb_function_def functions[] = {
    SB_FUNCTION(sum_as_string, "char *sum_as_string(int64_t a, int64_t b) [[free]]",
                "Formats the sum of two numbers as string."),
    SB_END,
};

SB_MODULE(rust2py, .doc = "This module is implemented in C.", .functions = functions);
