/* shapes.c — exactly-typed call kernels for common signature shapes (double(double), int(const char *), ...): METH_FASTCALL entries that skip the generic path. */
#include "pyinternal.h"

#include <limits.h>
#include <string.h>

/* Each kernel is the ml_meth of a bound function whose plan matches its C
 * types exactly (the signature says the function has exactly this type, so
 * the call through the typed pointer is the function's own type). Any call it
 * cannot do inline (keywords, another arity, a non-exact argument type, a
 * value out of range, an error to report) goes to sb__call_fast, which does
 * everything; nothing a kernel does before handing over has side effects. */

static inline bool arg_double(PyObject *v, double *out)
{
    if (SB_UNLIKELY(!PyFloat_CheckExact(v)))
        return false;
    *out = PyFloat_AsDouble(v);
    return true;
}

static inline bool arg_int(PyObject *v, long long lo, long long hi, long long *out)
{
    if (SB_UNLIKELY(!PyLong_CheckExact(v)))
        return false;
    int overflow;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (SB_UNLIKELY(overflow || x < lo || x > hi))
        return false;
    *out = x;
    return true;
}

static inline bool arg_cstr(PyObject *v, const char **out)
{
    if (SB_UNLIKELY(!PyUnicode_CheckExact(v)))
        return false;
    int unavailable;
    Py_ssize_t n;
    const char *u = sb__compat_utf8(v, &n, &unavailable);
    if (SB_UNLIKELY(!u)) {
        PyErr_Clear(); /* the generic path reports it */
        return false;
    }
    if (SB_UNLIKELY(strlen(u) != (size_t)n))
        return false;
    *out = u;
    return true;
}

#define FN(self) (((sb_function *)(self))->fn)

/* Calls into the C function. A C-face function (module code) may raise: it
 * runs with sb__current_module set, and a set exception is reported after it
 * (a scalar result owns nothing, so there is nothing to release). */
#define INVOKE(T, var, call)                                                                                      \
    T var;                                                                                                         \
    if (SB_UNLIKELY(((sb_function *)(self))->cface)) {                                                           \
        PyObject *outer_ = sb__current_module;                                                                     \
        sb__current_module = ((sb_function *)(self))->module;                                                      \
        var = call;                                                                                                \
        sb__current_module = outer_;                                                                               \
        if (PyErr_Occurred())                                                                                      \
            return NULL;                                                                                           \
    } else {                                                                                                       \
        var = call;                                                                                                \
    }
#define GENERIC() return sb__call_fast(self, args, nargs, kwnames)
#define CHECK(n)                                                                                                  \
    if (SB_UNLIKELY(kwnames != NULL || nargs != (n)))                                                              \
        GENERIC();

static PyObject *k_void_void(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    CHECK(0);
    if (SB_UNLIKELY(((sb_function *)self)->cface)) {
        PyObject *outer = sb__current_module;
        sb__current_module = ((sb_function *)self)->module;
        ((void (*)(void))FN(self))();
        sb__current_module = outer;
        if (PyErr_Occurred())
            return NULL;
    } else {
        ((void (*)(void))FN(self))();
    }
    Py_INCREF(Py_None);
    return Py_None;
}

static PyObject *k_int_void(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    CHECK(0);
    INVOKE(int, r, ((int (*)(void))FN(self))());
    return PyLong_FromLong(r);
}

static PyObject *k_double_double(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    double x;
    CHECK(1);
    if (!arg_double(args[0], &x))
        GENERIC();
    INVOKE(double, r, ((double (*)(double))FN(self))(x));
    return PyFloat_FromDouble(r);
}

static PyObject *k_double_double_double(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    double x, y;
    CHECK(2);
    if (!arg_double(args[0], &x) || !arg_double(args[1], &y))
        GENERIC();
    INVOKE(double, r, ((double (*)(double, double))FN(self))(x, y));
    return PyFloat_FromDouble(r);
}

static PyObject *k_int_int(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    long long x;
    CHECK(1);
    if (!arg_int(args[0], INT_MIN, INT_MAX, &x))
        GENERIC();
    INVOKE(int, r, ((int (*)(int))FN(self))((int)x));
    return PyLong_FromLong(r);
}

static PyObject *k_int_int_int(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    long long x, y;
    CHECK(2);
    if (!arg_int(args[0], INT_MIN, INT_MAX, &x) || !arg_int(args[1], INT_MIN, INT_MAX, &y))
        GENERIC();
    INVOKE(int, r, ((int (*)(int, int))FN(self))((int)x, (int)y));
    return PyLong_FromLong(r);
}

static PyObject *k_long_long(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    long long x;
    CHECK(1);
    if (!arg_int(args[0], LONG_MIN, LONG_MAX, &x))
        GENERIC();
    INVOKE(long, r, ((long (*)(long))FN(self))((long)x));
    return PyLong_FromLong(r);
}

static PyObject *k_long_long_long(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    long long x, y;
    CHECK(2);
    if (!arg_int(args[0], LONG_MIN, LONG_MAX, &x) || !arg_int(args[1], LONG_MIN, LONG_MAX, &y))
        GENERIC();
    INVOKE(long, r, ((long (*)(long, long))FN(self))((long)x, (long)y));
    return PyLong_FromLong(r);
}

static PyObject *k_i64_i64_i64(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    long long x, y;
    CHECK(2);
    if (!arg_int(args[0], INT64_MIN, INT64_MAX, &x) || !arg_int(args[1], INT64_MIN, INT64_MAX, &y))
        GENERIC();
    INVOKE(int64_t, r, ((int64_t (*)(int64_t, int64_t))FN(self))((int64_t)x, (int64_t)y));
    return PyLong_FromLongLong(r);
}

static PyObject *k_int_cstr(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    const char *s;
    CHECK(1);
    if (!arg_cstr(args[0], &s))
        GENERIC();
    INVOKE(int, r, ((int (*)(const char *))FN(self))(s));
    return PyLong_FromLong(r);
}

static PyObject *k_size_cstr(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    const char *s;
    CHECK(1);
    if (!arg_cstr(args[0], &s))
        GENERIC();
    INVOKE(size_t, r, ((size_t (*)(const char *))FN(self))(s));
    return PyLong_FromSize_t(r);
}

/* The shapes: result type, then parameter types, exactly as C spells them. */
typedef struct shape {
    sb_type ret;
    uint8_t nparams;
    sb_type params[2];
    PyObject *(*kernel)(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
} shape;

#define T(k) {SB_K_##k, 0, 0}
#define CSTR {SB_K_CHAR, 1, 1}
static const shape shapes[] = {
    {T(VOID), 0, {{0}}, k_void_void},
    {T(INT), 0, {{0}}, k_int_void},
    {T(DOUBLE), 1, {T(DOUBLE)}, k_double_double},
    {T(DOUBLE), 2, {T(DOUBLE), T(DOUBLE)}, k_double_double_double},
    {T(INT), 1, {T(INT)}, k_int_int},
    {T(INT), 2, {T(INT), T(INT)}, k_int_int_int},
    {T(LONG), 1, {T(LONG)}, k_long_long},
    {T(LONG), 2, {T(LONG), T(LONG)}, k_long_long_long},
    {T(INT64), 2, {T(INT64), T(INT64)}, k_i64_i64_i64},
    {T(INT), 1, {CSTR}, k_int_cstr},
    {T(SIZE), 1, {CSTR}, k_size_cstr},
};

static bool same_type(sb_type a, sb_type b)
{
    return a.kind == b.kind && a.ptr == b.ptr && (a.ptr == 0 || a.cconst == b.cconst);
}

PyCFunction sb__shape_kernel(const sb_plan *plan)
{
    if (!plan->simple)
        return NULL;
    const sb_sig *sig = plan->sig;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const shape *s = &shapes[i];
        if (s->nparams != sig->nparams || !same_type(s->ret, sig->ret))
            continue;
        bool ok = true;
        for (uint8_t j = 0; j < s->nparams && ok; j++)
            ok = same_type(s->params[j], sig->params[j].type);
        if (ok)
            return (PyCFunction)(void (*)(void))s->kernel;
    }
    return NULL;
}
