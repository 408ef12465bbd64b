/* bench/handext.c: the reference: a hand-written METH_FASTCALL extension (full C API) calling benchlib directly. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "benchlib.h"

_Static_assert(sizeof(long long) == sizeof(int64_t), "PyLong_AsLongLong must fill an int64_t exactly");

/* Same wording as CPython's own arity errors, so the reference does what a real extension does. */
static PyObject *hx_arity_error(const char *name, Py_ssize_t expected, Py_ssize_t given)
{
    PyErr_Format(PyExc_TypeError, "%s() takes exactly %zd argument%s (%zd given)",
                 name, expected, expected == 1 ? "" : "s", given);
    return NULL;
}

static PyObject *hx_d_d(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    double x;
    (void)self;
    if (nargs != 1)
        return hx_arity_error("d_d", 1, nargs);
    x = PyFloat_AsDouble(args[0]);
    if (x == -1.0 && PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble(sb_bench_d_d(x));
}

static PyObject *hx_ll_ll(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    long long a, b;
    (void)self;
    if (nargs != 2)
        return hx_arity_error("ll_ll", 2, nargs);
    a = PyLong_AsLongLong(args[0]);
    if (a == -1 && PyErr_Occurred())
        return NULL;
    b = PyLong_AsLongLong(args[1]);
    if (b == -1 && PyErr_Occurred())
        return NULL;
    return PyLong_FromLongLong((long long)sb_bench_ll_ll((int64_t)a, (int64_t)b));
}

static PyObject *hx_str(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    const char *s;
    Py_ssize_t len;
    (void)self;
    if (nargs != 1)
        return hx_arity_error("str", 1, nargs);
    if (!PyUnicode_Check(args[0])) {
        PyErr_Format(PyExc_TypeError, "str() argument 1 (const char *s) must be str, not %.100s",
                     Py_TYPE(args[0])->tp_name);
        return NULL;
    }
    s = PyUnicode_AsUTF8AndSize(args[0], &len);
    if (s == NULL)
        return NULL;
    if (memchr(s, '\0', (size_t)len) != NULL) {
        PyErr_SetString(PyExc_ValueError, "str() argument 1 (const char *s): embedded null character");
        return NULL;
    }
    return PyLong_FromLong((long)sb_bench_str(s));
}

static PyObject *hx_void(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    (void)args;
    if (nargs != 0)
        return hx_arity_error("void", 0, nargs);
    sb_bench_void();
    Py_RETURN_NONE;
}

static PyObject *hx_d6(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    double v[6];
    Py_ssize_t i;
    (void)self;
    if (nargs != 6)
        return hx_arity_error("d6", 6, nargs);
    for (i = 0; i < 6; i++) {
        v[i] = PyFloat_AsDouble(args[i]);
        if (v[i] == -1.0 && PyErr_Occurred())
            return NULL;
    }
    return PyFloat_FromDouble(sb_bench_d6(v[0], v[1], v[2], v[3], v[4], v[5]));
}


/* The off-headline shapes of guard.py, each as a hand-written extension would do it. */

static int hx_int_arg(PyObject *o, long lo, long hi, long *out)
{
    long v = PyLong_AsLong(o);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < lo || v > hi) {
        PyErr_SetString(PyExc_OverflowError, "argument out of range");
        return -1;
    }
    *out = v;
    return 0;
}

static PyObject *hx_errno(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    long x;
    int r;
    (void)self;
    if (nargs != 1)
        return hx_arity_error("errno_", 1, nargs);
    if (hx_int_arg(args[0], INT_MIN, INT_MAX, &x) < 0)
        return NULL;
    r = sb_bench_errno((int)x);
    if (r == -1)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromLong(r);
}

static PyObject *hx_ll_def(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    long long a, b = 4;
    (void)self;
    if (nargs < 1 || nargs > 2)
        return hx_arity_error("ll_def", 2, nargs);
    a = PyLong_AsLongLong(args[0]);
    if (a == -1 && PyErr_Occurred())
        return NULL;
    if (nargs > 1) {
        b = PyLong_AsLongLong(args[1]);
        if (b == -1 && PyErr_Occurred())
            return NULL;
    }
    return PyLong_FromLongLong((long long)sb_bench_ll_ll((int64_t)a, (int64_t)b));
}

static PyObject *hx_u8f(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    long a;
    double b;
    (void)self;
    if (nargs != 2)
        return hx_arity_error("u8f", 2, nargs);
    if (hx_int_arg(args[0], 0, 255, &a) < 0)
        return NULL;
    b = PyFloat_AsDouble(args[1]);
    if (b == -1.0 && PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble((double)sb_bench_u8f((uint8_t)a, (float)b));
}

static PyObject *hx_out(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    long x;
    int y = 0, r;
    (void)self;
    if (nargs != 1)
        return hx_arity_error("out", 1, nargs);
    if (hx_int_arg(args[0], INT_MIN, INT_MAX, &x) < 0)
        return NULL;
    r = sb_bench_out((int)x, &y);
    return Py_BuildValue("(ii)", r, y);
}

static PyObject *kw_a, *kw_b; /* interned "a", "b" */

static PyObject *hx_ll_kw(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *v[2] = {NULL, NULL};
    long long a, b;
    Py_ssize_t i, nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    (void)self;
    if (nargs > 2)
        return hx_arity_error("ll_kw", 2, nargs);
    for (i = 0; i < nargs; i++)
        v[i] = args[i];
    for (i = 0; i < nkw; i++) {
        PyObject *k = PyTuple_GET_ITEM(kwnames, i);
        int at = k == kw_a ? 0 : k == kw_b ? 1 : PyUnicode_Compare(k, kw_a) == 0 ? 0 : PyUnicode_Compare(k, kw_b) == 0 ? 1 : -1;
        if (at < 0 || v[at]) {
            PyErr_SetString(PyExc_TypeError, "ll_kw(): bad keyword argument");
            return NULL;
        }
        v[at] = args[nargs + i];
    }
    if (!v[0] || !v[1])
        return hx_arity_error("ll_kw", 2, nargs + nkw);
    a = PyLong_AsLongLong(v[0]);
    if (a == -1 && PyErr_Occurred())
        return NULL;
    b = PyLong_AsLongLong(v[1]);
    if (b == -1 && PyErr_Occurred())
        return NULL;
    return PyLong_FromLongLong((long long)sb_bench_ll_ll((int64_t)a, (int64_t)b));
}

static PyObject *hx_nogil(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    double x, r;
    (void)self;
    if (nargs != 1)
        return hx_arity_error("nogil", 1, nargs);
    x = PyFloat_AsDouble(args[0]);
    if (x == -1.0 && PyErr_Occurred())
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    r = sb_bench_d_d(x);
    Py_END_ALLOW_THREADS
    return PyFloat_FromDouble(r);
}

static PyObject *hx_buf(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer view;
    size_t n;
    int r;
    (void)self;
    if (nargs != 2)
        return hx_arity_error("buf", 2, nargs);
    n = PyLong_AsSize_t(args[1]);
    if (n == (size_t)-1 && PyErr_Occurred())
        return NULL;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE) < 0)
        return NULL;
    r = sb_bench_buf(view.buf, n);
    PyBuffer_Release(&view);
    return PyLong_FromLong(r);
}

static PyObject *hx_point_make(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    long x, y;
    struct point p;
    (void)self;
    if (nargs != 2)
        return hx_arity_error("point_make", 2, nargs);
    if (hx_int_arg(args[0], INT_MIN, INT_MAX, &x) < 0 || hx_int_arg(args[1], INT_MIN, INT_MAX, &y) < 0)
        return NULL;
    p = sb_bench_point_make((int)x, (int)y);
    return Py_BuildValue("(ii)", p.x, p.y); /* a tuple: the cheapest struct result a hand-written module returns */
}

static PyObject *hx_l12(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    long long v[12];
    Py_ssize_t i;
    (void)self;
    if (nargs != 12)
        return hx_arity_error("l12", 12, nargs);
    for (i = 0; i < 12; i++) {
        v[i] = PyLong_AsLongLong(args[i]);
        if (v[i] == -1 && PyErr_Occurred())
            return NULL;
    }
    return PyLong_FromLongLong((long long)sb_bench_l12(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9],
                                                       v[10], v[11]));
}

/* METH_FASTCALL functions are stored as PyCFunction; the detour through void (*)(void) keeps
 * -Wcast-function-type quiet, and CPython calls each one through its real type. */
#define HX_FASTCALL(fn) ((PyCFunction)(void (*)(void))(fn))

static PyMethodDef hx_methods[] = {
    {"d_d", HX_FASTCALL(hx_d_d), METH_FASTCALL, "d_d(x) -> sb_bench_d_d(x)"},
    {"ll_ll", HX_FASTCALL(hx_ll_ll), METH_FASTCALL, "ll_ll(a, b) -> sb_bench_ll_ll(a, b)"},
    {"str", HX_FASTCALL(hx_str), METH_FASTCALL, "str(s) -> sb_bench_str(s)"},
    {"void", HX_FASTCALL(hx_void), METH_FASTCALL, "void() -> sb_bench_void()"},
    {"d6", HX_FASTCALL(hx_d6), METH_FASTCALL, "d6(a, b, c, d, e, f) -> sb_bench_d6(...)"},
    {"errno_", HX_FASTCALL(hx_errno), METH_FASTCALL, "errno_(x) -> sb_bench_errno(x), OSError on -1"},
    {"ll_def", HX_FASTCALL(hx_ll_def), METH_FASTCALL, "ll_def(a, b=4) -> sb_bench_ll_ll(a, b)"},
    {"u8f", HX_FASTCALL(hx_u8f), METH_FASTCALL, "u8f(a, b) -> sb_bench_u8f(a, b)"},
    {"out", HX_FASTCALL(hx_out), METH_FASTCALL, "out(x) -> (sb_bench_out(x, &y), y)"},
    {"ll_kw", HX_FASTCALL(hx_ll_kw), METH_FASTCALL | METH_KEYWORDS, "ll_kw(a, b) -> sb_bench_ll_ll(a, b)"},
    {"nogil", HX_FASTCALL(hx_nogil), METH_FASTCALL, "nogil(x) -> sb_bench_d_d(x) without the GIL"},
    {"buf", HX_FASTCALL(hx_buf), METH_FASTCALL, "buf(b, n) -> sb_bench_buf(b, n)"},
    {"point_make", HX_FASTCALL(hx_point_make), METH_FASTCALL, "point_make(x, y) -> (x, y)"},
    {"l12", HX_FASTCALL(hx_l12), METH_FASTCALL, "l12(a, ..., l) -> sb_bench_l12(...)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef hx_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "sb_handext",
    .m_doc = "Hand-written METH_FASTCALL reference for the sigbind call-overhead benchmark.",
    .m_size = -1,
    .m_methods = hx_methods,
};

PyMODINIT_FUNC PyInit_sb_handext(void)
{
    kw_a = PyUnicode_InternFromString("a");
    kw_b = PyUnicode_InternFromString("b");
    if (!kw_a || !kw_b)
        return NULL;
    return PyModule_Create(&hx_module);
}
