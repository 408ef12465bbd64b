/* bench/benchlib.h: the C functions the benchmarks call (five call shapes, a callback driver, a struct by value), declared once for benchlib.c and handext.c. */
#ifndef SB_BENCHLIB_H
#define SB_BENCHLIB_H

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

#endif /* SB_BENCHLIB_H */
