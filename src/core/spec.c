/* spec.c — type specifiers and pointer declarators: `const unsigned long *` -> sb_type (plain C). */
#if !defined(_XOPEN_SOURCE) && !defined(_WIN32)
#define _XOPEN_SOURCE 700 /* the POSIX typedefs (blksize_t, id_t, ...) of the C library's headers */
#endif
#include "core/internal.h"
#include "core/parse.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#if defined(__unix__) || defined(__APPLE__)
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <termios.h>
#define SB_HAVE_POSIX_TYPES 1
#endif

/* ------------------------------------------------------------------ */
/* Types                                                               */

static const struct { const char *name; sb_kind kind; } named_types[] = {
    {"int8_t", SB_K_INT8}, {"uint8_t", SB_K_UINT8}, {"int16_t", SB_K_INT16},
    {"uint16_t", SB_K_UINT16}, {"int32_t", SB_K_INT32}, {"uint32_t", SB_K_UINT32},
    {"int64_t", SB_K_INT64}, {"uint64_t", SB_K_UINT64}, {"size_t", SB_K_SIZE},
    {"ssize_t", SB_K_SSIZE}, {"intptr_t", SB_K_INTPTR}, {"uintptr_t", SB_K_UINTPTR},
    {"ptrdiff_t", SB_K_PTRDIFF}, {"PyObject", SB_K_PYOBJECT}, {"wchar_t", SB_K_WCHAR},
    {"char16_t", SB_K_CHAR16}, {"char32_t", SB_K_CHAR32}, {"__int128_t", SB_K_INT128},
    {"__uint128_t", SB_K_UINT128},
};

/* At a struct's tag: is the type used through a pointer (`struct tag *`,
 * `struct tag const *`)? Reads nothing. */
static bool pointer_follows(parser *p)
{
    size_t save_pos = p->pos;
    tok save = p->t;
    bool failed = p->failed;
    next(p);
    while (tok_is(p, "const") || tok_is(p, "volatile"))
        next(p);
    bool ptr = punct_is(p, '*');
    p->pos = save_pos;
    p->t = save;
    p->failed = failed;
    return ptr;
}

/* The integer kind of a C integer type T, from its size and signedness: int and long
 * kinds first (so `off_t` reads as `long` on LP64, what it is). */
#define SB_SIGNED_KIND(T)                                                                                         \
    (sizeof(T) == 1 ? SB_K_SCHAR : sizeof(T) == 2 ? SB_K_SHORT : sizeof(T) == sizeof(int) ? SB_K_INT             \
     : sizeof(T) == sizeof(long) ? SB_K_LONG : SB_K_LLONG)
#define SB_UNSIGNED_KIND(T)                                                                                       \
    (sizeof(T) == 1 ? SB_K_UCHAR : sizeof(T) == 2 ? SB_K_USHORT : sizeof(T) == sizeof(int) ? SB_K_UINT           \
     : sizeof(T) == sizeof(long) ? SB_K_ULONG : SB_K_ULLONG)
#define SB_KIND_OF(T) ((T)-1 < (T)1 ? SB_SIGNED_KIND(T) : SB_UNSIGNED_KIND(T))
#define SB_NT(T) {#T, SB_KIND_OF(T)}

/* Standard and POSIX integer typedefs, as this platform's C library defines them;
 * found only when the scope does not know the name (a header may declare its own). */
static const struct { const char *name; sb_kind kind; } libc_types[] = {
    SB_NT(intmax_t), SB_NT(uintmax_t), SB_NT(int_least8_t), SB_NT(int_least16_t), SB_NT(int_least32_t),
    SB_NT(int_least64_t), SB_NT(uint_least8_t), SB_NT(uint_least16_t), SB_NT(uint_least32_t),
    SB_NT(uint_least64_t), SB_NT(int_fast8_t), SB_NT(int_fast16_t), SB_NT(int_fast32_t), SB_NT(int_fast64_t),
    SB_NT(uint_fast8_t), SB_NT(uint_fast16_t), SB_NT(uint_fast32_t), SB_NT(uint_fast64_t),
    SB_NT(wint_t), SB_NT(time_t), SB_NT(clock_t), SB_NT(sig_atomic_t),
#ifdef SB_HAVE_POSIX_TYPES
    SB_NT(off_t), SB_NT(pid_t), SB_NT(uid_t), SB_NT(gid_t), SB_NT(mode_t), SB_NT(dev_t), SB_NT(ino_t),
    SB_NT(nlink_t), SB_NT(blksize_t), SB_NT(blkcnt_t), SB_NT(id_t), SB_NT(key_t), SB_NT(clockid_t),
    SB_NT(suseconds_t), SB_NT(useconds_t), SB_NT(socklen_t), SB_NT(sa_family_t), SB_NT(in_addr_t),
    SB_NT(in_port_t), SB_NT(rlim_t), SB_NT(fsblkcnt_t), SB_NT(fsfilcnt_t), SB_NT(pthread_t), SB_NT(pthread_key_t),
    SB_NT(pthread_once_t), SB_NT(pthread_spinlock_t),
#endif
};

/* The C library's types a header names without defining them (the cleaned form of a header leaves
 * <stdio.h>, <pthread.h>, <setjmp.h>, <sys/socket.h> out): FILE and DIR are opaque (`FILE *` is a `void *`); the
 * others are sized as this platform's C library sizes them (bytes, aligned as it aligns them), so a
 * struct holding one lays out as C does; their members are the C library's business. Found only
 * when the scope does not know the name. */
#define SB_SIZED(T, spelling) {.what = SB_NAMED_ALIAS, .name = spelling, .alias = {SB_K_UCHAR, 0, 0, NULL}, \
                               .count = sizeof(T), .align = _Alignof(T)}
static const sb_named libc_opaque[] = {
    {.what = SB_NAMED_ALIAS, .name = "FILE", .alias = {SB_K_VOID, 0, 0, NULL}},
    {.what = SB_NAMED_ALIAS, .name = "DIR", .alias = {SB_K_VOID, 0, 0, NULL}},
#ifdef SB_HAVE_POSIX_TYPES
    SB_SIZED(pthread_mutex_t, "pthread_mutex_t"), SB_SIZED(pthread_cond_t, "pthread_cond_t"),
    SB_SIZED(pthread_rwlock_t, "pthread_rwlock_t"), SB_SIZED(pthread_attr_t, "pthread_attr_t"),
    SB_SIZED(pthread_mutexattr_t, "pthread_mutexattr_t"), SB_SIZED(pthread_condattr_t, "pthread_condattr_t"),
    SB_SIZED(pthread_rwlockattr_t, "pthread_rwlockattr_t"), SB_SIZED(pthread_barrier_t, "pthread_barrier_t"),
    SB_SIZED(sem_t, "sem_t"), SB_SIZED(sigset_t, "sigset_t"), SB_SIZED(jmp_buf, "jmp_buf"),
    SB_SIZED(sigjmp_buf, "sigjmp_buf"), SB_SIZED(fd_set, "fd_set"),
#endif
};
#ifdef SB_HAVE_POSIX_TYPES
/* `struct sockaddr` and its family, termios, timeval, timespec, stat: sized likewise. */
static const sb_named libc_structs[] = {
    SB_SIZED(struct sockaddr, "struct sockaddr"), SB_SIZED(struct sockaddr_storage, "struct sockaddr_storage"),
    SB_SIZED(struct sockaddr_in, "struct sockaddr_in"), SB_SIZED(struct sockaddr_in6, "struct sockaddr_in6"),
    SB_SIZED(struct sockaddr_un, "struct sockaddr_un"), SB_SIZED(struct termios, "struct termios"),
    SB_SIZED(struct timeval, "struct timeval"), SB_SIZED(struct timespec, "struct timespec"),
    SB_SIZED(struct stat, "struct stat"),
};
#endif
#undef SB_SIZED

/* A built-in C library type of that name (tag 's': a struct tag), or NULL. */
static const sb_named *libc_named(const char *w, size_t n, int tag)
{
    if (tag == 0) {
        for (size_t i = 0; i < sizeof libc_opaque / sizeof libc_opaque[0]; i++)
            if (strlen(libc_opaque[i].name) == n && memcmp(libc_opaque[i].name, w, n) == 0)
                return &libc_opaque[i];
        return NULL;
    }
#ifdef SB_HAVE_POSIX_TYPES
    for (size_t i = 0; tag == 's' && i < sizeof libc_structs / sizeof libc_structs[0]; i++)
        if (strlen(libc_structs[i].name + 7) == n && memcmp(libc_structs[i].name + 7, w, n) == 0)
            return &libc_structs[i];
#endif
    return NULL;
}

/* GCC's va_list: opaque, passed as a pointer (x86-64: an array of one __va_list_tag). */
static const sb_named va_list_named = {.what = SB_NAMED_ALIAS, .name = "va_list", .alias = {SB_K_VOID, 1, 0, NULL}};

/* Reads declaration specifiers. Stops at the first token that is not one
 * (the declarator). Returns false on error. */
static bool parse_specs(parser *p, spec *sp, const char *where)
{
    memset(sp, 0, sizeof *sp);
    sp->start = p->t.pos;
    for (;;) {
        if (p->t.kind != T_IDENT)
            break;
        const char *w = p->s + p->t.pos;
        size_t n = p->t.len;
#define IS(word) (n == sizeof(word) - 1 && memcmp(w, word, n) == 0)
        if (IS("const") || IS("__const") || IS("__const__")) sp->cconst = true;
        else if (IS("volatile") || IS("extern") || IS("static") || IS("inline") || IS("restrict")) {}
        else if (IS("long")) sp->nlong++, sp->any = true;
        else if (IS("short")) sp->nshort++, sp->any = true;
        else if (IS("signed") || IS("__signed__") || IS("__signed")) sp->nsigned++, sp->any = true;
        else if (IS("unsigned")) sp->nunsigned++, sp->any = true;
        else if (IS("int")) sp->nint++, sp->any = true;
        else if (IS("char")) sp->nchar++, sp->any = true;
        else if (IS("void")) sp->nvoid++, sp->any = true;
        else if (IS("bool") || IS("_Bool")) sp->nbool++, sp->any = true;
        else if (IS("float")) sp->nfloat++, sp->any = true;
        else if (IS("double")) sp->ndouble++, sp->any = true;
        else if (IS("_Complex") || IS("__complex__") || IS("__complex")) sp->ncomplex++, sp->any = true;
        else if (IS("__int128") || IS("__int128__")) sp->nint128++, sp->any = true;
        else if (IS("_Float128") || IS("__float128")) sp->nfloat128++, sp->any = true;
        else if (IS("_Float64x")) sp->nlong++, sp->ndouble++, sp->any = true; /* GCC: long double */
        else if (IS("_Float32")) sp->nfloat++, sp->any = true;
        else if (IS("_Float64") || IS("_Float32x")) sp->ndouble++, sp->any = true;
        else if (IS("struct") || IS("union") || IS("enum")) {
            /* `struct Rect *` names a scope's type as well as `Rect *` */
            size_t kwpos = p->t.pos;
            int tag = IS("enum") ? 'e' : IS("union") ? 'u' : 's';
            next(p);
            const sb_named *nd = NULL;
            if (!p->failed && p->t.kind == T_IDENT && p->scope && !sp->any)
                nd = p->scope->lookup(p->scope, p->s + p->t.pos, p->t.len, tag);
            if (!nd && !p->failed && tag == 's' && p->t.kind == T_IDENT && !sp->any && !pointer_follows(p))
                nd = libc_named(p->s + p->t.pos, p->t.len, 's'); /* by value; behind '*' it stays incomplete */
            if (!nd && !p->failed && tag != 'e' && p->t.kind == T_IDENT && p->scope && p->scope->forward && !sp->any &&
                pointer_follows(p))
                nd = p->scope->forward(p->scope, p->s + p->t.pos, p->t.len, tag); /* incomplete until defined */
            if (!nd) {
                if (!p->failed && tag == 'e' && p->t.kind == T_IDENT)
                    fail(p, kwpos, "enum '%.*s' is not declared (declare it first: 'enum %.*s { ... };')",
                         (int)(p->t.len > 64 ? 64 : p->t.len), p->s + p->t.pos, (int)(p->t.len > 64 ? 64 : p->t.len),
                         p->s + p->t.pos);
                if (!p->failed && p->t.kind == T_IDENT)
                    fail(p, kwpos, "%.*s '%.*s' is not declared (declare it first in load() or declare(): "
                         "'%.*s %.*s { ... };' or 'typedef %.*s %.*s %.*s;')", (int)n, w,
                         (int)(p->t.len > 64 ? 64 : p->t.len), p->s + p->t.pos, (int)n, w,
                         (int)(p->t.len > 64 ? 64 : p->t.len), p->s + p->t.pos, (int)n, w,
                         (int)(p->t.len > 64 ? 64 : p->t.len), p->s + p->t.pos, (int)(p->t.len > 64 ? 64 : p->t.len),
                         p->s + p->t.pos);
                if (!p->failed)
                    expected(p, n == 6 ? "the struct's tag" : "the union's tag");
                return false;
            }
            sp->nd = nd;
            sp->any = true;
        } else if (IS("typedef")) {
            fail(p, p->t.pos, "a typedef is a declaration, not a prototype: give it to load() or declare()");
            return false;
        } else {
            if (sp->any)
                break; /* the declarator's name */
            bool found = false;
            for (size_t i = 0; i < sizeof named_types / sizeof named_types[0]; i++)
                if (strlen(named_types[i].name) == n && memcmp(named_types[i].name, w, n) == 0) {
                    sp->named = (int)named_types[i].kind + 1;
                    found = true;
                    break;
                }
            if (!found && p->scope && (sp->nd = p->scope->lookup(p->scope, w, n, 0)) != NULL)
                found = true;
            for (size_t i = 0; !found && i < sizeof libc_types / sizeof libc_types[0]; i++)
                if (strlen(libc_types[i].name) == n && memcmp(libc_types[i].name, w, n) == 0) {
                    sp->named = (int)libc_types[i].kind + 1;
                    found = true;
                }
            if (!found && (sp->nd = libc_named(w, n, 0)) != NULL)
                found = true;
            if (!found && (IS("__builtin_va_list") || IS("va_list") || IS("__gnuc_va_list"))) {
                sp->nd = &va_list_named; /* an array type on x86-64: a pointer in parameters */
                found = true;
            }
            if (!found) {
                fail(p, p->t.pos, "unknown type name '%.*s' (declare it first: a typedef in load() or declare())", (int)n, w);
                return false;
            }
            sp->any = true;
        }
#undef IS
        next(p);
        if (p->failed)
            return false;
    }
    if (!sp->any) {
        char what[80];
        snprintf(what, sizeof what, "a type%s", where);
        expected(p, what);
        return false;
    }
    return true;
}

/* `float _Complex`, `_Complex double`, `_Complex` alone (GCC: double); `long double _Complex` is refused. */
static bool resolve_complex(parser *p, const spec *sp, int base, bool sign, sb_kind *out)
{
    if (sp->ncomplex > 1 || base > 1 || sign || sp->nint || sp->nshort || sp->nchar || sp->nvoid || sp->nbool ||
        sp->named || sp->nd || sp->nint128 || sp->nfloat128 || (sp->nlong && (sp->nfloat || !sp->ndouble))) {
        fail(p, sp->start, "invalid combination of type specifiers");
        return false;
    }
    if (sp->nlong) {
        fail(p, sp->start, "type 'long double _Complex' is not supported (pass a pointer to it)");
        return false;
    }
    *out = sp->nfloat ? SB_K_CFLOAT : SB_K_CDOUBLE;
    return true;
}

/* Resolves the collected specifiers to a kind. */
static bool resolve_spec(parser *p, const spec *sp, sb_kind *out)
{
    int base = sp->nvoid + sp->nbool + sp->nfloat + sp->ndouble + sp->nchar + (sp->named ? 1 : 0) + (sp->nd ? 1 : 0) +
               sp->nint128 + sp->nfloat128;
    bool sign = sp->nsigned || sp->nunsigned;
    if (sp->ncomplex)
        return resolve_complex(p, sp, base, sign, out);
    if (sp->nint128 || sp->nfloat128) {
        if (base > 1 || sp->nint || sp->nlong || sp->nshort || (sp->nfloat128 && sign) || (sp->nsigned && sp->nunsigned))
            goto invalid;
        *out = sp->nfloat128 ? SB_K_FLOAT128 : sp->nunsigned ? SB_K_UINT128 : SB_K_INT128;
        return true;
    }
    if (base > 1 || sp->nint > 1 || (sp->nsigned && sp->nunsigned) || sp->nlong > 2 ||
        (sp->nshort && sp->nlong) || sp->nshort > 1 || sp->nsigned > 1 || sp->nunsigned > 1)
        goto invalid;
    if (sp->named || sp->nd) {
        if (sign || sp->nint || sp->nlong || sp->nshort)
            goto invalid;
        *out = sp->nd ? SB_K_VOID : (sb_kind)(sp->named - 1);
        return true;
    }
    if (sp->nvoid || sp->nbool || sp->nfloat) {
        if (sign || sp->nint || sp->nlong || sp->nshort)
            goto invalid;
        *out = sp->nvoid ? SB_K_VOID : sp->nbool ? SB_K_BOOL : SB_K_FLOAT;
        return true;
    }
    if (sp->ndouble) {
        if (sign || sp->nint || sp->nshort || sp->nlong > 1)
            goto invalid;
        *out = sp->nlong ? SB_K_LDOUBLE : SB_K_DOUBLE;
        return true;
    }
    if (sp->nchar) {
        if (sp->nint || sp->nlong || sp->nshort)
            goto invalid;
        *out = sp->nunsigned ? SB_K_UCHAR : sp->nsigned ? SB_K_SCHAR : SB_K_CHAR;
        return true;
    }
    if (sp->nshort)
        *out = sp->nunsigned ? SB_K_USHORT : SB_K_SHORT;
    else if (sp->nlong == 2)
        *out = sp->nunsigned ? SB_K_ULLONG : SB_K_LLONG;
    else if (sp->nlong == 1)
        *out = sp->nunsigned ? SB_K_ULONG : SB_K_LONG;
    else
        *out = sp->nunsigned ? SB_K_UINT : SB_K_INT;
    return true;
invalid:
    fail(p, sp->start, "invalid combination of type specifiers");
    return false;
}

/* The base type of a resolved spec: a scope's name stands for itself, or for
 * the type a typedef names (which may already carry pointers). */
static void apply_spec(const spec *sp, sb_kind k, sb_type *t)
{
    t->kind = (uint8_t)k;
    t->cconst = sp->cconst;
    t->named = sp->nd;
    t->ptr = 0;
    if (sp->nd && sp->nd->what == SB_NAMED_ALIAS) {
        t->kind = sp->nd->alias.kind;
        t->named = sp->nd->alias.named;
        t->ptr = sp->nd->alias.ptr;
        t->cconst = sp->cconst || sp->nd->alias.cconst;
    }
}

/* The base type of a declaration: its specifiers, resolved (sp keeps where
 * they started and whether they said const). */
bool sb__parse_base_type(parser *p, spec *sp, const char *where, sb_type *t)
{
    sb_kind k;
    if (!parse_specs(p, sp, where) || !resolve_spec(p, sp, &k))
        return false;
    apply_spec(sp, k, t);
    return true;
}

/* Pointer part of a declarator: ('*' qualifiers*)*. */
bool sb__parse_pointers(parser *p, sb_type *t)
{
    while (punct_is(p, '*')) {
        if (t->ptr >= 8) {
            fail(p, p->t.pos, "too many levels of pointers");
            return false;
        }
        t->ptr++;
        next(p);
        while (tok_is(p, "const") || tok_is(p, "volatile") || tok_is(p, "restrict") || tok_is(p, "__const"))
            next(p);
        if (p->failed)
            return false;
    }
    return true;
}
