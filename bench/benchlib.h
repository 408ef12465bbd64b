/* bench/benchlib.h: the five C function shapes the benchmark calls, declared once for benchlib.c and handext.c. */
#ifndef SB_BENCHLIB_H
#define SB_BENCHLIB_H

#include <stdint.h>

double sb_bench_d_d(double x);                       /* x * 0.5 + 1.0 */
int64_t sb_bench_ll_ll(int64_t a, int64_t b);        /* a + b */
int sb_bench_str(const char *s);                     /* strlen(s), capped at 64; -1 for NULL */
void sb_bench_void(void);                            /* bumps a private counter */
double sb_bench_d6(double a, double b, double c,
                   double d, double e, double f);    /* a + b + c + d + e + f */

#endif /* SB_BENCHLIB_H */
