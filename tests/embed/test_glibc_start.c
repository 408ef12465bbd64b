/* test_glibc_start.c — a program linked by sigbind_add_executable starts through __libc_start_main@GLIBC_2.2.5 (src/core/glibc_start.c) with its constructors, arguments, environment and exit handlers intact. */
#include "sigbind.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int constructed;      /* set by the constructor (.init_array), before main */
static int env_at_construct; /* the environment was already there */

SB_CONSTRUCTOR static void before_main(void)
{
    constructed = 42;
    env_at_construct = getenv("SB_START_CHECK") != NULL;
}

static void at_exit(void)
{
    /* Printed after main returned: the exit handlers still run. */
    printf("glibc_start: exit handler ran\n");
    fflush(stdout);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_count;
static void once_fn(void)
{
    once_count++;
}

int main(int argc, char **argv)
{
    int failures = 0;
#define CHECK(cond)                                                    \
    do {                                                               \
        if (!(cond)) {                                                 \
            printf("glibc_start: FAILED: %s\n", #cond);                \
            failures++;                                                \
        }                                                              \
    } while (0)
    CHECK(constructed == 42);
    CHECK(env_at_construct);
    CHECK(argc == 3 && strcmp(argv[1], "one") == 0 && strcmp(argv[2], "two words") == 0 && argv[3] == NULL);
    CHECK(getenv("SB_START_CHECK") && strcmp(getenv("SB_START_CHECK"), "here") == 0);
    CHECK(environ != NULL);
    /* Pinned to their GLIBC_2.2.5 versions by sigbind_cc.h: they must still work. */
    pthread_once(&once, once_fn);
    pthread_once(&once, once_fn);
    CHECK(once_count == 1);
    void *libm = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
    CHECK(libm != NULL);
    if (libm) {
        double (*cos_fn)(double) = (double (*)(double))(uintptr_t)dlsym(libm, "cos");
        CHECK(cos_fn != NULL && cos_fn(0.0) == 1.0);
        CHECK(dlsym(libm, "no_such_symbol") == NULL && dlerror() != NULL);
        CHECK(dlclose(libm) == 0);
    }
    CHECK(atexit(at_exit) == 0);
    printf("glibc_start: %s (%d check(s) failed)\n", failures ? "FAILED" : "ok", failures);
    return failures ? 1 : 7; /* 7: the exit status passes through */
}
