/* bench/handext.c: the reference: a hand-written METH_FASTCALL extension (full C API) calling benchlib directly; built again under the stable ABI as sb_handext_abi3 (Py_LIMITED_API=0x030a0000 on 3.10+; on 3.7-3.9, Py_LIMITED_API=0x03070000 with METH_VARARGS, the only calling convention the stable ABI had). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "benchlib.h"

#if defined(Py_LIMITED_API) && Py_LIMITED_API + 0 < 0x030a0000
/* HX_VARARGS: the stable ABI before 3.10 has no METH_FASTCALL and no PyUnicode_AsUTF8AndSize: each
 * function below is entered through a METH_VARARGS wrapper that unpacks the tuple (hx_va_*), and
 * str arguments are encoded into a temporary bytes object, as a hand-written abi3 extension does. */
#define HX_VARARGS 1
#endif

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
#ifdef Py_LIMITED_API
        PyErr_SetString(PyExc_TypeError, "str() argument 1 (const char *s) must be str");
#else
        PyErr_Format(PyExc_TypeError, "str() argument 1 (const char *s) must be str, not %.100s",
                     Py_TYPE(args[0])->tp_name);
#endif
        return NULL;
    }
#ifdef HX_VARARGS
    {
        PyObject *b = PyUnicode_AsUTF8String(args[0]);
        long r;
        if (b == NULL)
            return NULL;
        if (PyBytes_AsStringAndSize(b, (char **)&s, &len) < 0 || memchr(s, '\0', (size_t)len) != NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "str() argument 1 (const char *s): embedded null character");
            Py_DECREF(b);
            return NULL;
        }
        r = (long)sb_bench_str(s);
        Py_DECREF(b);
        return PyLong_FromLong(r);
    }
#else
    s = PyUnicode_AsUTF8AndSize(args[0], &len);
    if (s == NULL)
        return NULL;
    if (memchr(s, '\0', (size_t)len) != NULL) {
        PyErr_SetString(PyExc_ValueError, "str() argument 1 (const char *s): embedded null character");
        return NULL;
    }
    return PyLong_FromLong((long)sb_bench_str(s));
#endif
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
#ifdef Py_LIMITED_API /* HX_ABI3: the same module under the stable ABI (bench/build.sh, CPython 3.10+) */
#define PyTuple_GET_SIZE PyTuple_Size
#define PyTuple_GET_ITEM PyTuple_GetItem
#endif

#ifndef HX_VARARGS
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
#endif

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
#if defined(Py_LIMITED_API) && Py_LIMITED_API + 0 < 0x030b0000
    /* no buffer protocol in the 3.10 stable ABI: bytes only */
    char *p;
    Py_ssize_t len;
    size_t n;
    (void)self;
    if (nargs != 2)
        return hx_arity_error("buf", 2, nargs);
    n = PyLong_AsSize_t(args[1]);
    if (n == (size_t)-1 && PyErr_Occurred())
        return NULL;
    if (PyBytes_AsStringAndSize(args[0], &p, &len) < 0)
        return NULL;
    return PyLong_FromLong(sb_bench_buf(p, n));
#else
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
#endif
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

/* The argument-count curve: what a hand-written module does for n integer or n double arguments. */
#define HX_CURVE(name, n, T, get, bad, box, call)                                                            \
    static PyObject *hx_##name(PyObject *self, PyObject *const *args, Py_ssize_t nargs)                    \
    {                                                                                                        \
        T v[(n) + 1];                                                                                        \
        Py_ssize_t i;                                                                                        \
        (void)self;                                                                                          \
        if (nargs != (n))                                                                                    \
            return hx_arity_error(#name, (n), nargs);                                                        \
        for (i = 0; i < (n); i++) {                                                                          \
            v[i] = get(args[i]);                                                                             \
            if (v[i] == (bad) && PyErr_Occurred())                                                           \
                return NULL;                                                                                 \
        }                                                                                                    \
        (void)v;                                                                                             \
        return box(call);                                                                                    \
    }
HX_CURVE(cl0, 0, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl0())
HX_CURVE(cd0, 0, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd0())
HX_CURVE(cl1, 1, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl1(v[0]))
HX_CURVE(cd1, 1, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd1(v[0]))
HX_CURVE(cl2, 2, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl2(v[0], v[1]))
HX_CURVE(cd2, 2, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd2(v[0], v[1]))
HX_CURVE(cl3, 3, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl3(v[0], v[1], v[2]))
HX_CURVE(cd3, 3, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd3(v[0], v[1], v[2]))
HX_CURVE(cl4, 4, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl4(v[0], v[1], v[2], v[3]))
HX_CURVE(cd4, 4, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd4(v[0], v[1], v[2], v[3]))
HX_CURVE(cl5, 5, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl5(v[0], v[1], v[2], v[3], v[4]))
HX_CURVE(cd5, 5, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd5(v[0], v[1], v[2], v[3], v[4]))
HX_CURVE(cl6, 6, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl6(v[0], v[1], v[2], v[3], v[4], v[5]))
HX_CURVE(cd6, 6, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd6(v[0], v[1], v[2], v[3], v[4], v[5]))
HX_CURVE(cl7, 7, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl7(v[0], v[1], v[2], v[3], v[4], v[5], v[6]))
HX_CURVE(cd7, 7, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd7(v[0], v[1], v[2], v[3], v[4], v[5], v[6]))
HX_CURVE(cl8, 8, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl8(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]))
HX_CURVE(cd8, 8, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd8(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]))
HX_CURVE(cl9, 9, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl9(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]))
HX_CURVE(cd9, 9, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd9(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]))
HX_CURVE(cl10, 10, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl10(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]))
HX_CURVE(cd10, 10, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd10(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]))
HX_CURVE(cl11, 11, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl11(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]))
HX_CURVE(cd11, 11, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd11(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]))
HX_CURVE(cl12, 12, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl12(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]))
HX_CURVE(cd12, 12, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd12(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]))
HX_CURVE(cl13, 13, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl13(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]))
HX_CURVE(cd13, 13, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd13(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]))
HX_CURVE(cl14, 14, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl14(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]))
HX_CURVE(cd14, 14, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd14(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]))
HX_CURVE(cl15, 15, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl15(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]))
HX_CURVE(cd15, 15, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd15(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]))
HX_CURVE(cl16, 16, long long, PyLong_AsLongLong, -1, PyLong_FromLongLong, sb_bench_cl16(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]))
HX_CURVE(cd16, 16, double, PyFloat_AsDouble, -1.0, PyFloat_FromDouble, sb_bench_cd16(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]))

#ifdef HX_VARARGS
/* The METH_VARARGS entries: the tuple's items (borrowed) in an array, then the function itself. */
#define HX_VA(fn)                                                                                            \
    static PyObject *fn##_va(PyObject *self, PyObject *tuple)                                                \
    {                                                                                                        \
        PyObject *a[16];                                                                                     \
        Py_ssize_t n = PyTuple_Size(tuple), i;                                                               \
        if (n < 0)                                                                                           \
            return NULL;                                                                                     \
        if (n > 16)                                                                                          \
            return hx_arity_error(#fn, 16, n);                                                               \
        for (i = 0; i < n; i++)                                                                              \
            a[i] = PyTuple_GetItem(tuple, i);                                                                \
        return fn(self, a, n);                                                                               \
    }
HX_VA(hx_d_d)
HX_VA(hx_ll_ll)
HX_VA(hx_str)
HX_VA(hx_void)
HX_VA(hx_d6)
HX_VA(hx_errno)
HX_VA(hx_ll_def)
HX_VA(hx_u8f)
HX_VA(hx_out)
HX_VA(hx_nogil)
HX_VA(hx_buf)
HX_VA(hx_point_make)
HX_VA(hx_l12)
HX_VA(hx_cl0)
HX_VA(hx_cd0)
HX_VA(hx_cl1)
HX_VA(hx_cd1)
HX_VA(hx_cl2)
HX_VA(hx_cd2)
HX_VA(hx_cl3)
HX_VA(hx_cd3)
HX_VA(hx_cl4)
HX_VA(hx_cd4)
HX_VA(hx_cl5)
HX_VA(hx_cd5)
HX_VA(hx_cl6)
HX_VA(hx_cd6)
HX_VA(hx_cl7)
HX_VA(hx_cd7)
HX_VA(hx_cl8)
HX_VA(hx_cd8)
HX_VA(hx_cl9)
HX_VA(hx_cd9)
HX_VA(hx_cl10)
HX_VA(hx_cd10)
HX_VA(hx_cl11)
HX_VA(hx_cd11)
HX_VA(hx_cl12)
HX_VA(hx_cd12)
HX_VA(hx_cl13)
HX_VA(hx_cd13)
HX_VA(hx_cl14)
HX_VA(hx_cd14)
HX_VA(hx_cl15)
HX_VA(hx_cd15)
HX_VA(hx_cl16)
HX_VA(hx_cd16)

/* ll_kw(a, b) with keywords: the tuple, then the dict's "a" and "b" (anything else is an error). */
static PyObject *hx_ll_kw_va(PyObject *self, PyObject *tuple, PyObject *kw)
{
    PyObject *a[2] = {NULL, NULL};
    Py_ssize_t n = PyTuple_Size(tuple), i, nkw = kw ? PyDict_Size(kw) : 0, found = 0;
    if (n < 0)
        return NULL;
    if (n > 2)
        return hx_arity_error("ll_kw", 2, n);
    for (i = 0; i < n; i++)
        a[i] = PyTuple_GetItem(tuple, i);
    for (i = 0; i < 2 && nkw; i++) {
        PyObject *v = PyDict_GetItem(kw, i ? kw_b : kw_a);
        if (v && a[i]) {
            PyErr_SetString(PyExc_TypeError, "ll_kw(): argument given twice");
            return NULL;
        }
        if (v) {
            a[i] = v;
            found++;
        }
    }
    if (found != nkw) {
        PyErr_SetString(PyExc_TypeError, "ll_kw(): bad keyword argument");
        return NULL;
    }
    if (!a[0] || !a[1])
        return hx_arity_error("ll_kw", 2, n + nkw);
    return hx_ll_ll(self, a, 2); /* the two values converted as the positional form does */
}
#define HX_FASTCALL(fn) ((PyCFunction)(void (*)(void))(fn##_va))
#define HX_CONV METH_VARARGS
#else
/* METH_FASTCALL functions are stored as PyCFunction; the detour through void (*)(void) keeps
 * -Wcast-function-type quiet, and CPython calls each one through its real type. */
#define HX_FASTCALL(fn) ((PyCFunction)(void (*)(void))(fn))
#define HX_CONV METH_FASTCALL
#endif

static PyMethodDef hx_methods[] = {
    {"d_d", HX_FASTCALL(hx_d_d), HX_CONV, "d_d(x) -> sb_bench_d_d(x)"},
    {"ll_ll", HX_FASTCALL(hx_ll_ll), HX_CONV, "ll_ll(a, b) -> sb_bench_ll_ll(a, b)"},
    {"str", HX_FASTCALL(hx_str), HX_CONV, "str(s) -> sb_bench_str(s)"},
    {"void", HX_FASTCALL(hx_void), HX_CONV, "void() -> sb_bench_void()"},
    {"d6", HX_FASTCALL(hx_d6), HX_CONV, "d6(a, b, c, d, e, f) -> sb_bench_d6(...)"},
    {"errno_", HX_FASTCALL(hx_errno), HX_CONV, "errno_(x) -> sb_bench_errno(x), OSError on -1"},
    {"ll_def", HX_FASTCALL(hx_ll_def), HX_CONV, "ll_def(a, b=4) -> sb_bench_ll_ll(a, b)"},
    {"u8f", HX_FASTCALL(hx_u8f), HX_CONV, "u8f(a, b) -> sb_bench_u8f(a, b)"},
    {"out", HX_FASTCALL(hx_out), HX_CONV, "out(x) -> (sb_bench_out(x, &y), y)"},
    {"ll_kw", HX_FASTCALL(hx_ll_kw), HX_CONV | METH_KEYWORDS, "ll_kw(a, b) -> sb_bench_ll_ll(a, b)"},
    {"nogil", HX_FASTCALL(hx_nogil), HX_CONV, "nogil(x) -> sb_bench_d_d(x) without the GIL"},
    {"buf", HX_FASTCALL(hx_buf), HX_CONV, "buf(b, n) -> sb_bench_buf(b, n)"},
    {"point_make", HX_FASTCALL(hx_point_make), HX_CONV, "point_make(x, y) -> (x, y)"},
    {"l12", HX_FASTCALL(hx_l12), HX_CONV, "l12(a, ..., l) -> sb_bench_l12(...)"},
    {"cl0", HX_FASTCALL(hx_cl0), HX_CONV, "curve: 0 int64_t"},
    {"cd0", HX_FASTCALL(hx_cd0), HX_CONV, "curve: 0 double"},
    {"cl1", HX_FASTCALL(hx_cl1), HX_CONV, "curve: 1 int64_t"},
    {"cd1", HX_FASTCALL(hx_cd1), HX_CONV, "curve: 1 double"},
    {"cl2", HX_FASTCALL(hx_cl2), HX_CONV, "curve: 2 int64_t"},
    {"cd2", HX_FASTCALL(hx_cd2), HX_CONV, "curve: 2 double"},
    {"cl3", HX_FASTCALL(hx_cl3), HX_CONV, "curve: 3 int64_t"},
    {"cd3", HX_FASTCALL(hx_cd3), HX_CONV, "curve: 3 double"},
    {"cl4", HX_FASTCALL(hx_cl4), HX_CONV, "curve: 4 int64_t"},
    {"cd4", HX_FASTCALL(hx_cd4), HX_CONV, "curve: 4 double"},
    {"cl5", HX_FASTCALL(hx_cl5), HX_CONV, "curve: 5 int64_t"},
    {"cd5", HX_FASTCALL(hx_cd5), HX_CONV, "curve: 5 double"},
    {"cl6", HX_FASTCALL(hx_cl6), HX_CONV, "curve: 6 int64_t"},
    {"cd6", HX_FASTCALL(hx_cd6), HX_CONV, "curve: 6 double"},
    {"cl7", HX_FASTCALL(hx_cl7), HX_CONV, "curve: 7 int64_t"},
    {"cd7", HX_FASTCALL(hx_cd7), HX_CONV, "curve: 7 double"},
    {"cl8", HX_FASTCALL(hx_cl8), HX_CONV, "curve: 8 int64_t"},
    {"cd8", HX_FASTCALL(hx_cd8), HX_CONV, "curve: 8 double"},
    {"cl9", HX_FASTCALL(hx_cl9), HX_CONV, "curve: 9 int64_t"},
    {"cd9", HX_FASTCALL(hx_cd9), HX_CONV, "curve: 9 double"},
    {"cl10", HX_FASTCALL(hx_cl10), HX_CONV, "curve: 10 int64_t"},
    {"cd10", HX_FASTCALL(hx_cd10), HX_CONV, "curve: 10 double"},
    {"cl11", HX_FASTCALL(hx_cl11), HX_CONV, "curve: 11 int64_t"},
    {"cd11", HX_FASTCALL(hx_cd11), HX_CONV, "curve: 11 double"},
    {"cl12", HX_FASTCALL(hx_cl12), HX_CONV, "curve: 12 int64_t"},
    {"cd12", HX_FASTCALL(hx_cd12), HX_CONV, "curve: 12 double"},
    {"cl13", HX_FASTCALL(hx_cl13), HX_CONV, "curve: 13 int64_t"},
    {"cd13", HX_FASTCALL(hx_cd13), HX_CONV, "curve: 13 double"},
    {"cl14", HX_FASTCALL(hx_cl14), HX_CONV, "curve: 14 int64_t"},
    {"cd14", HX_FASTCALL(hx_cd14), HX_CONV, "curve: 14 double"},
    {"cl15", HX_FASTCALL(hx_cl15), HX_CONV, "curve: 15 int64_t"},
    {"cd15", HX_FASTCALL(hx_cd15), HX_CONV, "curve: 15 double"},
    {"cl16", HX_FASTCALL(hx_cl16), HX_CONV, "curve: 16 int64_t"},
    {"cd16", HX_FASTCALL(hx_cd16), HX_CONV, "curve: 16 double"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef hx_module = {
    PyModuleDef_HEAD_INIT,
#ifdef Py_LIMITED_API
    .m_name = "sb_handext_abi3",
#else
    .m_name = "sb_handext",
#endif
    .m_doc = "Hand-written METH_FASTCALL reference for the sigbind call-overhead benchmark.",
    .m_size = -1,
    .m_methods = hx_methods,
};

#ifdef Py_LIMITED_API
PyMODINIT_FUNC PyInit_sb_handext_abi3(void)
#else
PyMODINIT_FUNC PyInit_sb_handext(void)
#endif
{
    kw_a = PyUnicode_InternFromString("a");
    kw_b = PyUnicode_InternFromString("b");
    if (!kw_a || !kw_b)
        return NULL;
    return PyModule_Create(&hx_module);
}
