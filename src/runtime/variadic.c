/* variadic.c — calls of variadic C functions ('...'): the C types of the extra arguments, one cached call plan per type list, and sigbind.c(type, value). */
#include "runtime/runtime.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* sigbind.c(type, value): an argument for '...' with its C type        */

typedef struct sb_cvalue {
    PyObject_HEAD
    sb_type type;        /* as written */
    sb_type passed;      /* after C's default argument promotions */
    PyObject *value;     /* as given */
    PyObject *arg;       /* what a call converts as `passed` (the checked, promoted value for numbers) */
} sb_cvalue;

static PyObject *cvalue_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"type", "value", NULL};
    const char *tname;
    PyObject *value;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "sO:c", kwlist, &tname, &value))
        return NULL;
    sb_type t;
    sb_error err;
    if (sb__type_parse(tname, strlen(tname), &t, &err) < 0) {
        PyErr_Format(PyExc_ValueError, "c(): invalid type '%s': %s", tname, err.msg);
        return NULL;
    }
    sb_conv conv = sb__type_conv(t);
    if (conv == SB_CV_VOID) {
        PyErr_Format(PyExc_ValueError, "c(): an argument cannot have type '%s'", tname);
        return NULL;
    }
    PyObject *arg = NULL;
    sb_cell cell = {0};
    sb_temp tmp = {0};
    sb_convctx cx = {"c", "value", t, NULL, false, false};
    switch (conv) {
    case SB_CV_SINT:
    case SB_CV_UINT:
    case SB_CV_BOOL:
    case SB_CV_FLOAT:
    case SB_CV_DOUBLE:
        /* Checked against the declared type now; passed promoted. */
        if (sb__to_c(&cx, (uint8_t)conv, t, value, &cell, &tmp) < 0)
            return NULL;
        if (conv == SB_CV_SINT)
            arg = PyLong_FromLongLong(cell.i);
        else if (conv == SB_CV_UINT || conv == SB_CV_BOOL)
            arg = PyLong_FromUnsignedLongLong(cell.u);
        else
            arg = PyFloat_FromDouble(conv == SB_CV_FLOAT ? (double)cell.f : cell.d);
        if (!arg)
            return NULL;
        break;
    case SB_CV_CSTR: {
        int rc = sb__to_c(&cx, (uint8_t)conv, t, value, &cell, &tmp);
        sb__temp_release(&tmp);
        if (rc < 0)
            return NULL;
    }
        /* fallthrough */
    default:
        /* Pointers are converted by each call (a buffer's address may change). */
        Py_INCREF(value);
        arg = value;
        break;
    }
    sb_cvalue *cv = (sb_cvalue *)PyType_GenericAlloc(type, 0);
    if (!cv) {
        Py_DECREF(arg);
        return NULL;
    }
    cv->type = t;
    cv->passed = sb__type_promoted(t);
    Py_INCREF(value);
    cv->value = value;
    cv->arg = arg;
    return (PyObject *)cv;
}

static int cvalue_traverse(PyObject *self, visitproc visit, void *arg)
{
    sb_cvalue *cv = (sb_cvalue *)self;
    Py_VISIT(cv->value);
    Py_VISIT(cv->arg);
    return sb__compat_visit_type(self, visit, arg);
}

static int cvalue_clear(PyObject *self)
{
    sb_cvalue *cv = (sb_cvalue *)self;
    Py_CLEAR(cv->value);
    Py_CLEAR(cv->arg);
    return 0;
}

static void cvalue_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    cvalue_clear(self);
    freefunc tfree = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tfree(self);
    sb__compat_dealloc_type(tp);
}

static PyObject *get_type(PyObject *self, void *c)
{
    (void)c;
    char tn[64];
    sb__type_format(((sb_cvalue *)self)->type, tn, sizeof tn);
    return PyUnicode_FromString(tn);
}

static PyObject *get_value(PyObject *self, void *c)
{
    (void)c;
    PyObject *v = ((sb_cvalue *)self)->value;
    Py_INCREF(v);
    return v;
}

static PyObject *cvalue_repr(PyObject *self)
{
    sb_cvalue *cv = (sb_cvalue *)self;
    char tn[64];
    sb__type_format(cv->type, tn, sizeof tn);
    return PyUnicode_FromFormat("sigbind.c('%s', %R)", tn, cv->value);
}

static PyGetSetDef cvalue_getset[] = {
    {"type", get_type, NULL, "The C type, normalized ('unsigned long long').", NULL},
    {"value", get_value, NULL, "The value as given.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot cvalue_slots[] = {
    {Py_tp_doc, (void *)"c(type, value)\n--\n\nAn argument for a variadic function's '...' with an explicit C type: "
                        "printf('%llu', sigbind.c('unsigned long long', 2**64 - 1)). Numbers are range-checked "
                        "against the type when made; C's default argument promotions apply (float is passed as "
                        "double; bool, char and short as int)."},
    {Py_tp_new, (void *)cvalue_new},
    {Py_tp_dealloc, (void *)cvalue_dealloc},
    {Py_tp_traverse, (void *)cvalue_traverse},
    {Py_tp_clear, (void *)cvalue_clear},
    {Py_tp_repr, (void *)cvalue_repr},
    {Py_tp_getset, (void *)cvalue_getset},
    {0, NULL},
};

PyType_Spec sb__cvalue_spec = {
    "sigbind.c", sizeof(sb_cvalue), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, cvalue_slots,
};

/* ------------------------------------------------------------------ */
/* The extra arguments' C types, as ctypes chooses them                 */

static const sb_type T_INT = {SB_K_INT, 0, 0, NULL};
static const sb_type T_DOUBLE = {SB_K_DOUBLE, 0, 0, NULL};
static const sb_type T_TEXT = {SB_K_CHAR, 1, 1, NULL};      /* const char *: str (UTF-8) */
static const sb_type T_BYTES = {SB_K_VOID, 1, 1, NULL};     /* const void *: bytes as they are */
static const sb_type T_POINTER = {SB_K_VOID, 1, 0, NULL};   /* void *: None, a Pointer */

/* The type of extra argument v (argument number argno, 1-based, of all
 * positional ones) and the object to convert; -1 + exception. */
static int extra_type(const sb_function *f, PyObject *v, Py_ssize_t argno, sb_type *t, PyObject **arg)
{
    const char *fn = f->plan->sig->name;
    sb_state *st = f->state;
    *arg = v;
    if (st->CValueType && Py_TYPE(v) == (PyTypeObject *)st->CValueType) {
        *t = ((sb_cvalue *)v)->passed;
        *arg = ((sb_cvalue *)v)->arg;
        return 0;
    }
    if (PyLong_Check(v)) { /* bool too: an int */
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (x == -1 && !overflow && PyErr_Occurred())
            return -1;
        if (overflow || x < INT_MIN || x > INT_MAX) {
            const char *wider = "long long";
            if (overflow > 0) {
                unsigned long long u = PyLong_AsUnsignedLongLong(v);
                wider = u == (unsigned long long)-1 && PyErr_Occurred() ? NULL : "unsigned long long";
                PyErr_Clear();
            } else if (overflow < 0) {
                wider = NULL;
            }
            if (wider)
                PyErr_Format(PyExc_OverflowError,
                             "%s() argument %zd (for '...'): an int is passed as C int, and %R does not fit "
                             "(-2147483648..2147483647); give its type, e.g. sigbind.c(\"%s\", %R)",
                             fn, argno, v, wider, v);
            else
                PyErr_Format(PyExc_OverflowError,
                             "%s() argument %zd (for '...'): %R does not fit any C integer type", fn, argno, v);
            return -1;
        }
        *t = T_INT;
        return 0;
    }
    if (PyFloat_Check(v)) {
        *t = T_DOUBLE;
        return 0;
    }
    if (PyUnicode_Check(v)) {
        *t = T_TEXT;
        return 0;
    }
    if (PyBytes_Check(v)) {
        *t = T_BYTES;
        return 0;
    }
    if (v == Py_None || Py_TYPE(v) == (PyTypeObject *)st->PointerType) {
        *t = T_POINTER;
        return 0;
    }
    PyObject *tname = PyObject_GetAttrString((PyObject *)Py_TYPE(v), "__name__");
    if (!tname)
        return -1;
    PyErr_Format(PyExc_TypeError,
                 "%s() argument %zd (for '...') must be int, float, str, bytes, None, a sigbind.Pointer or "
                 "sigbind.c(type, value), not %U",
                 fn, argno, tname);
    Py_DECREF(tname);
    return -1;
}

/* ------------------------------------------------------------------ */
/* The cache: per Function, one call plan per list of extra types       */

#define SB_VARCACHE_MAX 32

typedef struct sb_varentry {
    uint16_t n;
    sb_type *types;      /* n (PyMem) */
    sb_function *fn;     /* strong: the Function of that call's plan */
} sb_varentry;

typedef struct sb_varcache {
    unsigned count;      /* entries in use */
    unsigned next;       /* the entry replaced when full (round robin) */
    sb_varentry e[SB_VARCACHE_MAX];
} sb_varcache;

static bool same_types(const sb_type *a, const sb_type *b, uint16_t n)
{
    for (uint16_t i = 0; i < n; i++)
        if (a[i].kind != b[i].kind || a[i].ptr != b[i].ptr || a[i].cconst != b[i].cconst || !sb__named_same(a[i].named, b[i].named))
            return false;
    return true;
}

static sb_function *cache_find(const sb_varcache *vc, const sb_type *types, uint16_t n)
{
    if (!vc)
        return NULL;
    for (unsigned i = 0; i < vc->count; i++)
        if (vc->e[i].n == n && same_types(vc->e[i].types, types, n))
            return vc->e[i].fn;
    return NULL;
}

sb_function *sb__variadic_prepare(sb_function *f, PyObject *const *pos, Py_ssize_t npos, PyObject *kwname,
                                  PyObject **args)
{
    const sb_plan *pl = f->plan;
    const char *fn = pl->sig->name;
    if (kwname) {
        PyErr_Format(PyExc_TypeError,
                     "%s() got keyword argument %R with arguments for '...': those are positional, and so are the "
                     "parameters before them",
                     fn, kwname);
        return NULL;
    }
    Py_ssize_t nfixed = pl->npy, nx = npos - nfixed;
    if ((Py_ssize_t)pl->nargs + nx > SB_MAX_ARGS) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %d C arguments (%zd given)", fn, SB_MAX_ARGS,
                     (Py_ssize_t)pl->nargs + nx);
        return NULL;
    }
    sb_type types[SB_MAX_ARGS];
    for (Py_ssize_t i = 0; i < nfixed; i++)
        args[i] = pos[i];
    for (Py_ssize_t j = 0; j < nx; j++)
        if (extra_type(f, pos[nfixed + j], nfixed + j + 1, &types[j], &args[nfixed + j]) < 0)
            return NULL;
    uint16_t n = (uint16_t)nx;

    /* Everything here runs with the GIL held. Allocations below may run the
     * garbage collector, and so other threads' Python code, which may fill the
     * cache meanwhile: it is searched again right before the entry goes in,
     * with no Python code in between. The caller holds its own reference for
     * the call, so an entry evicted during the call stays alive. */
    sb_function *hit = cache_find(f->more ? f->more->varcache : NULL, types, n);
    if (hit) {
        Py_INCREF(hit);
        return hit;
    }
    sb_error err;
    sb_plan *plan = sb__plan_variadic(pl, types, n, &err);
    if (!plan) {
        char what[96];
        snprintf(what, sizeof what, "%s() with these arguments for '...'", fn);
        sb__raise_sigerror(f->state, pl->sig->text, strlen(pl->sig->text), &err, what);
        return NULL;
    }
    sb_fnextra extra = {sb__function_status_msg(f), sb__function_free_fn(f), NULL, NULL, f->cface, f->adopt};
    sb_function *call = sb__function_make(f->module, f->library, plan, f->fn, &extra);
    if (!call)
        return NULL;
    call->releases = f->releases;
    sb_type *keep = PyMem_Malloc(sizeof(sb_type) * (n ? n : 1));
    if (keep && sb__function_more(f) && !f->more->varcache)
        f->more->varcache = PyMem_Calloc(1, sizeof(sb_varcache));
    if (!keep || !f->more || !f->more->varcache) { /* not cached; the call still works */
        PyMem_Free(keep);
        PyErr_Clear();
        return call;
    }
    memcpy(keep, types, sizeof(sb_type) * n);
    /* --- no Python code from here to the insertion --- */
    hit = cache_find(f->more->varcache, types, n);
    if (hit) {
        Py_INCREF(hit);
        Py_DECREF(call);
        PyMem_Free(keep);
        return hit;
    }
    sb_varcache *vc = f->more->varcache;
    unsigned at = vc->count < SB_VARCACHE_MAX ? vc->count++ : vc->next++ % SB_VARCACHE_MAX; /* bounded */
    sb_varentry old = vc->e[at];
    vc->e[at].n = n;
    vc->e[at].types = keep;
    vc->e[at].fn = call;
    Py_INCREF(call); /* the cache's */
    if (old.fn) {
        PyMem_Free(old.types);
        Py_DECREF(old.fn);
    }
    return call;
}

int sb__varcache_traverse(sb_function *f, visitproc visit, void *arg)
{
    sb_varcache *vc = f->more ? f->more->varcache : NULL;
    for (unsigned i = 0; vc && i < vc->count; i++)
        Py_VISIT((PyObject *)vc->e[i].fn);
    return 0;
}

void sb__varcache_clear(sb_function *f)
{
    sb_varcache *vc = f->more ? f->more->varcache : NULL;
    if (!vc)
        return;
    f->more->varcache = NULL;
    for (unsigned i = 0; i < vc->count; i++) {
        PyMem_Free(vc->e[i].types);
        Py_DECREF(vc->e[i].fn);
    }
    PyMem_Free(vc);
}

Py_ssize_t sb__varcache_size(const sb_function *f)
{
    return f->more && f->more->varcache ? (Py_ssize_t)f->more->varcache->count : 0;
}
