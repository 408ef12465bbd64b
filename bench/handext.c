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

/* METH_FASTCALL functions are stored as PyCFunction; the detour through void (*)(void) keeps
 * -Wcast-function-type quiet, and CPython calls each one through its real type. */
#define HX_FASTCALL(fn) ((PyCFunction)(void (*)(void))(fn))

static PyMethodDef hx_methods[] = {
    {"d_d", HX_FASTCALL(hx_d_d), METH_FASTCALL, "d_d(x) -> sb_bench_d_d(x)"},
    {"ll_ll", HX_FASTCALL(hx_ll_ll), METH_FASTCALL, "ll_ll(a, b) -> sb_bench_ll_ll(a, b)"},
    {"str", HX_FASTCALL(hx_str), METH_FASTCALL, "str(s) -> sb_bench_str(s)"},
    {"void", HX_FASTCALL(hx_void), METH_FASTCALL, "void() -> sb_bench_void()"},
    {"d6", HX_FASTCALL(hx_d6), METH_FASTCALL, "d6(a, b, c, d, e, f) -> sb_bench_d6(...)"},
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
    return PyModule_Create(&hx_module);
}
