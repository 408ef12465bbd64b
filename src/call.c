/* call.c — the call path: bind Python arguments to a plan, convert, call (register stub or ffi_call), check the error contract, build the result. */
#include "pyinternal.h"

#include <errno.h>
#include <string.h>

/* Per-call storage; on the C stack for up to SB_STACK_ARGS C arguments. */
typedef struct frame {
    sb_cell cells[SB_REG_CELLS + SB_STACK_ARGS];
    void *avalues[SB_STACK_ARGS];
    sb_temp temps[SB_STACK_ARGS];
    PyObject *vals[SB_STACK_ARGS];
} frame;

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
static int bind_keyword(const sb_function *f, PyObject **vals, PyObject *name, PyObject *value)
{
    const sb_plan *pl = f->plan;
    Py_ssize_t k = -1;
    for (uint16_t i = pl->nposonly; i < pl->npy; i++)
        if (PyTuple_GetItem(f->names, i) == name) {
            k = i;
            break;
        }
    if (k < 0) {
        if (!PyUnicode_Check(name)) {
            PyErr_Format(PyExc_TypeError, "%s() keywords must be strings", fname(f));
            return -1;
        }
        for (uint16_t i = 0; i < pl->npy; i++)
            if (PyUnicode_Compare(PyTuple_GetItem(f->names, i), name) == 0) {
                if (i < pl->nposonly) {
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
    sb_state *st = sb__state(f->module);
    const sb_plan *pl = f->plan;
    PyObject *status = sb__from_c(st, pl->ret_conv, pl->sig->ret, r);
    if (!status)
        return;
    const char *msg = NULL;
    if (f->status_msg)
        msg = f->status_msg((int)r->i);
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

static PyObject *invoke(sb_function *f, PyObject *const *pos, Py_ssize_t npos, PyObject *kwnames,
                        PyObject *const *kwvals, PyObject *kwdict)
{
    const sb_plan *pl = f->plan;
    const uint16_t nargs = pl->nargs;
    frame stackframe;
    frame *fr = &stackframe;
    sb_cell *cells = fr->cells;
    void **avalues = fr->avalues;
    sb_temp *temps = fr->temps;
    PyObject **vals = fr->vals;
    void *heap = NULL;
    PyObject *result = NULL;
    uint64_t tempmask = 0; /* slots holding a temporary (SB_MAX_ARGS <= 64) */

    if (SB_UNLIKELY(npos > pl->npositional)) {
        too_many(f, npos);
        return NULL;
    }
    if (SB_UNLIKELY(nargs > SB_STACK_ARGS)) {
        size_t sz = sizeof(sb_cell) * (pl->ncells + 1) + sizeof(void *) * nargs + sizeof(sb_temp) * nargs +
                    sizeof(PyObject *) * (pl->npy + 1);
        heap = PyMem_Malloc(sz);
        if (!heap)
            return PyErr_NoMemory();
        cells = heap;
        avalues = (void **)(cells + pl->ncells + 1);
        temps = (sb_temp *)(avalues + nargs);
        vals = (PyObject **)(temps + nargs);
    }

    /* 1. Python arguments -> vals[] by parameter. */
    Py_ssize_t k = 0;
    for (; k < npos; k++)
        vals[k] = pos[k];
    for (; k < pl->npy; k++)
        vals[k] = NULL;
    if (kwnames) {
        Py_ssize_t nkw = PyTuple_Size(kwnames);
        for (Py_ssize_t j = 0; j < nkw; j++)
            if (bind_keyword(f, vals, PyTuple_GetItem(kwnames, j), kwvals[j]) < 0)
                goto done;
    } else if (kwdict) {
        Py_ssize_t it = 0;
        PyObject *key, *value;
        while (PyDict_Next(kwdict, &it, &key, &value))
            if (bind_keyword(f, vals, key, value) < 0)
                goto done;
    }

    /* 2. Convert into the argument cells. */
    for (uint16_t i = 0; i < nargs; i++) {
        const sb_slot *s = &pl->slots[i];
        sb_cell *cell = &cells[s->store];
        if (s->flags & SB_PARAM_OUT) {
            cells[s->outcell].u = 0;
            cell->p = &cells[s->outcell];
            continue;
        }
        sb_cell *target = cell;
        sb_type vt = s->type;
        if (s->flags & SB_PARAM_INOUT) {
            target = &cells[s->outcell];
            target->u = 0;
            cell->p = target;
            vt.ptr--;
        }
        PyObject *v = vals[s->py];
        if (v) {
            sb_convctx cx = {f, s->py};
            sb_temp *tmp = &temps[i];
            if (s->conv == SB_CV_CSTR || s->conv == SB_CV_PTR) {
                tmp->obj = NULL;
                tmp->copyback = NULL;
                tmp->view.obj = NULL;
                tempmask |= (uint64_t)1 << i;
            }
            if (SB_UNLIKELY(sb__to_c(&cx, s->conv, vt, v, target, tmp) < 0))
                goto done;
        } else if (pl->py[s->py].def) {
            *target = f->defaults[s->py];
        } else {
            missing(f, (uint16_t)s->py);
            goto done;
        }
    }

    /* 3. Call. */
    sb_cell r;
    r.u = 0;
    int saved_errno = 0;
    {
        const sb_sig *sig = pl->sig;
        PyThreadState *ts = (sig->flags & SB_SIG_NOGIL) ? PyEval_SaveThread() : NULL;
#if SB_HAVE_CALLREGS
        if (SB_LIKELY(pl->fast == SB_FAST_REGS)) {
            sb_regret rr;
            sb__callregs(f->fn, (const uint64_t *)cells, &rr);
            if (pl->ret_conv == SB_CV_DOUBLE || pl->ret_conv == SB_CV_FLOAT)
                memcpy(&r, &rr.xmm0, sizeof r);
            else
                r.u = rr.rax;
        } else
#endif
        {
            for (uint16_t i = 0; i < nargs; i++)
                avalues[i] = &cells[pl->slots[i].store];
            ffi_call((ffi_cif *)&pl->cif, FFI_FN(f->fn), &r, avalues);
        }
        if (sig->contract.kind == SB_CONTRACT_ERRNO)
            saved_errno = errno;
        if (ts)
            PyEval_RestoreThread(ts);
    }

    /* 4. Error contract, result, out values. */
    const sb_sig *sig = pl->sig;
    sb_state *st = sb__state(f->module);
    if (sig->contract.kind && contract_failed(pl, &r)) {
        if (sig->contract.kind == SB_CONTRACT_ERRNO) {
            errno = saved_errno;
            PyErr_SetFromErrno(PyExc_OSError);
        } else {
            raise_status(f, &r);
        }
        goto done;
    }
    /* A status code says only "success" once checked: it is not returned. */
    bool has_value = sig->contract.kind != SB_CONTRACT_STATUS && pl->ret_conv != SB_CV_VOID;
    PyObject *value;
    if (!has_value) {
        Py_INCREF(Py_None);
        value = Py_None;
    } else if (pl->ret_conv == SB_CV_PTR && (sig->flags & SB_SIG_FREE) && r.p) {
        /* The Pointer owns the memory and frees it when it dies. */
        value = sb__pointer_new(st, r.p, sig->ret, NULL);
        if (value)
            ((sb_pointer *)value)->release = f->free_fn;
        else
            f->free_fn(r.p);
    } else {
        value = sb__from_c(st, pl->ret_conv, sig->ret, &r);
        if ((sig->flags & SB_SIG_FREE) && r.p)
            f->free_fn(r.p); /* text was copied into the str */
    }
    if (!value)
        goto done;
    if (pl->nout == 0) {
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
    for (uint16_t i = 0; i < nargs; i++) {
        const sb_slot *s = &pl->slots[i];
        if (!(s->flags & (SB_PARAM_OUT | SB_PARAM_INOUT)))
            continue;
        sb_type pt = s->type;
        pt.ptr--;
        PyObject *o = sb__from_c(st, s->conv, pt, &cells[s->outcell]);
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
    if (tempmask) {
        for (uint16_t i = 0; i < nargs && tempmask >> i; i++)
            if (tempmask & ((uint64_t)1 << i))
                sb__temp_release(&temps[i]);
    }
    if (heap)
        PyMem_Free(heap);
    return result;
}

PyObject *sb__call_fast(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    return invoke((sb_function *)self, args, nargs, kwnames && PyTuple_Size(kwnames) ? kwnames : NULL, args + nargs,
                  NULL);
}

PyObject *sb__call_varargs(PyObject *self, PyObject *args, PyObject *kwargs)
{
    sb_function *f = (sb_function *)self;
    Py_ssize_t n = PyTuple_Size(args);
    if (n > f->plan->npositional) {
        too_many(f, n);
        return NULL;
    }
    PyObject *stack[SB_STACK_ARGS];
    PyObject **items = stack;
    if (n > SB_STACK_ARGS && !(items = PyMem_Malloc(sizeof(PyObject *) * (size_t)n)))
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++)
        items[i] = PyTuple_GetItem(args, i);
    PyObject *r = invoke(f, items, n, NULL, NULL, kwargs && PyDict_Size(kwargs) ? kwargs : NULL);
    if (items != stack)
        PyMem_Free(items);
    return r;
}

PyObject *sb__call_o(PyObject *self, PyObject *arg)
{
    return invoke((sb_function *)self, &arg, 1, NULL, NULL, NULL);
}

PyObject *sb__call_noargs(PyObject *self, PyObject *unused)
{
    (void)unused;
    return invoke((sb_function *)self, NULL, 0, NULL, NULL, NULL);
}
