/* sigbind_cc.h — the one place for compiler-specific spellings (visibility, format checks, branch hints, inlining); used by the runtime and by sigbind.h. */
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
#else
#define SB_INTERNAL
#define SB_EXPORT
#define SB_PRINTF(fmt, args)
#define SB_LIKELY(x) (x)
#define SB_UNLIKELY(x) (x)
#define SB_UNUSED
#define SB_ALWAYS_INLINE inline
#define SB_NOINLINE
#endif

#endif
