/* bench/benchlib.h: the C functions the benchmarks call (five call shapes, a callback driver, a struct by value), declared once for benchlib.c and handext.c. */
#ifndef SB_BENCHLIB_H
#define SB_BENCHLIB_H

#include <stddef.h>
#include <stdint.h>

double sb_bench_d_d(double x);                       /* x * 0.5 + 1.0 */
int64_t sb_bench_ll_ll(int64_t a, int64_t b);        /* a + b */
int sb_bench_str(const char *s);                     /* strlen(s), capped at 64; -1 for NULL */
void sb_bench_void(void);                            /* bumps a private counter */
double sb_bench_d6(double a, double b, double c,
                   double d, double e, double f);    /* a + b + c + d + e + f */

/* For bench_callbacks.py. */
long sb_bench_call_n(long (*f)(long x), long n);     /* calls f(i) for i in 0..n-1, returns the sum */
struct point { int x; int y; };
struct point sb_bench_point_add(struct point a, struct point b);   /* {a.x+b.x, a.y+b.y} */

/* For guard.py: the shapes off the five headline ones (issue 15). */
int sb_bench_errno(int x);                           /* x (an [[errno(-1)]] contract never fires for x >= 0) */
float sb_bench_u8f(uint8_t a, float b);              /* a + b */
int sb_bench_out(int x, int *y);                     /* *y = x + 1; returns 0 */
int sb_bench_buf(const void *p, size_t n);           /* first byte + n; -1 for NULL */
struct point sb_bench_point_make(int x, int y);      /* {x, y} */
int64_t sb_bench_l12(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
                     int64_t g, int64_t h, int64_t i, int64_t j, int64_t k, int64_t l);   /* the sum */

/* The argument-count curve: sb_bench_cl<n>(n x int64_t), sb_bench_cd<n>(n x double), 0 <= n <= 16. */
int64_t sb_bench_cl0(void);
double sb_bench_cd0(void);
int64_t sb_bench_cl1(int64_t a0);
double sb_bench_cd1(double a0);
int64_t sb_bench_cl2(int64_t a0, int64_t a1);
double sb_bench_cd2(double a0, double a1);
int64_t sb_bench_cl3(int64_t a0, int64_t a1, int64_t a2);
double sb_bench_cd3(double a0, double a1, double a2);
int64_t sb_bench_cl4(int64_t a0, int64_t a1, int64_t a2, int64_t a3);
double sb_bench_cd4(double a0, double a1, double a2, double a3);
int64_t sb_bench_cl5(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4);
double sb_bench_cd5(double a0, double a1, double a2, double a3, double a4);
int64_t sb_bench_cl6(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5);
double sb_bench_cd6(double a0, double a1, double a2, double a3, double a4, double a5);
int64_t sb_bench_cl7(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6);
double sb_bench_cd7(double a0, double a1, double a2, double a3, double a4, double a5, double a6);
int64_t sb_bench_cl8(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7);
double sb_bench_cd8(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7);
int64_t sb_bench_cl9(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8);
double sb_bench_cd9(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8);
int64_t sb_bench_cl10(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9);
double sb_bench_cd10(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9);
int64_t sb_bench_cl11(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10);
double sb_bench_cd11(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10);
int64_t sb_bench_cl12(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10, int64_t a11);
double sb_bench_cd12(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11);
int64_t sb_bench_cl13(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10, int64_t a11, int64_t a12);
double sb_bench_cd13(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11, double a12);
int64_t sb_bench_cl14(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10, int64_t a11, int64_t a12, int64_t a13);
double sb_bench_cd14(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11, double a12, double a13);
int64_t sb_bench_cl15(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10, int64_t a11, int64_t a12, int64_t a13, int64_t a14);
double sb_bench_cd15(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11, double a12, double a13, double a14);
int64_t sb_bench_cl16(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9, int64_t a10, int64_t a11, int64_t a12, int64_t a13, int64_t a14, int64_t a15);
double sb_bench_cd16(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11, double a12, double a13, double a14, double a15);

#endif /* SB_BENCHLIB_H */
