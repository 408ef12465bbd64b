/* test_pycall.c — sb_call, sb_vcall, sb_call_method, sb_extract, sb_value, sb_tuple, sb_dict from a C program that starts Python itself (stable ABI only). */
/*
 * Built once (linked with the runtime and libpython3.so of 3.7) and run by
 * run_versions.py against every libpython3.so >= 3.7 on the machine, twice:
 * with sigbind not importable (parameter-text errors are plain ValueError)
 * and with it on PYTHONPATH (SB_PYCALL_EXPECT_SIGBIND=1: they are
 * sigbind.SignatureError, and Pointer results are tested through
 * sb__current_module). Exits 1 with a message per failed check.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigbind.h"

/* The runtime's "module whose C-face code is running" (src/runtime/runtime.h). */
extern _Thread_local PyObject *sb__current_module;

static int failures, checks;
static PyObject *ns;          /* globals of the Python helpers */
static PyObject *sigbind_mod; /* the sigbind module when importable */
static unsigned pyminor;      /* 3.<pyminor> */

#define FAIL(...)                                                                                                  \
    do {                                                                                                           \
        fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                                       \
        fprintf(stderr, __VA_ARGS__);                                                                              \
        fputc('\n', stderr);                                                                                       \
        failures++;                                                                                                \
    } while (0)

#define CHECK(cond, ...)                                                                                           \
    do {                                                                                                           \
        checks++;                                                                                                  \
        if (!(cond))                                                                                               \
            FAIL(__VA_ARGS__);                                                                                     \
    } while (0)

/* ------------------------------------------------------------------ */
/* Helpers (raw stable API)                                            */

static PyObject *run_mode(const char *code, int mode)
{
    PyObject *co = Py_CompileString(code, "<test_pycall>", mode);
    if (!co)
        return NULL;
    PyObject *r = PyEval_EvalCode(co, ns, ns);
    Py_DECREF(co);
    return r;
}

static PyObject *eval(const char *expr)
{
    PyObject *r = run_mode(expr, Py_eval_input);
    if (!r) {
        fprintf(stderr, "cannot evaluate %s:\n", expr);
        PyErr_Print();
        exit(2);
    }
    return r;
}

static void exec_(const char *code)
{
    PyObject *r = run_mode(code, Py_file_input);
    if (!r) {
        fprintf(stderr, "cannot run:\n%s\n", code);
        PyErr_Print();
        exit(2);
    }
    Py_DECREF(r);
}

/* A borrowed global of the helpers. */
static PyObject *g(const char *name)
{
    PyObject *o = PyDict_GetItemString(ns, name);
    if (!o) {
        fprintf(stderr, "no global %s\n", name);
        exit(2);
    }
    return o;
}

/* str(obj) / repr(obj) as a malloc'd C string. */
static char *text_of(PyObject *obj, int repr)
{
    PyObject *s = repr ? PyObject_Repr(obj) : PyObject_Str(obj);
    if (!s) {
        PyErr_Clear();
        return strdup("<unprintable>");
    }
    PyObject *b = PyUnicode_AsEncodedString(s, "utf-8", "backslashreplace");
    Py_DECREF(s);
    if (!b) {
        PyErr_Clear();
        return strdup("<unprintable>");
    }
    char *r = strdup(PyBytes_AsString(b));
    Py_DECREF(b);
    return r;
}

/* The current exception as text (and clears it). */
static char *take_error(void)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    if (!t)
        return strdup("<no exception>");
    PyErr_NormalizeException(&t, &v, &tb);
    char *tn = text_of(t, 1), *vn = v ? text_of(v, 0) : strdup("");
    size_t n = strlen(tn) + strlen(vn) + 4;
    char *r = malloc(n);
    snprintf(r, n, "%s: %s", tn, vn);
    free(tn);
    free(vn);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    return r;
}

/* Checks that repr(got) == repr(eval(expr)) (repr tells True from 1 and 1.0 from 1); steals got. */
#define EXPECT(got, expr) expect_(__LINE__, (got), (expr))
static void expect_(int line, PyObject *got, const char *expr)
{
    checks++;
    if (!got) {
        char *e = take_error();
        fprintf(stderr, "FAIL %s:%d: expected %s, got the exception %s\n", __FILE__, line, expr, e);
        free(e);
        failures++;
        return;
    }
    PyObject *want = eval(expr);
    char *a = text_of(got, 1), *b = text_of(want, 1);
    int eq = PyObject_RichCompareBool(got, want, Py_EQ);
    if (eq < 0)
        PyErr_Clear();
    if (eq != 1 || strcmp(a, b) != 0) {
        fprintf(stderr, "FAIL %s:%d: expected %s, got %s\n", __FILE__, line, b, a);
        failures++;
    }
    free(a);
    free(b);
    Py_DECREF(want);
    Py_DECREF(got);
}

/* Checks that an exception of type `exc` (a Python expression) is set, with
 * str(exc) == msg exactly (msg NULL: any message; msg starting with '~':
 * contains the rest). Clears it. */
#define EXPECT_ERROR(exc, msg) expect_error_(__LINE__, (exc), (msg))
static void expect_error_(int line, const char *exc, const char *msg)
{
    checks++;
    if (!PyErr_Occurred()) {
        fprintf(stderr, "FAIL %s:%d: expected %s, but no exception is set\n", __FILE__, line, exc);
        failures++;
        return;
    }
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    PyObject *want = eval(exc);
    char *s = v ? text_of(v, 0) : strdup("");
    char *tn = text_of(t, 1);
    int type_ok = PyErr_GivenExceptionMatches(t, want);
    int msg_ok = !msg || (msg[0] == '~' ? strstr(s, msg + 1) != NULL : strcmp(s, msg) == 0);
    if (!type_ok || !msg_ok) {
        fprintf(stderr, "FAIL %s:%d: expected %s%s%s%s, got %s: %s\n", __FILE__, line, exc, msg ? " '" : "",
                msg ? msg : "", msg ? "'" : "", tn, s);
        failures++;
    }
    free(s);
    free(tn);
    Py_DECREF(want);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
}

/* The type(s) parameter-text errors must have in this run. */
static const char *sigerror_type(void)
{
    return sigbind_mod ? "sigbind.SignatureError" : "ValueError";
}

/* A parameter-text error: the exact type for this run, .text, .column, and the reason's start. */
#define EXPECT_SIGERROR(text, column, reason) expect_sigerror_(__LINE__, (text), (column), (reason))
static void expect_sigerror_(int line, const char *text, long column, const char *reason)
{
    checks++;
    if (!PyErr_Occurred()) {
        fprintf(stderr, "FAIL %s:%d: expected a signature error for %s, but no exception is set\n", __FILE__, line,
                text);
        failures++;
        return;
    }
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    PyObject *want = eval(sigerror_type());
    char *msg = v ? text_of(v, 0) : strdup("");
    int ok = t == want; /* exactly: ValueError without sigbind, SignatureError with it */
    PyObject *vt = v ? PyObject_GetAttrString(v, "text") : NULL;
    PyObject *vc = v ? PyObject_GetAttrString(v, "column") : NULL;
    PyObject *vr = v ? PyObject_GetAttrString(v, "reason") : NULL;
    PyErr_Clear();
    char *st = vt ? text_of(vt, 0) : strdup("<none>");
    char *sr = vr ? text_of(vr, 0) : strdup("<none>");
    long col = vc && PyLong_Check(vc) ? PyLong_AsLong(vc) : -999;
    char colbuf[48];
    snprintf(colbuf, sizeof colbuf, "(column %ld)", column);
    if (!ok || strcmp(st, text) != 0 || col != column || strncmp(sr, reason, strlen(reason)) != 0 ||
        (column > 0 && !strstr(msg, colbuf))) {
        char *tn = text_of(t, 1);
        fprintf(stderr,
                "FAIL %s:%d: expected %s for '%s' at column %ld ('%s...'), got %s: %s [text '%s', column %ld, "
                "reason '%s']\n",
                __FILE__, line, sigerror_type(), text, column, reason, tn, msg, st, col, sr);
        free(tn);
        failures++;
    }
    free(msg);
    free(st);
    free(sr);
    Py_XDECREF(vt);
    Py_XDECREF(vc);
    Py_XDECREF(vr);
    Py_DECREF(want);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
}

/* ------------------------------------------------------------------ */
/* sb_call                                                             */

static void test_call_integers(void)
{
    PyObject *echo = g("echo");
    const char *all =
        "(char c, signed char sc, unsigned char uc, short s, unsigned short us, int i, unsigned int ui, long l, "
        "unsigned long ul, long long ll, unsigned long long ull, int8_t i8, uint8_t u8, int16_t i16, uint16_t u16, "
        "int32_t i32, uint32_t u32, int64_t i64, uint64_t u64, size_t sz, ssize_t ssz, intptr_t ip, uintptr_t up, "
        "ptrdiff_t pd)";
    char want[1024];
    snprintf(want, sizeof want,
             "((%d, 127, 255, 32767, 65535, 2**31-1, 2**32-1, 2**63-1, 2**64-1, 2**63-1, 2**64-1, 127, 255, 32767, "
             "65535, 2**31-1, 2**32-1, 2**63-1, 2**64-1, 2**64-1, 2**63-1, 2**63-1, 2**64-1, 2**63-1), {})",
             CHAR_MAX);
    EXPECT(sb_call(echo, all, (char)CHAR_MAX, (signed char)SCHAR_MAX, (unsigned char)UCHAR_MAX, (short)SHRT_MAX,
                   (unsigned short)USHRT_MAX, INT_MAX, UINT_MAX, LONG_MAX, ULONG_MAX, LLONG_MAX, ULLONG_MAX,
                   (int8_t)INT8_MAX, (uint8_t)UINT8_MAX, (int16_t)INT16_MAX, (uint16_t)UINT16_MAX, (int32_t)INT32_MAX,
                   (uint32_t)UINT32_MAX, (int64_t)INT64_MAX, (uint64_t)UINT64_MAX, (size_t)SIZE_MAX,
                   (Py_ssize_t)PY_SSIZE_T_MAX, (intptr_t)INTPTR_MAX, (uintptr_t)UINTPTR_MAX, (ptrdiff_t)PTRDIFF_MAX),
           want);
    snprintf(want, sizeof want,
             "((%d, -128, 0, -32768, 0, -2**31, 0, -2**63, 0, -2**63, 0, -128, 0, -32768, 0, -2**31, 0, -2**63, 0, 0, "
             "-2**63, -2**63, 0, -2**63), {})",
             CHAR_MIN);
    EXPECT(sb_call(echo, all, (char)CHAR_MIN, (signed char)SCHAR_MIN, (unsigned char)0, (short)SHRT_MIN,
                   (unsigned short)0, INT_MIN, 0u, LONG_MIN, 0ul, LLONG_MIN, 0ull, (int8_t)INT8_MIN, (uint8_t)0,
                   (int16_t)INT16_MIN, (uint16_t)0, (int32_t)INT32_MIN, (uint32_t)0, (int64_t)INT64_MIN,
                   (uint64_t)0, (size_t)0, (Py_ssize_t)PY_SSIZE_T_MIN, (intptr_t)INTPTR_MIN, (uintptr_t)0,
                   (ptrdiff_t)PTRDIFF_MIN),
           want);
    /* Unnamed parameters are positional; '/' changes nothing. */
    EXPECT(sb_call(echo, "(int, int64_t, /, unsigned)", -1, (int64_t)-2, 3u), "((-1, -2, 3), {})");
    /* A value wider than its type converts like a C cast. */
    EXPECT(sb_call(echo, "(int8_t a, uint8_t b, uint16_t c)", 200, -1, 65537), "((-56, 255, 1), {})");
}

static void test_call_other_types(void)
{
    PyObject *echo = g("echo");
    EXPECT(sb_call(echo, "(double x, float y, double z)", 2.5, 0.1f, -0.0),
           "((2.5, __import__('struct').unpack('f', __import__('struct').pack('f', 0.1))[0], -0.0), {})");
    EXPECT(sb_call(echo, "(bool t, bool f, _Bool b, bool big)", true, false, (_Bool)1, 256), "((True, False, True, True), {})");
    char buf[] = "abc";
    EXPECT(sb_call(echo, "(const char *s, const char *n, char *m, const char *bad)", "h\xc3\xa9llo", (const char *)NULL,
                   buf, "\xff"),
           "(('h\\u00e9llo', None, 'abc', '\\udcff'), {})");
    PyObject *obj = eval("[1, 2]");
    Py_ssize_t rc = Py_REFCNT(obj);
    PyObject *r = sb_call(g("ident"), "(PyObject *o)", obj);
    CHECK(r == obj, "sb_call with a PyObject * argument must pass the object itself");
    Py_XDECREF(r);
    CHECK(Py_REFCNT(obj) == rc, "refcount of a PyObject * argument changed: %zd -> %zd", rc, Py_REFCNT(obj));
    Py_DECREF(obj);
    /* Keyword-only parameters are passed by keyword. */
    EXPECT(sb_call(echo, "(int64_t a, *, double x, const char *s, PyObject *o)", (int64_t)1, 2.5, "t", Py_None),
           "((1,), {'x': 2.5, 's': 't', 'o': None})");
    EXPECT(sb_call(echo, "(*, bool flag)", true), "((), {'flag': True})");
    EXPECT(sb_call(echo, "()"), "((), {})");
    EXPECT(sb_call(echo, " ( void ) "), "((), {})");
    EXPECT(sb_call(echo, NULL), "((), {})");
    EXPECT(sb_call(g("kw"), "(int a, *, int b)", 1, 2), "12");
    /* Pointers (no sigbind module running): addresses as int, NULL as None. */
    if (!sigbind_mod)
        EXPECT(sb_call(echo, "(void *p, const void *q, int *r, unsigned char **s)", (void *)0x1234, (void *)NULL,
                       (int *)0x10, (unsigned char **)0x20),
               "((0x1234, None, 16, 32), {})");
}

static PyObject *vcall_helper(PyObject *f, const char *params, ...)
{
    va_list ap;
    va_start(ap, params);
    PyObject *r = sb_vcall(f, params, ap);
    va_end(ap);
    return r;
}

static void test_vcall_and_method(void)
{
    EXPECT(vcall_helper(g("echo"), "(int64_t a, *, const char *s)", (int64_t)-5, "x"), "((-5,), {'s': 'x'})");
    PyObject *c = eval("C(3)");
    EXPECT(sb_call_method(c, "m", "(int a, *, int b)", 4, 5), "345");
    EXPECT(sb_call_method(c, "m", "(int a)", 4), "340");
    EXPECT(sb_call_method(c, "get", "()"), "3");
    PyObject *r = sb_call_method(c, "nope", "(int a)", 1);
    CHECK(r == NULL, "a missing method must fail");
    EXPECT_ERROR("AttributeError", "~nope");
    Py_DECREF(c);
    /* list.append through its method */
    PyObject *lst = eval("[]");
    EXPECT(sb_call_method(lst, "append", "(double)", 1.5), "None");
    EXPECT(sb_call_method(lst, "append", "(const char *)", "s"), "None");
    Py_INCREF(lst);
    EXPECT(lst, "[1.5, 's']");
    Py_DECREF(lst);
}

static void test_call_raises(void)
{
    PyObject *r = sb_call(g("outer"), "(int x)", 7);
    CHECK(r == NULL, "a raising callee must give NULL");
    checks++;
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (!t || !PyErr_GivenExceptionMatches(t, PyExc_ValueError)) {
        FAIL("the callee's ValueError must propagate");
    } else {
        if (tb)
            PyException_SetTraceback(v, tb);
        PyDict_SetItemString(ns, "caught", v);
        EXPECT(eval("str(caught)"), "'boom 7'");
        EXPECT(eval("caught.__traceback__ is not None"), "True");
        EXPECT(eval("[f.name for f in __import__('traceback').extract_tb(caught.__traceback__)]"), "['outer', 'boom']");
        PyDict_DelItemString(ns, "caught");
    }
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);

    /* A NULL callable or PyObject * argument passes a set exception through, else SystemError. */
    r = sb_call(NULL, "()");
    CHECK(r == NULL, "NULL callable");
    EXPECT_ERROR("SystemError", "sb_call(): the callable is NULL");
    r = sb_call(g("echo"), "(int a, PyObject *o)", 1, (PyObject *)NULL);
    CHECK(r == NULL, "NULL PyObject *");
    EXPECT_ERROR("SystemError", "sb_call() argument 'o' (PyObject *) is NULL");
    r = sb_call(g("echo"), "(PyObject *)", (PyObject *)NULL);
    EXPECT_ERROR("SystemError", "sb_call() argument 'arg0' (PyObject *) is NULL");
    PyErr_SetString(PyExc_KeyError, "earlier");
    r = sb_call(g("echo"), "(PyObject *o)", (PyObject *)NULL);
    CHECK(r == NULL, "NULL PyObject * with an exception set");
    EXPECT_ERROR("KeyError", "'earlier'");
    /* TypeError from the callee's arity: propagates. */
    r = sb_call(g("kw"), "(int a, int b)", 1, 2);
    CHECK(r == NULL, "kw(1, 2) must fail");
    EXPECT_ERROR("TypeError", NULL);
}

static void test_param_errors(void)
{
    PyObject *echo = g("echo");
    PyObject *r = sb_call(echo, "(int x y)", 1);
    CHECK(r == NULL, "bad parameter list");
    if (PyErr_Occurred()) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        char *s = text_of(v, 0);
        const char *want = "sb_call(): expected ',' or ')' after the parameter, found 'y' (column 8)\n"
                           "    (int x y)\n"
                           "           ^";
        CHECK(strcmp(s, want) == 0, "message:\n%s\nwanted:\n%s", s, want);
        free(s);
        PyErr_Restore(t, v, tb);
    }
    EXPECT_SIGERROR("(int x y)", 8, "expected ',' or ')'");
    r = sb_call(echo, "int x", 1);
    EXPECT_SIGERROR("int x", 1, "expected '(' to start the parameter list");
    r = sb_call(echo, "(int64 x)", 1);
    EXPECT_SIGERROR("(int64 x)", 2, "unknown type name 'int64'");
    r = sb_call(echo, "(int x = 3)", 1);
    EXPECT_SIGERROR("(int x = 3)", 10, "parameters take no default here");
    r = sb_call(echo, "(int a, *, int)", 1, 2);
    EXPECT_SIGERROR("(int a, *, int)", 12, "a keyword-only parameter needs a name");
    r = sb_call(echo, "(int *x [[out]])", (int *)NULL);
    EXPECT_SIGERROR("(int *x [[out]])", 2, "[[out]] and [[inout]] have no meaning here");
    r = sb_call(echo, "(int x) [[nogil]]", 1);
    EXPECT_SIGERROR("(int x) [[nogil]]", 9, "annotations after the parameter list");
    r = sb_call(echo, "(const char *fmt, ...)", "x");
    EXPECT_SIGERROR("(const char *fmt, ...)", 19, "'...' is not allowed here");
    r = sb_call(echo, "(int a, *args)", 1);
    EXPECT_SIGERROR("(int a, *args)", 9, "*args and **kwargs are not supported here");
    r = sb_call(echo, "(void x)", 1);
    EXPECT_SIGERROR("(void x)", 2, "a parameter cannot have type void");
    r = sb_call(echo, "(int a, int a)", 1, 2);
    EXPECT_SIGERROR("(int a, int a)", 9, "duplicate parameter name 'a'");
    r = sb_call(echo, "(int a", 1);
    EXPECT_SIGERROR("(int a", 7, "expected ',' or ')'");
    r = sb_call_method(echo, "__call__", "(int a,)", 1);
    EXPECT_SIGERROR("(int a,)", 8, "");
    r = sb_dict("(int, double d)", 1, 2.0);
    EXPECT_SIGERROR("(int, double d)", 2, "every parameter needs a name (the names are the keys)");
    r = sb_tuple("(int a [[inout]])", 1);
    EXPECT_SIGERROR("(int a [[inout]])", 2, "");
    r = sb_value("int64", (int64_t)1);
    EXPECT_SIGERROR("int64", 1, "");
    r = sb_value("PyObject", (PyObject *)NULL);
    EXPECT_SIGERROR("PyObject", 1, "PyObject is only usable as 'PyObject *'");
    int64_t x = 5;
    int rc = sb_extract(Py_None, "int64_t x", &x);
    CHECK(rc == -1 && x == 5, "sb_extract with a bad type must fail and leave *out alone");
    EXPECT_SIGERROR("int64_t x", 9, "expected end of the type");
    rc = sb_extract(Py_None, "void", &x);
    CHECK(rc == -1, "sb_extract void");
    EXPECT_SIGERROR("void", 1, "a value of type void cannot be extracted");
    (void)r;
}

/* ------------------------------------------------------------------ */
/* sb_extract                                                          */

/* Reports (and clears) an exception nobody expected. */
static void report_unexpected(const char *what)
{
    if (PyErr_Occurred()) {
        char *e = take_error();
        FAIL("%s: unexpected exception %s", what, e);
        free(e);
    }
}

/* One integer type: its limits, one below and one above (exact messages), __index__, float. */
#define INT_CASE(T, NAME, IS_SIGNED, LO, HI)                                                                        \
    do {                                                                                                           \
        PyObject *lo = IS_SIGNED ? PyLong_FromLongLong((long long)(LO)) : PyLong_FromUnsignedLongLong(0);          \
        PyObject *hi = PyLong_FromUnsignedLongLong((unsigned long long)(HI));                                      \
        PyObject *one = PyLong_FromLong(1);                                                                        \
        PyObject *below = PyNumber_Subtract(lo, one), *above = PyNumber_Add(hi, one);                              \
        T v = 0;                                                                                                   \
        CHECK(sb_extract(hi, NAME, &v) == 0 && v == (T)(HI), NAME " max");                                        \
        report_unexpected(NAME);                                                                                   \
        CHECK(sb_extract(lo, NAME, &v) == 0 && v == (T)(LO), NAME " min");                                        \
        report_unexpected(NAME);                                                                                   \
        char msg[200], range[80];                                                                                  \
        if (IS_SIGNED)                                                                                             \
            snprintf(range, sizeof range, "%lld..%llu", (long long)(LO), (unsigned long long)(HI));               \
        else                                                                                                       \
            snprintf(range, sizeof range, "0..%llu", (unsigned long long)(HI));                                    \
        char *bt = text_of(below, 1), *at = text_of(above, 1);                                                     \
        v = (T)42;                                                                                                 \
        CHECK(sb_extract(above, NAME, &v) == -1 && v == (T)42, NAME " above max");                                \
        snprintf(msg, sizeof msg, "sb_extract() argument 'value' (%s) must be in %s, not %s", NAME, range, at);    \
        EXPECT_ERROR("OverflowError", msg);                                                                        \
        CHECK(sb_extract(below, NAME, &v) == -1 && v == (T)42, NAME " below min");                                \
        snprintf(msg, sizeof msg, "sb_extract() argument 'value' (%s) must be in %s, not %s", NAME, range, bt);    \
        EXPECT_ERROR("OverflowError", msg);                                                                        \
        PyObject *idx = eval("Idx(7)");                                                                            \
        CHECK(sb_extract(idx, NAME, &v) == 0 && v == (T)7, NAME " from __index__");                               \
        Py_DECREF(idx);                                                                                            \
        PyObject *f = PyFloat_FromDouble(1.0);                                                                     \
        CHECK(sb_extract(f, NAME, &v) == -1, NAME " from float");                                                 \
        snprintf(msg, sizeof msg, "sb_extract() argument 'value' (%s) must be int, not float", NAME);              \
        EXPECT_ERROR("TypeError", msg);                                                                            \
        Py_DECREF(f);                                                                                              \
        free(bt);                                                                                                  \
        free(at);                                                                                                  \
        Py_DECREF(lo);                                                                                             \
        Py_DECREF(hi);                                                                                             \
        Py_DECREF(one);                                                                                            \
        Py_DECREF(below);                                                                                          \
        Py_DECREF(above);                                                                                          \
    } while (0)

static void test_extract_integers(void)
{
    INT_CASE(char, "char", CHAR_MIN < 0, CHAR_MIN, CHAR_MAX);
    INT_CASE(signed char, "signed char", 1, SCHAR_MIN, SCHAR_MAX);
    INT_CASE(unsigned char, "unsigned char", 0, 0, UCHAR_MAX);
    INT_CASE(short, "short", 1, SHRT_MIN, SHRT_MAX);
    INT_CASE(unsigned short, "unsigned short", 0, 0, USHRT_MAX);
    INT_CASE(int, "int", 1, INT_MIN, INT_MAX);
    INT_CASE(unsigned int, "unsigned int", 0, 0, UINT_MAX);
    INT_CASE(long, "long", 1, LONG_MIN, LONG_MAX);
    INT_CASE(unsigned long, "unsigned long", 0, 0, ULONG_MAX);
    INT_CASE(long long, "long long", 1, LLONG_MIN, LLONG_MAX);
    INT_CASE(unsigned long long, "unsigned long long", 0, 0, ULLONG_MAX);
    INT_CASE(int8_t, "int8_t", 1, INT8_MIN, INT8_MAX);
    INT_CASE(uint8_t, "uint8_t", 0, 0, UINT8_MAX);
    INT_CASE(int16_t, "int16_t", 1, INT16_MIN, INT16_MAX);
    INT_CASE(uint16_t, "uint16_t", 0, 0, UINT16_MAX);
    INT_CASE(int32_t, "int32_t", 1, INT32_MIN, INT32_MAX);
    INT_CASE(uint32_t, "uint32_t", 0, 0, UINT32_MAX);
    INT_CASE(int64_t, "int64_t", 1, INT64_MIN, INT64_MAX);
    INT_CASE(uint64_t, "uint64_t", 0, 0, UINT64_MAX);
    INT_CASE(size_t, "size_t", 0, 0, SIZE_MAX);
    INT_CASE(Py_ssize_t, "ssize_t", 1, PY_SSIZE_T_MIN, PY_SSIZE_T_MAX);
    INT_CASE(intptr_t, "intptr_t", 1, INTPTR_MIN, INTPTR_MAX);
    INT_CASE(uintptr_t, "uintptr_t", 0, 0, UINTPTR_MAX);
    INT_CASE(ptrdiff_t, "ptrdiff_t", 1, PTRDIFF_MIN, PTRDIFF_MAX);
    /* Spellings normalize: the message names the canonical type. */
    long v = 0;
    PyObject *big = eval("2**70");
    CHECK(sb_extract(big, "long int", &v) == -1, "long int overflow");
    EXPECT_ERROR("OverflowError",
                 "sb_extract() argument 'value' (long) must be in -9223372036854775808..9223372036854775807, not "
                 "1180591620717411303424");
    Py_DECREF(big);
    PyObject *s = eval("'12'");
    CHECK(sb_extract(s, "int", &v) == -1, "int from str");
    EXPECT_ERROR("TypeError", "sb_extract() argument 'value' (int) must be int, not str");
    Py_DECREF(s);
}

static void test_extract_others(void)
{
    /* bool */
    bool b = false;
    CHECK(sb_extract(Py_True, "bool", &b) == 0 && b == true, "bool True");
    CHECK(sb_extract(Py_False, "_Bool", &b) == 0 && b == false, "bool False");
    PyObject *five = PyLong_FromLong(5), *zero = PyLong_FromLong(0);
    CHECK(sb_extract(five, "bool", &b) == 0 && b == true, "bool 5");
    CHECK(sb_extract(zero, "bool", &b) == 0 && b == false, "bool 0");
    PyObject *s = eval("'x'");
    CHECK(sb_extract(s, "bool", &b) == -1, "bool from str");
    EXPECT_ERROR("TypeError", "sb_extract() argument 'value' (bool) must be bool or int, not str");

    /* float, double */
    float f = 0;
    double d = 0;
    PyObject *x = eval("1.5"), *huge = eval("1e300"), *tenth = eval("0.1");
    CHECK(sb_extract(x, "float", &f) == 0 && f == 1.5f, "float 1.5");
    CHECK(sb_extract(tenth, "float", &f) == 0 && f == 0.1f, "float 0.1");
    CHECK(sb_extract(five, "float", &f) == 0 && f == 5.0f, "float from int");
    CHECK(sb_extract(huge, "float", &f) == -1, "float overflow");
    EXPECT_ERROR("OverflowError", "sb_extract() argument 'value' (float) must be within the range of float, not 1e+300");
    CHECK(sb_extract(s, "float", &f) == -1, "float from str");
    EXPECT_ERROR("TypeError", "sb_extract() argument 'value' (float) must be float, not str");
    CHECK(sb_extract(tenth, "double", &d) == 0 && d == 0.1, "double 0.1");
    CHECK(sb_extract(huge, "double", &d) == 0 && d == 1e300, "double 1e300");
    CHECK(sb_extract(five, "double", &d) == 0 && d == 5.0, "double from int");
    PyObject *flo = eval("Flo()");
    CHECK(sb_extract(flo, "double", &d) == 0 && d == 2.25, "double from __float__");
    Py_DECREF(flo);
    PyObject *bigint = eval("10**400");
    CHECK(sb_extract(bigint, "double", &d) == -1, "double from a huge int");
    EXPECT_ERROR("OverflowError", "~too large");
    Py_DECREF(bigint);
    CHECK(sb_extract(s, "double", &d) == -1, "double from str");
    EXPECT_ERROR("TypeError", "sb_extract() argument 'value' (double) must be float, not str");

    /* const char *: bytes point into the object; str borrows its cached UTF-8 (3.10+). */
    const char *cs = "untouched";
    PyObject *by = eval("b'abc'");
    CHECK(sb_extract(by, "const char *", &cs) == 0 && cs == PyBytes_AsString(by), "const char * from bytes");
    CHECK(sb_extract(Py_None, "const char *", &cs) == 0 && cs == NULL, "const char * from None");
    PyObject *u = eval("'h\\u00e9llo'");
    cs = "untouched";
    int rc = sb_extract(u, "const char *", &cs);
    if (pyminor >= 10) {
        CHECK(rc == 0 && cs && strcmp(cs, "h\xc3\xa9llo") == 0, "const char * from str on 3.10+");
        const char *again = NULL;
        CHECK(sb_extract(u, "const char *", &again) == 0 && again == cs,
              "the UTF-8 of a str is the object's own (same pointer twice)");
        PyObject *nul = eval("'a\\0b'");
        CHECK(sb_extract(nul, "const char *", &cs) == -1, "str with NUL");
        EXPECT_ERROR("ValueError", "sb_extract() argument 'value' (const char *) must not contain NUL characters");
        Py_DECREF(nul);
        PyObject *sur = eval("'\\udcff'");
        CHECK(sb_extract(sur, "const char *", &cs) == -1, "lone surrogate");
        EXPECT_ERROR("ValueError", "~sb_extract() argument 'value' (const char *) must be encodable as UTF-8: ");
        Py_DECREF(sur);
    } else {
        CHECK(rc == -1 && strcmp(cs, "untouched") == 0, "const char * from str before 3.10 is refused");
        EXPECT_ERROR("TypeError", "sb_extract() argument 'value' (const char *): borrowing the UTF-8 of a str needs "
                                  "Python 3.10+; pass bytes (s.encode()) or extract 'PyObject *' and keep the str");
    }
    PyObject *bnul = eval("b'a\\0b'");
    CHECK(sb_extract(bnul, "const char *", &cs) == -1, "bytes with NUL");
    EXPECT_ERROR("ValueError", "sb_extract() argument 'value' (const char *) must not contain NUL characters");
    Py_DECREF(bnul);
    CHECK(sb_extract(five, "const char *", &cs) == -1, "const char * from int");
    EXPECT_ERROR("TypeError", "sb_extract() argument 'value' (const char *) must be str, bytes or None, not int");

    /* Pointers: None, int address, __index__ (Pointer), bytes, bytearray. */
    void *p = (void *)1;
    PyObject *addr = PyLong_FromVoidPtr((void *)0x1234);
    CHECK(sb_extract(addr, "void *", &p) == 0 && p == (void *)0x1234, "void * from int");
    CHECK(sb_extract(Py_None, "const void *", &p) == 0 && p == NULL, "void * from None");
    CHECK(sb_extract(by, "const unsigned char *", &p) == 0 && p == PyBytes_AsString(by), "pointer from bytes");
    PyObject *ba = eval("bytearray(b'xyz')");
    char *cp = NULL;
    CHECK(sb_extract(ba, "char *", &cp) == 0 && cp == PyByteArray_AsString(ba), "char * from bytearray");
    CHECK(sb_extract(u, "char *", &cp) == -1, "char * from str");
    EXPECT_ERROR("TypeError",
                 "sb_extract() argument 'value' (char *) must be a sigbind.Pointer, int address, bytes, bytearray or "
                 "None, not str");
    PyObject *neg = PyLong_FromLong(-1);
    CHECK(sb_extract(neg, "int *", &p) == -1, "negative address");
    EXPECT_ERROR("OverflowError", "sb_extract() argument 'value' (int *) must be an address in 0..18446744073709551615, not -1");
    PyObject *idx = eval("Idx(4096)");
    CHECK(sb_extract(idx, "double **", &p) == 0 && p == (void *)4096, "pointer from __index__");
    Py_DECREF(idx);
    if (sigbind_mod) {
        PyObject *ptr = eval("sigbind.Pointer(0x5678, 'int *')");
        CHECK(sb_extract(ptr, "int *", &p) == 0 && p == (void *)0x5678, "pointer from sigbind.Pointer");
        Py_DECREF(ptr);
    }

    /* PyObject *: borrowed, refcount unchanged. */
    PyObject *o = NULL;
    Py_ssize_t before = Py_REFCNT(ba);
    CHECK(sb_extract(ba, "PyObject *", &o) == 0 && o == ba && Py_REFCNT(ba) == before, "PyObject * borrowed");

    Py_DECREF(five);
    Py_DECREF(zero);
    Py_DECREF(s);
    Py_DECREF(x);
    Py_DECREF(huge);
    Py_DECREF(tenth);
    Py_DECREF(by);
    Py_DECREF(u);
    Py_DECREF(addr);
    Py_DECREF(ba);
    Py_DECREF(neg);

    /* NULL object: passes a set exception on, else SystemError. */
    int i = 0;
    CHECK(sb_extract(NULL, "int", &i) == -1, "NULL object");
    EXPECT_ERROR("SystemError", "sb_extract(): the object is NULL");
}

/* ------------------------------------------------------------------ */
/* sb_value, sb_tuple, sb_dict                                         */

static void test_value_tuple_dict(void)
{
    EXPECT(sb_value("int64_t", (int64_t)INT64_MIN), "-2**63");
    EXPECT(sb_value("uint64_t", (uint64_t)UINT64_MAX), "2**64-1");
    EXPECT(sb_value("unsigned short", (unsigned short)65535), "65535");
    EXPECT(sb_value("int8_t", 200), "-56");
    EXPECT(sb_value("size_t", (size_t)SIZE_MAX), "2**64-1");
    EXPECT(sb_value("double", 0.1), "0.1");
    EXPECT(sb_value("float", 0.5f), "0.5");
    EXPECT(sb_value("bool", true), "True");
    EXPECT(sb_value("bool", 0), "False");
    EXPECT(sb_value("const char *", "h\xc3\xa9"), "'h\\u00e9'");
    EXPECT(sb_value("char *", (char *)NULL), "None");
    EXPECT(sb_value("void"), "None");
    EXPECT(sb_value("PyObject *", Py_None), "None");
    if (!sigbind_mod) {
        EXPECT(sb_value("void *", (void *)0xdead), "0xdead");
        EXPECT(sb_value("const int *", (void *)NULL), "None");
    } else {
        /* With a sigbind module's code running, pointers come back as its Pointer type. */
        PyObject *outer = sb__current_module;
        sb__current_module = sigbind_mod;
        PyObject *p = sb_value("int *", (int *)0xbeef);
        sb__current_module = outer;
        PyDict_SetItemString(ns, "p", p);
        Py_XDECREF(p);
        EXPECT(eval("(type(p) is sigbind.Pointer, int(p), p.type)"), "(True, 0xbeef, 'int *')");
        PyDict_DelItemString(ns, "p");
        /* ... and their SignatureError is the module's. */
        sb__current_module = sigbind_mod;
        PyObject *r = sb_value("int int int");
        sb__current_module = outer;
        CHECK(r == NULL, "bad type with a module running");
        EXPECT_SIGERROR("int int int", 1, "invalid combination of type specifiers");
    }

    EXPECT(sb_tuple("(int a, double b, const char *c, PyObject *d, bool)", 1, 2.5, "x", Py_None, true),
           "(1, 2.5, 'x', None, True)");
    EXPECT(sb_tuple("()"), "()");
    EXPECT(sb_tuple("(int a, *, int b)", 1, 2), "(1, 2)");
    EXPECT(sb_dict("(int a, double b, *, const char *c)", 1, 2.5, "x"), "{'a': 1, 'b': 2.5, 'c': 'x'}");
    EXPECT(sb_dict("(void)"), "{}");
    PyObject *r = sb_tuple("(int a, PyObject *b)", 1, (PyObject *)NULL);
    CHECK(r == NULL, "sb_tuple NULL PyObject *");
    EXPECT_ERROR("SystemError", "sb_tuple() argument 'b' (PyObject *) is NULL");
    r = sb_dict("(PyObject *b)", (PyObject *)NULL);
    EXPECT_ERROR("SystemError", "sb_dict() argument 'b' (PyObject *) is NULL");
}

/* ------------------------------------------------------------------ */
/* Leaks and refcounts                                                 */

static Py_ssize_t blocks(void)
{
    PyObject *r = sb_call(g("collect"), "()");
    Py_XDECREF(r);
    r = sb_call(g("getallocatedblocks"), "()");
    Py_ssize_t n = -1;
    if (!r || sb_extract(r, "ssize_t", &n) < 0) {
        PyErr_Print();
        exit(2);
    }
    Py_DECREF(r);
    return n;
}

static PyObject *leak_obj; /* the PyObject * argument of the loops */

static void loop_calls(long n)
{
    PyObject *sink = g("sink");
    for (long i = 0; i < n; i++) {
        PyObject *r = sb_call(sink, "(int64_t a, double x, const char *s, PyObject *o, *, bool flag, uint8_t k)",
                              (int64_t)i, 1.5, "abc", leak_obj, true, (uint8_t)7);
        if (!r) {
            PyErr_Print();
            exit(2);
        }
        Py_DECREF(r);
    }
}

static void loop_others(long n)
{
    PyObject *obj = leak_obj;
    for (long i = 0; i < n; i++) {
        PyObject *t = sb_tuple("(int a, PyObject *o, const char *s)", (int)i, obj, "x");
        PyObject *d = sb_dict("(int a, PyObject *o, double x)", (int)i, obj, 1.0);
        PyObject *v = sb_value("int64_t", (int64_t)i * 1000003);
        PyObject *m = sb_call_method(obj, "count", "(PyObject *x)", obj);
        int64_t e = 0;
        if (!t || !d || !v || !m || sb_extract(v, "int64_t", &e) < 0 || e != (int64_t)i * 1000003) {
            PyErr_Print();
            exit(2);
        }
        Py_DECREF(t);
        Py_DECREF(d);
        Py_DECREF(v);
        Py_DECREF(m);
    }
}

static void loop_errors(long n)
{
    PyObject *big = eval("2**70");
    for (long i = 0; i < n; i++) {
        PyObject *r = sb_call(g("boom"), "(int x, PyObject *o)", 1, leak_obj);
        PyErr_Clear();
        r = sb_call(g("echo"), "(int x y)", 1);
        PyErr_Clear();
        r = sb_call(g("echo"), "(int x, PyObject *o)", 1, (PyObject *)NULL);
        PyErr_Clear();
        int64_t v;
        if (sb_extract(big, "int64_t", &v) == 0)
            exit(3);
        PyErr_Clear();
        (void)r;
    }
    Py_DECREF(big);
}

/* Runs loop(n) after a warm-up and checks that the interpreter's allocated
 * blocks stay flat (a leak of one object per call would add >= n per round).
 * Interpreters grow bounded caches for a while (3.10 and 3.13: one or two
 * hundred blocks spread over the first tens of thousands of raised
 * exceptions, differing from run to run with address layout), so a round that
 * grows is measured again, up to four rounds: one flat round (< 100 blocks)
 * passes, four growing rounds fail. Also checks the refcount of the
 * PyObject * argument. */
static void leak_check(const char *what, void (*loop)(long), long n)
{
    enum { ROUNDS = 4, FLAT = 100 };
    Py_ssize_t rc = Py_REFCNT(leak_obj);
    Py_ssize_t before[ROUNDS], after[ROUNDS];
    int rounds = 0;
    loop(n / 10 > 0 ? n / 10 : 1);
    do {
        before[rounds] = blocks();
        loop(n);
        after[rounds] = blocks();
        rounds++;
    } while (after[rounds - 1] - before[rounds - 1] >= FLAT && rounds < ROUNDS);
    bool flat = after[rounds - 1] - before[rounds - 1] < FLAT;
    CHECK(flat, "%s x %ld: allocated blocks grew by >= %d in each of %d rounds (%zd -> %zd)", what, n, FLAT, rounds,
          before[0], after[rounds - 1]);
    CHECK(Py_REFCNT(leak_obj) == rc, "%s x %ld: refcount of a PyObject * argument changed: %zd -> %zd", what, n, rc,
          Py_REFCNT(leak_obj));
    printf("  leak check: %s x %ld: allocated blocks", what, n);
    for (int i = 0; i < rounds; i++)
        printf("%s %zd -> %zd", i ? ", then" : "", before[i], after[i]);
    printf(", argument refcount %zd -> %zd\n", rc, Py_REFCNT(leak_obj));
}

static void test_leaks(void)
{
    const char *env = getenv("SIGBIND_LEAK_CALLS");
    long n = env && atol(env) > 0 ? atol(env) : 100000;
    leak_obj = eval("[1, 2, 3]");
    leak_check("sb_call", loop_calls, n);
    leak_check("sb_tuple+sb_dict+sb_value+sb_extract+sb_call_method", loop_others, n);
    leak_check("error paths (raising callee, bad text, NULL argument, overflow)", loop_errors,
               n / 20 > 0 ? n / 20 : 1);
    Py_CLEAR(leak_obj);
}

/* ------------------------------------------------------------------ */

static const char helpers[] =
    "import gc, sys\n"
    "def echo(*a, **k):\n"
    "    return (a, k)\n"
    "def ident(o):\n"
    "    return o\n"
    "def kw(a, *, b):\n"
    "    return a * 10 + b\n"
    "def boom(x, o=None):\n"
    "    raise ValueError('boom %r' % (x,))\n"
    "def outer(x):\n"
    "    return boom(x)\n"
    "def sink(a, x, s, o, *, flag, k):\n"
    "    return (a, s)\n"
    "class C:\n"
    "    def __init__(self, v):\n"
    "        self.v = v\n"
    "    def m(self, a, *, b=0):\n"
    "        return self.v * 100 + a * 10 + b\n"
    "    def get(self):\n"
    "        return self.v\n"
    "class Idx:\n"
    "    def __init__(self, v):\n"
    "        self.v = v\n"
    "    def __index__(self):\n"
    "        return self.v\n"
    "class Flo:\n"
    "    def __float__(self):\n"
    "        return 2.25\n"
    "collect = gc.collect\n"
    "getallocatedblocks = sys.getallocatedblocks\n";

int main(void)
{
    Py_InitializeEx(0);
    unsigned major = 0;
    if (sscanf(Py_GetVersion(), "%u.%u", &major, &pyminor) != 2 || major != 3) {
        fprintf(stderr, "cannot read the Python version from '%s'\n", Py_GetVersion());
        return 2;
    }
    ns = PyDict_New();
    PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins());
    exec_(helpers);

    const char *expect = getenv("SB_PYCALL_EXPECT_SIGBIND");
    sigbind_mod = PyImport_ImportModule("sigbind");
    if (!sigbind_mod)
        PyErr_Clear();
    else
        PyDict_SetItemString(ns, "sigbind", sigbind_mod);
    if (expect && (expect[0] == '1') != (sigbind_mod != NULL)) {
        fprintf(stderr, "FAIL: sigbind %s importable, but SB_PYCALL_EXPECT_SIGBIND=%s\n", sigbind_mod ? "is" : "is not",
                expect);
        return 1;
    }
    char ver[64];
    snprintf(ver, sizeof ver, "%s", Py_GetVersion());
    ver[strcspn(ver, " ")] = '\0';
    printf("test_pycall: Python %s, sigbind module %s\n", ver, sigbind_mod ? "importable" : "not importable");

    test_call_integers();
    test_call_other_types();
    test_vcall_and_method();
    test_call_raises();
    test_param_errors();
    test_extract_integers();
    test_extract_others();
    test_value_tuple_dict();
    test_leaks();

    if (PyErr_Occurred()) {
        FAIL("an exception was left set:");
        PyErr_Print();
    }
    Py_XDECREF(sigbind_mod);
    Py_DECREF(ns);
    if (Py_FinalizeEx() < 0)
        FAIL("Py_FinalizeEx failed");
    printf("test_pycall: Python %s: %d checks, %d failed\n", ver, checks, failures);
    return failures ? 1 : 0;
}
