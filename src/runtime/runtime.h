/* runtime.h — cross-file internals of the runtime layer (module state, version gates, conversions, the call path, Function). */
#ifndef SB_RUNTIME_H
#define SB_RUNTIME_H

#ifndef Py_LIMITED_API
#error "sigbind's Python layers are built with Py_LIMITED_API (set by CMake)"
#endif
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "core/internal.h"

#include <float.h>
#include <stdatomic.h>
#include <math.h>

/* ------------------------------------------------------------------ */
/* Module state: every Python object the module owns lives here.       */

typedef struct sb_state sb_state;
struct sb_convctx;

/* The objects the runtime hands out or takes apart without defining them: the
 * object layer above (src/objects/) fills this table into the state of every
 * module on the runtime (sb__objects_init), so conversions and calls never
 * call up a layer. Every entry is set; all follow CPython's error rule. */
typedef struct sb_kinds {
    /* A Pointer of pointer type `type` (ptr >= 1) at addr; owner (may be NULL)
     * keeps its memory alive. New reference. */
    PyObject *(*pointer_new)(sb_state *st, void *addr, sb_type type, PyObject *owner);
    /* A typed handle's release function ran on obj (if it is a Pointer): mark it dead. */
    void (*pointer_released)(sb_state *st, PyObject *obj);
    /* A Struct holding a copy of src (zeros when NULL); module (may be NULL) keeps st alive. */
    PyObject *(*struct_new)(sb_state *st, PyObject *module, const sb_layout *L, PyObject *owner, const void *src);
    /* Is obj a Struct of this state? Then its data (and layout, when L is not NULL). */
    bool (*struct_check)(sb_state *st, PyObject *obj);
    void *(*struct_data)(PyObject *obj, const sb_layout **L);
    /* A Struct, dict or tuple -> the value of L at dst, messages naming cx. 0 or -1. */
    int (*struct_store)(const struct sb_convctx *cx, const sb_layout *L, PyObject *v, void *dst);
    /* A Callback of function type sig (borrowed: it outlives the call) calling
     * callable, for the duration of one call: freed when the call returns.
     * owner (may be NULL: the caller keeps sig alive) owns sig and is kept with it. */
    PyObject *(*callback_for_call)(sb_state *st, const sb_sig *sig, PyObject *callable, PyObject *owner);
    /* Is obj a Callback of this state? Then its C entry point and function type (borrowed). */
    bool (*callback_check)(sb_state *st, PyObject *obj);
    void *(*callback_address)(PyObject *obj);
    const sb_sig *(*callback_sig)(PyObject *obj);
} sb_kinds;

#define SB_PTR_FREE_MAX 16

struct sb_state {
    const sb_kinds *kinds;         /* the object layer's constructors (see above) */
    PyObject *module;              /* the module this state is in (borrowed: it outlives its state); set by
                                      each face's exec, so functions made for C addresses can hold it */
    PyObject *FunctionType;
    PyObject *LibraryType;
    PyObject *PointerType;
    PyObject *SignatureError;
    PyObject *SymbolNotFoundError;
    PyObject *StatusError;
    PyObject *exc_cache;           /* C face: exception types by name (own + looked up); else NULL */
    PyObject *classes;             /* C face: list of the module's class types, by index; else NULL */
    PyObject *class_keep;          /* C face: list of what the classes' descriptors point into (their method
                                      Functions, property tables), so that no Python code can free it; else NULL */
    PyObject *CallbackType;
    PyObject *StructType;
    PyObject *MethodType;          /* C face, >= 3.12: vectorcall method descriptors of classes (class.c); else NULL */
    PyObject *BoundMethod;         /* and types.MethodType, to bind them */
    PyObject *CValueType;          /* sigbind.c: a typed argument for '...' (variadic.c); NULL in C-face modules */
    /* objects/typedmem.c: the last type texts sigbind.cast/new/sizeof/... parsed
     * without a scope, found again by the str object's identity (`text` is a
     * strong reference, so the identity stays valid); `next` is the slot to
     * replace. */
    struct sb_type_memo {
        PyObject *text;
        sb_type elem;
        int64_t count;
    } type_memo[8];
    unsigned type_memo_next;
    /* The same for function types cast() parsed without a scope ("int (*)(int)"):
     * the str (strong) and a capsule owning its parsed signature. */
    struct sb_fn_memo {
        PyObject *text;
        PyObject *cap;
    } fn_memo[4];
    unsigned fn_memo_next;
    /* objects/pointer.c: dead Pointers of PointerType kept for reuse (a Pointer
     * per typed pointer argument of every callback call): untracked, fields
     * cleared, each still holding its reference to the type. The state owns
     * them: traverse visits those type references, clear frees them. */
    PyObject *ptr_free[SB_PTR_FREE_MAX];
    unsigned nptr_free;
    /* cface/module.c: a C-face module of the main interpreter, counted among its live ones; and
     * the sole one (its classes' specialised slot entries leave sb__current_module alone). */
    bool cface_main, cface_sole;
};

/* A C-face class instance is the object header, a state word, then the
 * user's struct at a 16-byte boundary (the same offset for every class, so a
 * subclass's struct can start with its base's), then a __dict__ and a weak
 * reference slot only for a class that asks for them (cface/class.c). The
 * state word is 0 from the allocation, and SB_INST_BUILT once a constructor
 * (__init__, __setstate__) has started on it. An instance of a class with a
 * constructor (SB_NAMED_CTOR) is unbuilt until then: C code never sees its
 * struct (to_inst refuses it, the class's hooks skip it), only a constructor
 * does. */
#define SB_INST_STATE_OFFSET (sizeof(PyObject))
#define SB_INST_OFFSET ((sizeof(PyObject) + sizeof(PyObject *) + 15) & ~(size_t)15)
#define SB_INST_BUILT ((uintptr_t)1)
#define SB_INST_STATE(obj) (*(uintptr_t *)(void *)((char *)(obj) + SB_INST_STATE_OFFSET))
#define SB_INST_STRUCT(obj) ((void *)((char *)(obj) + SB_INST_OFFSET))
#define SB_INST_OBJECT(p) ((PyObject *)(void *)((char *)(p) - SB_INST_OFFSET))

SB_INTERNAL sb_state *sb__state(PyObject *module);
/* m_traverse / m_clear / m_free of every module built on the runtime (state.c). */
SB_INTERNAL int sb__state_traverse(PyObject *module, visitproc visit, void *arg);
SB_INTERNAL int sb__state_clear(PyObject *module);
SB_INTERNAL void sb__state_free(void *module);

/* The module whose C-face function is running on this thread (set by the call
 * path around calls of module functions and by module exec), or NULL: sb_raise
 * resolves a module's own exception names against it. Borrowed. */
SB_INTERNAL extern _Thread_local PyObject *sb__current_module;

/* ------------------------------------------------------------------ */
/* compat.c: the one place that knows Python versions (DESIGN §7).     */

SB_INTERNAL int sb__compat_init(void);            /* reads the version once; 0 or -1 + exception */
SB_INTERNAL unsigned sb__py_version(void);        /* 0x030B07 for 3.11.7 */
/* Fills *slot with the per-interpreter-GIL declaration where the version
 * knows the slot (3.12+), else with the {0, NULL} terminator. */
SB_INTERNAL void sb__compat_module_slots(PyModuleDef_Slot *slot);

/* Heap-type dealloc: drop the instance's reference to its type. */
SB_INTERNAL void sb__compat_dealloc_type(PyTypeObject *tp);
/* Heap-type traverse: visit the type where the version requires it. */
SB_INTERNAL int sb__compat_visit_type(PyObject *self, visitproc visit, void *arg);
/* A base class's tp_dealloc called from a Python subclass's (subtype_dealloc):
 * does it still drop the instance's type reference? */
SB_INTERNAL bool sb__compat_base_dealloc_decrefs_type(void);
/* A free-listed (dead, zeroed) object made live again as a new instance of tp:
 * reference count 1, and a reference to tp held on every version. */
SB_INTERNAL void sb__compat_object_reinit(PyObject *obj, PyTypeObject *tp);
/* The calling convention of functions and methods with keywords: METH_FASTCALL |
 * METH_KEYWORDS where the version has it, else METH_VARARGS | METH_KEYWORDS. */
SB_INTERNAL int sb__compat_method_flags(void);
/* The calling convention of bound functions (function.c): METH_FASTCALL |
 * METH_KEYWORDS on every supported version (3.7+), see compat.c. */
SB_INTERNAL int sb__compat_function_flags(void);
/* Does a PyType_FromSpec type's __text_signature__ come from its tp_doc? */
SB_INTERNAL bool sb__compat_type_doc_keeps_signature(void);
/* PyObject_Vectorcall where the stable ABI has it (3.12+) or 3.11 exports it, else NULL (call with a tuple).
 * args[-1] may be used by the callee when nargsf has SB_VECTORCALL_ARGUMENTS_OFFSET. */
typedef PyObject *(*sb_vectorcall_fn)(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames);
#define SB_VECTORCALL_ARGUMENTS_OFFSET ((size_t)1 << (8 * sizeof(size_t) - 1))
SB_INTERNAL sb_vectorcall_fn sb__compat_vectorcall(void);
/* May a heap type be a vectorcall method descriptor (Py_TPFLAGS_METHOD_DESCRIPTOR with
 * Py_TPFLAGS_HAVE_VECTORCALL and __vectorcalloffset__)? */
SB_INTERNAL bool sb__compat_have_vectorcall_methods(void);
/* Makes a finished heap type immutable (Py_TPFLAGS_IMMUTABLETYPE) where the
 * version has the flag (3.10+): setting or deleting its attributes raises
 * TypeError. Returns whether it did. */
SB_INTERNAL bool sb__compat_freeze_type(PyTypeObject *tp);
/* Does PyType_FromSpec honour __dictoffset__ / __weaklistoffset__ members? */
SB_INTERNAL bool sb__compat_have_offset_members(void);

/* ------------------------------------------------------------------ */
/* trampolines.c: compiled entry points for method descriptors.        */

#define SB_TRAMP_POOL 512
typedef PyObject *(*sb_tramp_fast)(void *user, PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                   PyObject *kwnames);
typedef PyObject *(*sb_tramp_varargs)(void *user, PyObject *self, PyObject *args, PyObject *kwargs);
/* Takes a free slot for `user` and returns its number + 1 with its two entry
 * points: *fast_fn (METH_FASTCALL | METH_KEYWORDS) calls fast(user, ...),
 * *varargs_fn (METH_VARARGS | METH_KEYWORDS) calls varargs(user, ...).
 * Returns 0 when all SB_TRAMP_POOL slots are taken. Thread-safe; no GIL needed. */
SB_INTERNAL unsigned sb__tramp_acquire(sb_tramp_fast fast, sb_tramp_varargs varargs, void *user,
                                       PyCFunction *fast_fn, PyCFunction *varargs_fn);
/* Gives a slot back (0: nothing). Its entry points must no longer be called. */
SB_INTERNAL void sb__tramp_release(unsigned slot);
/* Slots taken now (for tests: methods give theirs back). */
SB_INTERNAL unsigned sb__tramp_in_use(void);

/* Py_buffer as laid out by the stable ABI from 3.11 (it is not visible under
 * a 3.7 limited build). */
typedef struct sb_buffer {
    void *buf;
    PyObject *obj;
    Py_ssize_t len;
    Py_ssize_t itemsize;
    int readonly;
    int ndim;
    char *format;
    Py_ssize_t *shape;
    Py_ssize_t *strides;
    Py_ssize_t *suboffsets;
    void *internal;
} sb_buffer;

#define SB_PyBUF_SIMPLE 0
#define SB_PyBUF_WRITABLE 0x0001
#define SB_PyBUF_FORMAT 0x0004
#define SB_PyBUF_ND 0x0008
#define SB_PyBUF_STRIDES (0x0010 | SB_PyBUF_ND)
#define SB_PyBUF_C_CONTIGUOUS (0x0020 | SB_PyBUF_STRIDES)
/* Type slot ids of the buffer protocol (stable values; the 3.7 headers #undef them). */
#define SB_Py_bf_getbuffer 1
#define SB_Py_bf_releasebuffer 2

/* Buffer protocol (>= 3.11 only). Returns 1 if the API is available. */
SB_INTERNAL int sb__compat_have_buffer(void);
SB_INTERNAL int sb__compat_getbuffer(PyObject *obj, sb_buffer *view, int flags);
SB_INTERNAL void sb__compat_releasebuffer(sb_buffer *view);
/* The address and size of a memoryview's C-contiguous memory (any version:
 * the buffer API from 3.11, PyObject_AsWriteBuffer/AsReadBuffer before).
 * The memoryview must stay alive while the address is used. 0 or -1 + exception. */
SB_INTERNAL int sb__compat_buffer_address(PyObject *view, bool writable, void **buf, Py_ssize_t *len);
/* bufview.c: a buffer's memory with its length and item format, on every
 * version (a memoryview holds the export until sb__bufview_close; a
 * bytearray cannot be resized meanwhile). */
typedef struct sb_bufview {
    void *buf;             /* the first byte (valid while open) */
    Py_ssize_t len;        /* bytes */
    Py_ssize_t itemsize;   /* bytes per item (1 when unknown) */
    char format[16];       /* memoryview.format ("d", "<i", "B"...) */
    bool readonly, contiguous;
    PyObject *mv;          /* < 3.11: the memoryview holding the export */
    bool held;             /* >= 3.11: the export is `view` (the buffer API) */
    sb_buffer view;
} sb_bufview;
/* 0: open; 1: a buffer, but not C-contiguous or (writable asked) read-only,
 * with v's flags set and nothing held; -1 with an exception (TypeError when
 * obj is no buffer). */
SB_INTERNAL int sb__bufview_open(PyObject *obj, bool writable, sb_bufview *v);
SB_INTERNAL void sb__bufview_close(sb_bufview *v); /* keeps a set exception; no-op when not open */
/* Does a memoryview format hold items of the C type elem (class and size;
 * any 1-byte integer format for char types; anything for void)? */
SB_INTERNAL bool sb__format_fits(const char *format, sb_type elem);
/* The canonical format of items of elem ("d", "q"...), NULL for void. */
SB_INTERNAL const char *sb__format_of(sb_type elem);
/* The interpreter of this thread's current thread state (GIL held), on every version. */
SB_INTERNAL PyInterpreterState *sb__compat_interp(void);
/* Is a thread state attached to this thread (then its interpreter's GIL is held here)? 1 and
 * *interp its interpreter; 0: none (no GIL held on this thread); -1: this version cannot tell.
 * Any thread, GIL or not. */
SB_INTERNAL int sb__compat_attached(PyInterpreterState **interp);
/* No module on this runtime was ever initialised outside the main interpreter
 * (then a sigbind call in progress on this thread is in the main one). Inline:
 * every callback asks (compat.c sets the flag). */
SB_INTERNAL extern atomic_bool sb__compat_subinterp_seen;
static inline bool sb__compat_only_main_interp(void)
{
    return !atomic_load_explicit(&sb__compat_subinterp_seen, memory_order_relaxed);
}
/* UTF-8 of a str without a temporary (>= 3.10); NULL + no exception when the
 * version lacks it (caller falls back to PyUnicode_AsUTF8String). */
SB_INTERNAL const char *sb__compat_utf8(PyObject *str, Py_ssize_t *size, int *unavailable);
/* The UTF-8 of an exact str for one call, without a temporary object: its
 * cached UTF-8 (>= 3.10), else encoded into buf (cap UCS4 units; strings of up
 * to cap - 1 characters). NULL, with no exception set, when it cannot (too
 * long, an embedded NUL, a lone surrogate, an error): the caller takes the
 * general path, which reports. *size: bytes, without the NUL. */
#define SB_STRBUF 128
SB_INTERNAL const char *sb__compat_utf8_fast(PyObject *str, Py_UCS4 *buf, Py_ssize_t cap, Py_ssize_t *size);

/* An exact int of one 30-bit digit or zero read in place (the typed slot
 * entries, cface/class.c): true and *out, or false (more digits, or the
 * layout not checked: the caller converts through the API). The layout is
 * compat.c's to know: sb__compat_int_layout is set there, once, only after
 * probes made for the purpose read back right (see its gate); this reader
 * only applies it. v must be an exact int (PyLong_CheckExact). */
enum { SB_INT_API, SB_INT_SIZED, SB_INT_TAGGED };
SB_INTERNAL extern int sb__compat_int_layout;
static SB_ALWAYS_INLINE bool sb__compat_small_int(PyObject *v, int64_t *out)
{
    intptr_t w;
    uint32_t d;
    memcpy(&w, (const char *)v + 2 * sizeof(void *), sizeof w); /* ob_size, or lv_tag */
    if (SB_LIKELY(sb__compat_int_layout == SB_INT_TAGGED)) {
        if ((uintptr_t)w >= 16) /* two digits or more */
            return false;
        memcpy(&d, (const char *)v + 3 * sizeof(void *), sizeof d);
        *out = (1 - (int64_t)(w & 3)) * (int64_t)d; /* sign bits: 0 positive, 1 zero, 2 negative */
        return true;
    }
    if (sb__compat_int_layout != SB_INT_SIZED || (uintptr_t)(w + 1) > 2) /* not -1, 0, 1 digits */
        return false;
    if (w == 0) { /* zero: no digit is read (it may have none) */
        *out = 0;
        return true;
    }
    memcpy(&d, (const char *)v + 3 * sizeof(void *), sizeof d);
    *out = w > 0 ? (int64_t)d : -(int64_t)d;
    return true;
}

/* ------------------------------------------------------------------ */
/* Values and the Function object                                      */

typedef union sb_cell {
    int64_t i;
    uint64_t u;
    double d;
    float f;
    void *p;
} sb_cell;

/* The exact-type conversions both register call paths (call.c's run_fast, kernels.c) make
 * inline: true and the cell filled, or false with nothing set -- the caller hands the call to
 * the general converter, which converts or reports it (a float subclass, __float__, a float
 * out of float's range, an int for a bool). */
static SB_ALWAYS_INLINE bool sb__cell_exact_float(PyObject *v, sb_cell *cell)
{
    if (SB_UNLIKELY(!PyFloat_CheckExact(v)))
        return false;
    double d = PyFloat_AsDouble(v);
    if (SB_UNLIKELY(fabs(d) > FLT_MAX) && isfinite(d)) /* NaN and infinities convert */
        return false;
    cell->u = 0;
    cell->f = (float)d;
    return true;
}

static SB_ALWAYS_INLINE bool sb__cell_exact_bool(PyObject *v, sb_cell *cell)
{
    if (v != Py_True && v != Py_False)
        return false;
    cell->u = v == Py_True;
    return true;
}

typedef struct sb_function {
    PyObject_HEAD
    sb_plan *plan;                 /* owned */
    void (*fn)(void);              /* the C function */
    PyObject *module;              /* the sigbind module; strong */
    sb_state *state;               /* its state (lives as long as module) */
    PyObject *library;             /* keeps the library loaded; strong, may be NULL */
    /* Ties a typed handle or struct result to `library` (pyface/library.c), or NULL. */
    PyObject *(*adopt)(PyObject *library, sb_type type, PyObject *value, bool owned);
    PyObject *names;               /* tuple of interned parameter names, made by the first keyword call
                                      (sb__function_names), else NULL */
    sb_cell *defaults;             /* per Python parameter, or NULL when none has a default */
    struct sb_fnmore *more;        /* what few functions have (sb__function_more), or NULL */
    bool cface : 1;                /* a C-face module function: may raise; sees sb__current_module */
    bool constructs : 1;           /* a class's __init__ or __setstate__: its first argument may be an instance
                                      whose constructor has not run; it is marked SB_INST_BUILT just
                                      before the C function runs */
    bool stop_on_null : 1;         /* __next__: a NULL PyObject * result without an exception ends the iteration */
    bool releases : 1;             /* the [[release]] function of a handle type: marks its first argument released */
    bool tramp_binop : 1;          /* that method is a binary operator: NotImplemented for a foreign operand */
    bool own_doc : 1;              /* def.ml_doc is the C face's composed docstring (PyMem_Malloc'd, owned), not
                                      the plan's doc */
    bool kern_pending : 1;         /* its call kernel is made on its first call (sb__function_kernel): a bound
                                      function never called costs no kernel */
    uint16_t tramp;                /* a method's trampoline pool slot + 1 (its ml_meth; SB_TRAMP_POOL of them),
                                      given back with the object; else 0 */
    PyMethodDef def;               /* what the PyCFunction calls; lives here */
    struct sb_kern *kern;          /* the call kernel (kernels.c; owned), made by the first call, or NULL */
} sb_function;

/* A Pointer's fields (its type and behaviour: objects/pointer.c). The call
 * path reads `addr` of a Pointer argument and sets `release` of a [[free]]
 * result without calling up a layer. */
typedef struct sb_pointer {
    PyObject_HEAD
    void *addr;
    sb_type type;                  /* the pointer's own type (ptr >= 1) */
    PyObject *owner;               /* keeps the memory alive (or a typed handle's Library), or NULL */
    void (*release)(void *);       /* frees addr when the Pointer dies ([[free]] results), or NULL */
    PyObject *releaser;            /* a typed handle's [[release(fn)]] function (bound), or NULL */
    bool released;                 /* that function ran on it: the handle is dead */
    uint8_t elem_fa;               /* objects/objects.h: SB_FA_* of its element type, 0 = not looked up yet */
    char *lo;                      /* typed memory: the region known valid around addr (owned by new(),
                                      from_buffer(), or derived from those), or NULL when unknown */
    size_t span;                   /* its size in bytes */
    PyObject *module;              /* the module whose Pointer type this is (strong; NULL for Pointer(...)):
                                      its elements of function pointer type are made into functions */
} sb_pointer;

/* While this thread is inside a C call made by sigbind, the call's GIL state:
 * held, or released with `saved` to take it back (call.c sets it; callbacks,
 * objects/callback.c, read it). */
typedef struct sb_callstate {
    bool held;
    PyThreadState *saved;
    /* A KeyboardInterrupt or SystemExit a callback raised during the call
     * (its type, value, traceback): raised from the call once C returns. */
    PyObject *interrupt[3];
    /* An exception the C code set while the call had released the GIL (a
     * [[nogil]] function or sb_allow_threads calling sb_raise, cface/raise.c):
     * set again once the GIL is back (type, value, traceback). */
    PyObject *raised[3];
} sb_callstate;
SB_INTERNAL extern _Thread_local sb_callstate *sb__callstate;

/* function.c: the Function type; makes the Python callable for a plan (taking ownership of it,
 * also on failure). lib may be NULL. C face: doc (may be NULL) comes before the
 * prototype in __doc__, modname (str) becomes __module__, and cface is true.
 * New reference or NULL + exception. */
typedef struct sb_fnextra {
    const char *(*status_msg)(int);  /* [[status(..., fn)]] */
    void (*free_fn)(void *);         /* [[free(fn)]], NULL = free */
    const char *doc;                 /* C face docstring */
    PyObject *modname;               /* C face __module__ */
    bool cface;
    /* For functions of a Library: ties typed handle / struct results to it, and
     * an owned handle (not [[borrowed]]) to its release function. Steals value;
     * returns it, or NULL with an exception. NULL: nothing to tie. */
    PyObject *(*adopt)(PyObject *library, sb_type type, PyObject *value, bool owned);
} sb_fnextra;
SB_INTERNAL PyObject *sb__function_new(PyObject *module, PyObject *lib, sb_plan *plan, void (*fn)(void),
                                       const sb_fnextra *extra);
/* The same, returning the Function object itself (its def filled for a
 * PyCFunction; classes make method descriptors from it instead). */
SB_INTERNAL sb_function *sb__function_make(PyObject *module, PyObject *lib, sb_plan *plan, void (*fn)(void),
                                           const sb_fnextra *extra);
/* What few functions have, kept out of the object (sb_function: 144 bytes). */
typedef struct sb_fnmore {
    PyObject *keep;                /* a function made for a C address (sb__function_at): what owns its
                                      function type's named types and keeps the code alive; strong, may be NULL */
    struct sb_varcache *varcache;  /* variadic functions: one call plan per list of extra types (variadic.c), or NULL */
    void *closure;                 /* a method's ffi_closure (its ml_meth) when the trampolines are used up,
                                      freed with the object; else NULL */
    const char *(*status_msg)(int);/* [[status(..., fn)]], or NULL */
    void (*free_fn)(void *);       /* [[free(fn)]] when not free(), or NULL */
} sb_fnmore;
/* f->more, made zeroed when f has none yet; NULL with MemoryError. */
SB_INTERNAL sb_fnmore *sb__function_more(sb_function *f);
/* What frees f's [[free]] results: [[free(fn)]]'s fn, else free(). */
static inline void (*sb__function_free_fn(const sb_function *f))(void *)
{
    return f->more && f->more->free_fn ? f->more->free_fn : free;
}
/* [[status(..., fn)]]'s message function, or NULL. */
static inline const char *(*sb__function_status_msg(const sb_function *f))(int)
{
    return f->more ? f->more->status_msg : NULL;
}

/* f's tuple of interned Python parameter names (borrowed; made on first use: only keyword
 * calls need it, and a function never called by keyword keeps no tuple), or NULL with an exception. */
SB_INTERNAL PyObject *sb__function_names(sb_function *f);
SB_INTERNAL extern PyType_Spec sb__function_spec;

/* Is t a C function pointer (`int (*)(int)`, a typedef of one)? */
static inline bool sb__type_is_fnptr(sb_type t)
{
    return t.ptr == 1 && t.named && t.named->what == SB_NAMED_FUNC;
}

/* A C function pointer (type ftype: sb__type_is_fnptr) as a Python callable
 * with the plan and fast paths of a bound function, named `name` in messages.
 * keep (may be NULL) owns ftype's named types (the Function, Callback, Library
 * or Struct whose type it is) and is kept alive with the callable; lib (may be
 * NULL) is its Library (adopt: as sb_fnextra.adopt). NULL address: None; an
 * address in the NULL page: ValueError. New reference or NULL + exception. */
SB_INTERNAL PyObject *sb__function_at(sb_state *st, sb_type ftype, void *addr, const char *name, PyObject *keep,
                                      PyObject *lib,
                                      PyObject *(*adopt)(PyObject *library, sb_type type, PyObject *value, bool owned));

/* The items of v as a tuple (v itself when it is one): loops over Python
 * containers go over this snapshot by index, so conversions that run Python
 * code (__index__, __float__, ...) cannot resize, clear or free what is being
 * looped over, and each item stays alive while it is converted. TypeError
 * `msg` when v is not iterable. New reference or NULL + exception. */
SB_INTERNAL PyObject *sb__snapshot(PyObject *v, const char *msg);

/* May a Pointer of type `have` go where `want` is declared? As in C (and
 * cffi): `void *` goes anywhere and takes anything; otherwise the pointed-to
 * types agree (qualifiers aside; integer types of one size and signedness
 * are one type, as uint32_t is unsigned int). */
static inline bool sb__pointer_fits(sb_type want, sb_type have)
{
    bool want_void = want.ptr == 1 && want.kind == SB_K_VOID && !want.named;
    bool have_void = have.ptr == 1 && have.kind == SB_K_VOID && !have.named;
    if (want_void || have_void)
        return true;
    if (want.ptr != have.ptr || !sb__named_same(want.named, have.named))
        return false;
    if (want.kind == have.kind)
        return true;
    const sb_kindinfo *a = sb__kind((sb_kind)want.kind), *b = sb__kind((sb_kind)have.kind);
    return a->cls == b->cls && a->size == b->size && a->cls != SB_CLASS_FLOAT;
}

/* errors.c */
/* Raises SignatureError for text with err (column, message); `what` prefixes it (may be NULL). */
SB_INTERNAL void sb__raise_sigerror(sb_state *st, const char *text, size_t len, const sb_error *err, const char *what);
/* The UTF-8 bytes of a signature, declaration or type text (a str). A str that
 * has none (a lone surrogate) is a SignatureError saying where, never a
 * UnicodeEncodeError. New reference, or NULL with the error set. */
SB_INTERNAL PyObject *sb__text_utf8(sb_state *st, PyObject *text);
/* Parses and plans, raising SignatureError on failure. */
SB_INTERNAL sb_plan *sb__plan_from_text(sb_state *st, const char *text, size_t len);
/* The same, with a context prefixed to the message ("mymod: function table"). */
SB_INTERNAL sb_plan *sb__plan_from_text_in(sb_state *st, const char *text, size_t len, const char *context);
/* The same, resolving type names through scope and adding SB_SIG_* flags before planning. */
SB_INTERNAL sb_plan *sb__plan_from_text_ex(sb_state *st, const char *text, size_t len, const char *context,
                                           const sb_scope *scope, uint32_t sigflags);

/* variadic.c: calls of `...` functions and sigbind.c(type, value). */
SB_INTERNAL extern PyType_Spec sb__cvalue_spec;
/* For a call of variadic f with extra positional arguments (npos > the fixed
 * ones): the Function of the call plan for those extras' types (cached per
 * type list; new reference), with args[0..npos) set to what it converts
 * (a sigbind.c object replaced by its value; borrowed). NULL + exception. */
SB_INTERNAL sb_function *sb__variadic_prepare(sb_function *f, PyObject *const *pos, Py_ssize_t npos,
                                              PyObject *kwname, PyObject **args);
SB_INTERNAL int sb__varcache_traverse(sb_function *f, visitproc visit, void *arg);
SB_INTERNAL void sb__varcache_clear(sb_function *f);
SB_INTERNAL Py_ssize_t sb__varcache_size(const sb_function *f);

/* call.c: the four entry points (one per calling convention). */
SB_INTERNAL PyObject *sb__call_fast(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
SB_INTERNAL PyObject *sb__call_varargs(PyObject *self, PyObject *args, PyObject *kwargs);
SB_INTERNAL PyObject *sb__call_o(PyObject *self, PyObject *arg);
SB_INTERNAL PyObject *sb__call_noargs(PyObject *self, PyObject *unused);

/* call.c, for the kernels (kernels.c): a scalar result under an error contract
 * (the exception, or the result: None for a status); a result kind the kernels
 * do not box inline; a struct result from its registers or sret; a [[nogil]]
 * register call (-1 with an exception: what a callback or the C code raised). */
SB_INTERNAL PyObject *sb__call_contract(sb_function *f, const sb_cell *r, int saved_errno);
SB_INTERNAL PyObject *sb__call_result(sb_function *f, const sb_cell *r);
SB_INTERNAL PyObject *sb__call_struct_result(sb_function *f, const sb_regret *rr, unsigned char *sret);
SB_INTERNAL int sb__call_nogil(sb_function *f, sb_cell *cells, sb_regret *rr);
/* After a call that released the GIL: what its callbacks or C code raised becomes the call's exception. */
SB_INTERNAL void sb__call_restore_raised(sb_callstate *cs);

/* kernels.c: the head of f->kern, which shape kernels (shapes.c) read too.
 * check: the plan's error contract, precomputed: the result's bits at its
 * width (& mask), sign-extended when signed (^ sext, - sext), biased so that
 * unsigned order is the result's order (^ bias); the contract fails when that
 * lies in [lo, lo + span], or outside it when inv (!=). status: a [[status]]
 * contract (success returns None). */
typedef struct sb_kcheck {
    uint64_t mask, sext, bias, lo, span;
    bool inv;
    bool status;
    bool on;            /* the plan has a contract and this check decides it */
} sb_kcheck;
typedef struct sb_khead {
    sb_kcheck check;
    uint8_t npy;        /* Python parameters */
    uint8_t nmin;       /* arguments a call gives at least (the parameters from nmin on have defaults) */
    uint8_t nkw;        /* kwtuple's size */
    PyObject *kwtuple;  /* the keyword names of the last call with keywords (strong; NULL: none yet), */
    uint8_t *kwslot;    /* and the parameter each names (npy of them, after the kernel's names) */
} sb_khead;
static inline bool sb__kcheck_failed(const sb_kcheck *c, uint64_t u)
{
    uint64_t w = ((((u & c->mask) ^ c->sext) - c->sext) ^ c->bias) - c->lo;
    return (w <= c->span) != c->inv;
}
/* kernels.c: kwnames (not f's kwtuple) matched to f's parameters, by identity with the interned
 * names, else by an equal exact str, and kept as f's kwtuple. false: a name that is not a parameter
 * that may be given by keyword (the general path reports). */
SB_INTERNAL bool sb__kernel_keywords(sb_function *f, PyObject *kwnames);
/* A call with keywords or arguments left out, bound to one value per Python parameter (vals, npy of
 * them; NULL: left out, it takes its default's cell, f->defaults, as the general path does). Keyword
 * names are matched once per call site: CPython passes the same tuple each time, kept by the kernel.
 * false: the general path must bind it (and report what is wrong). f->kern set. */
static SB_ALWAYS_INLINE bool sb__kbind(sb_function *f, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                                       PyObject **vals, Py_ssize_t npy)
{
    const sb_khead *h = (const sb_khead *)(const void *)f->kern;
    if (SB_UNLIKELY(nargs > npy))
        return false;
    Py_ssize_t i = 0, given = nargs;
    for (; i < nargs; i++)
        vals[i] = args[i];
    for (; i < npy; i++) {
        vals[i] = NULL;
        SB_OPAQUE(i); /* a loop of a few stores, not a call of memset */
    }
    if (kwnames) {
        if (SB_UNLIKELY(kwnames != h->kwtuple) && !sb__kernel_keywords(f, kwnames))
            return false;
        const Py_ssize_t nkw = h->nkw;
        for (Py_ssize_t j = 0; j < nkw; j++) {
            PyObject **at = &vals[h->kwslot[j]];
            if (*at)
                return false; /* given twice: the general path reports */
            *at = args[nargs + j];
        }
        given += nkw;
    }
    if (given < npy) /* the ones left out must have defaults: those from nmin on */
        for (i = 0; i < h->nmin; i++)
            if (!vals[i])
                return false;
    return true;
}
#define SB_KMAX 32 /* C parameters a kernel takes */
#define SB_KHEAD(f) ((const sb_khead *)(const void *)(f)->kern)
#define SB_KCHECK(f) (&SB_KHEAD(f)->check)

/* kernels.c: prepares f's call kernel (f->kern) when its plan has one:
 * 1; 0 when it has none (nothing changed); -1 + MemoryError. sb__kernel_call
 * is the METH_FASTCALL entry of a function with f->kern set. */
SB_INTERNAL int sb__kernel_prepare(sb_function *f);
SB_INTERNAL void sb__kernel_free(sb_function *f);
SB_INTERNAL PyObject *sb__kernel_call(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
/* The entry point specialised for f's kernel (f->kern set): sb__kernel_call or a leaner one. */
typedef PyObject *(*sb_fastcallfn)(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
SB_INTERNAL sb_fastcallfn sb__kernel_entry(const sb_function *f);
/* function.c: f's kernel made now (the first call of f, f->kern_pending; GIL held) and
 * f->def.ml_meth set to the entry it allows (the caller then calls that entry, or goes on
 * where it is when it is its own). 0, or -1 + MemoryError. */
SB_INTERNAL int sb__function_kernel(sb_function *f);
/* function.c: f becomes the [[release]] function of a handle type (pyface/library.c): the general path
 * marks the handle after each call, so f's calls go there from now on (its kernel, if any, is no
 * longer its entry; a kernel never checks). */
SB_INTERNAL void sb__function_releases(sb_function *f);

/* shapes.c: the exactly-typed METH_FASTCALL kernel for this plan (the C-face
 * flavour checks for a raise after the call), or NULL. */
SB_INTERNAL PyCFunction sb__shape_kernel(const sb_plan *plan, bool cface, const sb_kcheck *check);

/* convert.c */
typedef struct sb_temp {
    PyObject *obj;         /* a reference to drop after the call (< 3.11: the memoryview holding a buffer's export) */
    bool noescape;         /* the parameter is [[noescape]]: a plain callable may be wrapped for the call */
    PyObject *owner;       /* what owns the parameter's function type (the Function called; borrowed), or NULL */
    sb_buffer view;        /* >= 3.11 buffer; view.obj != NULL when held */
} sb_temp;

/* bufview.c: a [[len(n)]] buffer argument: opens v's buffer (None: NULL, 0
 * items), checks its format against the pointee of `type` and writability
 * (non-const), stores its address in *cell and its item count in *lencell
 * (range-checked for n's type; when lenset, it must equal what is there),
 * and holds the export in tmp. 0 or -1 with an exception naming the function
 * and the parameter. */
typedef struct sb_lenarg {
    const char *fname, *pname, *lenname;
    sb_type type;          /* the buffer parameter's type ("const double *") */
    sb_type lentype;       /* n's type */
} sb_lenarg;
SB_INTERNAL int sb__buffer_arg(const sb_lenarg *a, PyObject *v, sb_cell *cell, sb_cell *lencell, bool lenset,
                               sb_temp *tmp);
/* A [[len(n)]] result: count items of ret's pointee at p, copied: bytes for
 * char types and void, else a read-only memoryview cast to their format.
 * New reference or NULL. */
SB_INTERNAL PyObject *sb__buffer_result(const void *p, uint64_t count, sb_type ret, const char *fname);
/* The integer of type t in a cell's low bytes as a count: 0, or -1 when negative. */
SB_INTERNAL int sb__cell_count(const sb_cell *c, sb_type t, uint64_t *out);

/* What a converter needs besides the value: names for messages, and the state. */
typedef struct sb_convctx {
    const char *fname;     /* "crc32" in "crc32() argument 'len' (unsigned int) ..." */
    const char *pname;     /* "len" */
    sb_type declared;      /* the parameter's declared type, for messages */
    sb_state *state;       /* for the Pointer type */
    uint8_t kind;          /* SB_CX_*: what the messages call the value */
    bool no_address;       /* a C-face parameter: a pointer is a Pointer (or a buffer), never a raw int address */
} sb_convctx;

enum {
    SB_CX_ARGUMENT = 0,    /* "f() argument 'x' (int) ..." */
    SB_CX_ATTRIBUTE = 1,   /* "Rect attribute 'w' (int) ...": fname is the class, pname the field */
    SB_CX_RESULT = 2,      /* "callback return value (int) ...": fname, then pname as given */
    SB_CX_CONSTRUCTOR = 3  /* the instance argument of a class's __init__/__setstate__: as an argument, and
                              an instance whose constructor has not run is accepted */
};

/* "f() argument 'x'" / "Rect attribute 'w'" / "callback return value" for cx (a per-thread buffer). */
SB_INTERNAL const char *sb__conv_who(const sb_convctx *cx);


/* Python -> C into cell (conv/kind of the slot; type for pointers). Returns 0 or -1 + exception. */
SB_INTERNAL int sb__to_c(const sb_convctx *cx, uint8_t conv, sb_type type, PyObject *obj, sb_cell *cell, sb_temp *tmp);
/* TypeError "Rect instance was not initialised: call Rect.__init__ ..." for an
 * instance whose constructor never ran. Returns -1. */
SB_INTERNAL int sb__unbuilt_error(PyObject *obj);
/* The type object of a C-face class in this module state (borrowed), or NULL + exception. */
SB_INTERNAL PyTypeObject *sb__class_type(sb_state *st, const sb_named *nd);
/* C -> Python: new reference or NULL + exception. */
SB_INTERNAL PyObject *sb__from_c(sb_state *st, uint8_t conv, sb_type type, const sb_cell *cell);
/* Releases a call's temporary (its reference, its buffer export). */
SB_INTERNAL void sb__temp_release(sb_temp *tmp);
/* A value of type t (scalar or pointer) in memory <-> a cell. */
SB_INTERNAL void sb__cell_load(sb_type t, const void *mem, sb_cell *c);
/* Wide scalars (long double, float/double _Complex, __int128, _Float128: sb__type_wide) live in
 * memory, never in a cell: the value at mem as a float, complex or int (new reference, NULL +
 * exception), and obj stored at mem (0, or -1 + exception naming cx's parameter; mem untouched). */
SB_INTERNAL bool sb__type_wide(sb_type t);
/* `wchar_t *`, `char16_t *`, `char32_t *` (any const): a str converts to a NUL-terminated copy; bytes are refused. */
SB_INTERNAL bool sb__is_wide_char_ptr(sb_type t);
SB_INTERNAL PyObject *sb__wide_get(sb_type t, const void *mem);
SB_INTERNAL int sb__wide_set(const sb_convctx *cx, sb_type t, PyObject *obj, void *mem);
/* The str of a NUL-terminated wchar_t/char16_t/char32_t string of at most maxunits units (new reference). */
SB_INTERNAL PyObject *sb__wstr_get(sb_kind kind, const void *p, size_t maxunits);
/* str -> bytes of its code units of `kind` (no NUL added; new reference, NULL + exception). */
SB_INTERNAL PyObject *sb__wstr_encode(sb_kind kind, PyObject *str);
SB_INTERNAL void sb__cell_store(sb_type t, void *mem, const sb_cell *c);
/* Default literal -> cell (bind time). */
SB_INTERNAL void sb__default_cell(const sb_literal *lit, uint8_t conv, sb_cell *cell);

#endif
