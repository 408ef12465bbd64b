/* example_pkg.c — a third-party C extension on sigbind: ordinary C functions, an exception, constants and a class, registered by signature strings. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sigbind.h>

/* n! for 0 <= n <= 20; OverflowError beyond (the result must fit int64_t). */
static int64_t factorial(int n)
{
    if (n < 0 || n > 20)
        return sb_raise("ValueError", "factorial(%d): n must be in 0..20", n);
    int64_t r = 1;
    for (int i = 2; i <= n; i++)
        r *= i;
    return r;
}

/* Euclid. */
static int64_t gcd(int64_t a, int64_t b)
{
    while (b != 0) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

/* The text upper-cased, a new malloc'd string the runtime frees ([[free]]). */
static char *shout(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    char *out = malloc(n + m + 1);
    if (!out) {
        sb_raise("MemoryError", "shout: out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (char)toupper((unsigned char)text[i]);
    memcpy(out + n, suffix, m + 1);
    return out;
}

/* Mean of the first `n` values: example_pkg.EmptyError when there are none. */
static double mean(const double *values, size_t n)
{
    if (n == 0)
        return sb_raise("EmptyError", "mean() of no values");
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += values[i];
    return sum / (double)n;
}

static const sb_exception_def exceptions[] = {
    SB_EXCEPTION("EmptyError", "ValueError", "An operation needed at least one value."),
    SB_END,
};

static const sb_constant_def constants[] = {
    SB_INT("MAX_FACTORIAL", 20),
    SB_STR("GREETING", "hello from C"),
    SB_END,
};

static const sb_function_def functions[] = {
    SB_FUNCTION(factorial, "int64_t factorial(int n)", "n! for 0 <= n <= 20."),
    SB_FUNCTION(gcd, "int64_t gcd(int64_t a, int64_t b)", "Greatest common divisor."),
    SB_FUNCTION(shout, "char *shout(const char *text, const char *suffix = \"!\") [[free]]",
                "The text upper-cased, then the suffix."),
    SB_FUNCTION(mean, "double mean(const double *values, size_t n)", "Arithmetic mean of n doubles."),
    SB_END,
};

/* A class over a C struct: a running mean. */
typedef struct Stats {
    int64_t count;
    double total;
} Stats;

static void stats_add(Stats *self, double x)
{
    self->count++;
    self->total += x;
}

static double stats_mean(Stats *self)
{
    if (self->count == 0)
        return sb_raise("EmptyError", "Stats.mean() of no values");
    return self->total / (double)self->count;
}

static const sb_method_def stats_methods[] = {
    SB_METHOD(stats_add, "void add(Stats *self, double x)", "Adds one value."),
    SB_METHOD(stats_mean, "double mean(Stats *self)", "The mean of the values added."),
    SB_END,
};

static const sb_field_def stats_fields[] = {
    SB_FIELD(Stats, count, "int64_t count", SB_READONLY, "How many values were added."),
    SB_END,
};

static const sb_class_def classes[] = {
    {.name = "Stats", .doc = "A running mean.", .size = sizeof(Stats), .methods = stats_methods,
     .fields = stats_fields},
    SB_END,
};

SB_MODULE(example_pkg, .doc = "A tiny C extension built on sigbind, shipped as one abi3 wheel.",
          .functions = functions, .exceptions = exceptions, .constants = constants, .classes = classes);
