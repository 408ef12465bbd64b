/* sigbind.h — the public C API of sigbind: extension modules by signature strings, exceptions, calling Python from C, embedding. */
#ifndef SIGBIND_H
#define SIGBIND_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sigbind_cc.h"

#define SIGBIND_VERSION_MAJOR 0
#define SIGBIND_VERSION_MINOR 1
#define SIGBIND_VERSION_PATCH 0
/* 0xMMmmpp00, comparable like PY_VERSION_HEX */
#define SIGBIND_VERSION_HEX                                                                                       \
    ((SIGBIND_VERSION_MAJOR << 24) | (SIGBIND_VERSION_MINOR << 16) | (SIGBIND_VERSION_PATCH << 8))

/* Python objects are opaque here; code that includes Python.h gets the same
 * type (C11 allows the typedef twice). */
typedef struct _object PyObject;

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== */
/* Conventions                                                            */
/*
 * - Functions returning PyObject * return a NEW reference, or NULL with a
 *   Python exception set. Release a reference with sb_decref().
 * - Functions returning int return 0 on success, -1 with a Python exception
 *   set on failure (except where a function says otherwise).
 * - Everything here needs the GIL (the runtime holds it while it runs your
 *   registered functions), except sb_embed_init, sb_gil_acquire, and the
 *   error functions (sb_raise ... sb_error_clear) on the thread of a
 *   [[nogil]] call or inside sb_allow_threads (see SB_FUNCTION).
 * - Exception names: a builtin name ("ValueError", "OSError", ...), the name
 *   of an exception your module defines ("CustomError"), or a dotted name of
 *   an exception defined in Python code ("asyncio.CancelledError"), imported
 *   once and cached in the module's state.
 */

/* ===================================================================== */
/* Modules                                                                */

/* One function of the module: an ordinary C function, its signature string
 * (README.md "The signature language"; the Python name is the name in the
 * signature) and a docstring.
 *   SB_FUNCTION(sum_as_string, "char *sum_as_string(int64_t a, int64_t b) [[free]]", "Sum as text.")
 * Arguments and results convert as in the Python face (including buffers
 * with lengths: "double mean(const double *xs [[len(n)]], size_t n)" is
 * called as mean(array('d', ...)), n filled from the buffer; README, "The
 * signature language"). `PyObject *`
 * parameters are BORROWED for the call; a `PyObject *` result must be a NEW
 * reference (or NULL with an exception set). `*args` / `**kwargs` arrive as a
 * borrowed `PyObject *` tuple / dict. A function reports an error by calling
 * sb_raise() (or any CPython API that sets an exception) and returning any
 * value: the runtime checks for a set exception after every call of a module
 * function (measured: ~30 instructions per call with the bookkeeping, see
 * bench/cface_cost.py) and then returns NULL to Python, after freeing a
 * [[free]] result or dropping a PyObject * result. A [[nogil]] function runs
 * without the GIL: it must not touch Python objects. It may still fail with
 * sb_raise, sb_raise_from, sb_raise_errno or sb_stop_iteration, and ask
 * sb_error_occurred, sb_exception_matches and sb_error_clear, on its own
 * thread: each takes the GIL back for its own duration (with the call's saved
 * thread state), the exception is held for the call and raised when the
 * function returns (its result is dropped, a [[free]] one freed). Threads the
 * function starts itself need sb_gil_acquire() around such calls. */
typedef struct sb_function_def {
    void (*fn)(void);        /* the C function, cast with SB_FUNCTION */
    const char *signature;   /* its prototype */
    const char *doc;         /* docstring (may be NULL) */
} sb_function_def;
#define SB_FUNCTION(fn, signature, doc) {(void (*)(void))(fn), (signature), (doc)}

/* One exception type of the module: mymodule.<name>, derived from `base` (an
 * exception name as above, NULL = "Exception"; an earlier exception of the
 * same module may be the base). Kept in module state. */
typedef struct sb_exception_def {
    const char *name;
    const char *base;
    const char *doc;
} sb_exception_def;
#define SB_EXCEPTION(name, base, doc) {(name), (base), (doc)}

/* Module-level constants. */
typedef enum sb_constant_kind { SB_CONST_INT = 1, SB_CONST_FLOAT, SB_CONST_STR } sb_constant_kind;
typedef struct sb_constant_def {
    const char *name;
    sb_constant_kind kind;
    long long i;
    double d;
    const char *s;
} sb_constant_def;
#define SB_INT(name, value) {(name), SB_CONST_INT, (value), 0.0, NULL}
#define SB_FLOAT(name, value) {(name), SB_CONST_FLOAT, 0, (value), NULL}
#define SB_STR(name, value) {(name), SB_CONST_STR, 0, 0.0, (value)}

/* Ends each of the three tables above. */
#define SB_END {0}

/* ===================================================================== */
/* Classes: a C struct as a Python class                                  */
/*
 * A class is declared over an ordinary C struct; each instance embeds one,
 * zero-filled when the instance is made. Its name is also a type name in the
 * module's signatures: "int64_t area(Rect *self)" receives a pointer to the
 * struct inside the instance (borrowed: valid while the instance lives; the
 * runtime checks the argument is a Rect or a subclass). A `Rect *` result is
 * the instance that struct belongs to (a method returning `self`, new
 * reference); returning a pointer to any other memory is undefined.
 *
 * Methods are sb_method_def entries (SB_METHOD etc.); special method names
 * become the type's protocols (README.md "Classes: a C struct as a Python
 * class" has the table): __init__ (the
 * constructor, returns void), __repr__, __str__, __hash__, __bool__, __eq__ ...
 * __ge__, __add__/__radd__/__iadd__ ..., __neg__, __index__, __int__,
 * __float__, __len__, __getitem__, __setitem__, __delitem__, __contains__,
 * __iter__, __next__, __call__, __getattr__, __setattr__, __delattr__,
 * __enter__, __exit__. They are ordinary methods too (x.__len__()). The
 * container, iteration, comparison (with __eq__), __hash__, __call__,
 * __repr__/__str__ and (3.10+) __init__ methods fill the type's slots
 * directly (the attribute is CPython's slot wrapper); a Python subclass
 * overriding one of them wins, as for any class.
 *   - Binary operators and comparisons return NotImplemented when the other
 *     operand does not convert to the declared parameter type.
 *   - __next__ ends the iteration by returning a NULL PyObject * without an
 *     exception, or by calling sb_stop_iteration() (any result type).
 *   - __eq__ without __hash__ makes instances unhashable, as in Python.
 *   - __getitem__ receives the index as given (negative indexes are yours).
 *
 * Construction: a class whose table (or a base's) declares __init__ gives C
 * code only instances that constructor has started on. An instance made
 * without it (Cls.__new__(Cls), or a Python subclass whose __init__ does not
 * call super().__init__()) raises TypeError "Cls instance was not
 * initialised: call Cls.__init__ ..." from every method, property, protocol
 * and function taking a `Cls *`, and its destroy, traverse, clear and buffer
 * hooks are not called; its fields (SB_FIELD) read as zeros. Calling
 * Cls.__init__(obj, ...) on it later builds it; __setstate__ (unpickling) may
 * build it too. A class without __init__ has no constructor: zero-filled
 * instances are its initial state (also the base part of a subclass's
 * instance, as its methods see it, before the subclass's __init__ ran).
 *
 * Pickling (and copy.copy/deepcopy): refused with TypeError "cannot pickle
 * 'Cls' object" at every protocol, unless the table (or a base's) declares
 * __reduce__, __reduce_ex__ or __getstate__ (pair it with __setstate__). A
 * Python subclass may define __reduce__ itself.
 *
 * Ownership: what the class's methods and properties point into is owned by
 * the class and by the module's state. From CPython 3.10 the class is an
 * immutable type (setting or deleting its attributes raises TypeError, as for
 * builtin types; Python subclasses stay mutable), so no Python code can free
 * it. On 3.7-3.9 the class stays mutable: a method can be replaced or deleted
 * like any attribute, and deleting the internal _sigbind_keep attribute
 * frees nothing while the module lives (README.md "Classes: a C struct as a
 * Python class" says what remains).
 */

/* Method kinds (sb_method_def.flags). */
enum {
    SB_M_INSTANCE = 0,     /* first parameter: `Rect *self` (or a base class's pointer) */
    SB_M_CLASS = 1,        /* first parameter: `PyObject *cls`, the class it is called on (borrowed) */
    SB_M_STATIC = 2,       /* no implicit parameter */
    SB_M_GETTER = 3,       /* `T name(Rect *self)` or `T get_name(...)`: property `name` */
    SB_M_SETTER = 4        /* `void name(Rect *self, T value)` or `set_name`: property `name` */
};

typedef struct sb_method_def {
    void (*fn)(void);        /* the C function */
    const char *signature;   /* its prototype; the Python name is the name in it */
    const char *doc;         /* docstring (may be NULL) */
    int kind;                /* SB_M_INSTANCE, SB_M_CLASS, ... */
} sb_method_def;
#define SB_METHOD(fn, signature, doc) {(void (*)(void))(fn), (signature), (doc), SB_M_INSTANCE}
#define SB_CLASS_METHOD(fn, signature, doc) {(void (*)(void))(fn), (signature), (doc), SB_M_CLASS}
#define SB_STATIC_METHOD(fn, signature, doc) {(void (*)(void))(fn), (signature), (doc), SB_M_STATIC}
#define SB_GETTER(fn, signature, doc) {(void (*)(void))(fn), (signature), (doc), SB_M_GETTER}
#define SB_SETTER(fn, signature, doc) {(void (*)(void))(fn), (signature), (doc), SB_M_SETTER}

/* One struct field as an attribute: its declaration (type and attribute
 * name), where it is, and whether Python may assign it.
 *   SB_FIELD(Rect, w, "int64_t w", SB_READWRITE, "Width.")
 * Types: the integer types, bool, float, double (range-checked on set like
 * arguments); `const char *` (read-only: a str, None for NULL); `PyObject *`
 * (the struct OWNS a reference: set/del manage it, it is released when the
 * instance dies, and the garbage collector sees it — a class with such a
 * field is collected in cycles). A PyObject * field reads as None while
 * NULL, and `del obj.field` sets it to NULL. */
enum { SB_READWRITE = 0, SB_READONLY = 1 };
typedef struct sb_field_def {
    const char *decl;        /* "int64_t w" */
    size_t offset;           /* offsetof(struct, field) */
    int flags;               /* SB_READWRITE or SB_READONLY */
    const char *doc;         /* may be NULL */
} sb_field_def;
#define SB_FIELD(Struct, field, decl, flags, doc) {(decl), offsetof(Struct, field), (flags), (doc)}

/* Class flags (sb_class_def.flags). */
enum {
    SB_SUBCLASSABLE = 1u << 0, /* Python (and C) may derive from it; without it the class is final, like PyO3 */
    SB_DICT = 1u << 1,         /* instances have a __dict__ (CPython >= 3.9; earlier versions: ignored) */
    SB_WEAKREF = 1u << 2,      /* instances can be weakly referenced (CPython >= 3.9; earlier: ignored) */
    /* Its special methods report an error by raising (sb_raise or any CPython API) AND returning the
     * error value of their result type, as a hand-written slot does: -1 for a signed integer, all bits
     * set for an unsigned one, NULL for PyObject *, false for bool. A special method called straight
     * from its slot (README.md "Classes: a C struct as a Python class") then looks for an exception only when
     * it returns that value (a void one: always), which saves about 20 instructions a call, and the
     * commonest slot signatures get a specialised entry (README.md, same section). Without
     * the flag a method may raise and return any value, as every C-face function. With it, raising
     * and returning another value leaves the exception set on a successful call: undefined. */
    SB_ERRVALUE = 1u << 3
};

/* What a class exports through the buffer protocol (memoryview(obj),
 * bytes(obj), numpy...): a one-dimensional array of `len` items. */
typedef struct sb_buffer_info {
    void *buf;               /* the first item (inside the struct, or memory the instance owns) */
    size_t len;              /* number of items */
    size_t itemsize;         /* bytes per item */
    const char *format;      /* struct-module format of an item: "d", "i", "B"...; NULL = "B" */
    bool readonly;
} sb_buffer_info;

/* A visit function as CPython's tp_traverse gets it. */
typedef int (*sb_visitproc)(PyObject *obj, void *arg);

typedef struct sb_class_def {
    const char *name;        /* "Rect": the Python name and the signature type name */
    const char *doc;         /* docstring (may be NULL); the constructor's signature is prepended */
    size_t size;             /* sizeof(the struct); a subclass's struct starts with its base's */
    const char *base;        /* NULL (object) or an earlier class of this module, which must be SB_SUBCLASSABLE */
    unsigned flags;          /* SB_SUBCLASSABLE | SB_DICT | SB_WEAKREF | SB_ERRVALUE */
    const sb_method_def *methods; /* SB_END-terminated, may be NULL */
    const sb_field_def *fields;   /* SB_END-terminated, may be NULL */
    /* Called when an instance dies, before its PyObject * fields are
     * released (subclass hooks first, then the base's). The GIL is held; it
     * must not raise. May be NULL. */
    void (*destroy)(void *self);
    /* For Python objects held outside PyObject * fields (a C array of
     * references, say): visit each with visit(obj, arg) and return non-zero
     * if visit does; and drop them in clear. Both or neither. May be NULL. */
    int (*traverse)(void *self, sb_visitproc visit, void *arg);
    void (*clear)(void *self);
    /* Buffer export: fill *info, return 0 (or -1 after sb_raise). The memory
     * must stay put while a view exists (the instance is kept alive by it).
     * CPython >= 3.11 only (the buffer slots joined the stable ABI in 3.11):
     * on older versions the class has no buffer and memoryview(obj) raises
     * TypeError. May be NULL. */
    int (*buffer)(void *self, sb_buffer_info *info);
    /* Free list (PyO3's `freelist = N`): up to this many dead instances of
     * exactly this class (not of subclasses) are kept, per interpreter, and
     * reused by the next construction, fully zero-filled again as a new
     * instance is (unbuilt until __init__ runs). Kept instances are no longer
     * seen by the garbage collector; they are freed with the class (at the
     * latest when the module is freed). 0: none. */
    unsigned freelist;
} sb_class_def;

/* The instance a class's struct belongs to (BORROWED), e.g. to return it
 * from a PyObject * method or to store it. `self` must be a struct pointer the
 * runtime passed in. */
PyObject *sb_self(void *self);
/* Ends an iteration from __next__: sets StopIteration. Returns -1. */
int sb_stop_iteration(void);

typedef struct sb_module_def {
    const char *name;                       /* set by SB_MODULE */
    const char *doc;                        /* the module's docstring */
    const sb_function_def *functions;       /* SB_END-terminated, may be NULL */
    const sb_exception_def *exceptions;     /* SB_END-terminated, may be NULL */
    const sb_constant_def *constants;       /* SB_END-terminated, may be NULL */
    const sb_class_def *classes;            /* SB_END-terminated, may be NULL */
    int (*exec)(PyObject *module);          /* extra setup at import: 0, or -1 with an exception set */
    void *runtime_;                         /* owned by the runtime */
} sb_module_def;

/* Defines the module `name` (the extension's file must be name.abi3.so):
 *   SB_MODULE(rust2py, .doc = "This module is implemented in C.", .functions = functions);
 * It expands to PyInit_<name>, using multi-phase init: each import (each
 * subinterpreter, each reload) gets its own module object and state; every
 * signature is parsed and checked at import, and a bad one makes the import
 * fail with sigbind.SignatureError naming the function and the column. */
/* (It ends with a declaration, so the `;` after SB_MODULE(...) is not an empty
 * declaration: -Wpedantic stays quiet.) */
#define SB_MODULE(modname, ...)                                                                                    \
    static sb_module_def sb_module_def_##modname = {.name = #modname, __VA_ARGS__};                                \
    SB_EXPORT PyObject *PyInit_##modname(void);                                                                    \
    SB_EXPORT PyObject *PyInit_##modname(void) { return sb_module_init(&sb_module_def_##modname); }                \
    SB_EXPORT PyObject *PyInit_##modname(void)

/* Used by SB_MODULE: returns the module definition for multi-phase init
 * (borrowed, lives as long as the process), or NULL with an exception set. */
PyObject *sb_module_init(sb_module_def *def);

/* ===================================================================== */
/* Errors                                                                 */

/* Sets exception `exc` (a name, see Conventions) with a printf-style message.
 * Always returns -1 (so `return sb_raise(...)` works in int functions). An
 * unknown name raises SystemError naming it instead. */
int sb_raise(const char *exc, const char *fmt, ...) SB_PRINTF(2, 3);
/* The same, chaining the exception currently set as __cause__ (raise ... from ...). */
int sb_raise_from(const char *exc, const char *fmt, ...) SB_PRINTF(2, 3);
/* OSError (or its errno subclass) from errno; `filename` may be NULL. Returns -1. */
int sb_raise_errno(const char *filename);
/* Is an exception set? Does it match `exc` (isinstance-like, by name)? */
bool sb_error_occurred(void);
bool sb_exception_matches(const char *exc);
/* Clears the current exception. */
void sb_error_clear(void);
/* Takes the current exception out (NULL if none; a new reference the caller
 * owns) and puts one back (steals the reference; NULL clears). */
PyObject *sb_error_fetch(void);
void sb_error_restore(PyObject *exc);
/* The exception type for a name (see Conventions): a BORROWED reference
 * cached in the calling module's state, or NULL with an exception set. */
PyObject *sb_exception_type(const char *exc);

/* ===================================================================== */
/* Calling Python from C, in the signature language                       */

/* Calls `callable` with C values described by a parameter list:
 *   sb_call(f, "(int64_t a, const char *s)", (int64_t)1, "x")      -> f(1, "x")
 *   sb_call(f, "(double x, *, bool flag)", 2.0, true)              -> f(2.0, flag=True)
 * Parameters after `*` are passed by keyword (their names are the keywords).
 * As with printf, each variadic argument MUST have the C type its parameter
 * names — cast literals: (int64_t)1 — nothing checks it (C's default
 * promotions apply: float/char/short/bool are read as double/int). `params`
 * NULL or "()" means no arguments. `PyObject *` arguments are borrowed; a NULL
 * one passes an exception already set through, else raises SystemError.
 * Pointer values (other than char *) become sigbind.Pointer inside a C-face
 * module's code, plain int addresses elsewhere (embedding). The text is parsed
 * on each call (~0.3 us); an error in it raises sigbind.SignatureError (a
 * ValueError with .text/.column/.reason; plain ValueError when neither a
 * C-face module nor `sigbind` is at hand). Returns a new reference or NULL. */
PyObject *sb_call(PyObject *callable, const char *params, ...);
PyObject *sb_vcall(PyObject *callable, const char *params, va_list ap);
/* obj.<name>(...) */
PyObject *sb_call_method(PyObject *obj, const char *name, const char *params, ...);
/* Converts one Python value to the C type named by `type` ("int64_t",
 * "const char *", "double", "PyObject *"...), writing it to *out (which must
 * point to that type). A `const char *` points into obj (valid while obj
 * lives and is not modified): bytes on every version, str from 3.10 (its
 * cached UTF-8; on 3.7-3.9 a str raises TypeError — pass bytes or extract a
 * `PyObject *`). A `PyObject *` is borrowed. 0 or -1. */
int sb_extract(PyObject *obj, const char *type, void *out);
/* A Python value from one C value of the named type (new reference);
 * sb_value("void") reads nothing and returns None. */
PyObject *sb_value(const char *type, ...);
/* A tuple / a dict (keys: the parameter names) from C values. New reference. */
PyObject *sb_tuple(const char *params, ...);
PyObject *sb_dict(const char *params, ...);
/* Reference counting and attribute access for code without Python.h. */
void sb_incref(PyObject *obj);
void sb_decref(PyObject *obj);      /* NULL is allowed */
PyObject *sb_getattr(PyObject *obj, const char *name);

/* ===================================================================== */
/* Objects without Python.h                                               */
/* Everything here needs the GIL, returns NULL / -1 with a Python exception
 * set on failure, and takes its PyObject * arguments BORROWED. A NULL object
 * argument passes an exception already set through (else SystemError). */

/* None: a new reference to it / is obj None? */
PyObject *sb_none(void);
bool sb_is_none(PyObject *obj);

/* A buffer's memory (bytes, bytearray, array.array, memoryview, numpy...),
 * C-contiguous, with its length and item format. */
typedef struct sb_buffer_view {
    void *buf;               /* the first byte; valid until sb_buffer_release */
    size_t len;              /* bytes */
    size_t itemsize;         /* bytes per item: the C type's size, or the buffer's own (type NULL) */
    size_t count;            /* len / itemsize */
    char format[16];         /* the buffer's struct-module format ("d", "B", "<i"...) */
    bool readonly;
    void *internal_;         /* the runtime's (the export it holds) */
} sb_buffer_view;
/* Opens obj's buffer. `type` names the item's C type as in signatures
 * ("double", "int32_t", "uint8_t", "void" = any bytes), or NULL for any
 * format. The buffer must be C-contiguous, writable when `writable`, and of a
 * matching format: class and size ('l' and 'q' both fit int64_t where long
 * is 64-bit; any 1-byte integer format fits char types). Else TypeError
 * naming what was expected and given. While open, the object's export is
 * held (a bytearray cannot be resized). Release with sb_buffer_release (also
 * fine on a view that failed to open or was released). Every CPython >= 3.7
 * (before 3.11 through a memoryview and the old stable buffer calls). */
int sb_buffer_get(PyObject *obj, const char *type, bool writable, sb_buffer_view *view);
void sb_buffer_release(sb_buffer_view *view);
/* bytes / bytearray holding a copy of n bytes at data (data NULL: n zero
 * bytes). New reference. */
PyObject *sb_bytes(const void *data, size_t n);
PyObject *sb_bytearray(const void *data, size_t n);

/* "The running module" (here, sb_raise's module exceptions, sb_call's Pointer
 * results): the C-face module whose function, method, slot or exec hook runs
 * on this thread. Where none runs (a thread of the program's own, code after
 * the call returned), it is, for a thread in the main interpreter, the
 * extension's first module there (the usual case: one import), while that
 * module object lives and if no other of the extension's modules lived there
 * when it was made; otherwise there is none (a subinterpreter's thread, say). */
/* The running module's class `name` (as in sb_class_def.name), BORROWED (the
 * module state keeps it), e.g. to call it: sb_call(sb_class_object("Rect"), ...).
 * SystemError for an unknown name or outside a C-face module's code. */
PyObject *sb_class_object(const char *name);
/* The struct inside obj, an instance of the running module's class `cls` or
 * of a subclass (borrowed: valid while obj lives). TypeError for anything
 * else, and for an instance whose constructor has not run (see Classes). */
void *sb_instance_data(PyObject *obj, const char *cls);

/* Iteration over any iterable:
 *   PyObject *it = sb_iter(obj), *item;  int rc;
 *   while ((rc = sb_next(it, &item)) == 1) { ...; sb_decref(item); }
 *   sb_decref(it);  if (rc < 0) return ...;    (rc 0: exhausted)
 * sb_iter returns a new reference; sb_next sets *item to a new reference and
 * returns 1, or sets it to NULL and returns 0 at the end, -1 on error. */
PyObject *sb_iter(PyObject *iterable);
int sb_next(PyObject *iter, PyObject **item);
/* obj.name = value (value NULL: del obj.name). 0 or -1. */
int sb_setattr(PyObject *obj, const char *name, PyObject *value);
/* hasattr(obj, name): 1 or 0; -1 when looking it up raised anything but AttributeError. */
int sb_hasattr(PyObject *obj, const char *name);
/* len(obj), or -1 with an exception. */
ptrdiff_t sb_len(PyObject *obj);
/* isinstance(obj, T) / issubclass(cls, T) for T named as in sb_raise: a class
 * or exception of the running module ("Rect", "CustomError"), a builtin type
 * ("int", "list", "ValueError"), or a dotted name ("collections.abc.Mapping").
 * 1 or 0; -1 with an exception (SystemError for an unknown name). */
int sb_isinstance(PyObject *obj, const char *type);
int sb_issubclass(PyObject *cls, const char *type);

/* Calls with arguments known only at run time: callable(*args, **kwargs).
 * args: any iterable (a list made with sb_list_new/sb_list_append, a tuple
 * from sb_tuple, ...), NULL for none; kwargs: a dict or NULL. New reference.
 *   PyObject *args = sb_list_new(), *kw = sb_dict_new();
 *   for (...) sb_list_append(args, item);
 *   sb_dict_set(kw, "sep", sep);
 *   PyObject *r = sb_call_object(print, args, kw);
 * sb_list_new / sb_dict_new return new references; sb_list_append and
 * sb_dict_set do not steal (they add their own reference). 0 or -1. */
PyObject *sb_call_object(PyObject *callable, PyObject *args, PyObject *kwargs);
PyObject *sb_list_new(void);
int sb_list_append(PyObject *list, PyObject *item);
PyObject *sb_dict_new(void);
int sb_dict_set(PyObject *dict, const char *key, PyObject *value);
/* obj[key] = value (value NULL: del obj[key]) / obj[key] (new reference),
 * for any mapping or sequence; 0 or -1 / NULL with an exception. */
int sb_setitem(PyObject *obj, PyObject *key, PyObject *value);
PyObject *sb_getitem(PyObject *obj, PyObject *key);

/* ===================================================================== */
/* The GIL                                                                */

/* Runs fn(arg) with the GIL released (the caller holds it; it is taken back
 * before returning). fn must not touch Python objects; like a [[nogil]]
 * function it may call the error functions and sb_gil_acquire on this
 * thread. An exception it raises (and one already set) is set again when
 * sb_allow_threads returns: check with sb_error_occurred(). */
void sb_allow_threads(void (*fn)(void *arg), void *arg);

/* Token-style GIL for threads Python never saw (and for embedding):
 *   sb_gil g = sb_gil_acquire(); ...; sb_gil_release(g);
 * Python must be running. Nesting is allowed; release in reverse order, on the
 * thread that acquired. No GIL is needed to call it. On the thread of a
 * [[nogil]] call or inside sb_allow_threads it takes the GIL back with that
 * call's thread state (any interpreter); elsewhere it is PyGILState (the main
 * interpreter only). */
typedef struct sb_gil {
    int state_;
} sb_gil;
sb_gil sb_gil_acquire(void);
void sb_gil_release(sb_gil gil);

/* ===================================================================== */
/* Embedding: starting Python from a C program                            */
/* Link with the stable-ABI library libpython3.so. On Linux the installed
 * libpython3.so defines no symbols itself (CPython gh-104612), so the build
 * links against a generated stand-in (abi3/python3_stub.py) and the
 * program loads the real libpython3.so of whichever CPython >= 3.7 is found
 * at run time (LD_LIBRARY_PATH). */

/* Starts the interpreter if it is not running (Py_InitializeEx(0)); when it
 * starts it, the calling thread then holds the GIL (when Python was already
 * running, nothing changes). It also sets sys.argv to [''] if empty and imports
 * `threading` on this thread (so it is the main thread). 0, or -1 (nothing to
 * report to). Call sb_embed_finalize from the same thread, once no other
 * thread is inside or waiting in sb_gil_acquire. */
int sb_embed_init(void);
/* Stops it (Py_FinalizeEx). 0, or -1 if finalizing failed. Needs the GIL. */
int sb_embed_finalize(void);
/* import <name>: new reference or NULL. */
PyObject *sb_import(const char *name);
/* Evaluates an expression / runs statements (Py_CompileString +
 * PyEval_EvalCode; tracebacks name them <sb_eval> / <sb_exec>) with the given
 * namespaces: globals NULL = a fresh dict, locals NULL = globals. Like exec(),
 * a globals dict without __builtins__ gets it added. globals must be a dict
 * and locals a mapping (else TypeError). sb_eval returns the value (new
 * reference); sb_exec returns 0 or -1. */
PyObject *sb_eval(const char *expr, PyObject *globals, PyObject *locals);
int sb_exec(const char *code, PyObject *globals, PyObject *locals);
/* A new empty namespace dict holding __builtins__ (new reference). */
PyObject *sb_namespace(void);
/* Prints the current exception with its traceback (through sys.excepthook) and
 * clears it; a SystemExit is printed too, never acted on. No-op without one. */
void sb_error_print(void);

/* ===================================================================== */
/* Build-time checks (sigbind_add_module; src/cface/sigcheck.c)           */
/*
 * sigbind_add_module checks every SB_FUNCTION, SB_METHOD, SB_CLASS_METHOD,
 * SB_STATIC_METHOD, SB_GETTER, SB_SETTER and SB_FIELD entry of a module's
 * sources against its signature string when it builds the module: the C
 * function's type must be exactly the type the signature describes (result,
 * arity, each parameter; `PyObject *` for *args and **kwargs; a class `Rect *` is
 * `T *` for the T of its definition's `.size = sizeof(T)`, else `Rect *`), and a
 * field's member must have the declared type and size. A mismatch or a
 * signature the parser refuses fails the build, naming the file, line, entry,
 * signature and both types. It preprocesses each source once more with
 * SIGBIND_SCAN defined, which turns the entries into markers: */
#ifdef SIGBIND_SCAN
#undef SB_FUNCTION
#undef SB_METHOD
#undef SB_CLASS_METHOD
#undef SB_STATIC_METHOD
#undef SB_GETTER
#undef SB_SETTER
#undef SB_FIELD
#define SB_FUNCTION(fn, signature, doc) sb__scan_fn(FUNCTION, __FILE__, __LINE__, #fn, signature)
#define SB_METHOD(fn, signature, doc) sb__scan_fn(METHOD, __FILE__, __LINE__, #fn, signature)
#define SB_CLASS_METHOD(fn, signature, doc) sb__scan_fn(CLASS_METHOD, __FILE__, __LINE__, #fn, signature)
#define SB_STATIC_METHOD(fn, signature, doc) sb__scan_fn(STATIC_METHOD, __FILE__, __LINE__, #fn, signature)
#define SB_GETTER(fn, signature, doc) sb__scan_fn(GETTER, __FILE__, __LINE__, #fn, signature)
#define SB_SETTER(fn, signature, doc) sb__scan_fn(SETTER, __FILE__, __LINE__, #fn, signature)
#define SB_FIELD(Struct, field, decl, flags, doc) sb__scan_field(__FILE__, __LINE__, #Struct, #field, decl, #flags)
#endif
/* The same scan writes the module's type stub, <name>.pyi (README.md "Type stubs"): its
 * exceptions, constants and module name become markers too. */
#ifdef SIGBIND_SCAN
#undef SB_EXCEPTION
#undef SB_INT
#undef SB_FLOAT
#undef SB_STR
#undef SB_MODULE
#define SB_EXCEPTION(name, base, doc) sb__scan_exc(__FILE__, __LINE__, name, #base)
#define SB_INT(name, value) sb__scan_const(INT, name)
#define SB_FLOAT(name, value) sb__scan_const(FLOAT, name)
#define SB_STR(name, value) sb__scan_const(STR, name)
#define SB_MODULE(modname, ...) sb__scan_module(#modname, __VA_ARGS__)
#endif

#ifdef __cplusplus
}
#endif

#endif
