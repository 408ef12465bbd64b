/* parse_rate.c — measures how many short signatures per second sb__sig_parse handles (reports; never a test). */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static const char *const sigs[] = {
    "double cos(double x)",
    "int64_t add(int64_t a, int64_t b = 1)",
    "int open(const char *path, int flags, int mode = 0644) [[errno(-1)]]",
    "double frexp(double x, int *exp [[out]])",
    "char *sum_as_string(int64_t a, int64_t b) [[free]]",
    "int64_t count(const char *path, const char *word) [[nogil]]",
    "unsigned long crc32(unsigned long crc, const void *buf, unsigned int len)",
    "const char *zlibVersion(void)",
    "size_t strlen(const char *s)",
    "int deflate(void *strm, int flush) [[status(!= 0, zError)]]",
};
enum { NSIGS = sizeof sigs / sizeof sigs[0] };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    if (!(seconds > 0))
        seconds = 1.0;
    size_t lens[NSIGS];
    for (int i = 0; i < NSIGS; i++) {
        lens[i] = strlen(sigs[i]);
        sb_error e;
        sb_sig *s = sb__sig_parse(sigs[i], lens[i], &e);
        if (!s) {
            fprintf(stderr, "parse_rate: \"%s\" does not parse: col %zu: %s\n", sigs[i], e.col, e.msg);
            return 1;
        }
        sb__sig_free(s);
    }
    /* Warm up, then run whole rounds until the time is up. */
    unsigned long long count = 0;
    size_t bytes = 0;
    double t0 = now(), t1 = t0;
    while (t1 - t0 < seconds) {
        for (int round = 0; round < 1000; round++)
            for (int i = 0; i < NSIGS; i++) {
                sb_error e;
                sb_sig *s = sb__sig_parse(sigs[i], lens[i], &e);
                if (!s)
                    return 1;
                bytes += lens[i];
                sb__sig_free(s);
            }
        count += 1000ull * NSIGS;
        t1 = now();
    }
    double dt = t1 - t0;
    printf("parsed %llu signatures (%d distinct, %.1f bytes average) in %.3f s\n", count, NSIGS,
           (double)bytes / (double)count, dt);
    printf("%.0f signatures/second (%.0f ns each)\n", (double)count / dt, dt * 1e9 / (double)count);
    return 0;
}
