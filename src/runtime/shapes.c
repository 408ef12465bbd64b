/* shapes.c — exactly-typed call kernels for common signature shapes (double(double), int(const char *), ...): METH_FASTCALL entries that skip the generic path. */
#include "runtime/runtime.h"

#include <errno.h>
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

/* buf: where 3.7-3.9 encode the str (SB_STRBUF units; compat.c). */
static inline bool arg_cstr(PyObject *v, Py_UCS4 *buf, const char **out)
{
    if (SB_UNLIKELY(!PyUnicode_CheckExact(v)))
        return false;
    Py_ssize_t n;
    const char *u = sb__compat_utf8_fast(v, buf, SB_STRBUF, &n);
    if (SB_UNLIKELY(!u))
        return false; /* the generic path reports it */
    *out = u;
    return true;
}

#define FN(self) (((sb_function *)(self))->fn)

/* Keywords or omitted defaults: the plan's kernel head (kernels.c) binds them
 * into one positional argument per parameter and the same kernel runs again
 * on those; anything else (or a call already positional) goes to the general
 * entry. */
#define GENERIC() return generic(self, args, nargs, kwnames, n_, self_)
static SB_NOINLINE PyObject *generic(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                                     Py_ssize_t n, PyCFunction again)
{
    sb_function *f = (sb_function *)self;
    PyObject *vals[SB_KMAX];
    if (SB_UNLIKELY(f->kern_pending) && sb__function_kernel(f) < 0) /* the first call that needs it */
        return NULL;
    const sb_khead *h = f->kern ? SB_KHEAD(f) : NULL;
    if (h && !kwnames && nargs < n && nargs >= h->nmin) { /* trailing defaults left out */
        Py_ssize_t i = 0;
        for (; i < nargs; i++)
            vals[i] = args[i];
        for (; i < n; i++)
            vals[i] = h->defobj[i];
        return ((sb_fastcallfn)(void (*)(void))again)(self, vals, n, NULL);
    }
    if (h && (kwnames || nargs != n) && sb__kernel_positional(f, args, nargs, kwnames, vals))
        return ((sb_fastcallfn)(void (*)(void))again)(self, vals, n, NULL);
    return sb__call_fast(self, args, nargs, kwnames);
}
#define NONE_RESULT (Py_INCREF(Py_None), Py_None)
#define CHECK(n)                                                                                                  \
    if (SB_UNLIKELY(kwnames != NULL || nargs != (n)))                                                              \
        GENERIC();

/* Each kernel comes in two flavours from one body: `_lib` for library
 * functions, and `_cface` for C-face module functions, which may raise: those
 * run with sb__current_module set, and a set exception is reported after the
 * call (a scalar result owns nothing, so there is nothing to release). Two
 * functions rather than a branch keep the library flavour's registers free. */
#define CALL_lib(T, var, call) T var = call;
#define CALL_cface(T, var, call)                                                                                   \
    PyObject *outer_ = sb__current_module;                                                                         \
    sb__current_module = ((sb_function *)self)->module;                                                            \
    T var = call;                                                                                                  \
    sb__current_module = outer_;                                                                                   \
    if (PyErr_Occurred())                                                                                          \
        return NULL;

/* `_checked`: a library function with an error contract, checked as the
 * plan's kernel precomputed it (SB_KCHECK); errno read right after the call. */
#define CALL_checked(T, var, call)                                                                                 \
    T var = call;                                                                                                  \
    int errno_ = errno;                                                                                            \
    const sb_kcheck *check_ = SB_KCHECK((sb_function *)self);                                                      \
    if (SB_UNLIKELY(sb__kcheck_failed(check_, (uint64_t)(int64_t)var))) {                                          \
        sb_cell c_;                                                                                                \
        c_.u = (uint64_t)(int64_t)var;                                                                             \
        return sb__call_contract((sb_function *)self, &c_, errno_);                                                \
    }                                                                                                              \
    if (check_->status)                                                                                            \
        return NONE_RESULT;

#define KERNEL(name, flavour, n, decls, parse, T, call, box)                                                      \
    static PyObject *name##_##flavour(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)  \
    {                                                                                                              \
        const Py_ssize_t n_ = (n);                                                                                 \
        const PyCFunction self_ = (PyCFunction)(void (*)(void))name##_##flavour;                                   \
        decls;                                                                                                     \
        CHECK(n);                                                                                                  \
        if (!(parse))                                                                                              \
            GENERIC();                                                                                             \
        CALL_##flavour(T, r, call) return box;                                                                     \
    }
#define KERNELS(name, n, decls, parse, T, call, box)                                                              \
    KERNEL(name, lib, n, decls, parse, T, call, box)                                                              \
    KERNEL(name, cface, n, decls, parse, T, call, box)
/* Integer results: also the `_checked` flavour. */
#define KERNELS3(name, n, decls, parse, T, call, box)                                                             \
    KERNELS(name, n, decls, parse, T, call, box)                                                                  \
    KERNEL(name, checked, n, decls, parse, T, call, box)


KERNELS(k_void_void, 0, (void)args, 1, int, (((void (*)(void))FN(self))(), 0), ((void)r, NONE_RESULT))
KERNELS3(k_int_void, 0, (void)args, 1, int, ((int (*)(void))FN(self))(), PyLong_FromLong(r))
KERNELS(k_double_double, 1, double x, arg_double(args[0], &x), double, ((double (*)(double))FN(self))(x),
        PyFloat_FromDouble(r))
KERNELS(k_double_double_double, 2, double x; double y, arg_double(args[0], &x) && arg_double(args[1], &y), double,
        ((double (*)(double, double))FN(self))(x, y), PyFloat_FromDouble(r))
KERNELS3(k_int_int, 1, long long x, arg_int(args[0], INT_MIN, INT_MAX, &x), int,
        ((int (*)(int))FN(self))((int)x), PyLong_FromLong(r))
KERNELS3(k_int_int_int, 2, long long x; long long y,
        arg_int(args[0], INT_MIN, INT_MAX, &x) && arg_int(args[1], INT_MIN, INT_MAX, &y), int,
        ((int (*)(int, int))FN(self))((int)x, (int)y), PyLong_FromLong(r))
KERNELS3(k_long_long, 1, long long x, arg_int(args[0], LONG_MIN, LONG_MAX, &x), long,
        ((long (*)(long))FN(self))((long)x), PyLong_FromLong(r))
KERNELS3(k_long_long_long, 2, long long x; long long y,
        arg_int(args[0], LONG_MIN, LONG_MAX, &x) && arg_int(args[1], LONG_MIN, LONG_MAX, &y), long,
        ((long (*)(long, long))FN(self))((long)x, (long)y), PyLong_FromLong(r))
KERNELS3(k_i64_void, 0, (void)args, 1, int64_t, ((int64_t (*)(void))FN(self))(), PyLong_FromLongLong(r))
KERNELS3(k_i64_i64, 1, long long x, arg_int(args[0], INT64_MIN, INT64_MAX, &x), int64_t,
        ((int64_t (*)(int64_t))FN(self))((int64_t)x), PyLong_FromLongLong(r))
KERNELS3(k_i64_i64_i64, 2, long long x; long long y,
        arg_int(args[0], INT64_MIN, INT64_MAX, &x) && arg_int(args[1], INT64_MIN, INT64_MAX, &y), int64_t,
        ((int64_t (*)(int64_t, int64_t))FN(self))((int64_t)x, (int64_t)y), PyLong_FromLongLong(r))
KERNELS3(k_int_cstr, 1, const char *s; Py_UCS4 buf[SB_STRBUF], arg_cstr(args[0], buf, &s), int, ((int (*)(const char *))FN(self))(s),
        PyLong_FromLong(r))
KERNELS3(k_size_cstr, 1, const char *s; Py_UCS4 buf[SB_STRBUF], arg_cstr(args[0], buf, &s), size_t, ((size_t (*)(const char *))FN(self))(s),
        PyLong_FromSize_t(r))

/* The shapes: result type, then parameter types, exactly as C spells them. */
typedef struct shape {
    sb_type ret;
    uint8_t nparams;
    sb_type params[2];
    PyObject *(*lib)(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
    PyObject *(*cface)(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
    PyObject *(*checked)(PyObject *, PyObject *const *, Py_ssize_t, PyObject *); /* NULL: no integer result */
} shape;

#define T(k) {SB_K_##k, 0, 0, NULL}
#define CSTR {SB_K_CHAR, 1, 1, NULL}
static const shape shapes[] = {
    {T(VOID), 0, {{0}}, k_void_void_lib, k_void_void_cface, NULL},
    {T(INT), 0, {{0}}, k_int_void_lib, k_int_void_cface, k_int_void_checked},
    {T(DOUBLE), 1, {T(DOUBLE)}, k_double_double_lib, k_double_double_cface, NULL},
    {T(DOUBLE), 2, {T(DOUBLE), T(DOUBLE)}, k_double_double_double_lib, k_double_double_double_cface, NULL},
    {T(INT), 1, {T(INT)}, k_int_int_lib, k_int_int_cface, k_int_int_checked},
    {T(INT), 2, {T(INT), T(INT)}, k_int_int_int_lib, k_int_int_int_cface, k_int_int_int_checked},
    {T(LONG), 1, {T(LONG)}, k_long_long_lib, k_long_long_cface, k_long_long_checked},
    {T(LONG), 2, {T(LONG), T(LONG)}, k_long_long_long_lib, k_long_long_long_cface, k_long_long_long_checked},
    {T(INT64), 0, {{0}}, k_i64_void_lib, k_i64_void_cface, k_i64_void_checked},
    {T(INT64), 1, {T(INT64)}, k_i64_i64_lib, k_i64_i64_cface, k_i64_i64_checked},
    {T(INT64), 2, {T(INT64), T(INT64)}, k_i64_i64_i64_lib, k_i64_i64_i64_cface, k_i64_i64_i64_checked},
    {T(INT), 1, {CSTR}, k_int_cstr_lib, k_int_cstr_cface, k_int_cstr_checked},
    {T(SIZE), 1, {CSTR}, k_size_cstr_lib, k_size_cstr_cface, k_size_cstr_checked},
};

static bool same_type(sb_type a, sb_type b)
{
    return a.kind == b.kind && a.ptr == b.ptr && !a.named && !b.named && (a.ptr == 0 || a.cconst == b.cconst);
}

PyCFunction sb__shape_kernel(const sb_plan *plan, bool cface, const sb_kcheck *check)
{
    if (!plan->simple || (plan->sig->flags & SB_SIG_NOGIL))
        return NULL; /* the kernels keep the GIL */
    if (plan->sig->contract.kind && (cface || !check))
        return NULL; /* a contract: only as the plan's kernel precomputed it */
    const sb_sig *sig = plan->sig;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const shape *s = &shapes[i];
        if (s->nparams != sig->nparams || !same_type(s->ret, sig->ret))
            continue;
        bool ok = true;
        for (uint8_t j = 0; j < s->nparams && ok; j++)
            ok = same_type(s->params[j], sig->params[j].type);
        if (ok && plan->sig->contract.kind)
            return s->checked ? (PyCFunction)(void (*)(void))s->checked : NULL;
        if (ok)
            return (PyCFunction)(void (*)(void))(cface ? s->cface : s->lib);
    }
    return NULL;
}
