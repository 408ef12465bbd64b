/* function.c — the Function object: holds a plan and its C function, and makes the PyCFunction users call. */
#include "runtime/runtime.h"

#include <stdlib.h>
#include <string.h>

/* The calling convention of a bound function for this plan on this version:
 * METH_FASTCALL | METH_KEYWORDS (every version from 3.7: compat.c; an
 * exactly-typed shape kernel when the plan has one), else METH_NOARGS / METH_O where the arity
 * allows (no argument tuple is built for those) and METH_VARARGS |
 * METH_KEYWORDS otherwise. METH_O is only right for a single positional-only
 * required parameter: it rejects keywords. */
static void choose_entry(const sb_plan *plan, bool cface, const sb_kcheck *check, PyMethodDef *def)
{
    int fast = sb__compat_function_flags(); /* METH_FASTCALL | METH_KEYWORDS, or METH_VARARGS | ... */
    if (!(fast & METH_VARARGS)) {
        PyCFunction kernel = sb__shape_kernel(plan, cface, check);
        def->ml_meth = kernel ? kernel : (PyCFunction)(void (*)(void))sb__call_fast;
        def->ml_flags = fast;
    } else if (plan->npy == 0 && plan->varargs_slot < 0 && plan->varkw_slot < 0 &&
               !(plan->sig->flags & SB_SIG_VARIADIC)) {
        def->ml_meth = sb__call_noargs;
        def->ml_flags = METH_NOARGS;
    } else if (plan->npy == 1 && plan->nposonly == 1 && plan->nrequired == 1 && plan->varargs_slot < 0 &&
               plan->varkw_slot < 0 && !(plan->sig->flags & SB_SIG_VARIADIC)) {
        def->ml_meth = sb__call_o;
        def->ml_flags = METH_O;
    } else {
        def->ml_meth = (PyCFunction)(void (*)(void))sb__call_varargs;
        def->ml_flags = METH_VARARGS | METH_KEYWORDS;
    }
}

sb_function *sb__function_make(PyObject *module, PyObject *lib, sb_plan *plan, void (*fn)(void),
                               const sb_fnextra *extra)
{
    sb_state *st = sb__state(module);
    if ((plan->sig->flags & SB_SIG_VARIADIC) && extra->cface) {
        /* The C face calls its own functions: a C function of its module would
         * take the extra Python arguments as a tuple instead. */
        sb_error err = {(size_t)-1, "a module function cannot be variadic ('...'); take *args (a tuple) instead"};
        sb__raise_sigerror(st, plan->sig->text, strlen(plan->sig->text), &err, NULL);
        sb__plan_free(plan);
        return NULL;
    }
    sb_function *f = (sb_function *)PyType_GenericAlloc((PyTypeObject *)st->FunctionType, 0);
    if (!f) {
        sb__plan_free(plan);
        return NULL;
    }
    f->plan = plan;
    f->fn = fn;
    f->cface = extra->cface;
    Py_INCREF(module);
    f->module = module;
    f->state = st;
    Py_XINCREF(lib);
    f->library = lib;
    f->adopt = lib ? extra->adopt : NULL;
    void (*own_free)(void *) = extra->free_fn != free ? extra->free_fn : NULL; /* NULL: free() */
    if (extra->status_msg || own_free) { /* the two hooks few functions have live in f->more */
        if (!sb__function_more(f)) {
            Py_DECREF(f);
            return NULL;
        }
        f->more->status_msg = extra->status_msg;
        f->more->free_fn = own_free;
    }
    bool has_defaults = false; /* the defaults' cells only when there are some */
    for (uint16_t k = 0; k < plan->npy; k++)
        has_defaults |= plan->py[k].def != NULL;
    f->defaults = has_defaults ? PyMem_Calloc(plan->npy, sizeof(sb_cell)) : NULL;
    if (has_defaults && !f->defaults) {
        PyErr_NoMemory();
        Py_DECREF(f);
        return NULL;
    }
    for (uint16_t k = 0; k < plan->npy; k++) {
        const sb_slot *s = &plan->slots[plan->py[k].slot];
        if (plan->py[k].def)
            sb__default_cell(plan->py[k].def, s->conv, &f->defaults[k]);
    }
    f->def.ml_name = plan->sig->name;
    f->def.ml_doc = plan->doc;
    if (extra->doc) {
        /* "name(sig)\n--\n\n<doc>\n\nC: <prototype>" */
        size_t n1 = strlen(plan->doc), n2 = strlen(extra->doc);
        const char *proto = strstr(plan->doc, "\n--\n\n");
        size_t head = proto ? (size_t)(proto - plan->doc) + 5 : 0;
        char *doc = PyMem_Malloc(n1 + n2 + 8);
        if (!doc) {
            PyErr_NoMemory();
            Py_DECREF(f);
            return NULL;
        }
        memcpy(doc, plan->doc, head);
        memcpy(doc + head, extra->doc, n2);
        memcpy(doc + head + n2, "\n\nC: ", 5);
        memcpy(doc + head + n2 + 5, plan->doc + head, n1 - head + 1);
        f->def.ml_doc = doc;
        f->own_doc = true;
    }
    choose_entry(plan, f->cface, NULL, &f->def);
    /* The plan's kernel is made by the first call that reaches sb__call_fast or a shape kernel's
     * hand-over (sb__function_kernel): what it decides is the same then as now, and the many
     * functions a header binds but a program never calls keep no kernel. */
    f->kern_pending = !f->cface && plan->fast == SB_FAST_REGS && !(sb__compat_function_flags() & METH_VARARGS);
    return f;
}

int sb__function_kernel(sb_function *f)
{
    f->kern_pending = false;
    int kr = sb__kernel_prepare(f);
    if (kr <= 0)
        return kr;
    /* The entry the kernel allows: a shape kernel (a contract's _checked flavour) or the kernel's own
     * entry where the general one was; the calling convention (ml_flags) stays what the
     * PyCFunction was made with. */
    PyMethodDef d = f->def;
    choose_entry(f->plan, f->cface, SB_KCHECK(f)->on ? SB_KCHECK(f) : NULL, &d);
    if (d.ml_meth == (PyCFunction)(void (*)(void))sb__call_fast)
        d.ml_meth = (PyCFunction)(void (*)(void))sb__kernel_entry(f);
    if (d.ml_flags == f->def.ml_flags)
        f->def.ml_meth = d.ml_meth;
    return 0;
}

void sb__function_releases(sb_function *f)
{
    f->releases = true;
    f->plan->simple = false;
    f->kern_pending = false; /* no kernel from now on (kernels.c would make none either) */
    if (!(f->def.ml_flags & METH_VARARGS) && f->def.ml_flags == sb__compat_function_flags()) /* fast call */
        f->def.ml_meth = (PyCFunction)(void (*)(void))sb__call_fast;
}

sb_fnmore *sb__function_more(sb_function *f)
{
    if (!f->more && !(f->more = PyMem_Calloc(1, sizeof *f->more)))
        PyErr_NoMemory();
    return f->more;
}

PyObject *sb__function_names(sb_function *f)
{
    if (f->names)
        return f->names;
    const sb_plan *plan = f->plan;
    PyObject *names = PyTuple_New(plan->npy);
    if (!names)
        return NULL;
    for (uint16_t k = 0; k < plan->npy; k++) {
        PyObject *name = PyUnicode_InternFromString(plan->py[k].name);
        if (!name) {
            Py_DECREF(names);
            return NULL;
        }
        PyTuple_SetItem(names, k, name);
    }
    f->names = names;
    return names;
}

PyObject *sb__function_new(PyObject *module, PyObject *lib, sb_plan *plan, void (*fn)(void), const sb_fnextra *extra)
{
    sb_function *f = sb__function_make(module, lib, plan, fn, extra);
    if (!f)
        return NULL;
    PyObject *callable = PyCFunction_NewEx(&f->def, (PyObject *)f, extra->modname);
    Py_DECREF(f); /* the callable holds it */
    return callable;
}

PyObject *sb__function_at(sb_state *st, sb_type ftype, void *addr, const char *name, PyObject *keep, PyObject *lib,
                          PyObject *(*adopt)(PyObject *library, sb_type type, PyObject *value, bool owned))
{
    if (!addr) {
        Py_INCREF(Py_None);
        return Py_None;
    }
    const sb_sig *fsig = ftype.named->user;
    if ((uintptr_t)addr < 4096u) {
        PyErr_Format(PyExc_ValueError, "%s: %p is not a function's address (it is in the NULL page)", ftype.named->name,
                     addr);
        return NULL;
    }
    if (!st->module) {
        PyErr_SetString(PyExc_SystemError, "sigbind: a module state without its module");
        return NULL;
    }
    sb_error err;
    sb_sig *sig = sb__sig_copy(fsig, name, &err);
    sb_plan *plan = sig ? sb__plan_new(sig, &err) : NULL;
    if (!plan) {
        sb__raise_sigerror(st, ftype.named->name, strlen(ftype.named->name), &err, NULL);
        return NULL;
    }
    sb_fnextra extra;
    memset(&extra, 0, sizeof extra);
    extra.adopt = adopt;
    sb_function *f = sb__function_make(st->module, lib, plan, (void (*)(void))(uintptr_t)addr, &extra);
    if (!f)
        return NULL;
    if (keep) {
        if (!sb__function_more(f)) {
            Py_DECREF(f);
            return NULL;
        }
        Py_INCREF(keep);
        f->more->keep = keep;
    }
    PyObject *callable = PyCFunction_NewEx(&f->def, (PyObject *)f, NULL);
    Py_DECREF(f); /* the callable holds it */
    return callable;
}

static PyObject *function_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)type, (void)args, (void)kwds;
    PyErr_SetString(PyExc_TypeError, "sigbind.Function objects are made by Library.bind()");
    return NULL;
}

static int function_traverse(PyObject *self, visitproc visit, void *arg)
{
    sb_function *f = (sb_function *)self;
    Py_VISIT(f->module);
    Py_VISIT(f->library);
    if (f->more)
        Py_VISIT(f->more->keep);
    int r = sb__varcache_traverse(f, visit, arg);
    if (r)
        return r;
    return sb__compat_visit_type(self, visit, arg);
}

static int function_clear(PyObject *self)
{
    sb_function *f = (sb_function *)self;
    sb__varcache_clear(f);
    Py_CLEAR(f->library);
    if (f->more)
        Py_CLEAR(f->more->keep);
    Py_CLEAR(f->module);
    return 0;
}

static void function_dealloc(PyObject *self)
{
    sb_function *f = (sb_function *)self;
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    function_clear(self);
    Py_CLEAR(f->names);
    PyMem_Free(f->defaults);
    if (f->own_doc)
        PyMem_Free((void *)(uintptr_t)f->def.ml_doc);
    if (f->more && f->more->closure)
        ffi_closure_free(f->more->closure);
    PyMem_Free(f->more); /* its references dropped by function_clear */
    sb__kernel_free(f);
    sb__tramp_release(f->tramp);
    sb__plan_free(f->plan);
    freefunc tfree = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tfree(self);
    sb__compat_dealloc_type(tp);
}

static PyObject *function_repr(PyObject *self)
{
    sb_function *f = (sb_function *)self;
    return PyUnicode_FromFormat("<sigbind.Function %s at %p>", f->plan->sig->text, (void *)f->fn);
}

static PyObject *get_signature(PyObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(((sb_function *)self)->plan->sig->text);
}

static PyObject *get_address(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromVoidPtr((void *)(uintptr_t)((sb_function *)self)->fn);
}

static PyObject *get_name(PyObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(((sb_function *)self)->plan->sig->name);
}

static PyObject *get_library(PyObject *self, void *c)
{
    (void)c;
    PyObject *lib = ((sb_function *)self)->library;
    lib = lib ? lib : Py_None;
    Py_INCREF(lib);
    return lib;
}

static PyObject *get_variadic_cache_size(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromSsize_t(sb__varcache_size((sb_function *)self));
}

static PyGetSetDef function_getset[] = {
    {"signature", get_signature, NULL, "The normalized C prototype.", NULL},
    {"address", get_address, NULL, "The C function's address.", NULL},
    {"name", get_name, NULL, "The C function's name.", NULL},
    {"library", get_library, NULL, "The Library it was bound from, or None.", NULL},
    {"variadic_cache_size", get_variadic_cache_size, NULL,
     "Variadic functions: how many lists of extra-argument types have a prepared call (at most 32).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot function_slots[] = {
    {Py_tp_doc, (void *)"The plan behind a bound C function: the `__self__` of every function sigbind binds."},
    {Py_tp_new, (void *)function_new},
    {Py_tp_dealloc, (void *)function_dealloc},
    {Py_tp_traverse, (void *)function_traverse},
    {Py_tp_clear, (void *)function_clear},
    {Py_tp_repr, (void *)function_repr},
    {Py_tp_getset, (void *)function_getset},
    {0, NULL},
};

PyType_Spec sb__function_spec = {
    "sigbind.Function", sizeof(sb_function), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, function_slots,
};
