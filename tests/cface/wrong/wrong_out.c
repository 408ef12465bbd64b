/* wrong_out.c — must not build: an [[out]] pointer is int * in C, long * in the signature; a getter returns float, not double. */
#include <math.h>
#include <stdint.h>

#include <sigbind.h>

typedef struct Temp {
    double celsius;
} Temp;

static double split(double x, int *exponent) { return frexp(x, exponent); }
static float temp_get_kelvin(Temp *self) { return (float)(self->celsius + 273.15); }

static const sb_function_def functions[] = {
    SB_FUNCTION(split, "double split(double x, long *exponent [[out]])", NULL),
    SB_END,
};
static const sb_method_def temp_methods[] = {
    SB_GETTER(temp_get_kelvin, "double get_kelvin(Temp *self)", NULL),
    SB_END,
};
static const sb_class_def classes[] = {
    {.name = "Temp", .size = sizeof(Temp), .methods = temp_methods},
    SB_END,
};
SB_MODULE(wrong_out, .functions = functions, .classes = classes);
