/* call.c — the call path: bind Python arguments to a plan, convert, call (register stub or ffi_call), check the error contract, build the result. */
#include "runtime/runtime.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* The GIL state of this thread while it is inside a call to C made by
 * sigbind (set around the call below): a callback (objects/callback.c) run by that C code on
 * this same thread needs no PyGILState_Ensure (which cannot work in a
 * subinterpreter); when the call released the GIL ([[nogil]]), the callback
 * takes it back with the saved thread state. */
_Thread_local sb_callstate *sb__callstate;

static const char *fname(const sb_function *f)
{
    return f->plan->sig->name;
}

static int too_many(const sb_function *f, Py_ssize_t given)
{
    const sb_plan *pl = f->plan;
    if (pl->npositional == 0)
        PyErr_Format(PyExc_TypeError, "%s() takes no positional arguments (%zd given)", fname(f), given);
    else
        PyErr_Format(PyExc_TypeError, "%s() takes at most %u positional argument%s (%zd given)", fname(f),
                     (unsigned)pl->npositional, pl->npositional == 1 ? "" : "s", given);
    return -1;
}

/* Puts a keyword argument into vals. */
static int bind_keyword(sb_function *f, PyObject **vals, PyObject *varkw, PyObject *name, PyObject *value)
{
    const sb_plan *pl = f->plan;
    PyObject *names = sb__function_names(f);
    if (!names)
        return -1;
    Py_ssize_t k = -1;
    for (uint16_t i = pl->nposonly; i < pl->npy; i++)
        if (PyTuple_GetItem(names, i) == name) {
            k = i;
            break;
        }
    if (k < 0) {
        if (!PyUnicode_Check(name)) {
            PyErr_Format(PyExc_TypeError, "%s() keywords must be strings", fname(f));
            return -1;
        }
        for (uint16_t i = 0; i < pl->npy; i++)
            if (PyUnicode_Compare(PyTuple_GetItem(names, i), name) == 0) {
                if (i < pl->nposonly) {
                    if (varkw)
                        break; /* like Python: goes to **kwargs */
                    PyErr_Format(PyExc_TypeError,
                                 "%s() got some positional-only arguments passed as keyword arguments: '%U'",
                                 fname(f), name);
                    return -1;
                }
                k = i;
                break;
            }
        if (PyErr_Occurred())
            return -1;
        if (k < 0) {
            if (varkw)
                return PyDict_SetItem(varkw, name, value);
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", fname(f), name);
            return -1;
        }
    }
    if (vals[k]) {
        PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s' (pos %zd)", fname(f),
                     pl->py[k].name, k + 1);
        return -1;
    }
    vals[k] = value;
    return 0;
}

static int missing(const sb_function *f, uint16_t k)
{
    const sb_plan *pl = f->plan;
    if (k >= pl->npositional)
        PyErr_Format(PyExc_TypeError, "%s() missing required keyword-only argument '%s'", fname(f), pl->py[k].name);
    else
        PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s' (pos %u)", fname(f), pl->py[k].name,
                     (unsigned)k + 1);
    return -1;
}

/* Does the result signal failure under the contract? */
static bool contract_failed(const sb_plan *pl, const sb_cell *r)
{
    const sb_contract *c = &pl->sig->contract;
    int cmp;
    if (c->value.kind == SB_LIT_NULL) {
        cmp = r->p == NULL ? 0 : 1;
    } else {
        const sb_kindinfo *ki = sb__kind((sb_kind)pl->sig->ret.kind);
        uint64_t mask = ki->size >= 8 ? UINT64_MAX : (((uint64_t)1 << (ki->size * 8)) - 1);
        uint64_t lit = c->value.neg ? (uint64_t)0 - c->value.mag : c->value.mag;
        if (ki->cls == SB_CLASS_SINT) {
            int64_t v;
            switch (ki->size) {
            case 1: v = (int8_t)r->u; break;
            case 2: v = (int16_t)r->u; break;
            case 4: v = (int32_t)r->u; break;
            default: v = r->i; break;
            }
            int64_t l = (int64_t)lit;
            cmp = v < l ? -1 : v > l;
        } else {
            uint64_t v = r->u & mask, l = lit & mask;
            cmp = v < l ? -1 : v > l;
        }
    }
    switch (c->cmp) {
    case SB_CMP_EQ: return cmp == 0;
    case SB_CMP_NE: return cmp != 0;
    case SB_CMP_LT: return cmp < 0;
    case SB_CMP_LE: return cmp <= 0;
    case SB_CMP_GT: return cmp > 0;
    default: return cmp >= 0;
    }
}

static void raise_status(const sb_function *f, const sb_cell *r)
{
    sb_state *st = f->state;
    const sb_plan *pl = f->plan;
    PyObject *status = sb__from_c(st, pl->ret_conv, pl->sig->ret, r);
    if (!status)
        return;
    const char *msg = NULL;
    const char *(*status_msg)(int) = sb__function_status_msg(f);
    if (status_msg) {
        long v = PyLong_AsLong(status); /* the result read at its own width */
        if (v == -1 && PyErr_Occurred())
            PyErr_Clear();
        msg = status_msg((int)v);
    }
    PyObject *text = msg ? PyUnicode_FromFormat("%s() failed with status %S: %s", fname(f), status, msg)
                         : PyUnicode_FromFormat("%s() failed with status %S", fname(f), status);
    if (!text) {
        Py_DECREF(status);
        return;
    }
    PyObject *exc = PyObject_CallFunctionObjArgs(st->StatusError, text, NULL);
    Py_DECREF(text);
    if (exc) {
        PyObject *fn = PyUnicode_FromString(fname(f));
        if (fn && PyObject_SetAttrString(exc, "status", status) == 0 &&
            PyObject_SetAttrString(exc, "function", fn) == 0)
            PyErr_SetObject(st->StatusError, exc);
        Py_XDECREF(fn);
        Py_DECREF(exc);
    }
    Py_DECREF(status);
}

/* The tempmask bit of slot i (slots from 63 on share the last). */
#define SB_TEMP_BIT(i) ((uint64_t)1 << ((i) < 63 ? (i) : 63))

/* Python value -> argument cell. Exact int/float/str take the inline path; the
 * rest (subclasses, __index__, buffers, errors) go to the converters. */
static inline int convert_arg(const sb_function *f, const sb_slot *s, sb_type vt, PyObject *v, sb_cell *cell,
                              sb_temp *tmp, uint64_t *tempmask, unsigned i)
{
    switch (s->conv) {
    case SB_CV_DOUBLE:
        if (SB_LIKELY(PyFloat_CheckExact(v))) {
            cell->d = PyFloat_AsDouble(v);
            return 0;
        }
        break;
    case SB_CV_SINT:
        if (SB_LIKELY(PyLong_CheckExact(v))) {
            int overflow;
            long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
            if (SB_LIKELY(!overflow && x >= s->min && (x < 0 || (uint64_t)x <= s->max))) {
                cell->i = x;
                return 0;
            }
        }
        break;
    case SB_CV_UINT:
        if (SB_LIKELY(PyLong_CheckExact(v))) {
            int overflow;
            long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
            if (SB_LIKELY(!overflow && x >= 0 && (uint64_t)x <= s->max)) {
                cell->u = (uint64_t)x;
                return 0;
            }
        }
        break;
    case SB_CV_PYOBJ:
        cell->p = v;
        return 0;
    case SB_CV_CSTR:
        if (PyUnicode_CheckExact(v)) {
            /* >= 3.10: the str's cached UTF-8, no temporary. */
            int unavailable;
            Py_ssize_t n;
            const char *u = sb__compat_utf8(v, &n, &unavailable);
            if (SB_LIKELY(u && strlen(u) == (size_t)n)) {
                cell->p = (void *)u;
                return 0;
            }
            if (!u && !unavailable)
                PyErr_Clear(); /* to_cstr reports it, naming the parameter */
        }
        goto with_temp;
    case SB_CV_PTR:
        if (s->type.named && s->type.named->what == SB_NAMED_OPAQUE)
            break; /* a typed handle: only its converter decides */
        if (s->type.named)
            goto with_temp; /* `struct s *`: a buffer's export or a list's memory, released after the call */
        if (v == Py_None) {
            cell->p = NULL;
            return 0;
        }
        if (PyBytes_CheckExact(v) && !sb__is_wide_char_ptr(s->type)) {
            cell->p = PyBytes_AsString(v);
            return 0;
        }
        goto with_temp;
    case SB_CV_FUNC:
        goto with_temp;
    with_temp:
        tmp->obj = NULL;
        tmp->view.obj = NULL;
        tmp->noescape = (s->flags & SB_PARAM_NOESCAPE) != 0;
        tmp->owner = (PyObject *)(uintptr_t)f;
        *tempmask |= SB_TEMP_BIT(i);
        break;
    default:
        break;
    }
    const sb_plan *pl = f->plan;
    sb_convctx cx = {pl->sig->name, pl->py[s->py].name, s->type, f->state,
                     SB_UNLIKELY(f->constructs) && s->py == 0 ? SB_CX_CONSTRUCTOR : SB_CX_ARGUMENT, f->cface};
    return sb__to_c(&cx, s->conv, vt, v, cell, tmp);
}

/* Result cell -> Python, inline for the common kinds. */
/* A function pointer f returned (as its result or through an [[out]]
 * parameter): callable, named "<f>_result"; its type's named types are f's. */
static SB_NOINLINE PyObject *fnptr_result(sb_function *f, sb_type t, void *addr)
{
    char name[96];
    snprintf(name, sizeof name, "%s_result", fname(f));
    return sb__function_at(f->state, t, addr, name, (PyObject *)f, f->library, f->adopt);
}

static inline PyObject *convert_result(const sb_function *f, const sb_plan *pl, const sb_cell *r)
{
    switch (pl->ret_conv) {
    case SB_CV_DOUBLE:
        return PyFloat_FromDouble(r->d);
    case SB_CV_SINT:
        switch (pl->ret_size) {
        case 4: return PyLong_FromLong((int32_t)r->u);
        case 8: return PyLong_FromLongLong(r->i);
        default: break;
        }
        break;
    case SB_CV_UINT:
        if (pl->ret_size == 8)
            return PyLong_FromUnsignedLongLong(r->u);
        break;
    case SB_CV_VOID:
        Py_INCREF(Py_None);
        return Py_None;
    case SB_CV_PYOBJ:
        if (SB_UNLIKELY(!r->p && f->stop_on_null && !PyErr_Occurred())) {
            PyErr_SetNone(PyExc_StopIteration);
            return NULL;
        }
        break;
    case SB_CV_FUNC: /* a function pointer: callable; its type is this function's */
        return fnptr_result((sb_function *)f, pl->sig->ret, r->p);
    default:
        break;
    }
    return sb__from_c(f->state, pl->ret_conv, pl->sig->ret, r);
}

/* The result of a call made by a kernel (shapes.c) in a kind it does not box inline. */
SB_NOINLINE PyObject *sb__call_result(sb_function *f, const sb_cell *r)
{
    return convert_result(f, f->plan, r);
}

/* A C-face function returned with an exception set: release what its result
 * owns ([[free]] memory, a PyObject * reference) and report the exception. */
/* Did a handle type's release function release its handle? A declared error
 * contract has already said so; without one an integer result other than 0
 * (sqlite3_close's SQLITE_BUSY, close's -1) means it did not, and the handle
 * stays alive (released again when collected). */
static bool release_succeeded(const sb_plan *pl, const sb_cell *r)
{
    if (pl->sig->contract.kind || (pl->ret_conv != SB_CV_SINT && pl->ret_conv != SB_CV_UINT))
        return true;
    uint64_t mask = pl->ret_size >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * pl->ret_size)) - 1;
    return (r->u & mask) == 0;
}

/* After a call that ran Python callbacks with the GIL released: the exception
 * they left becomes the call's (a KeyboardInterrupt/SystemExit first; else what
 * the C code raised while the GIL was released, cface/raise.c). */
void sb__call_restore_raised(sb_callstate *cs)
{
    if (cs->interrupt[0]) {
        Py_XDECREF(cs->raised[0]);
        Py_XDECREF(cs->raised[1]);
        Py_XDECREF(cs->raised[2]);
        PyErr_Restore(cs->interrupt[0], cs->interrupt[1], cs->interrupt[2]);
    } else {
        PyErr_Restore(cs->raised[0], cs->raised[1], cs->raised[2]);
    }
}

/* A result not handed to Python (an exception is raised instead): its reference or memory. */
static void cface_drop_result(const sb_function *f, const sb_cell *r)
{
    const sb_plan *pl = f->plan;
    if (pl->ret_conv == SB_CV_PYOBJ)
        Py_XDECREF((PyObject *)r->p);
    else if ((pl->sig->flags & SB_SIG_FREE) && pl->sig->ret.ptr && r->p)
        sb__function_free_fn(f)(r->p);
}

#if SB_HAVE_CALLREGS
static SB_NOINLINE PyObject *invoke(sb_function *f, PyObject *const *pos, Py_ssize_t npos, PyObject *kwnames,
                                    PyObject *const *kwvals, PyObject *kwdict);

/* The fast path's [[nogil]] call: the GIL released around it, and the call
 * state a callback run by the C code on this thread finds (as run() does).
 * -1 with an exception set: what a callback or the C code raised. */
SB_NOINLINE int sb__call_nogil(sb_function *f, sb_cell *cells, sb_regret *rr)
{
    const sb_plan *pl = f->plan;
    PyObject *outer = NULL;
    if (f->cface) { /* only a C-face function sees (and pays for) the current module */
        outer = sb__current_module;
        sb__current_module = f->module;
    }
    sb_callstate cs = {false, NULL, {NULL, NULL, NULL}, {NULL, NULL, NULL}}, *outer_cs = sb__callstate;
    sb__callstate = &cs;
    cs.saved = PyEval_SaveThread();
    pl->regcall(f->fn, (const uint64_t *)cells, rr, pl->nstack);
    int saved_errno = errno;
    PyEval_RestoreThread(cs.saved);
    sb__callstate = outer_cs;
    if (f->cface)
        sb__current_module = outer;
    if (pl->sig->contract.kind == SB_CONTRACT_ERRNO)
        rr->rdx = (uint64_t)saved_errno; /* a scalar result: rdx is free */
    if (SB_UNLIKELY(cs.interrupt[0] || cs.raised[0])) {
        sb__call_restore_raised(&cs);
    } else if (!(f->cface && PyErr_Occurred())) {
        return 0;
    }
    sb_cell r;
    r.u = rr->rax;
    if (f->cface)
        cface_drop_result(f, &r);
    return -1;
}

#endif /* the contract check below: also what shape kernels link against without the register path */

/* The fast path's error contract on a scalar result: the exception, or the
 * result (None for a status code, which says only "success"). */
SB_NOINLINE PyObject *sb__call_contract(sb_function *f, const sb_cell *r, int saved_errno)
{
    const sb_plan *pl = f->plan;
    if (contract_failed(pl, r)) {
        if (pl->sig->contract.kind == SB_CONTRACT_ERRNO) {
            errno = saved_errno;
            PyErr_SetFromErrno(PyExc_OSError);
        } else {
            raise_status(f, r);
        }
        return NULL;
    }
    if (pl->sig->contract.kind == SB_CONTRACT_STATUS) {
        Py_INCREF(Py_None);
        return Py_None;
    }
    return convert_result(f, pl, r);
}

#if SB_HAVE_CALLREGS
static SB_NOINLINE void struct_from_regs(const sb_plan *pl, const sb_regret *rr, void *dst);

/* The fast path's struct result: from its registers (or the memory the
 * hidden pointer gave) into a Struct, tied to its Library. */
SB_NOINLINE PyObject *sb__call_struct_result(sb_function *f, const sb_regret *rr, unsigned char *sret)
{
    const sb_plan *pl = f->plan;
    if (!pl->ret_mem)
        struct_from_regs(pl, rr, sret);
    sb_cell r;
    r.p = sret;
    PyObject *value = sb__from_c(f->state, SB_CV_STRUCT, pl->sig->ret, &r);
    if (value && f->adopt)
        value = f->adopt(f->library, pl->sig->ret, value, !(pl->sig->flags & SB_SIG_BORROWED));
    return value;
}

/* The fast path (plan->simple, every parameter given positionally): exact
 * types convert straight into the register cells, without temporaries. The
 * first argument that needs more (a subclass, __index__, a buffer, an error to
 * report) sends the whole call to the general path; nothing done so far has
 * side effects, so starting over is safe. */
/* vals: one value per parameter; with `defaults` (a constant at each inlined
 * call) a NULL value takes the parameter's default. args, npos, kwnames: the
 * call as made, for the general path. */
static SB_ALWAYS_INLINE PyObject *run_fast_vals(sb_function *f, PyObject *const *vals, const bool defaults,
                                                PyObject *const *args, Py_ssize_t npos, PyObject *kwnames)
{
    const sb_plan *pl = f->plan;
    const unsigned nargs = pl->nargs;
    const sb_slot *slots = pl->slots;
    sb_cell cells[SB_FAST_CELLS];
    Py_UCS4 strbuf[SB_STRBUF]; /* str arguments' UTF-8 on 3.7-3.9 */
    Py_ssize_t strused = 0;
    for (unsigned i = 0; i < nargs; i++) {
        const sb_slot *s = &slots[i];
        PyObject *v = vals[i];
        sb_cell *cell = &cells[s->store];
        if (defaults && !v) {
            *cell = f->defaults[s->py]; /* bind_fast checked there is one */
            continue;
        }
        switch (s->conv) {
        case SB_CV_DOUBLE:
            if (SB_UNLIKELY(!PyFloat_CheckExact(v)))
                goto general;
            cell->d = PyFloat_AsDouble(v);
            break;
        case SB_CV_FLOAT:
            if (!sb__cell_exact_float(v, cell))
                goto general;
            break;
        case SB_CV_BOOL:
            if (!sb__cell_exact_bool(v, cell))
                goto general;
            break;
        case SB_CV_SINT:
        case SB_CV_UINT: {
            if (SB_UNLIKELY(!PyLong_CheckExact(v)))
                goto general;
            int overflow;
            long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
            if (SB_UNLIKELY(overflow || x < s->min || (x > 0 && (uint64_t)x > s->max)))
                goto general;
            cell->i = x;
            break;
        }
        case SB_CV_CSTR:
            if (PyUnicode_CheckExact(v)) {
                Py_ssize_t n;
                /* 3.7-3.9 encode into strbuf (compat.c); the general path reports errors with names */
                const char *u = sb__compat_utf8_fast(v, strbuf + strused, SB_STRBUF - strused, &n);
                if (SB_UNLIKELY(!u))
                    goto general;
                if ((void *)u == (void *)(strbuf + strused))
                    strused += (n + 4) / 4;
                cell->p = (void *)u;
            } else if (v == Py_None) {
                cell->p = NULL;
            } else {
                goto general;
            }
            break;
        case SB_CV_PTR:
            if (v == Py_None)
                cell->p = NULL;
            else if (Py_TYPE(v) == (PyTypeObject *)f->state->PointerType && !s->type.named &&
                     sb__pointer_fits(s->type, ((sb_pointer *)v)->type))
                cell->p = ((sb_pointer *)v)->addr;
            else if (PyBytes_CheckExact(v) && !s->type.named && !sb__is_wide_char_ptr(s->type))
                cell->p = PyBytes_AsString(v); /* immutable, kept alive by the caller: as convert_arg */
            else
                goto general;
            break;
        case SB_CV_PYOBJ:
            cell->p = v;
            break;
        case SB_CV_STRUCT: { /* a Struct of the same layout: its words straight into their cells */
            const sb_layout *L = NULL;
            if (SB_UNLIKELY(Py_TYPE(v) != (PyTypeObject *)f->state->StructType))
                goto general; /* a tuple or dict: the converter (which may run Python code) */
            const void *src = f->state->kinds->struct_data(v, &L);
            if (SB_UNLIKELY(L != s->type.named->user))
                goto general;
            if (s->onstack) {
                cells[s->regcell[0] + s->nwords - 1].u = 0;
                memcpy(&cells[s->regcell[0]], src, L->size);
            } else {
                uint64_t w[2] = {0, 0};
                memcpy(w, src, L->size);
                cells[s->regcell[0]].u = w[0];
                if (s->nwords == 2)
                    cells[s->regcell[1]].u = w[1];
            }
            break;
        }
        case SB_CV_INST: {
            PyTypeObject *tp = (PyTypeObject *)PyList_GetItem(f->state->classes, s->type.named->index);
            /* an instance whose constructor has not run: only the constructor may take it */
            if (SB_UNLIKELY(!tp || Py_TYPE(v) != tp ||
                            (SB_INST_STATE(v) != SB_INST_BUILT && (s->type.named->flags & SB_NAMED_CTOR) &&
                             !(f->constructs && i == 0))))
                goto general;
            cell->p = SB_INST_STRUCT(v);
            break;
        }
        default:
            goto general;
        }
    }
    sb_regret rr;
    if (SB_UNLIKELY(f->constructs))
        SB_INST_STATE(vals[0]) = SB_INST_BUILT; /* the constructor runs */
    _Alignas(16) unsigned char sret[SB_FAST_STRUCT_RET];
    if (SB_UNLIKELY(pl->ret_mem))
        cells[0].p = sret; /* the hidden pointer of a result in memory */
    if (SB_UNLIKELY(pl->sig->flags & SB_SIG_NOGIL)) {
        if (sb__call_nogil(f, cells, &rr) < 0)
            return NULL;
    } else if (f->cface) {
        /* C-face functions may raise (sb_raise) and may call sb_raise's name lookup. */
        PyObject *outer = sb__current_module;
        sb__current_module = f->module;
        pl->regcall(f->fn, (const uint64_t *)cells, &rr, pl->nstack);
        if (pl->sig->contract.kind == SB_CONTRACT_ERRNO)
            rr.rdx = (uint64_t)errno;
        sb__current_module = outer;
        if (SB_UNLIKELY(PyErr_Occurred())) {
            sb_cell r;
            r.u = rr.rax;
            cface_drop_result(f, &r);
            return NULL;
        }
    } else if (SB_UNLIKELY(pl->sig->contract.kind == SB_CONTRACT_ERRNO)) {
        pl->regcall(f->fn, (const uint64_t *)cells, &rr, pl->nstack);
        rr.rdx = (uint64_t)errno; /* before anything else can touch it (rdx: unused by a scalar result) */
    } else {
        pl->regcall(f->fn, (const uint64_t *)cells, &rr, pl->nstack);
    }
    switch (pl->ret_conv) {
    case SB_CV_DOUBLE:
        return PyFloat_FromDouble(rr.xmm0);
    case SB_CV_VOID:
        Py_INCREF(Py_None);
        return Py_None;
    case SB_CV_STRUCT:
        return sb__call_struct_result(f, &rr, sret);
    default: {
        sb_cell r;
        if (pl->ret_conv == SB_CV_FLOAT)
            memcpy(&r, &rr.xmm0, sizeof r);
        else
            r.u = rr.rax;
        if (SB_UNLIKELY(pl->sig->contract.kind))
            return sb__call_contract(f, &r, (int)rr.rdx);
        return convert_result(f, pl, &r);
    }
    }
general:
    return invoke(f, args, npos, kwnames, args + npos, NULL);
}

/* Every parameter given positionally. */
static SB_ALWAYS_INLINE PyObject *run_fast(sb_function *f, PyObject *const *args, Py_ssize_t npos)
{
    return run_fast_vals(f, args, false, args, npos, NULL);
}

/* A simple plan called with keywords or with defaults left out: binds the
 * arguments to parameters on the stack and runs the fast path. Anything
 * unusual (a keyword that is not an interned parameter name, a value given
 * twice, a missing argument, too many) goes to the general path, which
 * reports it. */
static SB_NOINLINE PyObject *bind_fast(sb_function *f, PyObject *const *args, Py_ssize_t npos, PyObject *kwnames)
{
    const sb_plan *pl = f->plan;
    const Py_ssize_t nkw = kwnames ? PyTuple_Size(kwnames) : 0;
    PyObject *vals[SB_CALL_CELLS];
    if (npos > pl->npy || pl->npy > SB_CALL_CELLS)
        goto general;
    for (Py_ssize_t k = 0; k < pl->npy; k++)
        vals[k] = k < npos ? args[k] : NULL;
    PyObject *names = !nkw ? NULL : f->names ? f->names : sb__function_names(f);
    if (nkw && !names)
        return NULL;
    for (Py_ssize_t j = 0; j < nkw; j++) {
        PyObject *name = PyTuple_GetItem(kwnames, j);
        Py_ssize_t k = pl->nposonly;
        while (k < pl->npy && PyTuple_GetItem(names, k) != name)
            k++;
        if (k == pl->npy || vals[k])
            goto general;
        vals[k] = args[npos + j];
    }
    for (Py_ssize_t k = 0; k < pl->npy; k++)
        if (!vals[k] && !pl->py[k].def)
            goto general;
    return run_fast_vals(f, vals, true, args, npos, nkw ? kwnames : NULL);
general:
    return invoke(f, args, npos, nkw ? kwnames : NULL, args + npos, NULL);
}
#define SB_SIMPLE(pl, npos) ((pl)->simple && (npos) == (pl)->npy)
#define SB_BINDS_FAST(pl) ((pl)->simple)
#else
#define run_fast(f, args, npos) NULL
#define bind_fast(f, args, npos, kwnames) NULL
#define SB_SIMPLE(pl, npos) 0
#define SB_BINDS_FAST(pl) 0
#endif

/* A slot of a [[len(n)]] pair: the length n is zeroed in the first pass (a
 * buffer fills it in the second: it is pointer-like); a buffer converts with
 * its length (a missing one takes its default, NULL and no items). */
static SB_NOINLINE int buffer_slot(const sb_function *f, PyObject *const *vals, sb_cell *cells, sb_temp *temps,
                                   uint64_t *tempmask, uint64_t *lenset, unsigned i)
{
    const sb_plan *pl = f->plan;
    const sb_slot *s = &pl->slots[i];
    const sb_param *prm = &pl->sig->params[i];
    if (s->flags & SB_PARAM_LENGTH) {
        cells[s->store].u = 0;
        return 0;
    }
    unsigned li = prm->len - 1u;
    const sb_slot *ls = &pl->slots[li];
    PyObject *v = vals[s->py];
    if (!v) {
        if (!pl->py[s->py].def)
            return missing(f, (uint16_t)s->py);
        cells[s->store] = f->defaults[s->py];
        return 0;
    }
    sb_lenarg a = {fname(f), pl->py[s->py].name, pl->sig->params[li].name, s->type, ls->type};
    temps[i].obj = NULL;
    temps[i].view.obj = NULL;
    if (sb__buffer_arg(&a, v, &cells[s->store], &cells[ls->store], (*lenset >> li) & 1, &temps[i]) < 0)
        return -1;
    *tempmask |= SB_TEMP_BIT(i);
    *lenset |= (uint64_t)1 << li; /* li < 63: the plan refuses later lengths */
    return 0;
}

#if SB_HAVE_CALLREGS
/* The register path's structs by value: each one's words from its storage into
 * its registers' cells or its stack cells (plan_regs placed them); a result in
 * memory: its storage is the hidden first argument. */
static SB_NOINLINE void structs_to_cells(const sb_plan *pl, sb_cell *cells, void *ret)
{
    for (unsigned i = 0; i < pl->nargs; i++) {
        const sb_slot *s = &pl->slots[i];
        if (!s->nwords)
            continue;
        const unsigned char *src = cells[s->store].p;
        for (unsigned k = 0; k < s->nwords; k++)
            memcpy(&cells[s->onstack ? s->regcell[0] + k : s->regcell[k]], src + 8 * k, 8);
    }
    if (pl->ret_mem)
        cells[0].p = ret;
}

/* A struct result in registers: its eightbytes from rax/rdx and xmm0/xmm1 in
 * class order, into its storage (which has room for both words). */
static SB_NOINLINE void struct_from_regs(const sb_plan *pl, const sb_regret *rr, void *dst)
{
    uint64_t words[2] = {0, 0}, ints[2] = {rr->rax, rr->rdx};
    double sses[2] = {rr->xmm0, rr->xmm1};
    unsigned ni = 0, nf = 0;
    for (unsigned k = 0; k < pl->ret_eb; k++) {
        if (pl->ret_cls[k] == SB_SYSV_INT)
            words[k] = ints[ni++];
        else
            memcpy(&words[k], &sses[nf++], 8);
    }
    memcpy(dst, words, 8u * pl->ret_eb);
}
#endif

/* Converts vals (one per Python parameter, NULL = not given), calls, builds the result. */
static SB_NOINLINE PyObject *run(sb_function *f, PyObject *const *vals, PyObject *const *extras, sb_cell *cells,
                                  void **avalues, sb_temp *temps)
{
    const sb_plan *pl = f->plan;
    const uint16_t nargs = pl->nargs;
    const sb_slot *slots = pl->slots;
    PyObject *result = NULL;
    uint64_t tempmask = 0; /* slots holding a temporary: bit i for slot i < 63, bit 63 for any later one */
    uint64_t lenset = 0;   /* [[len(n)]] lengths already given by a buffer */
    sb_cell r;
    for (unsigned i = 63; i < nargs; i++) { /* they share bit 63 of tempmask: each released, so each cleared */
        temps[i].obj = NULL;
        temps[i].view.obj = NULL;
    }
    /* Structs by value: argument values and the result live here (heap beyond). */
    _Alignas(16) unsigned char sstack[512];
    unsigned char *sheap = NULL, *sbuf = sstack;
    if (SB_UNLIKELY(pl->has_structs)) {
        size_t sneed = pl->struct_bytes;
        if (sneed > sizeof sstack && !(sbuf = sheap = PyMem_Malloc(sneed)))
            return PyErr_NoMemory();
        memset(sbuf, 0, sneed);
        for (unsigned i = 0; i < nargs; i++)
            if (SB_CV_IN_MEMORY(slots[i].conv))
                /* by value: the cell points at the value; [[out]]/[[inout]]: the out
                 * cell does, and the argument is that pointer */
                cells[(slots[i].flags & (SB_PARAM_OUT | SB_PARAM_INOUT)) ? slots[i].outcell : slots[i].store].p =
                    sbuf + slots[i].soff;
        r.p = sbuf + pl->ret_soff; /* the result's storage */
    }

    /* The general path: out/inout storage, contracts, [[free]], [[nogil]], libffi.
     * Two passes: values that may run Python code (__index__, __float__) first,
     * then pointers into Python objects, so no later conversion can resize or
     * free what an earlier pointer points into. */
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < nargs; i++) {
            const sb_slot *s = &slots[i];
            bool pointer_like = s->conv == SB_CV_PTR || s->conv == SB_CV_CSTR;
            if (pointer_like != (pass == 1))
                continue;
            sb_cell *cell = &cells[s->store];
            if (s->flags & SB_PARAM_OUT) {
                if (SB_CV_IN_MEMORY(s->conv)) { /* zeroed storage of the struct */
                    cell->p = cells[s->outcell].p;
                    continue;
                }
                cells[s->outcell].u = 0;
                cell->p = &cells[s->outcell];
                continue;
            }
            if (s->flags & (SB_PARAM_VARARGS | SB_PARAM_VARKW)) {
                cell->p = extras[(s->flags & SB_PARAM_VARKW) ? 1 : 0]; /* borrowed for the call */
                continue;
            }
            if (SB_UNLIKELY(s->flags & (SB_PARAM_BUFLEN | SB_PARAM_LENGTH))) {
                if (buffer_slot(f, vals, cells, temps, &tempmask, &lenset, i) < 0)
                    goto done;
                continue;
            }
            sb_cell *target = cell;
            sb_type vt = s->type;
            if (s->flags & SB_PARAM_INOUT) {
                target = &cells[s->outcell];
                if (SB_CV_IN_MEMORY(s->conv)) {
                    cell->p = target->p; /* the struct's storage; converted into below */
                } else {
                    target->u = 0;
                    cell->p = target;
                }
                vt.ptr--;
            }
            PyObject *v = vals[s->py];
            if (v) {
                if (SB_UNLIKELY(convert_arg(f, s, vt, v, target, &temps[i], &tempmask, i) < 0))
                    goto done;
            } else if (pl->py[s->py].def) {
                *target = f->defaults[s->py];
            } else {
                missing(f, (uint16_t)s->py);
                goto done;
            }
        }
    }

    if (!SB_CV_IN_MEMORY(pl->ret_conv))
        r.u = 0;
    int saved_errno = 0;
    const sb_sig *sig = pl->sig;
    {
        PyObject *outer = sb__current_module;
        if (f->cface)
            sb__current_module = f->module;
        /* Callbacks the C code runs on this thread find the GIL state here. */
        sb_callstate cs = {!(sig->flags & SB_SIG_NOGIL), NULL, {NULL, NULL, NULL}, {NULL, NULL, NULL}},
                     *outer_cs = sb__callstate;
        if (SB_UNLIKELY(f->constructs))
            SB_INST_STATE(vals[0]) = SB_INST_BUILT; /* the constructor runs */
        sb__callstate = &cs;
        if (sig->flags & SB_SIG_NOGIL)
            cs.saved = PyEval_SaveThread();
#if SB_HAVE_CALLREGS
        if (pl->fast == SB_FAST_REGS) {
            sb_regret rr;
            if (SB_UNLIKELY(pl->has_structs))
                structs_to_cells(pl, cells, r.p);
            pl->regcall(f->fn, (const uint64_t *)cells, &rr, pl->nstack);
            if (pl->ret_conv == SB_CV_DOUBLE || pl->ret_conv == SB_CV_FLOAT)
                memcpy(&r, &rr.xmm0, sizeof r);
            else if (pl->ret_conv != SB_CV_STRUCT)
                r.u = rr.rax;
            else if (!pl->ret_mem)
                struct_from_regs(pl, &rr, r.p);
        } else
#endif
        {
            for (unsigned i = 0; i < nargs; i++)
                avalues[i] = SB_CV_IN_MEMORY(slots[i].conv) && !(slots[i].flags & (SB_PARAM_OUT | SB_PARAM_INOUT))
                                 ? cells[slots[i].store].p
                                 : &cells[slots[i].store];
            if (SB_UNLIKELY(SB_CV_IN_MEMORY(pl->ret_conv)))
                ffi_call((ffi_cif *)&pl->cif, FFI_FN(f->fn), r.p, avalues); /* r.p: the result's storage */
            else
                ffi_call((ffi_cif *)&pl->cif, FFI_FN(f->fn), &r, avalues);
        }
        if (sig->contract.kind == SB_CONTRACT_ERRNO)
            saved_errno = errno; /* before anything else can touch it */
        if (cs.saved)
            PyEval_RestoreThread(cs.saved);
        sb__callstate = outer_cs;
        sb__current_module = outer;
        if (SB_UNLIKELY(cs.interrupt[0] || cs.raised[0])) {
            sb__call_restore_raised(&cs);
            cface_drop_result(f, &r);
            goto done;
        }
    }
    if (f->cface && SB_UNLIKELY(PyErr_Occurred())) {
        cface_drop_result(f, &r);
        goto done;
    }

    if (sig->contract.kind && contract_failed(pl, &r)) {
        if (sig->contract.kind == SB_CONTRACT_ERRNO) {
            errno = saved_errno;
            PyErr_SetFromErrno(PyExc_OSError);
        } else {
            raise_status(f, &r);
        }
        goto done;
    }
    /* A handle type's release function succeeded: its handle is dead. */
    if (SB_UNLIKELY(f->releases) && nargs && slots[0].py >= 0 && release_succeeded(pl, &r))
        f->state->kinds->pointer_released(f->state, vals[slots[0].py]);
    /* A status code says only "success" once checked: it is not returned. */
    bool has_value = sig->contract.kind != SB_CONTRACT_STATUS && pl->ret_conv != SB_CV_VOID;
    PyObject *value;
    if (!has_value) {
        Py_INCREF(Py_None);
        value = Py_None;
    } else if (SB_UNLIKELY(sig->flags & SB_SIG_RETLEN)) {
        /* A pointer to n items: copied out (bytes, or a typed memoryview), then freed if [[free]]. */
        const sb_slot *ls = &slots[sig->ret_len - 1];
        sb_type lt = ls->type;
        const sb_cell *lc = &cells[ls->store];
        if (ls->flags & SB_PARAM_OUT) {
            lt.ptr--;
            lc = &cells[ls->outcell];
        }
        uint64_t count;
        if (sb__cell_count(lc, lt, &count) < 0) {
            PyErr_Format(PyExc_ValueError, "%s() returned a negative length '%s'", fname(f),
                         sig->params[sig->ret_len - 1].name);
            value = NULL;
        } else {
            value = sb__buffer_result(r.p, count, sig->ret, fname(f));
        }
        if ((sig->flags & SB_SIG_FREE) && r.p)
            sb__function_free_fn(f)(r.p);
    } else if (pl->ret_conv == SB_CV_PTR && (sig->flags & SB_SIG_FREE) && r.p) {
        /* The Pointer owns the memory and frees it when it dies. */
        value = f->state->kinds->pointer_new(f->state, r.p, sig->ret, NULL);
        if (value)
            ((sb_pointer *)value)->release = sb__function_free_fn(f);
        else
            sb__function_free_fn(f)(r.p);
    } else {
        value = convert_result(f, pl, &r);
        if ((sig->flags & SB_SIG_FREE) && r.p)
            sb__function_free_fn(f)(r.p); /* text was copied into the str */
    }
    if (SB_UNLIKELY(sig->ret.named) && value && value != Py_None && f->adopt)
        value = f->adopt(f->library, sig->ret, value, !(sig->flags & SB_SIG_BORROWED));
    if (!value || pl->nout == 0) {
        result = value;
        goto done;
    }
    Py_ssize_t nres = pl->nout + (has_value ? 1 : 0);
    PyObject *tuple = NULL;
    if (nres > 1 && !(tuple = PyTuple_New(nres))) {
        Py_DECREF(value);
        goto done;
    }
    if (has_value)
        PyTuple_SetItem(tuple, 0, value); /* steals */
    else
        Py_DECREF(value);
    Py_ssize_t at = has_value ? 1 : 0;
    for (unsigned i = 0; i < nargs; i++) {
        const sb_slot *s = &slots[i];
        if (!(s->flags & (SB_PARAM_OUT | SB_PARAM_INOUT)) || sig->ret_len == i + 1)
            continue;
        sb_type pt = s->type;
        pt.ptr--;
        PyObject *o = sb__type_is_fnptr(pt) ? fnptr_result(f, pt, cells[s->outcell].p)
                                            : sb__from_c(f->state, s->conv, pt, &cells[s->outcell]);
        if (SB_UNLIKELY(pt.named) && o && o != Py_None && f->adopt && !sb__type_is_fnptr(pt))
            o = f->adopt(f->library, pt, o, true);
        if (!o) {
            Py_XDECREF(tuple);
            goto done;
        }
        if (!tuple) {
            result = o;
            goto done;
        }
        PyTuple_SetItem(tuple, at++, o);
    }
    result = tuple;

done:
    PyMem_Free(sheap);
    if (SB_UNLIKELY(tempmask)) {
        for (unsigned i = 0; i < nargs && (i >= 63 || tempmask >> i); i++)
            if (tempmask & SB_TEMP_BIT(i))
                sb__temp_release(&temps[i]); /* slots from 63 on were cleared on entry */
    }
    return result;
}

static SB_NOINLINE PyObject *call_variadic(sb_function *f, PyObject *const *pos, Py_ssize_t npos, PyObject *kwnames,
                                           PyObject *kwdict);

/* Binds positional and keyword arguments to parameters, then runs. kwnames +
 * kwvals (vectorcall style) or kwdict (dict style) give the keywords. */
static SB_NOINLINE PyObject *invoke(sb_function *f, PyObject *const *pos, Py_ssize_t npos, PyObject *kwnames,
                                    PyObject *const *kwvals, PyObject *kwdict)
{
    const sb_plan *pl = f->plan;
    if (SB_UNLIKELY(npos > pl->npositional) && (pl->sig->flags & SB_SIG_VARIADIC))
        return call_variadic(f, pos, npos, kwnames, kwdict);
    sb_cell cells[SB_CALL_CELLS + SB_STACK_ARGS];
    void *avalues[SB_STACK_ARGS];
    sb_temp temps[SB_STACK_ARGS];
    PyObject *stackvals[SB_STACK_ARGS];
    PyObject *extras[2] = {NULL, NULL}; /* *args tuple, **kwargs dict (owned) */
    const bool variadic = pl->varargs_slot >= 0 || pl->varkw_slot >= 0;

    if (SB_UNLIKELY(npos > pl->npositional) && pl->varargs_slot < 0) {
        too_many(f, npos);
        return NULL;
    }
    /* All parameters given positionally: run on the caller's array. */
    const bool fits = pl->nargs <= SB_STACK_ARGS && pl->ncells <= SB_CALL_CELLS + SB_STACK_ARGS - 1;
    if (npos == pl->npy && !kwnames && !kwdict && fits && !variadic)
        return run(f, pos, extras, cells, avalues, temps);

    void *heap = NULL;
    sb_cell *hc = cells;
    void **ha = avalues;
    sb_temp *ht = temps;
    PyObject **vals = stackvals;
    if (!fits || pl->npy > SB_STACK_ARGS) {
        size_t sz = sizeof(sb_cell) * (pl->ncells + 1u) + sizeof(void *) * pl->nargs +
                    sizeof(sb_temp) * pl->nargs + sizeof(PyObject *) * (pl->npy + 1u);
        if (!(heap = PyMem_Malloc(sz)))
            return PyErr_NoMemory();
        hc = heap;
        ha = (void **)(hc + pl->ncells + 1);
        ht = (sb_temp *)(ha + pl->nargs);
        vals = (PyObject **)(ht + pl->nargs);
    }
    PyObject *result = NULL, *kwcopy = NULL;
    Py_ssize_t nbound = npos < pl->npositional ? npos : pl->npositional;
    Py_ssize_t k = 0;
    for (; k < nbound; k++)
        vals[k] = pos[k];
    for (; k < pl->npy; k++)
        vals[k] = NULL;
    if (pl->varargs_slot >= 0) {
        if (!(extras[0] = PyTuple_New(npos - nbound)))
            goto done;
        for (Py_ssize_t j = nbound; j < npos; j++) {
            Py_INCREF(pos[j]);
            PyTuple_SetItem(extras[0], j - nbound, pos[j]);
        }
    }
    if (pl->varkw_slot >= 0 && !(extras[1] = PyDict_New()))
        goto done;
    if (kwnames) {
        Py_ssize_t nkw = PyTuple_Size(kwnames);
        for (Py_ssize_t j = 0; j < nkw; j++)
            if (bind_keyword(f, vals, extras[1], PyTuple_GetItem(kwnames, j), kwvals[j]) < 0)
                goto done;
    } else if (kwdict) {
        /* Our own copy: the values stay alive even if conversion code (an
         * __index__, say) empties the caller's dict. */
        if (!(kwcopy = PyDict_Copy(kwdict)))
            goto done;
        Py_ssize_t it = 0;
        PyObject *key, *value;
        while (PyDict_Next(kwcopy, &it, &key, &value))
            if (bind_keyword(f, vals, extras[1], key, value) < 0)
                goto done;
    }
    result = run(f, vals, extras, hc, ha, ht);
done:
    Py_XDECREF(kwcopy);
    Py_XDECREF(extras[0]);
    Py_XDECREF(extras[1]);
    if (heap)
        PyMem_Free(heap);
    return result;
}

/* A call of a variadic function with arguments for '...': through the plan
 * made for those arguments' types (variadic.c). */
static SB_NOINLINE PyObject *call_variadic(sb_function *f, PyObject *const *pos, Py_ssize_t npos, PyObject *kwnames,
                                           PyObject *kwdict)
{
    PyObject *kwname = NULL; /* borrowed: any keyword is an error here */
    if (kwnames && PyTuple_Size(kwnames))
        kwname = PyTuple_GetItem(kwnames, 0);
    else if (kwdict && PyDict_Size(kwdict)) {
        Py_ssize_t it = 0;
        PyObject *value;
        PyDict_Next(kwdict, &it, &kwname, &value);
    }
    PyObject *stack[SB_STACK_ARGS];
    PyObject **args = stack;
    if (npos > SB_STACK_ARGS && !(args = PyMem_Malloc(sizeof(PyObject *) * (size_t)npos)))
        return PyErr_NoMemory();
    PyObject *result = NULL;
    sb_function *call = sb__variadic_prepare(f, pos, npos, kwname, args);
    if (call) {
        result = invoke(call, args, npos, NULL, NULL, NULL);
        Py_DECREF(call);
    }
    if (args != stack)
        PyMem_Free(args);
    return result;
}

PyObject *sb__call_fast(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    sb_function *f = (sb_function *)self;
    if (SB_UNLIKELY(f->kern_pending)) { /* the first call: the kernel made, then its entry */
        if (sb__function_kernel(f) < 0)
            return NULL;
        if (f->def.ml_meth != (PyCFunction)(void (*)(void))sb__call_fast)
            return ((sb_fastcallfn)(void (*)(void))f->def.ml_meth)(self, args, nargs, kwnames);
    }
    if (SB_LIKELY(!kwnames && SB_SIMPLE(f->plan, nargs)))
        return run_fast(f, args, nargs);
    if (SB_BINDS_FAST(f->plan))
        return bind_fast(f, args, nargs, kwnames);
    return invoke((sb_function *)self, args, nargs, kwnames && PyTuple_Size(kwnames) ? kwnames : NULL, args + nargs,
                  NULL);
}

PyObject *sb__call_varargs(PyObject *self, PyObject *args, PyObject *kwargs)
{
    sb_function *f = (sb_function *)self;
    Py_ssize_t n = PyTuple_Size(args);
    if (n > f->plan->npositional && f->plan->varargs_slot < 0 && !(f->plan->sig->flags & SB_SIG_VARIADIC)) {
        too_many(f, n);
        return NULL;
    }
    PyObject *stack[SB_STACK_ARGS];
    PyObject **items = stack;
    if (n > SB_STACK_ARGS && !(items = PyMem_Malloc(sizeof(PyObject *) * (size_t)n)))
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++)
        items[i] = PyTuple_GetItem(args, i);
    bool nokw = !kwargs || PyDict_Size(kwargs) == 0;
    PyObject *r = nokw && SB_SIMPLE(f->plan, n) ? run_fast(f, items, n) : invoke(f, items, n, NULL, NULL, nokw ? NULL : kwargs);
    if (items != stack)
        PyMem_Free(items);
    return r;
}

PyObject *sb__call_o(PyObject *self, PyObject *arg)
{
    sb_function *f = (sb_function *)self;
    if (SB_LIKELY(SB_SIMPLE(f->plan, 1)))
        return run_fast(f, &arg, 1);
    return invoke(f, &arg, 1, NULL, NULL, NULL);
}

PyObject *sb__call_noargs(PyObject *self, PyObject *unused)
{
    (void)unused;
    sb_function *f = (sb_function *)self;
    if (SB_LIKELY(SB_SIMPLE(f->plan, 0)))
        return run_fast(f, NULL, 0);
    return invoke(f, NULL, 0, NULL, NULL, NULL);
}
