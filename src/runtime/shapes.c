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

/* Parameter `at`'s value into x: vals[at], or with `bound` (a call with keywords or arguments left
 * out) its default's cell when it was left out (at >= given, or a NULL value when `holes`), as the
 * general path passes it. */
#define DEF(at) (((sb_function *)self)->defaults[at])
#define LEFT_OUT(at) (bound && ((at) >= given || (holes && !vals[at])))
#define A_DOUBLE(at, x) (LEFT_OUT(at) ? ((x) = DEF(at).d, true) : arg_double(vals[at], &(x)))
#define A_INT(at, lo, hi, x) (LEFT_OUT(at) ? ((x) = DEF(at).i, true) : arg_int(vals[at], lo, hi, &(x)))
#define A_CSTR(at, buf, x) (LEFT_OUT(at) ? ((x) = DEF(at).p, true) : arg_cstr(vals[at], buf, &(x)))

/* Keywords: bound by the plan's kernel head (kernels.c, made by the first such call) into one value
 * per parameter, NULL for a default. 1: bound; 0: the general entry binds it (and reports what is
 * wrong); -1: an error. */
static SB_ALWAYS_INLINE int bind(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                                 PyObject **vals, const Py_ssize_t n)
{
    sb_function *f = (sb_function *)self;
    if (SB_UNLIKELY(f->kern_pending) && sb__function_kernel(f) < 0) /* the first call that needs it */
        return -1;
    return f->kern && sb__kbind(f, args, nargs, kwnames, vals, n);
}
#define NONE_RESULT (Py_INCREF(Py_None), Py_None)

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

/* Three functions per kernel and flavour: the entry (every argument given positionally: `run` with
 * the arguments themselves), `_bound` for keywords and arguments left out (not inlined: the entry
 * keeps its registers), and `run`, the one body they inline: vals, of which the first `given` were
 * given (NULL ones too when `holes`), the rest take their defaults. Arguments left out without
 * keywords need no binding: the parameters from plan->nrequired on have defaults (a simple plan's
 * are all positional). */
#define KERNEL(name, flavour, n, decls, parse, T, call, box)                                                      \
    static SB_ALWAYS_INLINE PyObject *name##_##flavour##_run(                                                      \
        PyObject *self, PyObject *const *vals, Py_ssize_t given, const bool bound, const bool holes,              \
        PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)                                               \
    {                                                                                                              \
        decls;                                                                                                     \
        if (!(parse))                                                                                              \
            return sb__call_fast(self, args, nargs, kwnames);                                                     \
        CALL_##flavour(T, r, call) return box;                                                                     \
    }                                                                                                              \
    static SB_NOINLINE PyObject *name##_##flavour##_bound(PyObject *self, PyObject *const *args, Py_ssize_t nargs, \
                                                          PyObject *kwnames)                                      \
    {                                                                                                              \
        if (!kwnames) {                                                                                            \
            if (nargs > (n) || nargs < ((sb_function *)self)->plan->nrequired)                                    \
                return sb__call_fast(self, args, nargs, kwnames);                                                 \
            return name##_##flavour##_run(self, args, nargs, true, false, args, nargs, kwnames);                  \
        }                                                                                                          \
        PyObject *vals[(n) ? (n) : 1];                                                                             \
        int b = bind(self, args, nargs, kwnames, vals, n);                                                         \
        if (b <= 0)                                                                                                \
            return b < 0 ? NULL : sb__call_fast(self, args, nargs, kwnames);                                       \
        return name##_##flavour##_run(self, vals, n, true, true, args, nargs, kwnames);                            \
    }                                                                                                              \
    static PyObject *name##_##flavour(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)  \
    {                                                                                                              \
        if (SB_UNLIKELY(kwnames != NULL || nargs != (n)))                                                          \
            return name##_##flavour##_bound(self, args, nargs, kwnames);                                           \
        return name##_##flavour##_run(self, args, n, false, false, args, nargs, kwnames);                          \
    }
#define KERNELS(name, n, decls, parse, T, call, box)                                                              \
    KERNEL(name, lib, n, decls, parse, T, call, box)                                                              \
    KERNEL(name, cface, n, decls, parse, T, call, box)
/* Integer results: also the `_checked` flavour. */
#define KERNELS3(name, n, decls, parse, T, call, box)                                                             \
    KERNELS(name, n, decls, parse, T, call, box)                                                                  \
    KERNEL(name, checked, n, decls, parse, T, call, box)


KERNELS(k_void_void, 0, (void)vals; (void)given; (void)bound; (void)holes, 1, int, (((void (*)(void))FN(self))(), 0), ((void)r, NONE_RESULT))
KERNELS3(k_int_void, 0, (void)vals; (void)given; (void)bound; (void)holes, 1, int, ((int (*)(void))FN(self))(), PyLong_FromLong(r))
KERNELS(k_double_double, 1, double x, A_DOUBLE(0, x), double, ((double (*)(double))FN(self))(x),
        PyFloat_FromDouble(r))
KERNELS(k_double_double_double, 2, double x; double y, A_DOUBLE(0, x) && A_DOUBLE(1, y), double,
        ((double (*)(double, double))FN(self))(x, y), PyFloat_FromDouble(r))
KERNELS3(k_int_int, 1, long long x, A_INT(0, INT_MIN, INT_MAX, x), int,
        ((int (*)(int))FN(self))((int)x), PyLong_FromLong(r))
KERNELS3(k_int_int_int, 2, long long x; long long y,
        A_INT(0, INT_MIN, INT_MAX, x) && A_INT(1, INT_MIN, INT_MAX, y), int,
        ((int (*)(int, int))FN(self))((int)x, (int)y), PyLong_FromLong(r))
KERNELS3(k_long_long, 1, long long x, A_INT(0, LONG_MIN, LONG_MAX, x), long,
        ((long (*)(long))FN(self))((long)x), PyLong_FromLong(r))
KERNELS3(k_long_long_long, 2, long long x; long long y,
        A_INT(0, LONG_MIN, LONG_MAX, x) && A_INT(1, LONG_MIN, LONG_MAX, y), long,
        ((long (*)(long, long))FN(self))((long)x, (long)y), PyLong_FromLong(r))
KERNELS3(k_i64_void, 0, (void)vals; (void)given; (void)bound; (void)holes, 1, int64_t, ((int64_t (*)(void))FN(self))(), PyLong_FromLongLong(r))
KERNELS3(k_i64_i64, 1, long long x, A_INT(0, INT64_MIN, INT64_MAX, x), int64_t,
        ((int64_t (*)(int64_t))FN(self))((int64_t)x), PyLong_FromLongLong(r))
KERNELS3(k_i64_i64_i64, 2, long long x; long long y,
        A_INT(0, INT64_MIN, INT64_MAX, x) && A_INT(1, INT64_MIN, INT64_MAX, y), int64_t,
        ((int64_t (*)(int64_t, int64_t))FN(self))((int64_t)x, (int64_t)y), PyLong_FromLongLong(r))
KERNELS3(k_int_cstr, 1, const char *s; Py_UCS4 buf[SB_STRBUF], A_CSTR(0, buf, s), int, ((int (*)(const char *))FN(self))(s),
        PyLong_FromLong(r))
KERNELS3(k_size_cstr, 1, const char *s; Py_UCS4 buf[SB_STRBUF], A_CSTR(0, buf, s), size_t, ((size_t (*)(const char *))FN(self))(s),
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
