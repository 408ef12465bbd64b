/* cface_test.c — a C-face module exercising every module feature: functions by signature, *args and **kwargs, PyObject *, exceptions, constants, exec hook, the GIL. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sigbind.h>

static int64_t add(int64_t a, int64_t b) { return a + b; }
static double scale(double x, double factor) { return x * factor; }
static void nothing(void) {}

/* positional-only, keyword-only, defaults of every literal kind */
static int64_t options(int64_t a, int64_t b, bool flag, const char *name, double ratio)
{
    return a * 1000 + b * 100 + (flag ? 10 : 0) + (name ? (int64_t)strlen(name) : 0) + (int64_t)ratio;
}

/* PyObject * in (borrowed) and out (new reference) */
static PyObject *identity(PyObject *obj)
{
    sb_incref(obj);
    return obj;
}

/* *args and **kwargs arrive as a tuple and a dict (borrowed) */
static PyObject *collect(int64_t first, PyObject *args, bool flag, PyObject *kwargs)
{
    return sb_tuple("(int64_t first, PyObject *args, bool flag, PyObject *kwargs)", first, args, flag, kwargs);
}

/* only *args / only **kwargs / one positional-only parameter and *args */
static PyObject *pass_args(PyObject *args)
{
    sb_incref(args);
    return args;
}

static PyObject *first_and_rest(PyObject *first, PyObject *rest)
{
    return sb_tuple("(PyObject *first, PyObject *rest)", first, rest);
}

/* errors from C */
static int64_t checked_div(int64_t a, int64_t b)
{
    if (b == 0)
        return sb_raise("ZeroDivisionError", "checked_div(%lld, 0)", (long long)a);
    return a / b;
}

static char *greet(const char *who)
{
    if (!who[0]) {
        sb_raise("ValueError", "greet() needs a name");
        return NULL;
    }
    size_t n = strlen(who) + 8;
    char *s = malloc(n);
    if (!s) {
        sb_raise("MemoryError", "greet()");
        return NULL;
    }
    snprintf(s, n, "hello, %s", who);
    return s;
}

/* an error after allocating a [[free]] result: the runtime frees it */
static char *leaky_failure(void)
{
    char *s = malloc(32);
    strcpy(s, "never seen");
    sb_raise("RuntimeError", "failed after allocating");
    return s;
}

/* a PyObject * result together with an exception: the runtime drops the reference */
static PyObject *object_and_error(PyObject *obj)
{
    sb_incref(obj);
    sb_raise("KeyError", "with a result");
    return obj;
}

static int raise_own(int which)
{
    switch (which) {
    case 0: return sb_raise("Error", "base error %d", which);
    case 1: return sb_raise("NotFound", "sub error %d", which);
    case 2: return sb_raise("asyncio.CancelledError", "cancelled from C");
    case 3: return sb_raise("NoSuchException", "never");
    default: return 0;
    }
}

static int raise_errno(int e, const char *path)
{
    errno = e;
    return sb_raise_errno(path);
}

/* calls back into Python; a Python exception propagates with its traceback,
 * and can be re-raised as this module's error with the original as __cause__ */
static PyObject *call_back(PyObject *fn, int64_t x, bool wrap)
{
    PyObject *r = sb_call(fn, "(int64_t x)", x);
    if (!r && wrap)
        sb_raise_from("Error", "callback failed");
    return r;
}

/* exception matching, fetch and restore */
static PyObject *classify(PyObject *fn)
{
    PyObject *r = sb_call(fn, "()");
    if (r)
        return r;
    const char *kind = sb_exception_matches("LookupError") ? "lookup"
                       : sb_exception_matches("NotFound")  ? "notfound"
                       : sb_exception_matches("ArithmeticError") ? "arith"
                                                                 : NULL;
    if (!kind)
        return NULL; /* anything else propagates */
    PyObject *exc = sb_error_fetch();
    PyObject *result = sb_tuple("(const char *kind, PyObject *exc)", kind, exc);
    sb_decref(exc);
    return result;
}

static PyObject *refetch(PyObject *fn)
{
    PyObject *r = sb_call(fn, "()");
    if (r)
        return r;
    PyObject *exc = sb_error_fetch();
    bool was_set = sb_error_occurred();
    sb_error_restore(exc); /* steals */
    if (was_set)
        sb_raise("AssertionError", "fetch did not clear");
    return NULL;
}

/* [[nogil]]: sleeps with the GIL released */
static int64_t sleep_nogil(int64_t ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    return ms;
}

static void sleep_block(void *arg)
{
    int64_t ms = *(int64_t *)arg;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* sb_allow_threads around a block */
static int64_t sleep_allow(int64_t ms)
{
    sb_allow_threads(sleep_block, &ms);
    return ms;
}

static int exec_calls;

static int module_exec(PyObject *module)
{
    exec_calls++;
    PyObject *v = sb_value("int", exec_calls);
    if (!v)
        return -1;
    PyObject *setattr = sb_getattr(module, "__dict__");
    int rc = -1;
    if (setattr) {
        PyObject *r = sb_call_method(setattr, "__setitem__", "(const char *k, PyObject *v)", "exec_count", v);
        rc = r ? 0 : -1;
        sb_decref(r);
        sb_decref(setattr);
    }
    sb_decref(v);
    return rc;
}

/* A C function taking a function pointer: from Python, any callable (or a
 * sigbind.Callback, or a C function bound by sigbind) arrives as a typed C
 * function pointer. */
static double integrate(double (*f)(double x), double a, double b, int64_t n)
{
    double h = (b - a) / (double)n, sum = 0.0;
    for (int64_t i = 0; i < n; i++)
        sum += f(a + ((double)i + 0.5) * h) * h;
    return sum;
}

/* A C function taking data by address: from Python a buffer or a Pointer, never a raw int address. */
static double sum_doubles(const double *xs, int64_t n)
{
    double s = 0.0;
    for (int64_t i = 0; i < n; i++)
        s += xs[i];
    return s;
}

static const sb_function_def functions[] = {
    SB_FUNCTION(sum_doubles, "double sum_doubles(const double *xs, int64_t n)", "The sum of n doubles at xs."),
    SB_FUNCTION(integrate, "double integrate(double (*f)(double x) [[noescape]], double a, double b, int64_t n = 1000)",
                "Midpoint rule of f over [a, b]."),
    SB_FUNCTION(add, "int64_t add(int64_t a, int64_t b)", "Adds two integers."),
    SB_FUNCTION(scale, "double scale(double x, double factor = 2.0)", "x * factor."),
    SB_FUNCTION(nothing, "void nothing(void)", NULL),
    SB_FUNCTION(options,
                "int64_t options(int64_t a, /, int64_t b = 0x2, *, bool flag = true, const char *name = \"four\", "
                "double ratio = 1e0)",
                "Every parameter kind."),
    SB_FUNCTION(identity, "PyObject *identity(PyObject *obj)", "Returns its argument."),
    SB_FUNCTION(collect, "PyObject *collect(int64_t first, *args, bool flag = false, **kwargs)",
                "Returns (first, args, flag, kwargs)."),
    SB_FUNCTION(pass_args, "PyObject *pass_args(*args)", NULL),
    SB_FUNCTION(pass_args, "PyObject *pass_kwargs(**kwargs)", NULL),
    SB_FUNCTION(first_and_rest, "PyObject *first_and_rest(PyObject *first, /, *rest)", NULL),
    SB_FUNCTION(checked_div, "int64_t checked_div(int64_t a, int64_t b)", "a / b, ZeroDivisionError for 0."),
    SB_FUNCTION(greet, "char *greet(const char *who) [[free]]", "Greets."),
    SB_FUNCTION(leaky_failure, "char *leaky_failure(void) [[free]]", NULL),
    SB_FUNCTION(object_and_error, "PyObject *object_and_error(PyObject *obj)", NULL),
    SB_FUNCTION(raise_own, "int raise_own(int which)", NULL),
    SB_FUNCTION(raise_errno, "int raise_errno(int e, const char *path = NULL)", NULL),
    SB_FUNCTION(call_back, "PyObject *call_back(PyObject *fn, int64_t x, bool wrap = false)", NULL),
    SB_FUNCTION(classify, "PyObject *classify(PyObject *fn)", NULL),
    SB_FUNCTION(refetch, "PyObject *refetch(PyObject *fn)", NULL),
    SB_FUNCTION(sleep_nogil, "int64_t sleep_nogil(int64_t ms) [[nogil]]", NULL),
    SB_FUNCTION(sleep_allow, "int64_t sleep_allow(int64_t ms)", NULL),
    SB_END,
};

static const sb_exception_def exceptions[] = {
    SB_EXCEPTION("Error", NULL, "The module's base error."),
    SB_EXCEPTION("NotFound", "Error", "Derived from this module's Error."),
    SB_EXCEPTION("BadValue", "ValueError", "Derived from a builtin."),
    SB_END,
};

static const sb_constant_def constants[] = {
    SB_INT("ANSWER", 42),
    SB_INT("BIG", -9007199254740993LL),
    SB_FLOAT("PI", 3.14159),
    SB_STR("NAME", "cface_test"),
    SB_END,
};

SB_MODULE(cface_test, .doc = "sigbind's C-face test module.", .functions = functions, .exceptions = exceptions,
          .constants = constants, .exec = module_exec);
