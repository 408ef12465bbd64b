/* glibc_compat.c — libc calls that libffi makes, replaced by ones an old glibc has (manylinux2014: nothing newer than GLIBC_2.17). */
#define _DEFAULT_SOURCE /* syscall() */
#include "core/internal.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

/* libffi's closure allocator (closures.c) tries memfd_create() first and falls
 * back to a temporary file when it fails. The libc wrapper exists only from glibc
 * 2.27 (memfd_create@GLIBC_2.27), so everything that links the runtime links with
 * -Wl,--wrap=memfd_create (cmake/SigbindModule.cmake, the installed package,
 * sigbind.pc): libffi's call lands here and makes the system call itself, which
 * every glibc has; a kernel without it (before 3.17) answers ENOSYS and libffi
 * takes its fallback, as it does with the libc wrapper. */
SB_INTERNAL int __wrap_memfd_create(const char *name, unsigned int flags);

SB_INTERNAL int __wrap_memfd_create(const char *name, unsigned int flags)
{
#ifdef SYS_memfd_create
    return (int)syscall(SYS_memfd_create, name, flags);
#else
    (void)name;
    (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}
