/* internal.h — cross-file internals of the plain-C layers (parser, ctype, layout, plan); never includes Python.h. */
#ifndef SB_INTERNAL_H
#define SB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>
#include <ffi.h>

#include "sigbind_cc.h"

/* ------------------------------------------------------------------ */
/* A growing NUL-terminated string (text signatures, docs, stubs;      */
/* sb__strbuf_put: src/core/arena.c). Zero-initialise; b is malloc'd,  */
/* the owner frees it; oom stays set after a failed growth.            */

typedef struct sb_strbuf {
    char *b;
    size_t n, cap;
    bool oom;
} sb_strbuf;

SB_INTERNAL void sb__strbuf_put(sb_strbuf *s, const char *t, size_t n);
/* A malloc'd NUL-terminated copy of the n bytes at s (the caller frees it); NULL when out of memory. */
SB_INTERNAL char *sb__strndup(const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* Errors of the plain-C layers: a status plus an owned message        */
/* (sb__error_set: src/core/arena.c).                                  */

typedef struct sb_error {
    size_t col;      /* 0-based column in the text that was parsed, or (size_t)-1 */
    char msg[200];   /* "expected ')' after parameter list" etc. */
} sb_error;

SB_INTERNAL void sb__error_set(sb_error *err, size_t col, const char *fmt, ...) SB_PRINTF(3, 4);

/* ------------------------------------------------------------------ */
/* ctype: the C type table (one X-macro, src/core/ctype.c).                 */

typedef enum sb_class {
    SB_CLASS_VOID,   /* void */
    SB_CLASS_SINT,   /* signed integer */
    SB_CLASS_UINT,   /* unsigned integer */
    SB_CLASS_BOOL,   /* bool / _Bool */
    SB_CLASS_FLOAT,  /* float, double, long double */
    SB_CLASS_WIDE,   /* float/double _Complex, __int128, _Float128: a value wider than a cell, converted
                        in memory (sb__wide_get / sb__wide_set); by value through storage (SB_CV_WIDE) */
    SB_CLASS_PYOBJ   /* PyObject (only meaningful behind one '*') */
} sb_class;

/* Platform-sized kinds get the libffi type of their width (preprocessor only,
 * so the table below is constant data). */
#if SIZE_MAX == UINT64_MAX
#define SB_FFI_SIZE ffi_type_uint64
#define SB_FFI_SSIZE ffi_type_sint64
#else
#define SB_FFI_SIZE ffi_type_uint32
#define SB_FFI_SSIZE ffi_type_sint32
#endif
#if UINTPTR_MAX == UINT64_MAX
#define SB_FFI_UINTPTR ffi_type_uint64
#define SB_FFI_INTPTR ffi_type_sint64
#else
#define SB_FFI_UINTPTR ffi_type_uint32
#define SB_FFI_INTPTR ffi_type_sint32
#endif
#if CHAR_MIN < 0
#define SB_FFI_CHAR ffi_type_schar
#define SB_CHAR_CLASS SB_CLASS_SINT
#else
#define SB_FFI_CHAR ffi_type_uchar
#define SB_CHAR_CLASS SB_CLASS_UINT
#endif
#if WCHAR_MIN < 0 && WCHAR_MAX > 0xFFFF
#define SB_FFI_WCHAR ffi_type_sint32
#elif WCHAR_MIN < 0
#define SB_FFI_WCHAR ffi_type_sint16
#elif WCHAR_MAX > 0xFFFF
#define SB_FFI_WCHAR ffi_type_uint32
#else
#define SB_FFI_WCHAR ffi_type_uint16
#endif
#if WCHAR_MIN < 0
#define SB_WCHAR_CLASS SB_CLASS_SINT
#else
#define SB_WCHAR_CLASS SB_CLASS_UINT
#endif
#ifdef FFI_TARGET_HAS_COMPLEX_TYPE /* libffi passes complex numbers by value */
#define SB_FFI_CFLOAT ffi_type_complex_float
#define SB_FFI_CDOUBLE ffi_type_complex_double
#define SB_HAVE_FFI_COMPLEX 1
#else
#define SB_FFI_CFLOAT sb__ffi_int128 /* never passed: refused by value (plan.c) */
#define SB_FFI_CDOUBLE sb__ffi_int128
#define SB_HAVE_FFI_COMPLEX 0
#endif
/* The size and alignment of __int128 and _Float128 (16 and 16 where they exist), without the compiler's types. */
typedef struct sb_int128_repr {
    _Alignas(16) uint64_t w[2];
} sb_int128_repr;
/* Two 8-byte integers: the libffi type of __int128 and _Float128 members of structs (never passed by value:
 * libffi would align it to 8, and lay out structs holding it differently from C, which layout.c detects). */
SB_INTERNAL extern ffi_type sb__ffi_int128;
#ifndef SSIZE_MAX
#define SB_SSIZE_MAX PTRDIFF_MAX
#else
#define SB_SSIZE_MAX SSIZE_MAX
#endif

/* X(ID, spelling, C type for sizeof/alignof, ffi_type, class, min, max) */
#define SB_KINDS(X)                                                                                  \
    X(VOID, "void", char, ffi_type_void, SB_CLASS_VOID, 0, 0)                                        \
    X(BOOL, "bool", bool, ffi_type_uint8, SB_CLASS_BOOL, 0, 1)                                       \
    X(CHAR, "char", char, SB_FFI_CHAR, SB_CHAR_CLASS, CHAR_MIN, CHAR_MAX)                            \
    X(SCHAR, "signed char", signed char, ffi_type_schar, SB_CLASS_SINT, SCHAR_MIN, SCHAR_MAX)        \
    X(UCHAR, "unsigned char", unsigned char, ffi_type_uchar, SB_CLASS_UINT, 0, UCHAR_MAX)            \
    X(SHORT, "short", short, ffi_type_sshort, SB_CLASS_SINT, SHRT_MIN, SHRT_MAX)                     \
    X(USHORT, "unsigned short", unsigned short, ffi_type_ushort, SB_CLASS_UINT, 0, USHRT_MAX)        \
    X(INT, "int", int, ffi_type_sint, SB_CLASS_SINT, INT_MIN, INT_MAX)                               \
    X(UINT, "unsigned int", unsigned int, ffi_type_uint, SB_CLASS_UINT, 0, UINT_MAX)                 \
    X(LONG, "long", long, ffi_type_slong, SB_CLASS_SINT, LONG_MIN, LONG_MAX)                         \
    X(ULONG, "unsigned long", unsigned long, ffi_type_ulong, SB_CLASS_UINT, 0, ULONG_MAX)            \
    X(LLONG, "long long", long long, ffi_type_sint64, SB_CLASS_SINT, LLONG_MIN, LLONG_MAX)           \
    X(ULLONG, "unsigned long long", unsigned long long, ffi_type_uint64, SB_CLASS_UINT, 0, ULLONG_MAX) \
    X(INT8, "int8_t", int8_t, ffi_type_sint8, SB_CLASS_SINT, INT8_MIN, INT8_MAX)                     \
    X(UINT8, "uint8_t", uint8_t, ffi_type_uint8, SB_CLASS_UINT, 0, UINT8_MAX)                        \
    X(INT16, "int16_t", int16_t, ffi_type_sint16, SB_CLASS_SINT, INT16_MIN, INT16_MAX)               \
    X(UINT16, "uint16_t", uint16_t, ffi_type_uint16, SB_CLASS_UINT, 0, UINT16_MAX)                   \
    X(INT32, "int32_t", int32_t, ffi_type_sint32, SB_CLASS_SINT, INT32_MIN, INT32_MAX)               \
    X(UINT32, "uint32_t", uint32_t, ffi_type_uint32, SB_CLASS_UINT, 0, UINT32_MAX)                   \
    X(INT64, "int64_t", int64_t, ffi_type_sint64, SB_CLASS_SINT, INT64_MIN, INT64_MAX)               \
    X(UINT64, "uint64_t", uint64_t, ffi_type_uint64, SB_CLASS_UINT, 0, UINT64_MAX)                   \
    X(SIZE, "size_t", size_t, SB_FFI_SIZE, SB_CLASS_UINT, 0, SIZE_MAX)                               \
    X(SSIZE, "ssize_t", ptrdiff_t, SB_FFI_SSIZE, SB_CLASS_SINT, -SB_SSIZE_MAX - 1, SB_SSIZE_MAX)     \
    X(INTPTR, "intptr_t", intptr_t, SB_FFI_INTPTR, SB_CLASS_SINT, INTPTR_MIN, INTPTR_MAX)            \
    X(UINTPTR, "uintptr_t", uintptr_t, SB_FFI_UINTPTR, SB_CLASS_UINT, 0, UINTPTR_MAX)                \
    X(PTRDIFF, "ptrdiff_t", ptrdiff_t, SB_FFI_SSIZE, SB_CLASS_SINT, PTRDIFF_MIN, PTRDIFF_MAX)         \
    X(FLOAT, "float", float, ffi_type_float, SB_CLASS_FLOAT, 0, 0)                                   \
    X(DOUBLE, "double", double, ffi_type_double, SB_CLASS_FLOAT, 0, 0)                               \
    X(LDOUBLE, "long double", long double, ffi_type_longdouble, SB_CLASS_FLOAT, 0, 0)                \
    X(PYOBJECT, "PyObject", char, ffi_type_pointer, SB_CLASS_PYOBJ, 0, 0)                              \
    X(WCHAR, "wchar_t", wchar_t, SB_FFI_WCHAR, SB_WCHAR_CLASS, WCHAR_MIN, WCHAR_MAX)                 \
    X(CHAR16, "char16_t", uint_least16_t, ffi_type_uint16, SB_CLASS_UINT, 0, UINT_LEAST16_MAX)       \
    X(CHAR32, "char32_t", uint_least32_t, ffi_type_uint32, SB_CLASS_UINT, 0, UINT_LEAST32_MAX)       \
    X(CFLOAT, "float _Complex", float _Complex, SB_FFI_CFLOAT, SB_CLASS_WIDE, 0, 0)                   \
    X(CDOUBLE, "double _Complex", double _Complex, SB_FFI_CDOUBLE, SB_CLASS_WIDE, 0, 0)               \
    X(INT128, "__int128", sb_int128_repr, sb__ffi_int128, SB_CLASS_WIDE, 0, 0)                       \
    X(UINT128, "unsigned __int128", sb_int128_repr, sb__ffi_int128, SB_CLASS_WIDE, 0, 0)             \
    X(FLOAT128, "_Float128", sb_int128_repr, sb__ffi_int128, SB_CLASS_WIDE, 0, 0)

typedef enum sb_kind {
#define SB_X_ENUM(id, name, ctype, ffit, cls, lo, hi) SB_K_##id,
    SB_KINDS(SB_X_ENUM)
#undef SB_X_ENUM
    SB_K_COUNT
} sb_kind;

typedef struct sb_kindinfo {
    const char *name;   /* canonical spelling */
    uint8_t size, align;
    uint8_t cls;        /* sb_class */
    ffi_type *ffi;      /* the libffi type of a value of this kind */
    int64_t min;        /* integer range (0..0 for non-integers) */
    uint64_t max;
} sb_kindinfo;

SB_INTERNAL const sb_kindinfo *sb__kind(sb_kind k);

/* A type named by a scope rather than the table: a C-face class ("Rect") or
 * an opaque handle type ("sqlite3"). Owned by whoever made the scope; must
 * outlive every signature parsed with it. */
typedef enum sb_named_what {
    SB_NAMED_OPAQUE = 1,   /* incomplete struct: only usable behind '*' (typed handles) */
    SB_NAMED_CLASS,        /* a C-face class: `T *` is an instance's struct */
    SB_NAMED_ALIAS,        /* a typedef of another type: replaced by `alias` when parsed */
    SB_NAMED_FUNC,         /* a function type; `T *` of it is a function pointer. `user` is its sb_sig,
                              `name` its spelling as a pointer: "int (*)(const void *a, const void *b)" */
    SB_NAMED_STRUCT        /* a struct or union with members: `user` is its sb_layout */
} sb_named_what;

typedef struct sb_named sb_named;

/* sb_named.flags of a class: it or a base has a constructor (__init__), so its
 * instances are unusable by C code until that has run. */
#define SB_NAMED_CTOR 1u

/* Resolves type names the table does not know (NULL = unknown). `tag` is 0 for
 * a plain name, 's' after `struct`, 'u' after `union`. */
typedef struct sb_scope {
    const sb_named *(*lookup)(const struct sb_scope *scope, const char *name, size_t len, int tag);
    const void *ctx;
    /* Optional (NULL = none): declares `struct tag` / `union tag` (tag 's'/'u'), met
     * behind a '*' before any definition, as an incomplete type (SB_NAMED_OPAQUE) the
     * scope completes when its definition comes; returns it, or NULL (out of memory). */
    const sb_named *(*forward)(const struct sb_scope *scope, const char *name, size_t len, int tag);
    uint32_t pack;         /* `#pragma pack(N)` in force for struct bodies: members aligned to at most N; 0 = none */
    const struct sb_constscope *consts; /* integer constants for array lengths (`char name[NAME_MAX + 1]`), or NULL */
} sb_scope;

/* The `#pragma pack` state of a declaration block (sb__pragma). */
#define SB_PACK_DEPTH 64
typedef struct sb_pack {
    uint32_t cur;                  /* in force: 0 = none */
    uint32_t n;                    /* pushed values */
    uint32_t stack[SB_PACK_DEPTH];
} sb_pack;

/* A type as written in a signature: a base kind behind `ptr` levels of '*'. */
typedef struct sb_type {
    uint8_t kind;     /* sb_kind of the base type (SB_K_VOID when named) */
    uint8_t ptr;      /* pointer depth: 0 = the value itself */
    uint8_t cconst;   /* the base type is const-qualified */
    const sb_named *named; /* a scope's type ("Rect" in "Rect *self"), else NULL */
} sb_type;

struct sb_named {
    uint8_t what;          /* sb_named_what */
    uint8_t flags;         /* SB_NAMED_CLASS: SB_NAMED_CTOR */
    const char *name;      /* as written in signatures */
    uint32_t index;        /* SB_NAMED_CLASS: the class's index in its module */
    const void *user;      /* the runtime's own data (class record, release function...) */
    sb_type alias;         /* SB_NAMED_ALIAS: the type it stands for (never itself an alias) */
    uint32_t count;        /* SB_NAMED_ALIAS of an array type (`typedef unsigned char uuid_t[16]`): its
                              length (alias is then the element type; a parameter of it is a pointer), else 0 */
    uint32_t align;        /* SB_NAMED_ALIAS: the alignment its typedef asks for (aligned(N), a vector_size
                              type), else 0 (its type's own) */
};

/* ------------------------------------------------------------------ */
/* layout: structs and unions (src/core/layout.c).                          */

typedef struct sb_field {
    const char *name;      /* member name (owned) */
    sb_type type;          /* scalar, pointer, or a struct/union by value */
    size_t offset;         /* bytes from the start (anonymous members' fields promoted with theirs);
                              a bit-field: its storage unit (an aligned `type`; in a packed struct, the byte of its first bit) */
    uint32_t count;        /* fixed array length; 0 = not an array */
    uint8_t bit_offset;    /* a bit-field: its first bit in the storage unit (from the least significant);
                              bit_offset + bit_width <= 64, and the bytes [offset, offset + (bit_offset +
                              bit_width + 7) / 8) are inside the struct: read and write only those */
    uint8_t bit_width;     /* a bit-field: its width; 0 = not a bit-field */
    bool inert;            /* skipped by positional initialisers: a union's member after its first (or a
                              field promoted from one), as C's `{1, 2}` fills only a union's first member */
    uint8_t flex;          /* 1: a flexible array member (`char data[];`, the last); 2: a GNU zero-length
                              array (`char pad[0]`, anywhere): count 0, no room of its own; read as a
                              `T *` to the elements at its offset */
} sb_field;

/* The largest struct or union (and typed-memory array) the core lays out: sizes,
 * offsets and bit positions (8 * size) then never wrap a size_t; beyond it, "too large". */
#define SB_MAX_OBJECT_SIZE (SIZE_MAX >> 4)
/* The largest struct passed or returned by value (libffi copies it onto the stack). */
#define SB_MAX_BYVALUE 65536

/* Why a layout cannot be passed by value (sb_layout.bv_why). */
enum { SB_BV_OK, SB_BV_UNION, SB_BV_BITS, SB_BV_PACKED, SB_BV_LARGE, SB_BV_LIBFFI };

typedef struct sb_layout {
    sb_named named;        /* what = SB_NAMED_STRUCT, user = this */
    char *name;            /* "struct point", "union u", or a typedef's name for an untagged one
                              (any length; malloc'd, freed by sb__layout_free; sb__layout_rename) */
    bool is_union;
    bool packed;           /* [[packed]]: members are not aligned (GCC's packed attribute) */
    uint32_t pack;         /* #pragma pack(N) in force where it was defined: members aligned to at most N; 0 = none */
    bool by_value_ok;      /* libffi can pass it by value (no unions or bit-fields inside, not packed,
                              at most SB_MAX_BYVALUE bytes, libffi agrees) */
    uint8_t bv_why;        /* else why not: SB_BV_* (sb__layout_byvalue_why) */
    size_t bitpos;         /* while laying out: the next free bit */
    size_t size, align;
    uint16_t nfields;
    sb_field *fields;
    ffi_type ffi;          /* FFI_TYPE_STRUCT */
    ffi_type **elements;   /* NULL-terminated */
    size_t nelements, elemcap;
    struct sb_layout **subs; /* layouts defined inside this one (owned) */
    size_t nsubs;
    void *rt_state;        /* the runtime's: the declaring Library's module state (sb_state *) */
    void *rt_owner;        /* and that Library (PyObject *, borrowed: it owns this layout) */
    struct sb_layout_fn *functypes; /* the function types of members written `int (*cb)(int)` (owned) */
} sb_layout;

/* A function type a layout keeps for one of its function-pointer members. */
typedef struct sb_layout_fn {
    struct sb_layout_fn *next;
    sb_named named;        /* SB_NAMED_FUNC, user = sig */
    struct sb_sig *sig;    /* owned */
} sb_layout_fn;
/* The one sb_named of a struct: an incomplete `struct tag` completed later keeps
 * its own sb_named (types parsed before point to it), now SB_NAMED_STRUCT with
 * user the layout; compare struct types through this. */
static inline const sb_named *sb__named_canon(const sb_named *n)
{
    return n && n->what == SB_NAMED_STRUCT ? &((const sb_layout *)n->user)->named : n;
}
static inline bool sb__named_same(const sb_named *a, const sb_named *b)
{
    return a == b || sb__named_canon(a) == sb__named_canon(b);
}

/* NULL when out of memory. */
SB_INTERNAL sb_layout *sb__layout_new(bool is_union, const char *name);
/* Names L `name` (an untagged struct named by its typedef). -1 when out of memory (name unchanged). */
SB_INTERNAL int sb__layout_rename(sb_layout *L, const char *name);
SB_INTERNAL void sb__layout_free(sb_layout *L);
/* Adds a member (count: array length, 0 = not an array). 0 or -1 with err. */
SB_INTERNAL int sb__layout_add(sb_layout *L, const char *name, size_t nlen, sb_type t, uint32_t count,
                               sb_error *err);
/* The same for a member that says __attribute__((packed)) (mpacked: aligned to 1)
 * or aligned(N) / _Alignas(N) (align: at least N; 0 = its own). */
SB_INTERNAL int sb__layout_add_ex(sb_layout *L, const char *name, size_t nlen, sb_type t, uint32_t count,
                                  uint32_t align, bool mpacked, sb_error *err);
/* Adds an anonymous struct/union member (its fields promoted); L then owns sub only via add_sub. */
SB_INTERNAL int sb__layout_add_anon(sb_layout *L, sb_layout *sub, sb_error *err);
/* L owns sub from now on (also on failure). */
SB_INTERNAL int sb__layout_add_sub(sb_layout *L, sb_layout *sub, sb_error *err);
SB_INTERNAL int sb__layout_finish(sb_layout *L, sb_error *err);
/* L keeps the function type fsig (owned from now on, also on failure; its
 * pointer spelling inside fsig's arena) for a member: *t becomes a pointer to
 * it. 0 or -1 with err. */
SB_INTERNAL int sb__layout_functype(sb_layout *L, struct sb_sig *fsig, const char *spelling, sb_type *t,
                                     sb_error *err);
/* Adds a flexible array member of element type t (the last member; C11 6.7.2.1p18),
 * or (zero) a GNU zero-length array, which other members may follow. */
SB_INTERNAL int sb__layout_add_flex(sb_layout *L, const char *name, size_t nlen, sb_type t, bool zero,
                                    sb_error *err);
/* Adds a bit-field of `width` bits (name NULL: unnamed padding; width 0 with no
 * name: the next unit of t), laid out as GCC does on x86-64. */
SB_INTERNAL int sb__layout_add_bits(sb_layout *L, const char *name, size_t nlen, sb_type t, unsigned width,
                                    sb_error *err);
SB_INTERNAL const sb_field *sb__layout_field(const sb_layout *L, const char *name, size_t len);
/* Why L cannot be passed or returned by value, for messages; NULL when it can. */
SB_INTERNAL const char *sb__layout_byvalue_why(const sb_layout *L);
SB_INTERNAL size_t sb__type_align(sb_type t);

/* A `struct tag { ... }` / `union tag { ... }` statement of a declaration
 * block (parsed in src/core/decl.c). On success *out is a finished layout the caller owns. */
SB_INTERNAL bool sb__is_struct_def(const char *text, size_t len);
SB_INTERNAL int sb__struct_parse(const char *text, size_t len, const sb_scope *scope, sb_layout **out,
                                 sb_error *err);
/* A forward declaration `struct tag` / `union tag` (attributes allowed, no body):
 * true with *tag a malloc'd copy of the tag (any length; the caller frees) and *is_union set. */
SB_INTERNAL bool sb__struct_forward(const char *text, size_t len, char **tag, bool *is_union);

/* One `typedef` statement of a declaration block (sb__typedef_parse). */
typedef struct sb_typedef {
    char *name;            /* the new type name (any length; malloc'd, sb__typedef_clear frees) */
    sb_type type;          /* what it stands for; for a new opaque type, kind void with named NULL */
    bool opaque;           /* `typedef struct tag name;` with a tag the scope does not know */
    char *tag;             /* that tag, or the tag of `typedef struct tag {...} name`; else NULL
                              (malloc'd, sb__typedef_clear frees) */
    char release[64];      /* [[release(fn)]]: fn frees a handle of this type, else "" */
    struct sb_sig *fsig;   /* a function pointer typedef: its function type, owned by the caller
                              (sb__sig_free); type.named must then be made by the caller too */
    const char *fname;     /* and its spelling as a pointer, inside fsig's arena */
    sb_layout *layout;     /* `typedef struct [tag] { ... } name`: the new layout, owned by the caller;
                              type.named is then its named */
    uint32_t count;        /* an array typedef (`typedef unsigned char uuid_t[16]`): its length, else 0;
                              also a vector type (`typedef float v4 __attribute__((vector_size(16)))`: 4) */
    uint32_t align;        /* aligned(N) on the typedef, or a vector's size; else 0 */
    bool function;         /* a function typedef (`typedef int fn_t(int)`): fsig is the function type and
                              type.ptr is 0 (`fn_t *` is the pointer); else fsig's type.ptr are its '*' */
    struct sb_typedef_more *more; /* `typedef struct s S, *PS`: the declarators after the first (malloc'd,
                              sb__typedef_clear); for an opaque type their named is NULL (the caller's) */
    size_t nmore;
} sb_typedef;

typedef struct sb_typedef_more {
    char *name;            /* malloc'd, sb__typedef_clear frees */
    sb_type type;
    uint32_t count;        /* `typedef int I, A[4]`: an array's length, else 0 */
} sb_typedef_more;

/* Frees what a parsed typedef still owns of its own (names, tag, more; not layout or fsig). */
SB_INTERNAL void sb__typedef_clear(sb_typedef *td);

/* Writes "const char *" etc. into buf (NUL-terminated, truncated to cap). Returns length. */
SB_INTERNAL size_t sb__type_format(sb_type t, char *buf, size_t cap);
/* True for `char *` / `const char *` (converted as text). */
SB_INTERNAL bool sb__type_is_cstring(sb_type t);
/* Size/alignment of a value of type t; the ffi_type used to pass it. */
SB_INTERNAL size_t sb__type_size(sb_type t);
SB_INTERNAL ffi_type *sb__type_ffi(sb_type t);

/* ------------------------------------------------------------------ */
/* sig: signature text -> sb_sig (src/core/proto.c; the arena and          */
/* sb__sig_free: arena.c; declaration blocks: decl.c; what the parser     */
/* files share: parse.h).                                                  */

typedef enum sb_lit_kind {
    SB_LIT_NONE = 0,   /* no default */
    SB_LIT_INT,        /* integer: neg ? -mag : mag */
    SB_LIT_FLOAT,
    SB_LIT_STRING,     /* s/len: decoded bytes, NUL-terminated, in the arena */
    SB_LIT_NULL,       /* NULL or None */
    SB_LIT_BOOL        /* true/false: mag is 0 or 1 */
} sb_lit_kind;

typedef struct sb_literal { /* 16 bytes: one value, by kind (a plan keeps one per default and contract) */
    uint8_t kind;      /* sb_lit_kind */
    bool neg;          /* SB_LIT_INT: negative (never for 0) */
    uint32_t len;      /* SB_LIT_STRING: s's length (a signature's text is shorter than 4 GiB) */
    union {
        uint64_t mag;  /* SB_LIT_INT: the magnitude; SB_LIT_BOOL: 0 or 1 */
        double d;      /* SB_LIT_FLOAT (an integer's value as a double: sb__literal_double) */
        const char *s; /* SB_LIT_STRING */
    };
} sb_literal;

/* The value of an SB_LIT_INT, SB_LIT_BOOL or SB_LIT_FLOAT literal as a double (a `double x = 3` default). */
static inline double sb__literal_double(const sb_literal *l)
{
    return l->kind == SB_LIT_FLOAT ? l->d : l->neg ? -(double)l->mag : (double)l->mag;
}

enum {
    SB_PARAM_OUT = 1u << 0,      /* [[out]]: storage made by the call, value returned */
    SB_PARAM_INOUT = 1u << 1,    /* [[inout]]: value in, new value returned */
    SB_PARAM_VARARGS = 1u << 2,  /* *args (C face; PyObject * tuple) */
    SB_PARAM_VARKW = 1u << 3,    /* **kwargs (C face; PyObject * dict) */
    SB_PARAM_NOESCAPE = 1u << 4, /* [[noescape]]: a function pointer C uses only during the call, so a
                                    plain Python callable may be wrapped for the call's duration */
    SB_PARAM_BUFLEN = 1u << 5,   /* [[len(n)]]: a buffer whose item count the parameter n gets (len: n's index + 1) */
    SB_PARAM_LENGTH = 1u << 6,   /* n of a [[len(n)]] buffer (or of the result): filled by the call, hidden
                                    from Python when a buffer fills it (len: the first such buffer's index + 1) */
    SB_PARAM_EXTRA = 1u << 7     /* an argument for '...' in the plan of one variadic call (sb__plan_variadic) */
};

/* A parameter's default value (sb_param.def), and its text as written (def_pos, def_len: a span of
 * the text that was parsed). The literal comes first: &d->lit is what a plan's Python parameter keeps. */
typedef struct sb_default {
    sb_literal lit;
    uint32_t def_pos, def_len;
} sb_default;

typedef struct sb_param {  /* 40 bytes, no padding: a plan keeps one per C parameter */
    const char *name;     /* NULL when the parameter is unnamed */
    sb_type type;
    const sb_default *def; /* default value, or NULL when there is none (rare: kept out of line) */
    uint32_t col;         /* column where the parameter starts */
    uint16_t len;         /* SB_PARAM_BUFLEN / SB_PARAM_LENGTH: the other parameter's index + 1 (while parsing,
                             SB_PARAM_BUFLEN: 1 + the index of its [[len(name)]] name's span in the parser's list) */
    uint8_t flags;        /* SB_PARAM_* */
} sb_param;

typedef enum sb_contract_kind {
    SB_CONTRACT_NONE = 0,
    SB_CONTRACT_ERRNO,    /* [[errno(cond)]]: cond on the result -> OSError(errno) */
    SB_CONTRACT_STATUS    /* [[status(cond, msgfn)]]: cond on the result -> StatusError */
} sb_contract_kind;

typedef enum sb_cmp { SB_CMP_EQ, SB_CMP_NE, SB_CMP_LT, SB_CMP_LE, SB_CMP_GT, SB_CMP_GE } sb_cmp;

typedef struct sb_contract {
    uint8_t kind;          /* sb_contract_kind */
    uint8_t cmp;           /* sb_cmp: failure when (result cmp value) */
    sb_literal value;      /* SB_LIT_INT or SB_LIT_NULL */
    const char *msg_fn;    /* status: name of `const char *fn(int status)` or NULL */
} sb_contract;

enum {
    SB_SIG_NOGIL = 1u << 0,     /* [[nogil]] */
    SB_SIG_FREE = 1u << 1,      /* [[free]] / [[free(fn)]] */
    SB_SIG_VARIADIC = 1u << 2,  /* trailing `...` */
    SB_SIG_BORROWED = 1u << 4,  /* [[borrowed]]: a handle result the caller does not own (never released) */
    SB_SIG_RETLEN = 1u << 5,    /* [[len(n)]] after the function: the result points to n items (ret_len) */
    SB_SIG_METHOD = 1u << 3     /* set by the caller before planning: the first parameter is the
                                   bound instance (`$self` in __text_signature__, positional-only) */
};

typedef struct sb_sig {
    const char *name;      /* function name */
    const char *symbol;    /* the symbol to bind when it differs: `__asm__("label")` after the prototype
                              (as the compiler renames it, e.g. fopen -> "fopen64"), else NULL */
    sb_type ret;
    sb_param *params;
    uint16_t nparams;
    int16_t posonly;       /* params before this index are positional-only ('/'); 0 = none */
    int16_t kwonly;        /* params from this index on are keyword-only ('*'); -1 = none */
    uint16_t ret_len;      /* SB_SIG_RETLEN: index + 1 of the parameter holding the result's item count
                              (an integer, or an [[out]] pointer to one) */
    uint32_t flags;        /* SB_SIG_* */
    const char *free_fn;   /* [[free(fn)]]; NULL = free() */
    sb_contract contract;
    const char *text;      /* the normalized prototype, e.g. "double cos(double x)" */
    struct sb_arena *arena;/* NULL: packed into its plan's block (plan.c), freed with the plan */
} sb_sig;

/* Parses one prototype (a trailing ';' is allowed). Returns an arena-owned
 * signature, freed with sb__sig_free, or NULL with *err filled. Never crashes. */
SB_INTERNAL sb_sig *sb__sig_parse(const char *text, size_t len, sb_error *err);
/* The same, resolving unknown type names through scope (may be NULL). */
SB_INTERNAL sb_sig *sb__sig_parse_in(const char *text, size_t len, const sb_scope *scope, sb_error *err);
SB_INTERNAL void sb__sig_free(sb_sig *sig);
/* The same signature in a block cut to the size it uses (the parser's first
 * block is 1,536 bytes): sig's storage moves, so the result replaces sig;
 * sig itself when there is nothing to gain or no memory. Call it before
 * anything points into the signature (sb__plan_new does, first). */
SB_INTERNAL sb_sig *sb__sig_compact(sb_sig *sig);
/* Does a signature's arena own signatures of function types inside it (whose records it holds)? */
SB_INTERNAL bool sb__arena_has_kids(const struct sb_arena *a);
/* Parses a type on its own ("const char *"). Returns 0, or -1 with *err filled. */
SB_INTERNAL int sb__type_parse(const char *text, size_t len, sb_type *out, sb_error *err);
SB_INTERNAL int sb__type_parse_in(const char *text, size_t len, const sb_scope *scope, sb_type *out, sb_error *err);
/* A type with an optional array suffix, for typed memory: "int" (*count =
 * SB_ARRAY_NONE), "int[10]" (*count = 10), "char[]" (SB_ARRAY_OPEN). Lengths
 * are 0..INT64_MAX (a '-' is an error); arrays of arrays are not supported.
 * Returns 0, or -1 with *err filled. */
#define SB_ARRAY_NONE (-1)
#define SB_ARRAY_OPEN (-2)
SB_INTERNAL int sb__array_type_parse(const char *text, size_t len, const sb_scope *scope, sb_type *elem,
                                     int64_t *count, sb_error *err);
/* Is this statement a typedef? Parses "typedef <type> name [[release(fn)]]"
 * (no ';'): 0, or -1 with *err filled. */
SB_INTERNAL bool sb__is_typedef(const char *text, size_t len);
SB_INTERNAL int sb__typedef_parse(const char *text, size_t len, const sb_scope *scope, sb_typedef *out,
                                  sb_error *err);

/* The signature of one call of a variadic function: base's parameters
 * (defaults dropped: with extra arguments every one is given positionally),
 * then n unnamed SB_PARAM_EXTRA parameters of the given (promoted) types.
 * NULL with *err filled on failure. */
SB_INTERNAL sb_sig *sb__sig_variadic(const sb_sig *base, const sb_type *extra, uint16_t n, sb_error *err);
/* A function type's signature copied into its own arena under `name` (so a
 * plan can own it); its parameter types still point at fsig's named types
 * (struct layouts, function types): their owner must outlive the copy.
 * NULL with *err filled. */
SB_INTERNAL sb_sig *sb__sig_copy(const sb_sig *fsig, const char *name, sb_error *err);

/* Integer constants of declaration blocks (src/core/decl.c, their
 * expressions src/core/constexpr.c): `enum tag { A, B = 5 };`,
 * `typedef enum { ... } name;`, `static const int X = 1;`, `#define X 1`.
 * A value is a 64-bit integer: v, or (u set) a value above INT64_MAX held as
 * its uint64_t bits. */
typedef struct sb_cval {
    int64_t v;
    bool u;
    uint8_t ty;    /* its C type (an operand of later expressions): SB_CT_* + 1; 0 = int, or long when
                      it needs more (unsigned long long when u) */
} sb_cval;

/* The C types of integer constant expressions (usual arithmetic conversions, LP64). */
enum { SB_CT_INT, SB_CT_UINT, SB_CT_LONG, SB_CT_ULONG, SB_CT_LLONG, SB_CT_ULLONG };

/* Looks up an integer constant declared earlier (NULL scope = none). */
typedef struct sb_constscope {
    bool (*lookup)(const struct sb_constscope *cs, const char *name, size_t len, sb_cval *out);
    const void *ctx;
} sb_constscope;

typedef enum sb_decl_what {
    SB_DECL_NONE = 0,
    SB_DECL_ENUM,      /* [typedef] enum [tag] { ... } [name] */
    SB_DECL_CONST,     /* [static] const T NAME = expr [, NAME2 = expr] */
    SB_DECL_DEFINE,    /* #define NAME expr */
    SB_DECL_PRAGMA     /* #pragma, or a line marker of `gcc -E` (`# 1 "file"`, #line, #ident): sb__pragma */
} sb_decl_what;

typedef struct sb_constdef {
    char *name;            /* any length; owned by the sb_constdecl holding it (sb__constdecl_push copies) */
    sb_cval value;
} sb_constdef;

typedef struct sb_constdecl {
    uint8_t what;          /* sb_decl_what */
    char *tag;             /* the enum's tag, or NULL (any length; malloc'd, sb__constdecl_free frees) */
    char *type_name;       /* `typedef enum ... name`: name, else NULL (the same) */
    sb_type type;          /* enum: the integer type its values need (int unless one does not fit);
                              const: the declared type; define: long long */
    size_t n;
    sb_constdef *v;        /* n constants, in order (malloc'd; sb__constdecl_free) */
    size_t *hidx, hcap;    /* their names hashed: slots of index + 1 (0 = empty), hcap a power of 2 or 0 */
} sb_constdecl;

/* Which kind of constant statement this is (SB_DECL_NONE: a prototype or typedef). */
SB_INTERNAL int sb__constdecl_kind(const char *text, size_t len);
/* A SB_DECL_PRAGMA statement: `#pragma pack(N)`, `(push[, N])`, `(pop)`, `()` update
 * *pk; other pragmas and line markers change nothing. 0, or -1 with *err filled. */
SB_INTERNAL int sb__pragma(const char *text, size_t len, sb_pack *pk, sb_error *err);
/* Parses one; 0, or -1 with *err filled (then nothing to free). */
SB_INTERNAL int sb__constdecl_parse(const char *text, size_t len, const sb_scope *scope, const sb_constscope *cs,
                                    sb_constdecl *out, sb_error *err);
SB_INTERNAL void sb__constdecl_free(sb_constdecl *d);
/* The constants of d by name, hashed (declaration blocks stay linear in time):
 * the index of `name`, or SIZE_MAX. */
SB_INTERNAL size_t sb__constdecl_find(const sb_constdecl *d, const char *name, size_t len);
/* Appends c to d (its storage *cap entries; no check for a duplicate). false: out of memory. */
SB_INTERNAL bool sb__constdecl_push(sb_constdecl *d, size_t *cap, const sb_constdef *c);
/* Drops d's constants from index n on. */
SB_INTERNAL void sb__constdecl_truncate(sb_constdecl *d, size_t n);

/* Declaration blocks: several ';'-separated prototypes, C comments allowed.
 * Finds the next statement at or after *pos; returns false at the end.
 * [*start, *end) is the statement without its ';'. Skips empty statements. */
SB_INTERNAL bool sb__decl_next(const char *text, size_t len, size_t *pos, size_t *start, size_t *end);

/* A declaration with several declarators (`int a(int), *b(void)`, `extern int x, *y`):
 * [0, *spec_end) are its specifiers and decl[i] = [start, end) its declarators, at most
 * cap of them. Returns how many (1: nothing to split; 0: not such a declaration: a typedef,
 * a struct or enum definition, or specifiers that do not parse). Each declarator with the
 * specifiers before it is a declaration of its own. */
typedef struct sb_span {
    size_t start, end;
} sb_span;
SB_INTERNAL size_t sb__declarators(const char *text, size_t len, const sb_scope *scope, size_t *spec_end,
                                   sb_span *decl, size_t cap);

/* A function type written as in a cast: "int (const void *a, const void *b)"
 * or "int (*)(const void *, const void *)". Returns an owned signature named
 * "__fn" (sb__sig_free), or NULL with *err filled. */
SB_INTERNAL sb_sig *sb__functype_parse(const char *text, size_t len, const sb_scope *scope, sb_error *err);
/* Do two function types take and return the same C types (names and defaults aside)? */
SB_INTERNAL bool sb__functype_equal(const sb_sig *a, const sb_sig *b);

/* ------------------------------------------------------------------ */
/* sysv: x86-64 System V classification of structs by value (src/core/sysv.c). */

#define SB_SYSV_INT 1    /* an eightbyte passed in an integer register */
#define SB_SYSV_SSE 2    /* an eightbyte passed in an SSE register */

typedef struct sb_sysv {
    uint8_t n;           /* eightbytes passed in registers (1 or 2); 0: MEMORY (on the stack; returned through
                            a hidden pointer in %rdi, which %rax holds on return) */
    uint8_t cls[2];      /* SB_SYSV_INT or SB_SYSV_SSE for each of the n eightbytes */
    uint8_t nint, nsse;  /* how many of each: an argument takes them all from the registers left, or, when
                            they do not all fit, goes whole on the stack and takes none */
} sb_sysv;

/* Classifies a struct that can be passed by value (lay->by_value_ok). false: a
 * member the classifier leaves to libffi (long double, a union, a bit-field, an
 * unaligned or over-aligned member, an eightbyte of padding only); *out is then zero. */
SB_INTERNAL bool sb__sysv_classify(const sb_layout *lay, sb_sysv *out);

/* ------------------------------------------------------------------ */
/* plan: sb_sig -> call plan (src/core/plan.c).                             */

typedef enum sb_conv {
    SB_CV_VOID,     /* void result */
    SB_CV_SINT,     /* signed integer (kind gives the width) */
    SB_CV_UINT,     /* unsigned integer */
    SB_CV_BOOL,
    SB_CV_FLOAT,    /* float */
    SB_CV_DOUBLE,
    SB_CV_CSTR,     /* char * / const char *: text */
    SB_CV_PTR,      /* any other pointer */
    SB_CV_PYOBJ,    /* PyObject * */
    SB_CV_INST,     /* `T *` of a C-face class T: the struct inside an instance */
    SB_CV_FUNC,     /* a function pointer: a Callback, a bound function, or any callable for the call */
    SB_CV_STRUCT,   /* a struct by value: the cell points at the value's storage */
    SB_CV_WIDE,     /* long double, float/double _Complex by value: the cell points at the value's storage */
    SB_CV_COUNT
} sb_conv;

/* Converters whose value lives in storage the call provides (the cell holds its address). */
#define SB_CV_IN_MEMORY(c) ((c) == SB_CV_STRUCT || (c) == SB_CV_WIDE)

#define SB_MAX_ARGS 1024       /* C arguments of one call (ctypes' limit); [[len(n)]] lengths among the first 63 */
#define SB_STACK_ARGS 16       /* calls with up to this many C arguments use no heap */

/* One C argument (48 bytes: fields ordered to leave no padding; a plan keeps one per C argument). */
typedef struct sb_slot {
    sb_type type;        /* the declared C type (of the argument itself) */
    int64_t min;         /* integer range of the (pointee) value, copied from the kind table */
    uint64_t max;
    uint32_t soff;       /* a struct by value (or [[out]]/[[inout]] struct): its storage offset in the call */
    uint16_t store;      /* index of this argument's 8-byte cell in the call's storage */
    uint16_t outcell;    /* [[out]]/[[inout]]: the cell holding the pointed-to value */
    int16_t py;          /* index of the Python parameter feeding it, -1 for pure [[out]] */
    uint8_t conv;        /* sb_conv of the value passed (for out params: of the pointee) */
    uint8_t kind;        /* sb_kind of the (pointee) base type */
    uint8_t flags;       /* SB_PARAM_* copied from the parameter */
    uint8_t regcell[2];  /* SB_FAST_REGS, a struct by value: the call cells of its eightbytes (nwords of them:
                            regcell[0] and regcell[1] in registers, or regcell[0] onwards on the stack) */
    uint8_t nwords : 7;  /* 0: not a struct by value on the register path (at most SB_STACK_WORDS) */
    uint8_t onstack : 1; /* its words are consecutive stack cells */
} sb_slot;

/* One Python-visible parameter. */
typedef struct sb_pyparam {
    const char *name;    /* keyword name; "argN" for unnamed ones (positional-only) */
    const sb_literal *def; /* default, or NULL when required */
    uint32_t namelen;
    int16_t slot;        /* C argument index */
} sb_pyparam;

typedef enum sb_fast { SB_FAST_NONE = 0, SB_FAST_REGS } sb_fast;

#define SB_REG_INT 6     /* x86-64 System V: rdi rsi rdx rcx r8 r9 */
#define SB_REG_SSE 8     /* xmm0..xmm7 */
#define SB_REG_CELLS (SB_REG_INT + SB_REG_SSE)

/* The register-call stub (src/core/callregs_x86_64.S); only when SB_HAVE_CALLREGS. */
typedef struct sb_regret {
    uint64_t rax;
    double xmm0;
    uint64_t rdx;        /* the second eightbyte of a struct result, when INTEGER */
    double xmm1;         /* or SSE */
} sb_regret;

#define SB_STACK_WORDS 32  /* stack argument words the register path passes (more: libffi) */
#define SB_CALL_CELLS (SB_REG_CELLS + SB_STACK_WORDS) /* the cells a register call reads at most */
#define SB_FAST_CELLS (SB_CALL_CELLS + 16) /* the cells of a fast-path call (plan->simple: ncells at most this) */
#define SB_FAST_STRUCT_RET 64 /* the largest struct result the fast path returns (its storage on the C stack) */

typedef void (*sb_regcall_fn)(void (*fn)(void), const uint64_t *cells, sb_regret *ret, size_t nstack);
#if defined(__x86_64__) && !defined(_WIN32) && !defined(SB_NO_CALLREGS)
#define SB_HAVE_CALLREGS 1
/* All 14 argument registers; only the 6 integer ones; only the 8 SSE ones; rdi, rsi, xmm0, xmm1. */
SB_INTERNAL void sb__callregs(void (*fn)(void), const uint64_t *cells, sb_regret *ret, size_t nstack);
SB_INTERNAL void sb__callregs_int(void (*fn)(void), const uint64_t *cells, sb_regret *ret, size_t nstack);
SB_INTERNAL void sb__callregs_sse(void (*fn)(void), const uint64_t *cells, sb_regret *ret, size_t nstack);
SB_INTERNAL void sb__callregs_few(void (*fn)(void), const uint64_t *cells, sb_regret *ret, size_t nstack);
/* All 14 and nstack words on the stack (cells[14..14+nstack)). */
SB_INTERNAL void sb__callregs_stack(void (*fn)(void), const uint64_t *cells, sb_regret *ret, size_t nstack);
/* fn(a0, a1) for at most two INTEGER-class arguments and an INTEGER-class or void result (rax). */
SB_INTERNAL uint64_t sb__callregs_2(void (*fn)(void), uint64_t a0, uint64_t a1);
/* The same, the function last: fn(a0, a1) by one jump (a0 and a1 are already in rdi and rsi). */
SB_INTERNAL uint64_t sb__callregs_j(uint64_t a0, uint64_t a1, void (*fn)(void));
/* fn(a0), the same way. */
SB_INTERNAL uint64_t sb__callregs_j1(uint64_t a0, void (*fn)(void));
#else
#define SB_HAVE_CALLREGS 0
#endif

/* The callback entry stubs (src/core/cbstubs_x86_64.S, cbstubs.c): SB_CBSTUB_POOL
 * read-only entry points, each a C function pointer of its own. A stub saves the
 * argument registers its Callback uses into an sb_cbframe and calls its slot's
 * fn(user, frame); fn returns the result's 8 bytes (returned to C in rax, and in
 * xmm0 for a float or double result). Which registers are saved is chosen when the
 * stub is taken (`regs`): SB_CBSTUB_ALL (every argument register; stack arguments
 * from SB_CBFRAME_STACK), SB_CBSTUB_GP6 (rdi..r9 only, frame->sse is not there;
 * stack arguments from SB_CBFRAME_GP_STACK), or 0..3: the first that many of rdi,
 * rsi, rdx (no other argument). No GIL involved; thread-safe. */
typedef struct sb_cbframe {
    uint64_t gp[SB_REG_INT];     /* rdi rsi rdx rcx r8 r9 (those saved) */
    uint64_t sse[SB_REG_SSE];    /* xmm0..xmm7, low 8 bytes (SB_CBSTUB_ALL only) */
} sb_cbframe;
#define SB_CBFRAME_STACK 128     /* past the frame, the padding and the return address */
#define SB_CBFRAME_GP_STACK 64   /* past gp[], the padding and the return address */
#define SB_CBSTUB_ALL (-1)
#define SB_CBSTUB_GP6 6
typedef uint64_t (*sb_cbstub_fn)(void *user, const sb_cbframe *frame);
typedef struct sb_cbstub_slot {
    sb_cbstub_fn fn;
    void *user;
    void (*enter)(void);         /* the entry of cbstubs_x86_64.S that saves the registers (read by the stub) */
    sb_cbstub_fn general;        /* what replaces fn once sb__cbstub_general() ran, or NULL: fn stays */
} sb_cbstub_slot;
#define SB_CBSTUB_POOL 1024      /* the .rept count of cbstubs_x86_64.S */
#define SB_CBSTUB_SIZE 16
#if SB_HAVE_CALLREGS
#define SB_HAVE_CBSTUBS 1
SB_INTERNAL extern sb_cbstub_slot sb__cbstub_slots[SB_CBSTUB_POOL];
SB_INTERNAL void sb__cbstub_code(void);
SB_INTERNAL void sb__cbstub_enter_all_i(void), sb__cbstub_enter_gp6_i(void), sb__cbstub_enter_gp3_i(void),
    sb__cbstub_enter_gp2_i(void), sb__cbstub_enter_gp1_i(void), sb__cbstub_enter_gp0_i(void);
SB_INTERNAL void sb__cbstub_enter_all_f(void), sb__cbstub_enter_gp6_f(void), sb__cbstub_enter_gp3_f(void),
    sb__cbstub_enter_gp2_f(void), sb__cbstub_enter_gp1_f(void), sb__cbstub_enter_gp0_f(void);
#else
#define SB_HAVE_CBSTUBS 0
#endif
/* A free stub for fn(user) saving `regs` (SB_CBSTUB_ALL, SB_CBSTUB_GP6 or 0..3), with the result
 * also in xmm0 when `fret`: its slot number and *code, or -1 when the pool is used up (or there
 * is none). `general` (or NULL) is the fn that works in every case: it replaces fn once
 * sb__cbstub_general() ran (then also at once). */
SB_INTERNAL int sb__cbstub_take(sb_cbstub_fn fn, sb_cbstub_fn general, void *user, int regs, bool fret,
                                void **code);
/* Points a taken stub at another fn(user) (a retired Callback's stub that is never handed out
 * again, a cleared one); it has no `general` from then on. */
SB_INTERNAL void sb__cbstub_set(int slot, sb_cbstub_fn fn, void *user);
/* Gives a stub back to the pool: the next sb__cbstub_take may hand out its address. */
SB_INTERNAL void sb__cbstub_give(int slot);
/* From now on every stub with a `general` fn runs it (the runtime calls this once a module was
 * initialised outside the main interpreter: fast entries assume the main one). */
SB_INTERNAL void sb__cbstub_general(void);

typedef struct sb_plan {
    sb_sig *sig;                 /* owned */
    uint16_t nargs;              /* C arguments */
    uint16_t npy;                /* Python parameters */
    uint16_t nposonly;           /* leading positional-only Python parameters */
    uint16_t npositional;        /* Python parameters that may be given positionally */
    uint16_t nrequired;          /* leading Python parameters without defaults (positional part) */
    uint16_t nout;               /* [[out]] + [[inout]] parameters */
    int16_t varargs_slot;        /* C argument receiving *args (a tuple), or -1 */
    int16_t varkw_slot;          /* C argument receiving **kwargs (a dict), or -1 */
    uint16_t ncells;             /* storage cells a call needs */
    uint8_t fast;                /* sb_fast */
    uint8_t ret_conv;            /* sb_conv of the result */
    uint8_t ret_size;            /* its size in bytes */
    sb_regcall_fn regcall;       /* SB_FAST_REGS: the register stub that fits the arguments */
    uint8_t nstack;              /* SB_FAST_REGS: stack argument words, in cells[SB_REG_CELLS..] */
    uint8_t ret_eb;              /* SB_FAST_REGS, a struct result: eightbytes in rax/rdx/xmm0/xmm1 (0: in memory) */
    uint8_t ret_cls[2];          /* and their classes (SB_SYSV_INT, SB_SYSV_SSE) */
    bool ret_mem;                /* SB_FAST_REGS, a MEMORY struct result: cells[0] is its storage (hidden %rdi) */
    bool simple;                 /* the fast path: a register call, no out/inout, no [[free]], no keyword-only
                                    parameters, at most SB_FAST_CELLS cells, a struct result of at most
                                    SB_FAST_STRUCT_RET bytes; [[nogil]], error contracts and structs by value allowed */
    bool has_structs;            /* a struct passed or returned by value */
    bool packed;                 /* the plan's block holds everything it points to (sig, params, names, texts;
                                    sb__plan_new packs it when its signature has no function types of its own) */
    uint32_t struct_bytes;       /* storage a call needs for them (the result's last, at ret_soff) */
    uint32_t ret_soff;
    sb_slot *slots;              /* nargs (slots, py, the libffi types and made names: in the plan's own block) */
    sb_pyparam *py;              /* npy */
    ffi_cif cif;                 /* cif.arg_types: the nargs libffi types */
    char *doc;                   /* "cos(x)\n--\n\ndouble cos(double x)": the name, the text signature
                                    (sb__plan_text_signature), then the prototype (packed: sig->text is the
                                    doc's tail; else a malloc'd block of its own) */
} sb_plan;

/* Builds a plan; the plan takes ownership of sig (also on failure, it is freed).
 * Returns NULL with *err filled (e.g. unsupported feature, default out of range). */
SB_INTERNAL sb_plan *sb__plan_new(sb_sig *sig, sb_error *err);
SB_INTERNAL void sb__plan_free(sb_plan *plan);
/* The plan's text signature for __text_signature__, "(x, y=1, /)", inside its doc (not NUL-terminated):
 * its first byte, and *len its length. */
SB_INTERNAL const char *sb__plan_text_signature(const sb_plan *plan, size_t *len);

/* The plan of one call of a variadic function with extra arguments of these
 * (already promoted) types: base's fixed part plus the extras, its cif made by
 * ffi_prep_cif_var. NULL with *err filled. */
SB_INTERNAL sb_plan *sb__plan_variadic(const sb_plan *base, const sb_type *extra, uint16_t n, sb_error *err);
/* The type an argument of type t is passed as through '...' (C's default
 * argument promotions: float -> double, bool/char/short -> int). */
SB_INTERNAL sb_type sb__type_promoted(sb_type t);
/* The converter of a value of type t (a non-const `char *` is a pointer, not text). */
SB_INTERNAL sb_conv sb__type_conv(sb_type t);

/* ------------------------------------------------------------------ */
/* stubtext: typed Python signatures for .pyi stubs (src/core/stubtext.c). */

/* How a stub spells sigbind's own types: NULL fields take the defaults. */
typedef struct sb_stubnames {
    const char *pointer;   /* a pointer value's class: "Pointer" (default) */
    const char *structval; /* a struct by value's class ("Struct"); NULL: the struct's own name, and
                              Struct values are not listed among what a pointer accepts */
    const char *callback;  /* also accepted for a function pointer ("Callback"), or NULL */
} sb_stubnames;

/* "(a: int, b: str | bytes | None = ..., /) -> float": the plan's Python parameters annotated with
 * what their converters accept, [[out]] values joined to the result. first: the name written
 * bare for the first parameter (a method's "self" / "cls"), or NULL. A malloc'd string, or NULL
 * (out of memory). */
SB_INTERNAL char *sb__stub_signature(const sb_plan *pl, const sb_stubnames *nm, const char *first);
/* The annotation of a value of type t, passed in or returned (result). Malloc'd, or NULL. */
SB_INTERNAL char *sb__stub_type(const sb_stubnames *nm, sb_type t, bool result);
/* The imports and the _Buffer alias the annotations use (static text). */
SB_INTERNAL const char *sb__stub_prelude(void);

/* Checks that a literal fits a type; returns 0 or -1 with err filled. */
SB_INTERNAL int sb__literal_check(const sb_literal *lit, sb_type t, sb_error *err);


#endif
