/* callback.c — the Callback object: a Python callable behind a C function pointer (a compiled entry stub, or a libffi closure), callable from any thread. */
#include "objects/objects.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More arguments than this take libffi (the stub's entry keeps their addresses on the stack). */
#define SB_CB_STUB_MAXARGS 32
/* More arguments than this are passed to the callable in a tuple (3.12+; below, always a tuple). */
#define SB_CB_VECTORCALL_MAXARGS 11

struct sb_callback;
/* Argument i of a Callback's fast entry from the 8 bytes of its register or
 * stack slot (the value in the low bytes): new reference or NULL + exception. */
typedef PyObject *(*cb_getfn)(struct sb_callback *cb, unsigned i, uint64_t v);

typedef struct sb_callback {
    PyObject_HEAD
    sb_sig *sig;                   /* the function type; owned when `owns_sig` */
    bool owns_sig;
    PyObject *callable;            /* strong */
    PyObject *module;              /* strong: the state below lives as long as it */
    sb_state *state;
    PyObject *error_result;        /* returned to C when the callable raises (None = zero) */
    sb_cell error_cell;            /* it, converted once */
    ffi_cif cif;
    ffi_type **atypes;             /* nparams */
    uint8_t *convs;                /* nparams + 1: the result's converter last */
    uint8_t *fa;                   /* nparams + 1: SB_FA_* or CB_FA_PTR (in the same block as convs) */
    uint8_t *efa;                  /* nparams: for a CB_FA_PTR argument, its Pointer's elem_fa (same block) */
    PyObject *argt;                /* below 3.12: the argument tuple kept between calls (None items, or
                                      with `plain`, the last call's arguments), or NULL */
    bool plain;                    /* every argument is a number, bool or Pointer (SB_FA_*, CB_FA_PTR) */
    uint16_t nargs;                /* sig->nparams */
    uint8_t rfa;                   /* fa[nargs], or CB_FA_VOID for a void result */
    sb_vectorcall_fn vectorcall;   /* PyObject_Vectorcall (3.11+), or NULL */
    bool fast;                     /* its stub enters a fast entry (fget/foff below are filled) */
    cb_getfn fget[SB_CB_VECTORCALL_MAXARGS]; /* with `fast`: argument i as a Python object */
    uint16_t foff[SB_CB_VECTORCALL_MAXARGS]; /* with `fast`: argoff[i] */
    void *closure;                 /* ffi_closure, or NULL when entered through a stub */
    int stub;                      /* the entry stub's slot (core/cbstubs.c), or -1 */
    uint16_t *argoff;              /* with a stub: where each argument is in the entry's sb_cbframe (bytes) */
    void *code;                    /* the C function pointer */
    bool for_call;                 /* made for one call (a callable passed as a function pointer) */
    PyInterpreterState *interp;    /* the interpreter it was made in: it runs only there */
    bool main_interp;              /* that is the main interpreter */
    PyObject *owner;               /* strong, or NULL: owns the types sig names (a Library; for a Callback made
                                      for one call, the Function called: a function pointer the callable
                                      receives, made with those types, may outlive the call) */
} sb_callback;

/* What a collected Callback's entry point does from then on: C that kept the
 * address calls into this, never into a later Callback (the closure is not
 * reused); the message names the Callback that died. */
static ffi_cif dead_cif;
static ffi_type *dead_args[1];

static void prep_dead_cif(void)
{
    ffi_prep_cif(&dead_cif, FFI_DEFAULT_ABI, 0, &ffi_type_void, dead_args);
}

static void dead_handler(ffi_cif *cif, void *ret, void **args, void *user)
{
    (void)cif, (void)ret, (void)args;
    fprintf(stderr, "sigbind: fatal: C called %s after it was collected (keep the Callback alive as long as "
                    "C may call it)\n", (const char *)user);
    abort();
}

static const sb_layout *struct_of(sb_type t)
{
    return !t.ptr && t.named && t.named->what == SB_NAMED_STRUCT ? t.named->user : NULL;
}

static uint8_t conv_for(sb_type t)
{
    if (struct_of(t))
        return SB_CV_STRUCT;
    if (sb__type_wide(t))
        return SB_CV_WIDE;
    if (t.ptr) {
        if (t.named && t.named->what == SB_NAMED_FUNC)
            return SB_CV_FUNC;
        if (t.kind == SB_K_PYOBJECT && t.ptr == 1)
            return SB_CV_PYOBJ;
        if (sb__type_is_cstring(t))
            return SB_CV_CSTR;
        return SB_CV_PTR;
    }
    switch (sb__kind((sb_kind)t.kind)->cls) {
    case SB_CLASS_SINT: return SB_CV_SINT;
    case SB_CLASS_UINT: return SB_CV_UINT;
    case SB_CLASS_BOOL: return SB_CV_BOOL;
    case SB_CLASS_FLOAT: return t.kind == SB_K_FLOAT ? SB_CV_FLOAT : SB_CV_DOUBLE;
    case SB_CLASS_VOID: return SB_CV_VOID;
    default: return SB_CV_PYOBJ;
    }
}

/* How arguments and the result of the common scalar types convert without
 * the cells: SB_FA_* (objects.h), or for an argument a typed pointer (not a
 * function pointer, PyObject *, char * or wide string): a Pointer made
 * directly, its element's SB_FA_* (efa) filled in so p[i] is cheap. */
enum { CB_FA_PTR = 0x40, CB_FA_VOID = 0x41 /* a void result (rfa) */ };

static uint8_t fast_for(sb_type t)
{
    if (struct_of(t))
        return SB_FA_NONE;
    if (t.ptr)
        return conv_for(t) == SB_CV_PTR && !(t.ptr == 1 && !t.named && (t.kind == SB_K_WCHAR || t.kind == SB_K_CHAR16 ||
               t.kind == SB_K_CHAR32)) ? CB_FA_PTR : SB_FA_NONE;
    const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
    uint8_t size = ki->size;
    switch (conv_for(t)) {
    case SB_CV_SINT:
        return size == 1 ? SB_FA_I8 : size == 2 ? SB_FA_I16 : size == 4 ? SB_FA_I32 : size == 8 ? SB_FA_I64 : SB_FA_NONE;
    case SB_CV_UINT:
        return size == 1 ? SB_FA_U8 : size == 2 ? SB_FA_U16 : size == 4 ? SB_FA_U32 : size == 8 ? SB_FA_U64 : SB_FA_NONE;
    case SB_CV_BOOL: return size == 1 ? SB_FA_BOOL : SB_FA_NONE;
    case SB_CV_FLOAT: return size == 4 ? SB_FA_F32 : SB_FA_NONE;
    case SB_CV_DOUBLE: return size == 8 && ki->ffi == &ffi_type_double ? SB_FA_F64 : SB_FA_NONE;
    default: return SB_FA_NONE;
    }
}

/* One argument as libffi hands it (a pointer to a value of its C type) -> cell. */
static void load_arg(const sb_callback *cb, unsigned i, const void *p, sb_cell *c)
{
    sb__cell_load(cb->sig->params[i].type, p, c);
}

/* The result cell -> what libffi expects in *ret (small integers widened to ffi_arg). */
static void store_result(const sb_callback *cb, const sb_cell *c, void *ret)
{
    sb_type t = cb->sig->ret;
    uint8_t conv = cb->convs[cb->sig->nparams];
    if (conv == SB_CV_VOID)
        return;
    if (t.ptr) {
        memcpy(ret, &c->p, sizeof c->p);
        return;
    }
    if (conv == SB_CV_DOUBLE) {
        memcpy(ret, &c->d, sizeof c->d);
        return;
    }
    if (conv == SB_CV_FLOAT) {
        memcpy(ret, &c->f, sizeof c->f);
        return;
    }
    const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
    if (ki->cls == SB_CLASS_SINT) {
        int64_t v;
        switch (ki->size) {
        case 1: v = (int8_t)c->u; break;
        case 2: v = (int16_t)c->u; break;
        case 4: v = (int32_t)c->u; break;
        default: v = c->i; break;
        }
        if (ki->size < sizeof(ffi_arg)) {
            ffi_sarg w = (ffi_sarg)v;
            memcpy(ret, &w, sizeof w);
        } else {
            memcpy(ret, &v, sizeof v);
        }
    } else {
        uint64_t v = ki->size >= 8 ? c->u : c->u & ((UINT64_C(1) << (ki->size * 8)) - 1);
        if (ki->size < sizeof(ffi_arg)) {
            ffi_arg w = (ffi_arg)v;
            memcpy(ret, &w, sizeof w);
        } else {
            memcpy(ret, &v, sizeof v);
        }
    }
}

/* The exception a callback raised has nowhere to go in C: C gets the error
 * result. A KeyboardInterrupt or SystemExit is raised from the sigbind call
 * that made the C code run this callback, once it returns (the first one;
 * later ones are reported); without such a call (another thread, a C call
 * not made by sigbind) a KeyboardInterrupt becomes a pending interrupt of the
 * main thread. Everything else goes where CPython reports errors in
 * destructors: sys.unraisablehook. */
static void report_error(sb_callback *cb)
{
    sb_callstate *cs = sb__callstate;
    if (cs && !cs->interrupt[0] &&
        (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt) || PyErr_ExceptionMatches(PyExc_SystemExit))) {
        PyErr_Fetch(&cs->interrupt[0], &cs->interrupt[1], &cs->interrupt[2]);
        return;
    }
    PyErr_WriteUnraisable((PyObject *)cb);
}

/* A typed pointer argument: a Pointer with its element's code cached, or None. */
static PyObject *ptr_arg(sb_callback *cb, uint16_t i, const void *p)
{
    void *a;
    memcpy(&a, p, sizeof a);
    if (!a) {
        Py_INCREF(Py_None);
        return Py_None;
    }
    PyObject *o = sb__pointer_new(cb->state, a, cb->sig->params[i].type, NULL);
    if (o)
        ((sb_pointer *)o)->elem_fa = cb->efa[i];
    return o;
}

static PyObject *arg_slow(sb_callback *cb, uint16_t i, const void *p);

/* One argument as a Python object (new reference or NULL + exception): the
 * common scalar types and typed pointers straight from C memory, the rest
 * through the cells. */
static SB_ALWAYS_INLINE PyObject *arg_object(sb_callback *cb, uint16_t i, const void *p)
{
    uint8_t fa = cb->fa[i];
    if (SB_LIKELY(fa - 1u < SB_FA_F64))
        return sb__fa_get(fa, p);
    if (fa == CB_FA_PTR)
        return ptr_arg(cb, i, p);
    return arg_slow(cb, i, p);
}

static PyObject *arg_slow(sb_callback *cb, uint16_t i, const void *p)
{
    const sb_sig *sig = cb->sig;
    if (cb->convs[i] == SB_CV_STRUCT) /* a copy: the argument dies when the callback returns */
        return sb__struct_new(cb->state, cb->module, struct_of(sig->params[i].type), NULL, p);
    if (cb->convs[i] == SB_CV_WIDE) /* long double, complex: a float or complex object */
        return sb__wide_get(sig->params[i].type, p);
    sb_cell c;
    load_arg(cb, i, p, &c);
    if (cb->convs[i] == SB_CV_PYOBJ) { /* a PyObject * argument is borrowed from C */
        if (c.p) {
            Py_INCREF((PyObject *)c.p);
            return c.p;
        }
    } else if (cb->convs[i] == SB_CV_FUNC) { /* callable; its type is this Callback's */
        return sb__function_at(cb->state, sig->params[i].type, c.p, sig->params[i].name ? sig->params[i].name
                               : "fnptr", (PyObject *)cb, NULL, NULL);
    }
    return sb__from_c(cb->state, cb->convs[i], sig->params[i].type, &c);
}

/* Calls the callable with the C arguments (libffi's pointers `args`, or with
 * a stub, `frame` + argoff[i]): converted straight into an array passed by
 * vectorcall where the stable ABI has it (3.12+); else in a tuple, the
 * Callback's own when the last call left it unshared (it then holds None
 * items between calls). Below 3.12, PyObject_CallFunctionObjArgs was tried
 * instead of the tuple: its va_list walk costs more (3.11: +30 instructions
 * per call) than the kept tuple's two PyTuple_SetItem per argument. */
static SB_ALWAYS_INLINE PyObject *call_callable(sb_callback *cb, void **args, const char *frame)
{
    uint16_t n = cb->sig->nparams;
    PyObject *f = cb->callable;
    if (SB_UNLIKELY(!f)) {
        PyErr_SetString(PyExc_ValueError, "the callback was cleared");
        return NULL;
    }
    if (cb->vectorcall && n <= SB_CB_VECTORCALL_MAXARGS) {
        /* stack[0] is the callee's to use (SB_VECTORCALL_ARGUMENTS_OFFSET) */
        PyObject *stack[SB_CB_VECTORCALL_MAXARGS + 1], *r = NULL;
        uint16_t i;
        stack[1] = NULL; /* n = 0: nothing is read; one store keeps gcc's -Wmaybe-uninitialized quiet */
        for (i = 0; i < n; i++)
            if (!(stack[i + 1] = arg_object(cb, i, frame ? frame + cb->argoff[i] : args[i])))
                break;
        if (i == n)
            r = cb->vectorcall(f, stack + 1, n | SB_VECTORCALL_ARGUMENTS_OFFSET, NULL);
        while (i)
            Py_DECREF(stack[i--]);
        return r;
    }
    PyObject *argt = cb->argt;
    if (argt && Py_REFCNT(argt) == 1)
        cb->argt = NULL; /* taken: a call made during this one makes its own */
    else if (!(argt = PyTuple_New(n)))
        return NULL;
    for (uint16_t i = 0; i < n; i++) {
        PyObject *v = arg_object(cb, i, frame ? frame + cb->argoff[i] : args[i]);
        if (!v) {
            Py_DECREF(argt);
            return NULL;
        }
        PyTuple_SetItem(argt, i, v);
    }
    PyObject *r = PyObject_Call(f, argt, NULL);
    /* Numbers and Pointers stay in the kept tuple until the next call replaces
     * them (their destructors run no Python code); anything else is replaced
     * by None now: its destructor may run code, even this Callback, and a
     * PyObject * argument must not outlive the call in our hands. */
    if (Py_REFCNT(argt) == 1 && n && !cb->plain) {
        for (uint16_t i = 0; i < n; i++) {
            Py_INCREF(Py_None);
            PyTuple_SetItem(argt, i, Py_None);
        }
    }
    if (Py_REFCNT(argt) == 1 && n && !cb->argt) {
        cb->argt = argt;
        argt = NULL;
    }
    Py_XDECREF(argt);
    return r;
}

/* The result straight into *ret when it is an int in range of an integer
 * result (fa, the result's SB_FA_*; an exact int, or any int for a 64-bit
 * one), or an exact float for a double one; false: convert it in full (and
 * report what does not fit). */
static SB_ALWAYS_INLINE bool result_fast(uint8_t fa, PyObject *r, void *ret)
{
    static const int64_t lo[] = {[SB_FA_I8] = INT8_MIN, [SB_FA_I16] = INT16_MIN, [SB_FA_I32] = INT32_MIN,
                                 [SB_FA_I64] = INT64_MIN, [SB_FA_U8] = 0, [SB_FA_U16] = 0, [SB_FA_U32] = 0, [SB_FA_U64] = 0};
    static const int64_t hi[] = {[SB_FA_I8] = INT8_MAX, [SB_FA_I16] = INT16_MAX, [SB_FA_I32] = INT32_MAX,
                                 [SB_FA_I64] = INT64_MAX, [SB_FA_U8] = UINT8_MAX, [SB_FA_U16] = UINT16_MAX,
                                 [SB_FA_U32] = UINT32_MAX, [SB_FA_U64] = INT64_MAX};
    int overflow;
    long long v;
    if (fa == SB_FA_I64) {
        /* long, int64_t, ssize_t...: PyLong_AsSsize_t is CPython's shortest
         * path for a small int (no overflow flag, its own PyLong_Check). Not
         * an int, or too big for Py_ssize_t (64 bits on x86-64): -1 and
         * TypeError or OverflowError, and the full conversion takes over. It
         * runs no Python code (no __index__), and an int subclass (bool)
         * converts as the full conversion would. */
        Py_ssize_t z = PyLong_AsSsize_t(r);
        if (SB_UNLIKELY(z == -1) && PyErr_Occurred()) {
            PyErr_Clear();
            return false;
        }
        int64_t w = z;
        memcpy(ret, &w, sizeof w);
        return true;
    }
    if (fa == SB_FA_F64 && PyFloat_CheckExact(r)) {
        double d = PyFloat_AsDouble(r);
        memcpy(ret, &d, sizeof d);
        return true;
    }
    if (fa < SB_FA_I8 || fa > SB_FA_U64 || !PyLong_CheckExact(r))
        return false;
    v = PyLong_AsLongLongAndOverflow(r, &overflow);
    if (overflow || v < lo[fa] || v > hi[fa])
        return false;
    int64_t w = v; /* ffi_arg-wide, as libffi returns it */
    memcpy(ret, &w, sizeof w);
    return true;
}

/* The callable's result r (a reference it takes; NULL: it raised) into *ret,
 * in full: what result_fast does not take, and errors. */
static void result_slow(sb_callback *cb, PyObject *r, void *ret)
{
    const sb_sig *sig = cb->sig;
    uint8_t rconv = cb->convs[sig->nparams];
    sb_cell out;
    out.u = 0;
    if (r && rconv == SB_CV_VOID && r != Py_None) {
        /* As cffi: a value C cannot receive is an error, reported (C returns as usual). */
        PyErr_Format(PyExc_TypeError, "callback with the return type 'void' must return None, not %R",
                     (PyObject *)Py_TYPE(r));
        Py_CLEAR(r);
    }
    if (r && rconv != SB_CV_VOID) {
        sb_convctx cx = {"callback", "return value", sig->ret, cb->state, SB_CX_RESULT, false};
        if (rconv == SB_CV_STRUCT) {
            /* Converted straight into libffi's result storage (zeros on error). */
            const sb_layout *L = struct_of(sig->ret);
            if (sb__struct_store_arg(&cx, L, r, ret) < 0)
                memset(ret, 0, L->size);
        } else if (rconv == SB_CV_WIDE) {
            if (sb__wide_set(&cx, sig->ret, r, ret) < 0)
                memset(ret, 0, sb__type_size(sig->ret));
        } else if (rconv == SB_CV_PYOBJ) {
            out.p = r; /* a PyObject * result is a new reference handed to C */
            Py_INCREF(r);
        } else if (rconv == SB_CV_FUNC) { /* a Callback or function of its type, a Pointer, an address, None */
            if (sb__to_c(&cx, rconv, sig->ret, r, &out, NULL) < 0)
                out.u = 0;
        } else if (rconv == SB_CV_CSTR || rconv == SB_CV_PTR || rconv == SB_CV_INST) {
            /* Memory a Python object owns would die with it: only addresses are returned. */
            if (r == Py_None)
                out.p = NULL;
            else if (Py_TYPE(r) == (PyTypeObject *)cb->state->PointerType)
                out.p = ((sb_pointer *)r)->addr;
            else if (PyLong_Check(r))
                out.p = PyLong_AsVoidPtr(r);
            else
                PyErr_Format(PyExc_TypeError, "callback return value (pointer) must be a sigbind.Pointer, int address "
                             "or None, not %R", (PyObject *)Py_TYPE(r));
        } else if (sb__to_c(&cx, rconv, sig->ret, r, &out, NULL) < 0) {
            out.u = 0;
        }
        if (PyErr_Occurred())
            Py_CLEAR(r);
    }
    if (!r) {
        report_error(cb);
        out = cb->error_cell;
        if (SB_CV_IN_MEMORY(rconv))
            memset(ret, 0, sb__type_size(sig->ret));
    }
    Py_XDECREF(r);
    if (!SB_CV_IN_MEMORY(rconv))
        store_result(cb, &out, ret);
}

/* Runs the Python callable with the GIL held (arguments as call_callable takes them). */
static SB_ALWAYS_INLINE void run_inline(sb_callback *cb, void *ret, void **args, const char *frame)
{
    Py_INCREF(cb); /* the callable may drop the Callback's last reference */
    PyObject *r = call_callable(cb, args, frame);
    if (SB_LIKELY(r != NULL) && result_fast(cb->fa[cb->sig->nparams], r, ret))
        Py_DECREF(r);
    else
        result_slow(cb, r, ret);
    Py_DECREF(cb);
}

static void run_callable(sb_callback *cb, void *ret, void **args)
{
    run_inline(cb, ret, args, NULL);
}


/* After a callback on a thread without a sigbind call to raise from. */
static void interrupt_elsewhere(sb_callback *cb, sb_callstate *mine)
{
    if (!mine->interrupt[0])
        return;
    bool keyboard = PyErr_GivenExceptionMatches(mine->interrupt[0], PyExc_KeyboardInterrupt);
    PyErr_Restore(mine->interrupt[0], mine->interrupt[1], mine->interrupt[2]);
    if (keyboard) {
        PyErr_Clear();
        PyErr_SetInterrupt(); /* the main thread raises it at its next check */
    } else {
        PyErr_WriteUnraisable((PyObject *)cb);
    }
}

/* C gets the error result of a Callback it called where the Callback cannot
 * run (GIL of the thread's current interpreter held; the Callback's objects
 * are not touched): the reason goes to that interpreter's unraisablehook. */
static void refuse_here(sb_callback *cb, void *ret, const char *why)
{
    PyErr_Format(PyExc_RuntimeError, "a sigbind Callback was called %s; it returned its error result", why);
    PyErr_WriteUnraisable(NULL);
    if (SB_CV_IN_MEMORY(cb->convs[cb->sig->nparams]))
        memset(ret, 0, sb__type_size(cb->sig->ret));
    else
        store_result(cb, &cb->error_cell, ret);
}

/* Runs the callable with the GIL of its interpreter held on this thread, outside any sigbind
 * call of this thread: a call state of its own for what it raises. */
static void run_held(sb_callback *cb, void *ret, void **args)
{
    sb_callstate *outer = sb__callstate;
    sb_callstate mine = {true, NULL, {NULL, NULL, NULL}, {NULL, NULL, NULL}};
    sb__callstate = &mine;
    run_callable(cb, ret, args);
    sb__callstate = outer;
    interrupt_elsewhere(cb, &mine);
}

/* A Callback of a subinterpreter called on a thread with no Python thread
 * state: a thread state of that interpreter for the duration (its own GIL
 * from 3.12), never the main interpreter's. */
static void run_in_own_interpreter(sb_callback *cb, void *ret, void **args)
{
    PyThreadState *ts = PyThreadState_New(cb->interp);
    if (!ts) {
        fprintf(stderr, "sigbind: a Callback of a subinterpreter could not get a thread state there; "
                        "C gets its error result\n");
        if (SB_CV_IN_MEMORY(cb->convs[cb->sig->nparams]))
            memset(ret, 0, sb__type_size(cb->sig->ret));
        else
            store_result(cb, &cb->error_cell, ret);
        return;
    }
    PyEval_RestoreThread(ts);
    run_held(cb, ret, args);
    PyThreadState_Clear(ts);
    PyEval_SaveThread();
    PyThreadState_Delete(ts);
}

/* A Callback called where no sigbind call of this thread recorded its state (C code that a
 * call by another binding, or one of sigbind's exactly-typed kernels, made), once interpreters
 * other than the main one run sigbind: if this thread holds an interpreter's GIL, the Callback
 * runs right here when that is its own interpreter and is refused otherwise (PyGILState_Ensure
 * would take the main interpreter's thread state on a thread that holds another GIL: a deadlock
 * before 3.12, a corrupted thread state after). False: no thread state is attached to this
 * thread, or the version cannot tell; the caller goes on as for a thread without the GIL. */
static bool attached_elsewhere(sb_callback *cb, void *ret, void **args)
{
    PyInterpreterState *here = NULL;
    if (sb__compat_attached(&here) <= 0)
        return false;
    if (here != cb->interp) {
        refuse_here(cb, ret, "from a C call made in another interpreter than its own");
        return true;
    }
    run_held(cb, ret, args);
    return true;
}

static void handler(ffi_cif *cif, void *ret, void **args, void *user)
{
    (void)cif;
    sb_callback *cb = user;
    sb_callstate *cs = sb__callstate;
    if (cs && cs->held) {
        /* called back during our call, GIL held: of the Callback's interpreter? */
        if (SB_UNLIKELY(sb__compat_interp() != cb->interp))
            refuse_here(cb, ret, "from a C call made in another interpreter than its own");
        else
            run_callable(cb, ret, args);
    } else if (cs && cs->saved) {
        /* called back on this thread during a [[nogil]] call: take the GIL back */
        PyEval_RestoreThread(cs->saved);
        cs->held = true;
        if (SB_UNLIKELY(sb__compat_interp() != cb->interp))
            refuse_here(cb, ret, "from a C call made in another interpreter than its own");
        else
            run_callable(cb, ret, args);
        cs->held = false;
        cs->saved = PyEval_SaveThread();
    } else if (SB_UNLIKELY(!sb__compat_only_main_interp()) && attached_elsewhere(cb, ret, args)) {
        return; /* the thread holds an interpreter's GIL outside a sigbind call: handled there */
    } else if (!cb->main_interp && !PyGILState_GetThisThreadState()) {
        run_in_own_interpreter(cb, ret, args); /* a thread Python never saw, for a subinterpreter */
    } else {
        /* any other thread, including ones Python never saw */
        PyGILState_STATE g = PyGILState_Ensure();
        if (SB_UNLIKELY(!sb__compat_only_main_interp()) && sb__compat_interp() != cb->interp) {
            refuse_here(cb, ret, "on a thread of another interpreter than its own");
            PyGILState_Release(g);
            return;
        }
        run_held(cb, ret, args);
        PyGILState_Release(g);
    }
}

/* The entry of a Callback that has a stub: the arguments are in the frame
 * the stub saved (registers, then the caller's stack), where argoff says. */
static uint64_t stub_entry(void *user, const sb_cbframe *frame)
{
    sb_callback *cb = user;
    sb_callstate *cs = sb__callstate;
    uint64_t ret[2] = {0, 0};
    /* The common case first: called back during a sigbind call on this thread,
     * the GIL held, in the main interpreter (the Callback's, and the only one
     * sigbind ever ran in): straight from the frame, no argument array. */
    if (SB_LIKELY(cs && cs->held && cb->main_interp) && SB_LIKELY(sb__compat_only_main_interp())) {
        run_inline(cb, ret, NULL, (const char *)frame);
        return ret[0];
    }
    void *args[SB_CB_STUB_MAXARGS];
    for (uint16_t i = 0; i < cb->sig->nparams; i++)
        args[i] = (char *)(uintptr_t)frame + cb->argoff[i];
    handler(NULL, ret, args, cb);
    return ret[0];
}

/* The result r of the callable (not NULL) into *ret when the common cases
 * allow (fa: the result's SB_FA_*, or CB_FA_VOID): None from a void
 * callback, or what result_fast takes. False: r is still the caller's to
 * convert in full. */
static SB_ALWAYS_INLINE bool result_quick(uint8_t fa, PyObject *r, void *ret)
{
    if (SB_LIKELY(fa == SB_FA_I64) || fa != CB_FA_VOID)
        return result_fast(fa, r, ret);
    return r == Py_None;
}

/* result_slow for a stub's result (8 bytes, returned). */
static SB_NOINLINE uint64_t result_value(sb_callback *cb, PyObject *r)
{
    uint64_t ret[2] = {0, 0};
    result_slow(cb, r, ret);
    return ret[0];
}

/* The getters of fast entries (cb_getfn), one per SB_FA_* and typed pointers. */
#define CB_GETTER(name, FA)                                                 \
    static PyObject *name(sb_callback *cb, unsigned i, uint64_t v)          \
    {                                                                       \
        (void)cb, (void)i;                                                  \
        return sb__fa_get(FA, &v);                                          \
    }
CB_GETTER(get_i8, SB_FA_I8)
CB_GETTER(get_i16, SB_FA_I16)
CB_GETTER(get_i32, SB_FA_I32)
CB_GETTER(get_i64, SB_FA_I64)
CB_GETTER(get_u8, SB_FA_U8)
CB_GETTER(get_u16, SB_FA_U16)
CB_GETTER(get_u32, SB_FA_U32)
CB_GETTER(get_u64, SB_FA_U64)
CB_GETTER(get_bool, SB_FA_BOOL)
CB_GETTER(get_f32, SB_FA_F32)
CB_GETTER(get_f64, SB_FA_F64)
#undef CB_GETTER

static PyObject *get_ptr(sb_callback *cb, unsigned i, uint64_t v)
{
    return ptr_arg(cb, (uint16_t)i, &v);
}

/* The getter of an argument whose fa is SB_FA_I8..SB_FA_F64 or CB_FA_PTR. */
static cb_getfn getter_for(uint8_t fa)
{
    static const cb_getfn by_fa[] = {NULL, get_i8, get_i16, get_i32, get_i64, get_u8, get_u16, get_u32, get_u64,
                                     get_bool, get_f32, get_f64};
    return fa == CB_FA_PTR ? get_ptr : by_fa[fa];
}

/* The body of the fast entries, for n arguments and a result of code rfa
 * (constants in each entry but the last): when called back during a sigbind
 * call on this thread (GIL held), the arguments go from the stub's frame
 * straight into the vectorcall array; anything else takes stub_entry
 * (threads Python never saw, other threads, callbacks outside a sigbind
 * call). A fast entry is only used while sigbind has run in the main
 * interpreter alone (the Callback's): the first module initialised elsewhere
 * points every stub at stub_entry (sb__cbstub_general, from compat.c). A
 * Callback whose callable was cleared has its stub pointed at stub_entry
 * (callback_clear), and the reference taken first keeps it reachable, so
 * uncleared, until the end. */
static SB_ALWAYS_INLINE uint64_t fast_run(sb_callback *cb, const sb_cbframe *frame, unsigned n, uint8_t rfa,
                                           bool longs)
{
    sb_callstate *cs = sb__callstate;
    if (SB_UNLIKELY(!cs || !cs->held))
        return stub_entry(cb, frame);
    PyObject *stack[SB_CB_VECTORCALL_MAXARGS + 1], *r = NULL;
    uint64_t ret = 0;
    unsigned i;
    Py_INCREF(cb); /* the callable may drop the Callback's last reference */
    if (!n)
        stack[1] = NULL; /* nothing is read; one store keeps gcc's -Wmaybe-uninitialized quiet */
    for (i = 0; i < n; i++) {
        uint64_t v;
        if (longs) /* every argument a 64-bit signed integer: argument i is in gp[i] */
            stack[i + 1] = PyLong_FromLongLong((long long)frame->gp[i]);
        else
            memcpy(&v, (const char *)frame + cb->foff[i], sizeof v), stack[i + 1] = cb->fget[i](cb, i, v);
        if (!stack[i + 1])
            break;
    }
    if (SB_LIKELY(i == n))
        r = cb->vectorcall(cb->callable, stack + 1, n | SB_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    while (i)
        Py_DECREF(stack[i--]);
    if (SB_LIKELY(r != NULL) && result_quick(rfa, r, &ret))
        Py_DECREF(r);
    else
        ret = result_value(cb, r);
    Py_DECREF(cb);
    return ret;
}

/* The fast entries: for 1..3 arguments that are all 64-bit signed integers
 * (long, int64_t, ssize_t...), with such a result or any; for 0..3 arguments
 * of any fast type with such a result or any; and for any count up to
 * SB_CB_VECTORCALL_MAXARGS. A Callback gets one when every argument is a
 * number or a typed pointer, it was made in the main interpreter, and
 * PyObject_Vectorcall exists (compat.c: 3.11+). */
#define CB_FAST_ENTRY(name, n, rfa, longs)                                \
    static uint64_t name(void *user, const sb_cbframe *frame)             \
    {                                                                     \
        return fast_run(user, frame, n, rfa, longs);                      \
    }
#define CB_RFA (((sb_callback *)user)->rfa)
CB_FAST_ENTRY(fast_ll1, 1, SB_FA_I64, true)
CB_FAST_ENTRY(fast_ll2, 2, SB_FA_I64, true)
CB_FAST_ENTRY(fast_ll3, 3, SB_FA_I64, true)
CB_FAST_ENTRY(fast_xl1, 1, CB_RFA, true)
CB_FAST_ENTRY(fast_xl2, 2, CB_RFA, true)
CB_FAST_ENTRY(fast_xl3, 3, CB_RFA, true)
CB_FAST_ENTRY(fast_l0, 0, SB_FA_I64, false)
CB_FAST_ENTRY(fast_l1, 1, SB_FA_I64, false)
CB_FAST_ENTRY(fast_l2, 2, SB_FA_I64, false)
CB_FAST_ENTRY(fast_l3, 3, SB_FA_I64, false)
CB_FAST_ENTRY(fast_0, 0, CB_RFA, false)
CB_FAST_ENTRY(fast_1, 1, CB_RFA, false)
CB_FAST_ENTRY(fast_2, 2, CB_RFA, false)
CB_FAST_ENTRY(fast_3, 3, CB_RFA, false)
CB_FAST_ENTRY(fast_n, ((sb_callback *)user)->nargs, CB_RFA, false)
#undef CB_RFA
#undef CB_FAST_ENTRY

/* What a collected Callback's stub runs from then on (user: the message). */
static uint64_t dead_stub_entry(void *user, const sb_cbframe *frame)
{
    (void)frame;
    dead_handler(NULL, NULL, NULL, user);
    return 0;
}

/* Can type t go through a stub: a scalar or pointer that one 8-byte register
 * or stack slot carries (not long double, complex, a struct by value)? */
static bool stub_scalar(sb_type t)
{
    if (struct_of(t))
        return false;
    if (t.ptr)
        return true;
    const ffi_type *ft = sb__type_ffi(t);
    return ft->type != FFI_TYPE_STRUCT && ft->type != FFI_TYPE_LONGDOUBLE && ft->type != FFI_TYPE_COMPLEX &&
           ft->size <= 8;
}

/* Takes an entry stub for cb when its types allow one and the pool has one:
 * argoff gets each argument's place in the frame. False: use libffi. */
static bool take_stub(sb_callback *cb)
{
    const sb_sig *sig = cb->sig;
    uint16_t n = sig->nparams;
    if (!SB_HAVE_CBSTUBS || n > SB_CB_STUB_MAXARGS || (!stub_scalar(sig->ret) && conv_for(sig->ret) != SB_CV_VOID))
        return false;
    uint16_t *off = PyMem_Malloc((n ? n : 1u) * sizeof *off);
    if (!off)
        return false;
    unsigned gp = 0, sse = 0, stack = 0;
    bool floats = false; /* any float or double argument: the stub saves every register */
    for (uint16_t i = 0; i < n; i++) {
        sb_type t = sig->params[i].type;
        if (!stub_scalar(t)) {
            PyMem_Free(off);
            return false;
        }
        uint8_t c = conv_for(t);
        floats = floats || c == SB_CV_DOUBLE || c == SB_CV_FLOAT;
    }
    for (uint16_t i = 0; i < n; i++) {
        uint8_t c = conv_for(sig->params[i].type);
        if ((c == SB_CV_DOUBLE || c == SB_CV_FLOAT) && sse < SB_REG_SSE)
            off[i] = (uint16_t)(offsetof(sb_cbframe, sse) + 8 * sse++);
        else if (c != SB_CV_DOUBLE && c != SB_CV_FLOAT && gp < SB_REG_INT)
            off[i] = (uint16_t)(offsetof(sb_cbframe, gp) + 8 * gp++);
        else
            off[i] = (uint16_t)((floats ? SB_CBFRAME_STACK : SB_CBFRAME_GP_STACK) + 8 * stack++);
    }
    bool fast = cb->main_interp && cb->vectorcall && n <= SB_CB_VECTORCALL_MAXARGS;
    for (uint16_t i = 0; i < n && fast; i++) {
        fast = cb->fa[i] - 1u < SB_FA_F64 || cb->fa[i] == CB_FA_PTR;
        if (fast) {
            cb->fget[i] = getter_for(cb->fa[i]);
            cb->foff[i] = off[i];
        }
    }
    /* [64-bit integer arguments][64-bit integer result][n] */
    static const sb_cbstub_fn by_count[2][2][4] = {{{fast_0, fast_1, fast_2, fast_3}, {fast_l0, fast_l1, fast_l2, fast_l3}},
                                                   {{fast_0, fast_xl1, fast_xl2, fast_xl3},
                                                    {fast_l0, fast_ll1, fast_ll2, fast_ll3}}};
    bool longs = true;
    for (uint16_t i = 0; i < n; i++)
        longs = longs && cb->fa[i] == SB_FA_I64;
    sb_cbstub_fn entry = !fast ? stub_entry : n < 4 ? by_count[longs][cb->rfa == SB_FA_I64][n] : fast_n;
    uint8_t rc = cb->convs[n];
    cb->fast = fast;
    cb->stub = sb__cbstub_take(entry, fast ? stub_entry : NULL, cb, floats ? SB_CBSTUB_ALL : stack ? SB_CBSTUB_GP6 : (int)gp,
                               rc == SB_CV_DOUBLE || rc == SB_CV_FLOAT, &cb->code);
    if (cb->stub < 0) {
        PyMem_Free(off);
        return false;
    }
    cb->argoff = off;
    return true;
}

PyObject *sb__callback_new(sb_state *st, PyObject *module, sb_sig *sig, bool owns_sig, PyObject *callable,
                           PyObject *error_result)
{
    sb_callback *cb = (sb_callback *)PyType_GenericAlloc((PyTypeObject *)st->CallbackType, 0);
    if (!cb) {
        if (owns_sig)
            sb__sig_free(sig);
        return NULL;
    }
    cb->sig = sig;
    cb->owns_sig = owns_sig;
    cb->stub = -1;
    Py_INCREF(callable);
    cb->callable = callable;
    Py_XINCREF(module);
    cb->module = module;
    cb->state = st;
    cb->interp = sb__compat_interp();
    cb->main_interp = cb->interp && PyInterpreterState_GetID(cb->interp) == 0;
    uint16_t n = sig->nparams;
    cb->atypes = PyMem_Calloc(n ? n : 1, sizeof *cb->atypes);
    cb->convs = PyMem_Calloc(3 * (n + 1u), 1);
    cb->vectorcall = sb__compat_vectorcall();
    if (!cb->atypes || !cb->convs) {
        Py_DECREF(cb);
        return PyErr_NoMemory();
    }
    for (uint16_t i = 0; i < n; i++) {
        sb_type t = sig->params[i].type;
        cb->atypes[i] = sb__type_ffi(t);
        cb->convs[i] = conv_for(t);
        if (!t.ptr && t.kind == SB_K_VOID && !struct_of(t)) {
            Py_DECREF(cb);
            PyErr_SetString(PyExc_TypeError, "a callback parameter cannot have type void");
            return NULL;
        }
    }
    cb->convs[n] = conv_for(sig->ret);
    cb->fa = cb->convs + n + 1;
    cb->efa = cb->fa + n + 1;
    cb->plain = true;
    for (uint16_t i = 0; i < n; i++) {
        cb->fa[i] = fast_for(sig->params[i].type);
        if (cb->fa[i] == CB_FA_PTR)
            cb->efa[i] = sb__elem_fa(sig->params[i].type);
        if (cb->fa[i] == SB_FA_NONE)
            cb->plain = false;
    }
    cb->fa[n] = fast_for(sig->ret);
    cb->nargs = n;
    cb->rfa = cb->convs[n] == SB_CV_VOID ? (uint8_t)CB_FA_VOID : cb->fa[n];
    for (uint16_t i = 0; i <= n; i++) {
        sb_type t = i < n ? sig->params[i].type : sig->ret;
        const sb_layout *L = struct_of(t);
        if (sb__type_wide(t) && (t.kind == SB_K_FLOAT128 || t.kind == SB_K_INT128 || t.kind == SB_K_UINT128 ||
                                 (!SB_HAVE_FFI_COMPLEX && (t.kind == SB_K_CFLOAT ||
                                 t.kind == SB_K_CDOUBLE)))) {
            PyErr_Format(PyExc_TypeError, "callback(): %s cannot be passed by value (libffi has no such type); take a "
                         "pointer to it", sb__kind((sb_kind)t.kind)->name);
            Py_DECREF(cb);
            return NULL;
        }
        if (L && !L->by_value_ok) {
            PyErr_Format(PyExc_TypeError, "callback(): %s cannot be passed by value (%s); take a pointer to it",
                         L->name, sb__layout_byvalue_why(L));
            Py_DECREF(cb);
            return NULL;
        }
    }
    if (!error_result)
        error_result = Py_None;
    Py_INCREF(error_result);
    cb->error_result = error_result;
    cb->error_cell.u = 0;
    uint8_t rconv = cb->convs[n];
    if (error_result != Py_None && rconv != SB_CV_VOID) {
        sb_convctx cx = {"callback", "error_result", sig->ret, st, SB_CX_ARGUMENT, false};
        if (rconv == SB_CV_PYOBJ || rconv == SB_CV_CSTR || rconv == SB_CV_PTR || rconv == SB_CV_FUNC ||
            SB_CV_IN_MEMORY(rconv)) {
            PyErr_SetString(PyExc_TypeError, "callback(): error_result is only for numeric results (a pointer "
                            "result returns NULL on error)");
            Py_DECREF(cb);
            return NULL;
        }
        if (sb__to_c(&cx, rconv, sig->ret, error_result, &cb->error_cell, NULL) < 0) {
            Py_DECREF(cb);
            return NULL;
        }
    }
    if (take_stub(cb))
        return (PyObject *)cb;
    if (ffi_prep_cif(&cb->cif, FFI_DEFAULT_ABI, n, sb__type_ffi(sig->ret), cb->atypes) != FFI_OK ||
        !(cb->closure = ffi_closure_alloc(sizeof(ffi_closure), &cb->code)) ||
        ffi_prep_closure_loc(cb->closure, &cb->cif, handler, cb, cb->code) != FFI_OK) {
        Py_DECREF(cb);
        PyErr_SetString(PyExc_MemoryError, "libffi cannot make a closure for this callback");
        return NULL;
    }
    return (PyObject *)cb;
}

PyObject *sb__callback_for_call(sb_state *st, const sb_sig *sig, PyObject *callable, PyObject *owner)
{
    PyObject *cb = sb__callback_new(st, NULL, (sb_sig *)(uintptr_t)sig, false, callable, NULL);
    if (cb) {
        ((sb_callback *)cb)->for_call = true;
        Py_XINCREF(owner);
        ((sb_callback *)cb)->owner = owner;
    }
    return cb;
}

void sb__callback_set_owner(PyObject *obj, PyObject *owner)
{
    sb_callback *cb = (sb_callback *)obj;
    PyObject *old = cb->owner;
    Py_INCREF(owner);
    cb->owner = owner;
    Py_XDECREF(old);
}

bool sb__callback_check(sb_state *st, PyObject *obj)
{
    return Py_TYPE(obj) == (PyTypeObject *)st->CallbackType;
}

void *sb__callback_address(PyObject *obj)
{
    return ((sb_callback *)obj)->code;
}

const sb_sig *sb__callback_sig(PyObject *obj)
{
    return ((sb_callback *)obj)->sig;
}

static PyObject *callback_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)type, (void)args, (void)kwds;
    PyErr_SetString(PyExc_TypeError, "sigbind.Callback objects are made by sigbind.callback()");
    return NULL;
}

static int callback_traverse(PyObject *self, visitproc visit, void *arg)
{
    sb_callback *cb = (sb_callback *)self;
    Py_VISIT(cb->callable);
    Py_VISIT(cb->module);
    Py_VISIT(cb->error_result);
    Py_VISIT(cb->owner);
    Py_VISIT(cb->argt);
    return sb__compat_visit_type(self, visit, arg);
}

static int callback_clear(PyObject *self)
{
    sb_callback *cb = (sb_callback *)self;
    if (cb->fast && cb->stub >= 0) {
        sb__cbstub_set(cb->stub, stub_entry, cb); /* the fast entries assume a callable */
        cb->fast = false;
    }
    Py_CLEAR(cb->callable);
    Py_CLEAR(cb->error_result);
    Py_CLEAR(cb->argt);
    return 0;
}

static PyObject *spelling(const sb_callback *cb);

/* The closure of a dying Callback. One made for a call is freed (C had the
 * address only during that call). One of sigbind.callback() may still be
 * kept by C: its closure is pointed at dead_handler, with a message naming
 * it, and never freed, so its address never runs another Callback (about 100
 * bytes stay allocated per collected Callback). */
static void retire(sb_callback *cb)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    char *msg = NULL;
    if (!cb->for_call) {
        if (cb->closure)
            pthread_once(&once, prep_dead_cif);
        PyObject *et, *ev, *etb;
        PyErr_Fetch(&et, &ev, &etb);
        PyObject *sp = spelling(cb);
        PyObject *what = sp ? PyUnicode_FromFormat("the Callback (%U) of %R", sp, cb->callable ? cb->callable : Py_None)
                            : NULL;
        PyObject *b = what ? PyUnicode_AsUTF8String(what) : NULL;
        msg = b ? strdup(PyBytes_AsString(b)) : strdup("a collected Callback");
        Py_XDECREF(sp);
        Py_XDECREF(what);
        Py_XDECREF(b);
        PyErr_Clear();
        PyErr_Restore(et, ev, etb);
    }
    if (cb->stub >= 0) {
        if (msg)
            sb__cbstub_set(cb->stub, dead_stub_entry, msg); /* quarantined for the life of the process */
        else
            sb__cbstub_give(cb->stub);
        cb->stub = -1;
        return;
    }
    if (msg && ffi_prep_closure_loc(cb->closure, &dead_cif, dead_handler, msg, cb->code) == FFI_OK)
        return; /* quarantined for the life of the process */
    free(msg);
    ffi_closure_free(cb->closure);
}

static void callback_dealloc(PyObject *self)
{
    sb_callback *cb = (sb_callback *)self;
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (cb->closure || cb->stub >= 0)
        retire(cb); /* first: its message names the callable */
    callback_clear(self);
    Py_CLEAR(cb->module);
    PyMem_Free(cb->atypes);
    PyMem_Free(cb->convs);
    PyMem_Free(cb->argoff);
    if (cb->owns_sig)
        sb__sig_free(cb->sig);
    Py_CLEAR(cb->owner); /* after the sig, whose types it owns */
    freefunc tfree = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tfree(self);
    sb__compat_dealloc_type(tp);
}

/* "int (*)(const void *a, const void *b)" from the "int __fn(...)" signature. */
static PyObject *spelling(const sb_callback *cb)
{
    const char *t = cb->sig->text, *at = strstr(t, "__fn(");
    if (!at)
        return PyUnicode_FromString(t);
    size_t head = (size_t)(at - t), n = strlen(t);
    char *buf = PyMem_Malloc(n + 2);
    if (!buf)
        return PyErr_NoMemory();
    memcpy(buf, t, head);
    memcpy(buf + head, "(*)", 3);
    memcpy(buf + head + 3, at + 4, n - head - 4 + 1);
    PyObject *r = PyUnicode_FromString(buf);
    PyMem_Free(buf);
    return r;
}

static PyObject *callback_repr(PyObject *self)
{
    sb_callback *cb = (sb_callback *)self;
    PyObject *s = spelling(cb);
    if (!s)
        return NULL;
    PyObject *r = PyUnicode_FromFormat("<sigbind.Callback (%U) at %p calling %R>", s, cb->code,
                                       cb->callable ? cb->callable : Py_None);
    Py_DECREF(s);
    return r;
}

static PyObject *callback_call(PyObject *self, PyObject *args, PyObject *kwds)
{
    sb_callback *cb = (sb_callback *)self;
    if (!cb->callable) {
        PyErr_SetString(PyExc_ValueError, "the callback was cleared");
        return NULL;
    }
    return PyObject_Call(cb->callable, args, kwds);
}

static PyObject *get_address(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromVoidPtr(((sb_callback *)self)->code);
}

static PyObject *get_type(PyObject *self, void *c)
{
    (void)c;
    return spelling((sb_callback *)self);
}

static PyObject *get_callable(PyObject *self, void *c)
{
    (void)c;
    PyObject *f = ((sb_callback *)self)->callable;
    f = f ? f : Py_None;
    Py_INCREF(f);
    return f;
}

static PyGetSetDef callback_getset[] = {
    {"address", get_address, NULL, "The C function pointer (valid while this object lives).", NULL},
    {"type", get_type, NULL, "The C function pointer type.", NULL},
    {"callable", get_callable, NULL, "The Python callable it calls.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot callback_slots[] = {
    {Py_tp_doc, (void *)"A Python callable as a C function pointer (sigbind.callback()). Keep it alive as long as "
                        "C code may call its address."},
    {Py_tp_new, (void *)callback_new},
    {Py_tp_dealloc, (void *)callback_dealloc},
    {Py_tp_traverse, (void *)callback_traverse},
    {Py_tp_clear, (void *)callback_clear},
    {Py_tp_repr, (void *)callback_repr},
    {Py_tp_call, (void *)callback_call},
    {Py_tp_getset, (void *)callback_getset},
    {0, NULL},
};

PyType_Spec sb__callback_spec = {
    "sigbind.Callback", sizeof(sb_callback), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, callback_slots,
};
