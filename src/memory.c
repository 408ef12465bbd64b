/* memory.c — the Pointer object: a C address with its pointer type; int(), ==, hash, bool, repr. */
#include "pyinternal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

PyObject *sb__pointer_new(sb_state *st, void *addr, sb_type type, PyObject *owner)
{
    sb_pointer *p = (sb_pointer *)PyType_GenericAlloc((PyTypeObject *)st->PointerType, 0);
    if (!p)
        return NULL;
    p->addr = addr;
    p->type = type;
    Py_XINCREF(owner);
    p->owner = owner;
    return (PyObject *)p;
}

static PyObject *pointer_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"address", "type", NULL};
    PyObject *addr;
    const char *tname = "void *";
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|s:Pointer", kwlist, &addr, &tname))
        return NULL;
    sb_type t;
    sb_error err;
    if (sb__type_parse(tname, strlen(tname), &t, &err) < 0) {
        PyErr_Format(PyExc_ValueError, "Pointer(): invalid type '%s': %s", tname, err.msg);
        return NULL;
    }
    if (!t.ptr) {
        PyErr_Format(PyExc_ValueError, "Pointer(): type must be a pointer type, not '%s'", tname);
        return NULL;
    }
    int overflow = 0;
    if (PyBool_Check(addr))
        addr = Py_None; /* an address is an int, not a bool: rejected below */
    long long v = PyLong_Check(addr) ? PyLong_AsLongLongAndOverflow(addr, &overflow) : -1;
    void *a = (void *)(uintptr_t)v;
    if (PyLong_Check(addr) && overflow > 0)
        a = PyLong_AsVoidPtr(addr);
    if (!PyLong_Check(addr) || overflow < 0 || (!overflow && v < 0) || (overflow > 0 && !a)) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "Pointer() address must be an int in 0..%zu, not %R", (size_t)-1, addr);
        return NULL;
    }
    sb_pointer *p = (sb_pointer *)PyType_GenericAlloc(type, 0);
    if (!p)
        return NULL;
    p->addr = a;
    p->type = t;
    return (PyObject *)p;
}

void sb__pointer_released(sb_state *st, PyObject *obj)
{
    if (obj && Py_TYPE(obj) == (PyTypeObject *)st->PointerType) {
        sb_pointer *p = (sb_pointer *)obj;
        p->released = true;
        Py_CLEAR(p->releaser);
    }
}

/* Calls a typed handle's release function (one pointer argument) on it,
 * straight through its plan: no Python call from a dying object. */
static void release_handle(sb_pointer *p)
{
    sb_function *rf = (sb_function *)PyCFunction_GetSelf(p->releaser);
    if (!rf || rf->plan->nargs != 1) {
        PyErr_Clear();
        return;
    }
    sb_cell ret, arg;
    arg.p = p->addr;
    void *avalues[1] = {&arg};
    ret.u = 0;
    ffi_call(&rf->plan->cif, FFI_FN(rf->fn), &ret, avalues);
}

static void pointer_dealloc(PyObject *self)
{
    sb_pointer *p = (sb_pointer *)self;
    PyTypeObject *tp = Py_TYPE(self);
    if (p->release && p->addr)
        p->release(p->addr);
    if (p->releaser && p->addr && !p->released)
        release_handle(p);
    Py_CLEAR(p->releaser);
    Py_CLEAR(p->owner);
    freefunc tfree = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tfree(self);
    sb__compat_dealloc_type(tp);
}

static PyObject *pointer_repr(PyObject *self)
{
    sb_pointer *p = (sb_pointer *)self;
    char tn[64];
    sb__type_format(p->type, tn, sizeof tn);
    char addr[32];
    snprintf(addr, sizeof addr, "0x%" PRIxPTR, (uintptr_t)p->addr);
    if (p->released)
        return PyUnicode_FromFormat("<sigbind.Pointer (%s) %s, released>", tn, addr);
    return PyUnicode_FromFormat("<sigbind.Pointer (%s) %s>", tn, addr);
}

static PyObject *pointer_int(PyObject *self)
{
    return PyLong_FromVoidPtr(((sb_pointer *)self)->addr);
}

static int pointer_bool(PyObject *self)
{
    return ((sb_pointer *)self)->addr != NULL;
}

static Py_hash_t pointer_hash(PyObject *self)
{
    PyObject *i = pointer_int(self);
    if (!i)
        return -1;
    Py_hash_t h = PyObject_Hash(i);
    Py_DECREF(i);
    return h;
}

static PyObject *pointer_richcompare(PyObject *a, PyObject *b, int op)
{
    if (Py_TYPE(a) != Py_TYPE(b) || (op != Py_EQ && op != Py_NE)) {
        Py_INCREF(Py_NotImplemented);
        return Py_NotImplemented;
    }
    int eq = ((sb_pointer *)a)->addr == ((sb_pointer *)b)->addr;
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static PyObject *get_address(PyObject *self, void *c)
{
    (void)c;
    return pointer_int(self);
}

static PyObject *get_type(PyObject *self, void *c)
{
    (void)c;
    char tn[64];
    sb__type_format(((sb_pointer *)self)->type, tn, sizeof tn);
    return PyUnicode_FromString(tn);
}

static PyGetSetDef pointer_getset[] = {
    {"address", get_address, NULL, "The address, as an int.", NULL},
    {"type", get_type, NULL, "The pointer's C type, e.g. 'int *'.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot pointer_slots[] = {
    {Py_tp_doc, (void *)"Pointer(address, type='void *')\n--\n\nA C address and its pointer type. NULL is never made "
                        "into a Pointer: C functions returning NULL give None."},
    {Py_tp_new, (void *)pointer_new},
    {Py_tp_dealloc, (void *)pointer_dealloc},
    {Py_tp_repr, (void *)pointer_repr},
    {Py_tp_hash, (void *)pointer_hash},
    {Py_tp_richcompare, (void *)pointer_richcompare},
    {Py_tp_getset, (void *)pointer_getset},
    {Py_nb_int, (void *)pointer_int},
    {Py_nb_index, (void *)pointer_int},
    {Py_nb_bool, (void *)pointer_bool},
    {0, NULL},
};

PyType_Spec sb__pointer_spec = {
    "sigbind.Pointer", sizeof(sb_pointer), 0, Py_TPFLAGS_DEFAULT, pointer_slots,
};
