/* bench/benchlib.c: the shared library every binding calls: five cheap C functions, one per call shape, a callback driver, a struct-by-value function, and the off-headline shapes of guard.py. */
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

int sb_bench_errno(int x)
{
    return x;
}

float sb_bench_u8f(uint8_t a, float b)
{
    return (float)a + b;
}

int sb_bench_out(int x, int *y)
{
    *y = x + 1;
    return 0;
}

int sb_bench_buf(const void *p, size_t n)
{
    if (p == NULL)
        return -1;
    return (int)(*(const unsigned char *)p + n);
}

struct point sb_bench_point_make(int x, int y)
{
    struct point r = {x, y};
    return r;
}

int64_t sb_bench_l12(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
                     int64_t g, int64_t h, int64_t i, int64_t j, int64_t k, int64_t l)
{
    return a + b + c + d + e + f + g + h + i + j + k + l;
}
