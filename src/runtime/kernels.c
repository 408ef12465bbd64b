/* kernels.c — the call kernel of a register plan, prepared by the function's first call: per-parameter converters, the error-contract check, [[out]] cells and [[nogil]] decided once, so a call does no per-argument classification. */
#include "runtime/runtime.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#if SB_HAVE_CALLREGS

/* What a kernel does with one C parameter; chosen once (the first call) from its slot. */
enum {
    KOP_F64,   /* double: an exact float */
    KOP_F32,   /* float: an exact float in float's range */
    KOP_I64,   /* a 64-bit signed integer: an exact int, no range check beyond long long */
    KOP_IRANGE,/* any other integer: an exact int in [min, max] */
    KOP_BOOL,  /* True / False */
    KOP_CSTR,  /* const char *: an exact str (its UTF-8) or None */
    KOP_PTR,   /* an unnamed pointer: None, bytes, or a Pointer that fits */
    KOP_PYOBJ, /* PyObject *: the object itself */
    KOP_OUT    /* [[out]] scalar: its zeroed out cell's address; the value is returned */
};

/* How the result becomes a Python object. */
enum { KR_VOID, KR_F64, KR_F32, KR_S32, KR_S64, KR_U64, KR_SMALL, KR_BOOL, KR_STRUCT, KR_OTHER };

typedef struct sb_kop {
    uint8_t op;         /* KOP_* */
    uint8_t cell;       /* the argument's cell (the register or stack word it goes in) */
    uint8_t out;        /* KOP_OUT: the cell holding the value */
    uint8_t conv;       /* KOP_OUT: sb_conv of the value */
    int16_t py;         /* the Python parameter feeding it (-1: [[out]]) */
    uint16_t slot;      /* the C parameter */
    int64_t min;        /* KOP_IRANGE: the range [min, min + span] of a long long (above INT64_MAX: */
    uint64_t span;      /* the general path), as one unsigned compare */
} sb_kop;

typedef struct sb_kern {
    sb_khead h;         /* first: SB_KHEAD reads it */
    uint8_t n;          /* C parameters (ops) */
    uint8_t rop;        /* KR_* */
    uint8_t rshift;     /* KR_SMALL: 64 - bits of a signed result (sign-extends), 0 for unsigned */
    uint8_t ckind;      /* sb_contract_kind */
    bool nogil;
    bool has_value;     /* the result is returned (not void, not a status) */
    uint8_t nout;       /* [[out]] parameters: their values follow the result */
    uint64_t rmask;     /* KR_SMALL unsigned: the result's bits */
    sb_fastcallfn entry; /* the kernel specialised for this plan */
    bool kwready;       /* kwn filled (by the first keyword call) */
    PyObject **kwn;     /* npy interned parameter names (borrowed from f->names), after ops */
    sb_kop ops[];
} sb_kern;

_Static_assert(offsetof(sb_kern, h) == 0, "SB_KHEAD reads the head at the kernel's start");

#define KMAX SB_KMAX

static SB_ALWAYS_INLINE bool failed(const sb_kern *k, uint64_t u)
{
    return sb__kcheck_failed(&k->h.check, u);
}

static SB_ALWAYS_INLINE PyObject *box(const sb_kern *k, uint8_t rop, sb_function *f, const sb_regret *rr,
                                      unsigned char *sret)
{
    sb_cell r;
    switch (rop) {
    case KR_VOID: Py_INCREF(Py_None); return Py_None;
    case KR_F64: return PyFloat_FromDouble(rr->xmm0);
    case KR_F32: {
        memcpy(&r, &rr->xmm0, sizeof r);
        return PyFloat_FromDouble((double)r.f);
    }
    case KR_S32: return PyLong_FromLong((long)(int32_t)rr->rax);
    case KR_S64: return PyLong_FromLongLong((long long)rr->rax);
    case KR_U64: return PyLong_FromUnsignedLongLong((unsigned long long)rr->rax);
    case KR_SMALL:
        if (k->rshift)
            return PyLong_FromLong((long)((int64_t)(rr->rax << k->rshift) >> k->rshift));
        return PyLong_FromUnsignedLong((unsigned long)(rr->rax & k->rmask));
    case KR_BOOL: return PyBool_FromLong((long)(rr->rax & 0xff));
    case KR_STRUCT: return sb__call_struct_result(f, rr, sret);
    default:
        r.u = rr->rax;
        return sb__call_result(f, &r);
    }
}

/* A keyword that is not the interned name itself: an equal exact str names the same parameter
 * (as the general path's bind_keyword matches it); -1 when none does (the general path reports). */
static SB_NOINLINE Py_ssize_t keyword_equal(const sb_kern *k, Py_ssize_t from, PyObject *name)
{
    if (!PyUnicode_CheckExact(name))
        return -1;
    for (Py_ssize_t m = from; m < k->h.npy; m++)
        if (PyUnicode_Compare(k->kwn[m], name) == 0) /* exact strs: no error, no Python code */
            return m;
    return -1;
}

bool sb__kernel_keywords(sb_function *f, PyObject *kwnames)
{
    sb_kern *k = f->kern;
    const Py_ssize_t npy = k->h.npy, from = f->plan->nposonly, nkw = PyTuple_Size(kwnames);
    if (nkw < 0 || nkw > npy) {
        PyErr_Clear();
        return false; /* more keywords than parameters: the general path reports */
    }
    if (SB_UNLIKELY(!k->kwready)) { /* the interned names, borrowed from f->names (kept until f dies) */
        PyObject *names = f->names ? f->names : sb__function_names(f);
        if (!names) {
            PyErr_Clear(); /* the general path makes them again and reports */
            return false;
        }
        for (Py_ssize_t i = 0; i < npy; i++)
            k->kwn[i] = PyTuple_GetItem(names, i);
        k->kwready = true;
    }
    uint8_t slot[KMAX]; /* the kept tuple's slots stay as they are until every name matched */
    for (Py_ssize_t j = 0; j < nkw; j++) {
        PyObject *name = PyTuple_GetItem(kwnames, j);
        Py_ssize_t m = from;
        while (m < npy && k->kwn[m] != name)
            m++;
        if (SB_UNLIKELY(m == npy) && (m = keyword_equal(k, from, name)) < 0)
            return false; /* unknown or positional-only: nothing cached */
        slot[j] = (uint8_t)m;
    }
    memcpy(k->h.kwslot, slot, (size_t)nkw);
    /* Kept (a strong reference: its address is not reused while cached): the next call from the same
     * call site passes the same tuple. Dropping the last one runs no Python code (a tuple of strs). */
    PyObject *old = k->h.kwtuple;
    Py_INCREF(kwnames);
    k->h.kwtuple = kwnames;
    k->h.nkw = (uint8_t)nkw;
    Py_XDECREF(old);
    return true;
}

/* The values of the [[out]] parameters after the result (a tuple when more
 * than one value), or the one value. Steals value (NULL when !has_value). */
static SB_NOINLINE PyObject *with_outs(sb_function *f, const sb_kern *k, const sb_cell *cells, PyObject *value)
{
    Py_ssize_t nres = k->nout + (k->has_value ? 1 : 0), at = 0;
    PyObject *tuple = NULL;
    if (nres > 1 && !(tuple = PyTuple_New(nres))) {
        Py_XDECREF(value);
        return NULL;
    }
    if (value)
        PyTuple_SetItem(tuple, at++, value);
    for (unsigned i = 0; i < k->n; i++) {
        const sb_kop *op = &k->ops[i];
        if (op->op != KOP_OUT)
            continue;
        const sb_cell *c = &cells[op->out];
        PyObject *o;
        if (op->conv == SB_CV_DOUBLE) {
            o = PyFloat_FromDouble(c->d);
        } else if (op->conv == SB_CV_SINT && op->min == INT32_MIN) {
            o = PyLong_FromLong((long)(int32_t)c->u);
        } else if (op->conv == SB_CV_SINT && op->min == INT64_MIN) {
            o = PyLong_FromLongLong(c->i);
        } else {
            sb_type pt = f->plan->slots[op->slot].type;
            pt.ptr--;
            o = sb__from_c(f->state, op->conv, pt, c);
        }
        if (!o) {
            Py_XDECREF(tuple);
            return NULL;
        }
        if (!tuple)
            return o;
        PyTuple_SetItem(tuple, at++, o);
    }
    return tuple;
}

/* The kernels. Anything one does not do inline (a value not of the exact
 * type, out of range, an error to report) goes to sb__call_fast, which does
 * everything and names what is wrong; nothing done before that has side
 * effects (exact ints, floats and strs run no Python code when read).
 * One body, specialised by constants: `uni` says which ops can occur (so a
 * plan of integers only compiles to a loop without a switch), `contract`
 * whether a result check follows, `extras` whether [[nogil]], [[out]], a
 * struct result or a str argument can (their code and stack only there). */
enum { UNI_ANY, UNI_INT, UNI_F64, UNI_SCALAR, UNI_I64 };

/* Argument i of a kernel's call into its cell: true, or false when the general path must do it (nothing
 * done so far has side effects). */
static SB_ALWAYS_INLINE bool arg(sb_function *f, const sb_kern *k, unsigned i, PyObject *const *vals, const bool bound,
                                 sb_cell *cells, Py_UCS4 *strbuf, Py_ssize_t *strusedp, const int uni,
                                 const bool extras)
{
    const sb_kop *op = &k->ops[i];
    /* Uniform plans: argument i is Python parameter i, in register or stack cell order. */
    sb_cell *cell = uni == UNI_F64                     ? &cells[SB_REG_INT + i]
                    : uni == UNI_INT || uni == UNI_I64 ? &cells[i < SB_REG_INT ? i : i + SB_REG_SSE]
                                     : &cells[op->cell];
    if (extras && op->op == KOP_OUT) {
        cells[op->out].u = 0;
        cell->p = &cells[op->out];
        return true;
    }
    const unsigned py = uni == UNI_F64 || uni == UNI_INT || uni == UNI_I64 ? i : (unsigned)op->py;
    PyObject *v = vals[py];
    if (bound && !v) { /* left out: its default, converted when the function was bound (as the general path) */
        *cell = f->defaults[py];
        return true;
    }
    if (uni == UNI_INT || uni == UNI_I64 || (uni == UNI_SCALAR && op->op == KOP_IRANGE) ||
        (uni == UNI_ANY && op->op == KOP_IRANGE) || (uni != UNI_F64 && op->op == KOP_I64)) {
        if (SB_UNLIKELY(!PyLong_CheckExact(v)))
            return false;
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (SB_UNLIKELY(overflow || (uni != UNI_I64 && (uint64_t)x - (uint64_t)op->min > op->span)))
            return false;
        cell->i = x;
        return true;
    }
    if (uni == UNI_F64 || op->op == KOP_F64) {
        if (SB_UNLIKELY(!PyFloat_CheckExact(v)))
            return false;
        cell->d = PyFloat_AsDouble(v);
        return true;
    }
    switch (op->op) {
    case KOP_F32:
        if (!sb__cell_exact_float(v, cell))
            return false;
        break;
    case KOP_BOOL:
        if (!sb__cell_exact_bool(v, cell))
            return false;
        break;
    case KOP_CSTR:
        if (!extras)
            return false;
        if (PyUnicode_CheckExact(v)) {
            Py_ssize_t len;
            const char *u = sb__compat_utf8_fast(v, strbuf + (*strusedp), SB_STRBUF - (*strusedp), &len);
            if (SB_UNLIKELY(!u))
                return false;
            if ((void *)u == (void *)(strbuf + (*strusedp)))
                *strusedp += (len + 4) / 4;
            cell->p = (void *)u;
        } else if (v == Py_None) {
            cell->p = NULL;
        } else {
            return false;
        }
        break;
    case KOP_PTR:
        if (v == Py_None)
            cell->p = NULL;
        else if (PyBytes_CheckExact(v))
            cell->p = PyBytes_AsString(v); /* immutable, kept alive by the caller */
        else if (Py_TYPE(v) == (PyTypeObject *)f->state->PointerType &&
                 sb__pointer_fits(f->plan->slots[op->slot].type, ((sb_pointer *)v)->type))
            cell->p = ((sb_pointer *)v)->addr;
        else
            return false;
        break;
    case KOP_PYOBJ:
        cell->p = v;
        break;
    default:
        return false;
    }
    return true;
}

static SB_ALWAYS_INLINE PyObject *run(PyObject *self, PyObject *const *vals, const bool bound, PyObject *const *args,
                                      Py_ssize_t nargs, PyObject *kwnames, const int uni, const bool contract,
                                      const bool extras, const bool nogil, const unsigned cn)
{
    sb_function *f = (sb_function *)self;
    const sb_kern *k = f->kern;
    sb_cell cells[SB_FAST_CELLS];
    Py_UCS4 strbuf[SB_STRBUF]; /* str arguments' UTF-8 on 3.7-3.9 */
    Py_ssize_t strused = 0;
    if (cn) { /* a constant count: unrolled, every op's fields at a constant offset */
        if (!arg(f, k, 0, vals, bound, cells, strbuf, &strused, uni, extras) ||
            (cn > 1 && !arg(f, k, 1, vals, bound, cells, strbuf, &strused, uni, extras)) ||
            (cn > 2 && !arg(f, k, 2, vals, bound, cells, strbuf, &strused, uni, extras)) ||
            (cn > 3 && !arg(f, k, 3, vals, bound, cells, strbuf, &strused, uni, extras)) ||
            (cn > 4 && !arg(f, k, 4, vals, bound, cells, strbuf, &strused, uni, extras)) ||
            (cn > 5 && !arg(f, k, 5, vals, bound, cells, strbuf, &strused, uni, extras)) ||
            (cn > 6 && !arg(f, k, 6, vals, bound, cells, strbuf, &strused, uni, extras)) ||
            (cn > 7 && !arg(f, k, 7, vals, bound, cells, strbuf, &strused, uni, extras)))
            goto general;
    } else {
        const unsigned n = k->n;
        for (unsigned i = 0; i < n; i++)
            if (!arg(f, k, i, vals, bound, cells, strbuf, &strused, uni, extras))
                goto general;
    }
    const sb_plan *pl = f->plan;
    sb_regret rr;
    _Alignas(16) unsigned char sret[SB_FAST_STRUCT_RET];
    if (extras && SB_UNLIKELY(pl->ret_mem))
        cells[0].p = sret; /* the hidden pointer of a result in memory */
    int saved_errno = 0;
    if (extras && SB_UNLIKELY(k->nogil)) {
        if (sb__call_nogil(f, cells, &rr) < 0)
            return NULL;
        saved_errno = (int)rr.rdx;
    } else if (nogil) { /* the GIL released around the call only; callbacks find the call state */
        sb_callstate cs = {false, NULL, {NULL, NULL, NULL}, {NULL, NULL, NULL}}, *outer_cs = sb__callstate;
        sb__callstate = &cs;
        cs.saved = PyEval_SaveThread();
        pl->regcall(f->fn, (const uint64_t *)cells, &rr, pl->nstack);
        PyEval_RestoreThread(cs.saved);
        sb__callstate = outer_cs;
        if (SB_UNLIKELY(cs.interrupt[0] || cs.raised[0])) {
            sb__call_restore_raised(&cs);
            return NULL; /* a scalar result owns nothing */
        }
    } else {
        pl->regcall(f->fn, (const uint64_t *)cells, &rr, pl->nstack);
        if (contract && k->ckind == SB_CONTRACT_ERRNO)
            saved_errno = errno; /* before anything else can touch it */
    }
    if (contract && k->ckind && SB_UNLIKELY(failed(k, rr.rax))) {
        sb_cell r;
        r.u = rr.rax;
        return sb__call_contract(f, &r, saved_errno);
    }
    PyObject *value = NULL;
    if (SB_LIKELY(!contract || k->has_value)) {
        value = box(k, k->rop, f, &rr, sret);
        if (!extras || SB_UNLIKELY(!value))
            return value;
    }
    if (extras && SB_UNLIKELY(k->nout))
        return with_outs(f, k, cells, value);
    if (!value) {
        Py_INCREF(Py_None);
        value = Py_None;
    }
    return value;
general:
    return sb__call_fast(self, args, nargs, kwnames);
}

/* A call with keywords or arguments left out: bound to one value per parameter (NULL: its
 * default) and run by the same kernel; what does not bind goes to the general path, which reports. */
static SB_ALWAYS_INLINE PyObject *run_bound(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                                            const int uni, const bool contract, const bool extras, const bool nogil,
                                            const unsigned cn)
{
    sb_function *f = (sb_function *)self;
    PyObject *vals[KMAX];
    if (f->releases || !sb__kbind(f, args, nargs, kwnames, vals, f->kern->h.npy))
        return sb__call_fast(self, args, nargs, kwnames);
    return run(self, vals, true, args, nargs, kwnames, uni, contract, extras, nogil, cn);
}

/* cn: the plan's parameter count when the kernel is made for one (its ops unrolled), else 0. */
#define KERNEL(name, uni, contract, extras, nogil, cn)                                                            \
    static SB_NOINLINE PyObject *name##_bound(PyObject *self, PyObject *const *args, Py_ssize_t nargs,           \
                                              PyObject *kwnames)                                                  \
    {                                                                                                              \
        return run_bound(self, args, nargs, kwnames, uni, contract, extras, nogil, cn);                            \
    }                                                                                                              \
    static PyObject *name(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)             \
    {                                                                                                              \
        sb_function *f = (sb_function *)self;                                                                      \
        if (SB_UNLIKELY(kwnames != NULL || nargs != f->kern->h.npy)) /* a release function has no kernel entry */ \
            return name##_bound(self, args, nargs, kwnames);                                                       \
        return run(self, args, false, args, nargs, kwnames, uni, contract, extras, nogil, cn);                     \
    }
KERNEL(k_i64, UNI_I64, false, false, false, 0)
KERNEL(k_int, UNI_INT, false, false, false, 0)
KERNEL(k_int_contract, UNI_INT, true, false, false, 0)
KERNEL(k_f64, UNI_F64, false, false, false, 0)
KERNEL(k_f64_3, UNI_F64, false, false, false, 3)
KERNEL(k_f64_4, UNI_F64, false, false, false, 4)
KERNEL(k_f64_5, UNI_F64, false, false, false, 5)
KERNEL(k_f64_6, UNI_F64, false, false, false, 6)
KERNEL(k_f64_7, UNI_F64, false, false, false, 7)
KERNEL(k_f64_8, UNI_F64, false, false, false, 8)
KERNEL(k_scalar, UNI_SCALAR, false, false, false, 0)
KERNEL(k_scalar1, UNI_SCALAR, false, false, false, 1)
KERNEL(k_scalar2, UNI_SCALAR, false, false, false, 2)
KERNEL(k_scalar3, UNI_SCALAR, false, false, false, 3)
KERNEL(k_scalar4, UNI_SCALAR, false, false, false, 4)
KERNEL(k_scalar_contract, UNI_SCALAR, true, false, false, 0)
KERNEL(k_int_nogil, UNI_INT, false, false, true, 0)
KERNEL(k_f64_nogil, UNI_F64, false, false, true, 0)
KERNEL(k_scalar_nogil, UNI_SCALAR, false, false, true, 0)
KERNEL(k_any, UNI_ANY, true, true, false, 0)

PyObject *sb__kernel_call(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    return k_any(self, args, nargs, kwnames);
}

/* The op for slot s, or -1 when the kernel cannot take it. */
static int op_of(const sb_slot *s, sb_kop *op)
{
    op->min = s->min;
    op->span = (s->max > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : s->max) - (uint64_t)s->min;
    if (s->flags & SB_PARAM_OUT) {
        if (s->nwords || s->type.ptr != 1 || s->type.named)
            return -1;
        switch (s->conv) {
        case SB_CV_SINT: case SB_CV_UINT: case SB_CV_DOUBLE: case SB_CV_FLOAT: case SB_CV_BOOL:
            break;
        default:
            return -1;
        }
        op->conv = s->conv;
        return KOP_OUT;
    }
    if (s->flags & ~(SB_PARAM_NOESCAPE))
        return -1;
    switch (s->conv) {
    case SB_CV_DOUBLE: return KOP_F64;
    case SB_CV_FLOAT: return KOP_F32;
    case SB_CV_SINT:
        return s->min == INT64_MIN && s->max == (uint64_t)INT64_MAX ? KOP_I64 : KOP_IRANGE;
    case SB_CV_UINT: return KOP_IRANGE;
    case SB_CV_BOOL: return KOP_BOOL;
    case SB_CV_CSTR: return KOP_CSTR;
    case SB_CV_PTR: return s->type.named || sb__is_wide_char_ptr(s->type) ? -1 : KOP_PTR; /* wide: bytes refused */
    case SB_CV_PYOBJ: return KOP_PYOBJ;
    default: return -1;
    }
}

int sb__kernel_prepare(sb_function *f)
{
    const sb_plan *pl = f->plan;
    const sb_sig *sig = pl->sig;
    /* The register path, library functions, every Python parameter positional
     * or keyword (no *args, **kwargs, keyword-only), no [[inout]], [[len]] or
     * [[free]] (the general path's work). */
    if (pl->fast != SB_FAST_REGS || f->cface || f->constructs || f->releases || pl->nargs > KMAX ||
        pl->npy > KMAX || pl->npositional != pl->npy || pl->varargs_slot >= 0 || pl->varkw_slot >= 0 ||
        (sig->flags & (SB_SIG_FREE | SB_SIG_RETLEN | SB_SIG_VARIADIC)) || pl->ncells > SB_FAST_CELLS)
        return 0;
    switch (pl->ret_conv) {
    case SB_CV_STRUCT:
        if (sb__type_size(sig->ret) > SB_FAST_STRUCT_RET)
            return 0;
        break;
    case SB_CV_WIDE: case SB_CV_INST: return 0;
    default: break;
    }
    if (SB_UNLIKELY(sig->ret.named) && pl->ret_conv != SB_CV_FUNC && pl->ret_conv != SB_CV_STRUCT)
        return 0; /* a typed handle result: adopted by the general path */
    if (pl->ret_conv == SB_CV_STRUCT && f->adopt)
        return 0;
    sb_kern *k = PyMem_Calloc(1, sizeof *k + sizeof(sb_kop) * pl->nargs + (sizeof(PyObject *) + 1) * pl->npy);
    if (!k) {
        PyErr_NoMemory();
        return -1;
    }
    k->n = (uint8_t)pl->nargs;
    k->h.npy = (uint8_t)pl->npy;
    k->kwn = (PyObject **)(void *)(k->ops + pl->nargs);
    k->h.kwslot = (uint8_t *)(void *)(k->kwn + pl->npy);
    /* The trailing parameters a call may leave out: those with a default (their cells, f->defaults). */
    k->h.nmin = (uint8_t)pl->nrequired;
    for (uint16_t i = 0; i < pl->nargs; i++) {
        const sb_slot *s = &pl->slots[i];
        sb_kop *op = &k->ops[i];
        int o = op_of(s, op);
        if (o < 0 || s->store >= SB_FAST_CELLS || (o == KOP_OUT && s->outcell >= SB_FAST_CELLS))
            goto none;
        op->op = (uint8_t)o;
        op->cell = (uint8_t)s->store;
        op->out = (uint8_t)(o == KOP_OUT ? s->outcell : 0);
        op->py = s->py;
        op->slot = i;
        if (o == KOP_OUT)
            k->nout++;
        else if (s->py < 0)
            goto none;
    }
    for (uint16_t p = 0; p < pl->npy; p++)
        if (pl->py[p].slot < 0 || pl->slots[pl->py[p].slot].py != p)
            goto none;
    const sb_kindinfo *ki = pl->ret_conv == SB_CV_VOID || sig->ret.ptr ? NULL : sb__kind((sb_kind)sig->ret.kind);
    switch (pl->ret_conv) {
    case SB_CV_VOID: k->rop = KR_VOID; break;
    case SB_CV_DOUBLE: k->rop = KR_F64; break;
    case SB_CV_FLOAT: k->rop = KR_F32; break;
    case SB_CV_BOOL: k->rop = KR_BOOL; break;
    case SB_CV_STRUCT: k->rop = KR_STRUCT; break;
    case SB_CV_SINT:
        k->rop = pl->ret_size == 4 ? KR_S32 : pl->ret_size == 8 ? KR_S64 : KR_SMALL;
        k->rshift = (uint8_t)(64 - 8 * pl->ret_size);
        break;
    case SB_CV_UINT:
        k->rop = pl->ret_size == 8 ? KR_U64 : KR_SMALL;
        k->rmask = pl->ret_size >= 8 ? UINT64_MAX : (((uint64_t)1 << (8 * pl->ret_size)) - 1);
        break;
    default: k->rop = KR_OTHER; break;
    }
    k->nogil = (sig->flags & SB_SIG_NOGIL) != 0;
    k->ckind = sig->contract.kind;
    k->has_value = sig->contract.kind != SB_CONTRACT_STATUS && pl->ret_conv != SB_CV_VOID;
    if (k->ckind) {
        const sb_contract *c = &sig->contract;
        if ((sig->ret.ptr && c->value.kind != SB_LIT_NULL) || pl->ret_conv == SB_CV_DOUBLE ||
            pl->ret_conv == SB_CV_FLOAT || pl->ret_conv == SB_CV_STRUCT)
            goto none; /* call.c's contract_failed decides those */
        uint64_t lit = 0;
        k->h.check.mask = UINT64_MAX;
        if (c->value.kind != SB_LIT_NULL && ki) {
            lit = c->value.neg ? (uint64_t)0 - c->value.mag : c->value.mag;
            if (ki->size < 8)
                k->h.check.mask = ((uint64_t)1 << (ki->size * 8)) - 1;
            if (ki->cls == SB_CLASS_SINT) {
                k->h.check.sext = (uint64_t)1 << (ki->size * 8 - 1);
                k->h.check.bias = (uint64_t)1 << 63;
            } else {
                lit &= k->h.check.mask;
            }
        }
        uint64_t l = lit ^ k->h.check.bias; /* the literal in the biased order (a signed literal is 64-bit already) */
        switch (c->cmp) {
        case SB_CMP_EQ: k->h.check.lo = l; k->h.check.span = 0; break;
        case SB_CMP_NE: k->h.check.lo = l; k->h.check.span = 0; k->h.check.inv = true; break;
        case SB_CMP_LT:
            if (l == 0)
                goto none; /* never fails: leave it to call.c */
            k->h.check.lo = 0; k->h.check.span = l - 1; break;
        case SB_CMP_LE: k->h.check.lo = 0; k->h.check.span = l; break;
        case SB_CMP_GT:
            if (l == UINT64_MAX)
                goto none;
            k->h.check.lo = l + 1; k->h.check.span = UINT64_MAX - l - 1; break;
        default: k->h.check.lo = l; k->h.check.span = UINT64_MAX - l; break;
        }
        k->h.check.on = true;
        k->h.check.status = k->ckind == SB_CONTRACT_STATUS;
    }
    /* The leanest kernel that does all the plan needs. */
    int uni = UNI_INT;
    bool extras = (k->nogil && k->ckind) || k->nout || k->rop == KR_STRUCT || pl->ret_mem, allf64 = k->n > 0;
    for (unsigned i = 0; i < k->n; i++) {
        uint8_t o = k->ops[i].op;
        allf64 &= o == KOP_F64;
        if (o != KOP_I64 && o != KOP_IRANGE)
            uni = UNI_SCALAR;
        if (o != KOP_I64 && o != KOP_IRANGE && o != KOP_F64 && o != KOP_F32 && o != KOP_BOOL)
            extras = true;
    }
    if (allf64)
        uni = UNI_F64;
    for (unsigned i = 0; i < k->n && uni != UNI_SCALAR; i++) /* the uniform kernels compute cells, not read them */
        if (k->ops[i].py != (int16_t)i ||
            k->ops[i].cell != (uni == UNI_F64 ? SB_REG_INT + i : i < SB_REG_INT ? i : i + SB_REG_SSE))
            uni = UNI_SCALAR;
    bool all64 = k->n > 0;
    for (unsigned i = 0; i < k->n; i++)
        all64 &= k->ops[i].op == KOP_I64;
    if (extras)
        k->entry = k_any;
    else if (k->nogil)
        k->entry = uni == UNI_INT ? k_int_nogil : uni == UNI_F64 ? k_f64_nogil : k_scalar_nogil;
    else if (uni == UNI_INT && all64 && !k->ckind)
        k->entry = k_i64;
    else if (k->ckind)
        k->entry = uni == UNI_INT ? k_int_contract : k_scalar_contract;
    else if (uni == UNI_SCALAR && k->n >= 1 && k->n <= 4) /* a few scalars: unrolled */
        k->entry = k->n == 1 ? k_scalar1 : k->n == 2 ? k_scalar2 : k->n == 3 ? k_scalar3 : k_scalar4;
    else if (uni == UNI_F64 && k->n >= 3 && k->n <= SB_REG_SSE) { /* the SSE registers' worth: unrolled */
        static const sb_fastcallfn f64[] = {k_f64_3, k_f64_4, k_f64_5, k_f64_6, k_f64_7, k_f64_8};
        k->entry = f64[k->n - 3];
    }
    else
        k->entry = uni == UNI_INT ? k_int : uni == UNI_F64 ? k_f64 : k_scalar;
    f->kern = k;
    return 1;
none:
    f->kern = k;
    sb__kernel_free(f);
    return 0;
}

#else

int sb__kernel_prepare(sb_function *f)
{
    (void)f;
    return 0;
}

bool sb__kernel_keywords(sb_function *f, PyObject *kwnames)
{
    (void)f, (void)kwnames;
    return false;
}

PyObject *sb__kernel_call(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    return sb__call_fast(self, args, nargs, kwnames);
}

#endif

sb_fastcallfn sb__kernel_entry(const sb_function *f)
{
#if SB_HAVE_CALLREGS
    return f->kern->entry;
#else
    (void)f;
    return sb__call_fast;
#endif
}

void sb__kernel_free(sb_function *f)
{
#if SB_HAVE_CALLREGS
    sb_kern *k = f->kern;
    if (!k)
        return;
    f->kern = NULL;
    Py_XDECREF(k->h.kwtuple);
    PyMem_Free(k);
#else
    (void)f;
#endif
}
