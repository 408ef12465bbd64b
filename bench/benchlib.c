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

/* The argument-count curve (guard.py --curve): n integer or n double arguments, 0 <= n <= 16. */
int64_t sb_bench_cl0(void) { return 0; }
double sb_bench_cd0(void) { return 0; }
int64_t sb_bench_cl1(int64_t a0) { return a0; }
double sb_bench_cd1(double a0) { return a0; }
int64_t sb_bench_cl2(int64_t a0, int64_t a1) { return a0 + a1; }
double sb_bench_cd2(double a0, double a1) { return a0 + a1; }
int64_t sb_bench_cl3(int64_t a0, int64_t a1, int64_t a2) { return a0 + a1 + a2; }
double sb_bench_cd3(double a0, double a1, double a2) { return a0 + a1 + a2; }
int64_t sb_bench_cl4(int64_t a0, int64_t a1, int64_t a2, int64_t a3) { return a0 + a1 + a2 + a3; }
double sb_bench_cd4(double a0, double a1, double a2, double a3) { return a0 + a1 + a2 + a3; }
int64_t sb_bench_cl5(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4) { return a0 + a1 + a2 + a3 + a4; }
double sb_bench_cd5(double a0, double a1, double a2, double a3, double a4) { return a0 + a1 + a2 + a3 + a4; }
int64_t sb_bench_cl6(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5) { return a0 + a1 + a2 + a3 + a4 + a5; }
double sb_bench_cd6(double a0, double a1, double a2, double a3, double a4, double a5) { return a0 + a1 + a2 + a3 + a4 + a5; }
int64_t sb_bench_cl7(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6) { return a0 + a1 + a2 + a3 + a4 + a5 + a6; }
double sb_bench_cd7(double a0, double a1, double a2, double a3, double a4, double a5, double a6) { return a0 + a1 + a2 + a3 + a4 + a5 + a6; }
int64_t sb_bench_cl8(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7; }
double sb_bench_cd8(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7; }
int64_t sb_bench_cl9(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8; }
double sb_bench_cd9(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8; }
int64_t sb_bench_cl10(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9; }
double sb_bench_cd10(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9; }
int64_t sb_bench_cl11(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10; }
double sb_bench_cd11(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10; }
int64_t sb_bench_cl12(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10, int64_t a11) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11; }
double sb_bench_cd12(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11; }
int64_t sb_bench_cl13(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10, int64_t a11, int64_t a12) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12; }
double sb_bench_cd13(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11, double a12) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12; }
int64_t sb_bench_cl14(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10, int64_t a11, int64_t a12, int64_t a13) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13; }
double sb_bench_cd14(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11, double a12, double a13) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13; }
int64_t sb_bench_cl15(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10, int64_t a11, int64_t a12, int64_t a13, int64_t a14) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14; }
double sb_bench_cd15(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11, double a12, double a13, double a14) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14; }
int64_t sb_bench_cl16(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10, int64_t a11, int64_t a12, int64_t a13, int64_t a14, int64_t a15) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15; }
double sb_bench_cd16(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11, double a12, double a13, double a14, double a15) { return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15; }
