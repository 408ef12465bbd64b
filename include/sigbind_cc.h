/* sigbind_cc.h — the one place for compiler-specific spellings (visibility, format checks, branch hints, inlining, glibc symbol-version pins); used by the runtime and by sigbind.h. */
#ifndef SB_CC_H
#define SB_CC_H

#if defined(__GNUC__) || defined(__clang__)
#define SB_INTERNAL __attribute__((visibility("hidden")))
#define SB_EXPORT __attribute__((visibility("default")))
#define SB_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define SB_LIKELY(x) __builtin_expect(!!(x), 1)
#define SB_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SB_UNUSED __attribute__((unused))
#define SB_ALWAYS_INLINE inline __attribute__((always_inline))
#define SB_NOINLINE __attribute__((noinline))
#define SB_CONSTRUCTOR __attribute__((constructor))
#ifdef __SIZEOF_FLOAT128__
#define SB_FLOAT128 __float128 /* _Float128 values in memory (read and written as a double) */
#endif
#else
#define SB_INTERNAL
#define SB_EXPORT
#define SB_PRINTF(fmt, args)
#define SB_LIKELY(x) (x)
#define SB_UNLIKELY(x) (x)
#define SB_UNUSED
#define SB_ALWAYS_INLINE inline
#define SB_NOINLINE
#define SB_CONSTRUCTOR
#endif

/* glibc symbol-version pins (manylinux2014: nothing newer than GLIBC_2.17).
 *
 * glibc 2.34 moved dlopen & co. and the pthread functions from libdl/libpthread
 * into libc.so.6 under new version names (dlopen@@GLIBC_2.34), and a program built
 * against it references those, so it no longer loads on an older glibc. libc.so.6
 * still defines the old versions (dlopen@GLIBC_2.2.5), the ones an older glibc has in
 * libdl.so.2 / libpthread.so.0; every file that includes this header (the runtime,
 * and any extension or program that includes sigbind.h) references those instead.
 * The dynamic loader matches a symbol by name and version, in whichever loaded
 * library defines it, and whoever links the runtime records DT_NEEDED libdl.so.2 and
 * libpthread.so.0 (cmake/SigbindModule.cmake, sigbind.pc), so both old and new glibc
 * resolve them. The base version is the oldest one of the architecture's glibc ABI.
 * Other newer symbols are avoided in the source (fstat -> lseek) or replaced at link
 * time (memfd_create in libffi: -Wl,--wrap, src/core/glibc_compat.c; a program's
 * __libc_start_main@GLIBC_2.34 from crt1.o: src/core/glibc_start.c); the wheel
 * backend refuses a binary that still needs more than its tag says.
 * Define SB_NO_GLIBC_PINS to link against the build machine's defaults. */
#include <limits.h> /* defines __GLIBC__ on glibc */
#if defined(__GLIBC__) && !defined(SB_NO_GLIBC_PINS) && (defined(__GNUC__) || defined(__clang__))
/* Each symbol at the oldest version the architecture's glibc has (x86_64: as listed by
 * `objdump -T libc.so.6`, the compat version of each *@@GLIBC_2.34 symbol; aarch64 starts at 2.17). */
#if defined(__x86_64__)
#define SB_GLIBC_V2_2_5 "GLIBC_2.2.5"
#define SB_GLIBC_V2_3_3 "GLIBC_2.3.3"
#elif defined(__aarch64__)
#define SB_GLIBC_V2_2_5 "GLIBC_2.17"
#define SB_GLIBC_V2_3_3 "GLIBC_2.17"
#endif
#ifdef SB_GLIBC_V2_2_5
/* SB_GLIBC_SYMVER(local, sym, ver): references to `local` in this file mean sym@ver. */
#define SB_GLIBC_SYMVER(local, sym, ver) __asm__(".symver " #local "," #sym "@" ver);
#define SB_GLIBC_PIN(sym, ver) SB_GLIBC_SYMVER(sym, sym, ver)
SB_GLIBC_PIN(dlopen, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(dlsym, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(dlclose, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(dlerror, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(dladdr, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(dlvsym, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_create, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_join, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_detach, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_kill, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_once, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_key_create, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_key_delete, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_getspecific, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_setspecific, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_mutex_trylock, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_mutexattr_init, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_mutexattr_settype, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_mutexattr_destroy, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_attr_getstacksize, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_attr_setstacksize, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_rwlock_init, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_rwlock_destroy, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_rwlock_rdlock, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_rwlock_wrlock, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(pthread_rwlock_unlock, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(sem_init, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(sem_destroy, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(sem_wait, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(sem_trywait, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(sem_timedwait, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(sem_post, SB_GLIBC_V2_2_5)
SB_GLIBC_PIN(dlinfo, SB_GLIBC_V2_3_3)
SB_GLIBC_PIN(dladdr1, SB_GLIBC_V2_3_3)
SB_GLIBC_PIN(pthread_tryjoin_np, SB_GLIBC_V2_3_3)
SB_GLIBC_PIN(pthread_timedjoin_np, SB_GLIBC_V2_3_3)
#endif
#endif

#endif
