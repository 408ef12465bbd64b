/* bench/slots_hand.c: the reference for bench/slots.py: tests/cface/cface_slots.c's Vec and VecIter written by hand in limited-API C (abi3, 3.7+). */
#define Py_LIMITED_API 0x03070000
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

typedef struct {
    PyObject_HEAD
    long long n;
    long long items[16];
} Vec;

typedef struct {
    PyObject_HEAD
    PyObject *vec;
    long long i;
} VecIter;

static PyObject *VecType, *VecIterType;

static int vec_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"n", NULL};
    long long n;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "L", kwlist, &n))
        return -1;
    if (n < 0 || n > 16) {
        PyErr_SetString(PyExc_ValueError, "Vec size must be in 0..16");
        return -1;
    }
    Vec *v = (Vec *)self;
    v->n = n;
    for (long long i = 0; i < n; i++)
        v->items[i] = i;
    return 0;
}

static void vec_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    freefunc f = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    f(self);
    Py_DECREF(tp);
}

static Py_ssize_t vec_len(PyObject *self)
{
    return (Py_ssize_t)((Vec *)self)->n;
}

static int vec_contains(PyObject *self, PyObject *o)
{
    long long x = PyLong_AsLongLong(o);
    if (x == -1 && PyErr_Occurred())
        return -1;
    Vec *v = (Vec *)self;
    for (long long i = 0; i < v->n; i++)
        if (v->items[i] == x)
            return 1;
    return 0;
}

static PyObject *vec_getitem(PyObject *self, PyObject *key)
{
    long long i = PyLong_AsLongLong(key);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    Vec *v = (Vec *)self;
    if (i < 0 || i >= v->n) {
        PyErr_SetString(PyExc_IndexError, "Vec index out of range");
        return NULL;
    }
    return PyLong_FromLongLong(v->items[i]);
}

static PyObject *vec_richcompare(PyObject *a, PyObject *b, int op)
{
    if (op != Py_EQ || !PyObject_TypeCheck(b, (PyTypeObject *)VecType))
        Py_RETURN_NOTIMPLEMENTED;
    Vec *x = (Vec *)a, *y = (Vec *)b;
    if (x->n == y->n && memcmp(x->items, y->items, sizeof x->items[0] * (size_t)x->n) == 0)
        Py_RETURN_TRUE;
    Py_RETURN_FALSE;
}

static PyObject *vec_call(PyObject *self, PyObject *args, PyObject *kwds)
{
    if (kwds && PyDict_Size(kwds)) {
        PyErr_SetString(PyExc_TypeError, "__call__() takes no keyword arguments");
        return NULL;
    }
    if (PyTuple_Size(args) != 1) {
        PyErr_SetString(PyExc_TypeError, "__call__() takes exactly 1 argument");
        return NULL;
    }
    long long x = PyLong_AsLongLong(PyTuple_GetItem(args, 0));
    if (x == -1 && PyErr_Occurred())
        return NULL;
    return PyLong_FromLongLong(((Vec *)self)->n + x);
}

/* obj + k: a binary slot is called with the instance on either side; only Vec + int is defined. */
static PyObject *vec_add(PyObject *a, PyObject *b)
{
    if (!PyObject_TypeCheck(a, (PyTypeObject *)VecType) || !PyLong_Check(b))
        Py_RETURN_NOTIMPLEMENTED;
    long long k = PyLong_AsLongLong(b);
    if (k == -1 && PyErr_Occurred())
        return NULL;
    return PyLong_FromLongLong(((Vec *)a)->n + k);
}

static PyObject *vec_iter(PyObject *self)
{
    VecIter *it = PyObject_GC_New(VecIter, (PyTypeObject *)VecIterType);
    if (!it)
        return NULL;
#if PY_VERSION_HEX < 0x03080000
    Py_INCREF(VecIterType); /* 3.7: PyObject_Init does not take a reference to a heap type */
#endif
    Py_INCREF(self);
    it->vec = self;
    it->i = 0;
    PyObject_GC_Track((PyObject *)it);
    return (PyObject *)it;
}

static PyObject *veciter_next(PyObject *self)
{
    VecIter *it = (VecIter *)self;
    Vec *v = (Vec *)it->vec;
    if (it->i >= v->n)
        return NULL;
    return PyLong_FromLongLong(v->items[it->i++]);
}

static PyObject *veciter_self(PyObject *self)
{
    Py_INCREF(self);
    return self;
}

static int veciter_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(((VecIter *)self)->vec);
#if PY_VERSION_HEX >= 0x03090000
    Py_VISIT(Py_TYPE(self));
#endif
    return 0;
}

static void veciter_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(((VecIter *)self)->vec);
    PyObject_GC_Del(self);
    Py_DECREF(tp);
}

static PyType_Slot vec_slots[] = {
    {Py_tp_init, (void *)vec_init},
    {Py_tp_new, (void *)PyType_GenericNew},
    {Py_tp_dealloc, (void *)vec_dealloc},
    {Py_sq_length, (void *)vec_len},
    {Py_mp_length, (void *)vec_len},
    {Py_sq_contains, (void *)vec_contains},
    {Py_mp_subscript, (void *)vec_getitem},
    {Py_tp_richcompare, (void *)vec_richcompare},
    {Py_tp_hash, (void *)PyObject_HashNotImplemented},
    {Py_tp_call, (void *)vec_call},
    {Py_nb_add, (void *)vec_add},
    {Py_tp_iter, (void *)vec_iter},
    {0, NULL},
};

static PyType_Spec vec_spec = {"slots_hand.Vec", sizeof(Vec), 0, Py_TPFLAGS_DEFAULT, vec_slots};

static PyType_Slot veciter_slots[] = {
    {Py_tp_dealloc, (void *)veciter_dealloc},
    {Py_tp_traverse, (void *)veciter_traverse},
    {Py_tp_iter, (void *)veciter_self},
    {Py_tp_iternext, (void *)veciter_next},
    {0, NULL},
};

static PyType_Spec veciter_spec = {"slots_hand.VecIter", sizeof(VecIter), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
                                   veciter_slots};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "slots_hand", NULL, -1, NULL, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_slots_hand(void)
{
    PyObject *m = PyModule_Create(&moddef);
    if (!m)
        return NULL;
    if (!(VecType = PyType_FromSpec(&vec_spec)) || !(VecIterType = PyType_FromSpec(&veciter_spec))) {
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(VecType);
    PyModule_AddObject(m, "Vec", VecType);
    Py_INCREF(VecIterType);
    PyModule_AddObject(m, "VecIter", VecIterType);
    return m;
}
