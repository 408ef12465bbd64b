/* bench/benchlib.c: the shared library every binding calls: five cheap C functions, one per call shape, plus a callback driver and a struct-by-value function. */
#include "benchlib.h"

#include <stddef.h>

/* Written on every sb_bench_void() call; volatile so the store is never dropped. */
static volatile uint64_t sb_bench_void_calls;

double sb_bench_d_d(double x)
{
    return x * 0.5 + 1.0;
}

int64_t sb_bench_ll_ll(int64_t a, int64_t b)
{
    return a + b;
}

int sb_bench_str(const char *s)
{
    int n = 0;
    if (s == NULL)
        return -1;
    while (n < 64 && s[n] != '\0')
        n++;
    return n;
}

void sb_bench_void(void)
{
    sb_bench_void_calls = sb_bench_void_calls + 1;
}

double sb_bench_d6(double a, double b, double c, double d, double e, double f)
{
    return a + b + c + d + e + f;
}

long sb_bench_call_n(long (*f)(long x), long n)
{
    long sum = 0;
    for (long i = 0; i < n; i++)
        sum += f(i);
    return sum;
}

struct point sb_bench_point_add(struct point a, struct point b)
{
    struct point r = {a.x + b.x, a.y + b.y};
    return r;
}
