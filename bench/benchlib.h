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

#endif /* SB_BENCHLIB_H */
