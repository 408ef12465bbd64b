/* glibc_start.c — program start-up through __libc_start_main@GLIBC_2.2.5, so programs linked with the runtime (sigbind_add_executable) also start on a glibc older than 2.34. */
#include "core/internal.h"

/* glibc 2.34 gave __libc_start_main, which crt1.o (the start code of every
 * program) calls, a new version: __libc_start_main@@GLIBC_2.34, which expects
 * init == NULL and then runs the program's constructors itself. An older glibc
 * has only the old version, which runs the constructors through the `init`
 * argument its own crt1.o passes (__libc_csu_init). Programs built with
 * sigbind_add_executable link with -Wl,--wrap=__libc_start_main: crt1.o's call
 * lands here, and the old version is called with an init that does what
 * __libc_csu_init did (_init, then .init_array in order; .preinit_array is run by
 * the dynamic loader). Every glibc since 2.34 still defines the old version and
 * takes that path when init is not NULL, so the program starts the same on both. */
#ifdef SB_GLIBC_V2_2_5
typedef int sb_main_fn(int, char **, char **);
typedef void sb_init_fn(int, char **, char **);

/* Not hidden: a hidden undefined symbol could not bind to libc.so.6. */
int sb__libc_start_main_old(sb_main_fn *entry, int argc, char **argv, sb_init_fn *init,
                            void (*fini)(void), void (*rtld_fini)(void), void *stack_end);
SB_GLIBC_SYMVER(sb__libc_start_main_old, __libc_start_main, SB_GLIBC_V2_2_5)

/* Defined in every program: _init by crti.o, the array bounds by the linker's default script. */
extern void _init(void);
extern sb_init_fn *__init_array_start[];
extern sb_init_fn *__init_array_end[];

static void run_init(int argc, char **argv, char **envp)
{
    _init();
    size_t n = (size_t)(__init_array_end - __init_array_start);
    for (size_t i = 0; i < n; i++)
        __init_array_start[i](argc, argv, envp);
}

SB_INTERNAL int __wrap___libc_start_main(sb_main_fn *entry, int argc, char **argv, sb_init_fn *init,
                                         void (*fini)(void), void (*rtld_fini)(void), void *stack_end);

SB_INTERNAL int __wrap___libc_start_main(sb_main_fn *entry, int argc, char **argv, sb_init_fn *init,
                                         void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    return sb__libc_start_main_old(entry, argc, argv, init ? init : run_init, fini, rtld_fini, stack_end);
}
#endif
