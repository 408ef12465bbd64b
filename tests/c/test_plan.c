/* test_plan.c — cmocka tests of call plans (sb__plan_new: slots, Python parameters, fast path, text signature, errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static sb_plan *plan_at(const char *text, int line)
{
    sb_error e;
    sb_sig *s = sb__sig_parse(text, strlen(text), &e);
    if (!s) {
        print_error("line %d: \"%s\" does not parse: col %zu: %s\n", line, text, e.col, e.msg);
        _fail(__FILE__, line);
    }
    sb_plan *p = sb__plan_new(s, &e);
    if (!p) {
        print_error("line %d: no plan for \"%s\": col %lld: %s\n", line, text, (long long)e.col, e.msg);
        _fail(__FILE__, line);
    }
    return p;
}
#define PLAN(text) plan_at((text), __LINE__)

static void plan_error_at(const char *text, size_t col, const char *msg, int line)
{
    sb_error e;
    sb_sig *s = sb__sig_parse(text, strlen(text), &e);
    if (!s) {
        print_error("line %d: \"%s\" does not parse: col %zu: %s\n", line, text, e.col, e.msg);
        _fail(__FILE__, line);
    }
    sb_plan *p = sb__plan_new(s, &e); /* takes s, also on failure */
    if (p) {
        print_error("line %d: \"%s\" made a plan, expected \"%s\"\n", line, text, msg);
        sb__plan_free(p);
        _fail(__FILE__, line);
    }
    if (strcmp(e.msg, msg) != 0 || e.col != col) {
        print_error("line %d: \"%s\"\n   got col %lld \"%s\"\n  want col %lld \"%s\"\n", line, text, (long long)e.col,
                    e.msg, (long long)col, msg);
        _fail(__FILE__, line);
    }
}
#define NOCOL ((size_t)-1)
#define PLAN_ERROR(text, col, msg) plan_error_at((text), (col), (msg), __LINE__)

#define PLAN_ERROR_CASE(name, text, col, msg)                                                \
    static void name(void **state)                                                           \
    {                                                                                        \
        (void)state;                                                                         \
        PLAN_ERROR(text, col, msg);                                                          \
    }

/* The plan's text signature as a string (in a static buffer: one at a time). */
static const char *text_sig(const sb_plan *p)
{
    static char buf[4096];
    size_t n;
    const char *ts = sb__plan_text_signature(p, &n);
    snprintf(buf, sizeof buf, "%.*s", (int)n, ts);
    return buf;
}

static void check_ts_at(const char *text, const char *want, int line)
{
    sb_plan *p = plan_at(text, line);
    if (strcmp(text_sig(p), want) != 0) {
        print_error("line %d: \"%s\"\n   text_signature \"%s\"\n   want           \"%s\"\n", line, text,
                    text_sig(p), want);
        sb__plan_free(p);
        _fail(__FILE__, line);
    }
    sb__plan_free(p);
}
#define CHECK_TS(text, want) check_ts_at((text), (want), __LINE__)

/* Every argument cell and out cell is distinct and below ncells. */
static void check_cells(const sb_plan *p)
{
    bool used[256] = {false};
    for (uint16_t i = 0; i < p->nargs; i++) {
        const sb_slot *s = &p->slots[i];
        assert_true(s->store < p->ncells);
        assert_false(used[s->store]);
        used[s->store] = true;
    }
    for (uint16_t i = 0; i < p->nargs; i++) {
        const sb_slot *s = &p->slots[i];
        if (s->flags & (SB_PARAM_OUT | SB_PARAM_INOUT)) {
            assert_true(s->outcell < p->ncells);
            assert_false(used[s->outcell]);
            used[s->outcell] = true;
        }
    }
}

static const int fast_regs = SB_HAVE_CALLREGS ? SB_FAST_REGS : SB_FAST_NONE;

/* ------------------------------------------------------------------ */
/* Shapes and the fast path                                            */

static void test_double_of_double_uses_registers(void **state)
{
    (void)state;
    sb_plan *p = PLAN("double f(double)");
    assert_int_equal(p->nargs, 1);
    assert_int_equal(p->npy, 1);
    assert_int_equal(p->nposonly, 1);
    assert_int_equal(p->npositional, 1);
    assert_int_equal(p->nrequired, 1);
    assert_int_equal(p->nout, 0);
    assert_int_equal(p->fast, fast_regs);
    assert_int_equal(p->ret_conv, SB_CV_DOUBLE);
    assert_int_equal(p->slots[0].conv, SB_CV_DOUBLE);
    assert_int_equal(p->slots[0].py, 0);
    assert_string_equal(p->py[0].name, "arg0");
    assert_int_equal(p->py[0].namelen, 4);
    assert_int_equal(p->py[0].slot, 0);
    assert_null(p->py[0].def);
    if (SB_HAVE_CALLREGS) {
        assert_int_equal(p->slots[0].store, SB_REG_INT); /* xmm0's cell */
        assert_int_equal(p->ncells, SB_REG_CELLS);
    }
    assert_ptr_equal(p->cif.arg_types[0], &ffi_type_double);
    assert_int_equal(p->cif.nargs, 1);
    assert_ptr_equal(p->cif.rtype, &ffi_type_double);
    check_cells(p);
    sb__plan_free(p);
}

static void test_two_int64_use_registers(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int64_t add(int64_t a, int64_t b)");
    assert_int_equal(p->fast, fast_regs);
    assert_int_equal(p->npy, 2);
    assert_int_equal(p->nposonly, 0);
    assert_int_equal(p->npositional, 2);
    assert_int_equal(p->nrequired, 2);
    assert_int_equal(p->ret_conv, SB_CV_SINT);
    assert_int_equal(p->slots[0].conv, SB_CV_SINT);
    assert_int_equal(p->slots[0].kind, SB_K_INT64);
    if (SB_HAVE_CALLREGS) {
        assert_int_equal(p->slots[0].store, 0);
        assert_int_equal(p->slots[1].store, 1);
    }
    check_cells(p);
    sb__plan_free(p);
}

static void test_six_ints_and_eight_doubles_use_registers(void **state)
{
    (void)state;
    sb_plan *p = PLAN("double f(int a, double x0, long b, double x1, double x2, char *c, double x3, double x4, "
                      "void *d, double x5, bool e, double x6, double x7, unsigned f)");
    assert_int_equal(p->nargs, 14);
    assert_int_equal(p->fast, fast_regs);
    if (SB_HAVE_CALLREGS) {
        assert_int_equal(p->ncells, SB_REG_CELLS);
        /* Integer-class arguments fill cells 0..5 in order, doubles 6..13. */
        static const uint8_t want[14] = {0, 6, 1, 7, 8, 2, 9, 10, 3, 11, 4, 12, 13, 5};
        for (int i = 0; i < 14; i++)
            assert_int_equal(p->slots[i].store, want[i]);
    }
    check_cells(p);
    sb__plan_free(p);
}

static void test_seventh_int_argument_goes_on_the_stack(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int f(int a, int b, int c, int d, int e, int f, int g)");
    if (!SB_HAVE_CALLREGS) {
        assert_int_equal(p->fast, SB_FAST_NONE);
        sb__plan_free(p);
        return;
    }
    assert_int_equal(p->fast, SB_FAST_REGS);
    assert_int_equal(p->nstack, 1);
    assert_int_equal(p->ncells, SB_REG_CELLS + 1);
    for (int i = 0; i < 6; i++)
        assert_int_equal(p->slots[i].store, i);
    assert_int_equal(p->slots[6].store, SB_REG_CELLS);
    assert_true(p->simple);
    check_cells(p);
    sb__plan_free(p);
}

static void test_ninth_double_goes_on_the_stack_in_order(void **state)
{
    (void)state;
    /* a..h in xmm0..7; i and then the 7th integer on the stack, in argument order */
    sb_plan *p = PLAN("double f(double a, double b, double c, double d, double e, double f, double g, double h, "
                      "double i, int j, int k, int l, int m, int n, int o, long q)");
    if (!SB_HAVE_CALLREGS) {
        sb__plan_free(p);
        return;
    }
    assert_int_equal(p->fast, SB_FAST_REGS);
    assert_int_equal(p->nstack, 2);
    assert_int_equal(p->slots[8].store, SB_REG_CELLS);
    assert_int_equal(p->slots[9].store, 0);
    assert_int_equal(p->slots[15].store, SB_REG_CELLS + 1);
    check_cells(p);
    sb__plan_free(p);
}

static void test_more_stack_words_than_the_stub_takes_use_libffi(void **state)
{
    (void)state;
    char buf[1024];
    size_t n = (size_t)snprintf(buf, sizeof buf, "long f(");
    for (int i = 0; i < SB_REG_INT + SB_STACK_WORDS + 1; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%slong a%d", i ? ", " : "", i);
    snprintf(buf + n, sizeof buf - n, ")");
    sb_plan *p = PLAN(buf);
    assert_int_equal(p->fast, SB_FAST_NONE);
    assert_int_equal(p->nstack, 0);
    assert_int_equal(p->ncells, SB_REG_INT + SB_STACK_WORDS + 1);
    check_cells(p);
    sb__plan_free(p);
}

static void test_no_arguments_uses_registers(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int getpid(void)");
    assert_int_equal(p->nargs, 0);
    assert_int_equal(p->npy, 0);
    assert_int_equal(p->fast, fast_regs);
    assert_string_equal(text_sig(p), "()");
    assert_string_equal(p->doc, "getpid()\n--\n\nint getpid(void)");
    sb__plan_free(p);
}

static void test_out_pointers_count_as_integer_registers(void **state)
{
    (void)state;
    /* 5 ints + one [[out]] pointer = 6 integer registers. */
    sb_plan *p = PLAN("int f(int a, int b, int c, int d, int e, double *r [[out]])");
    assert_int_equal(p->fast, fast_regs);
    sb__plan_free(p);
    p = PLAN("int f(int a, int b, int c, int d, int e, int g, double *r [[out]])");
    assert_int_equal(p->fast, fast_regs);
    if (SB_HAVE_CALLREGS) {
        assert_int_equal(p->slots[6].store, SB_REG_CELLS); /* the pointer on the stack */
        assert_int_equal(p->ncells, SB_REG_CELLS + 1 + 1);
    }
    check_cells(p);
    sb__plan_free(p);
}

/* ------------------------------------------------------------------ */
/* Converters                                                          */

static void test_slot_converters_follow_the_type(void **state)
{
    (void)state;
    sb_plan *p = PLAN("void f(int a, unsigned b, bool c, float d, double e, char *f, const char *g, void *h, "
                      "int *i, char **j, PyObject *k, signed char l, unsigned char m, size_t n, ssize_t o, "
                      "const unsigned char *q, char r)");
    /* a non-const `char *` parameter is a writable pointer, not text */
    static const uint8_t want[] = {SB_CV_SINT, SB_CV_UINT, SB_CV_BOOL, SB_CV_FLOAT, SB_CV_DOUBLE, SB_CV_PTR,
                                   SB_CV_CSTR, SB_CV_PTR, SB_CV_PTR, SB_CV_PTR, SB_CV_PYOBJ, SB_CV_SINT,
                                   SB_CV_UINT, SB_CV_UINT, SB_CV_SINT, SB_CV_PTR, (char)-1 < 0 ? SB_CV_SINT : SB_CV_UINT};
    assert_int_equal(p->nargs, sizeof want);
    for (size_t i = 0; i < sizeof want; i++) {
        if (p->slots[i].conv != want[i]) {
            print_error("slot %zu (%s): conv %u, want %u\n", i, p->py[i].name, p->slots[i].conv, want[i]);
            fail();
        }
        assert_int_equal(p->slots[i].kind, p->sig->params[i].type.kind);
        assert_int_equal(p->slots[i].type.ptr, p->sig->params[i].type.ptr);
        assert_ptr_equal(p->cif.arg_types[i], sb__type_ffi(p->sig->params[i].type));
    }
    assert_int_equal(p->ret_conv, SB_CV_VOID);
    sb__plan_free(p);
}

static void test_result_converters(void **state)
{
    (void)state;
    static const struct { const char *text; uint8_t conv; } cases[] = {
        {"void f(void)", SB_CV_VOID},         {"int f(void)", SB_CV_SINT},
        {"uint64_t f(void)", SB_CV_UINT},     {"bool f(void)", SB_CV_BOOL},
        {"float f(void)", SB_CV_FLOAT},       {"double f(void)", SB_CV_DOUBLE},
        {"const char *f(void)", SB_CV_CSTR},  {"void *f(void)", SB_CV_PTR},
        {"PyObject *f(void)", SB_CV_PYOBJ},   {"char **f(void)", SB_CV_PTR},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_plan *p = PLAN(cases[i].text);
        assert_int_equal(p->ret_conv, cases[i].conv);
        sb__plan_free(p);
    }
}

/* ------------------------------------------------------------------ */
/* Out parameters                                                      */

static void test_out_parameter_is_not_a_python_parameter(void **state)
{
    (void)state;
    sb_plan *p = PLAN("double frexp(double x, int *exp [[out]])");
    assert_int_equal(p->nargs, 2);
    assert_int_equal(p->npy, 1);
    assert_int_equal(p->nout, 1);
    assert_int_equal(p->slots[1].py, -1);
    assert_int_equal(p->slots[1].conv, SB_CV_SINT); /* of the pointee */
    assert_int_equal(p->slots[1].kind, SB_K_INT);
    assert_int_equal(p->slots[1].type.ptr, 1);
    assert_int_equal(p->slots[1].flags, SB_PARAM_OUT);
    assert_ptr_equal(p->cif.arg_types[1], &ffi_type_pointer);
    assert_string_equal(text_sig(p), "(x)");
    if (SB_HAVE_CALLREGS) {
        assert_int_equal(p->fast, SB_FAST_REGS);
        assert_int_equal(p->slots[1].store, 0); /* the pointer goes in rdi */
        assert_int_equal(p->slots[1].outcell, SB_REG_CELLS);
        assert_int_equal(p->ncells, SB_REG_CELLS + 1);
    }
    check_cells(p);
    sb__plan_free(p);
}

static void test_several_out_and_inout_parameters_get_distinct_cells(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int f(int *a [[out]], double *b [[inout]], char **s [[out]], int n, float *g [[inout]] = 1.5)");
    assert_int_equal(p->nargs, 5);
    assert_int_equal(p->nout, 4);
    assert_int_equal(p->npy, 3);
    assert_int_equal(p->slots[0].py, -1);
    assert_int_equal(p->slots[1].py, 0);
    assert_int_equal(p->slots[2].py, -1);
    assert_int_equal(p->slots[3].py, 1);
    assert_int_equal(p->slots[4].py, 2);
    assert_int_equal(p->slots[1].conv, SB_CV_DOUBLE);
    assert_int_equal(p->slots[2].conv, SB_CV_CSTR);
    assert_int_equal(p->slots[4].conv, SB_CV_FLOAT);
    assert_string_equal(p->py[0].name, "b");
    assert_string_equal(p->py[1].name, "n");
    assert_string_equal(p->py[2].name, "g");
    assert_non_null(p->py[2].def);
    assert_int_equal(p->nrequired, 2);
    assert_string_equal(text_sig(p), "(b, n, g=1.5)");
    check_cells(p);
    uint8_t cells[4] = {p->slots[0].outcell, p->slots[1].outcell, p->slots[2].outcell, p->slots[4].outcell};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < i; j++)
            assert_int_not_equal(cells[i], cells[j]);
    sb__plan_free(p);
}

static void test_out_cells_follow_argument_cells_without_fast_path(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int f(int a, int b, int c, int d, int e, int g, int h, int *o1 [[out]], long *o2 [[out]], ...)");
    assert_int_equal(p->fast, SB_FAST_NONE);
    assert_int_equal(p->ncells, 9 + 2);
    assert_int_equal(p->slots[7].outcell, 9);
    assert_int_equal(p->slots[8].outcell, 10);
    check_cells(p);
    sb__plan_free(p);
}

/* ------------------------------------------------------------------ */
/* Names, markers, defaults                                            */

static void test_unnamed_parameters_become_positional_only_argN(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int f(int, int)");
    assert_string_equal(p->py[0].name, "arg0");
    assert_string_equal(p->py[1].name, "arg1");
    assert_int_equal(p->nposonly, 2);
    assert_string_equal(text_sig(p), "(arg0, arg1, /)");
    sb__plan_free(p);

    /* N is the C position; a later unnamed parameter makes the earlier named ones positional-only too. */
    p = PLAN("int f(int *[[out]], int a, double)");
    assert_int_equal(p->npy, 2);
    assert_string_equal(p->py[0].name, "a");
    assert_string_equal(p->py[1].name, "arg2");
    assert_int_equal(p->nposonly, 2);
    assert_string_equal(text_sig(p), "(a, arg2, /)");
    sb__plan_free(p);

    p = PLAN("int f(int, double y)");
    assert_int_equal(p->nposonly, 1);
    assert_string_equal(text_sig(p), "(arg0, /, y)");
    sb__plan_free(p);
}

static void test_markers_set_positional_and_keyword_counts(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int f(int a, /, int b, *, const char *c = NULL)");
    assert_int_equal(p->npy, 3);
    assert_int_equal(p->nposonly, 1);
    assert_int_equal(p->npositional, 2);
    assert_int_equal(p->nrequired, 2);
    assert_string_equal(text_sig(p), "(a, /, b, *, c=None)");
    sb__plan_free(p);

    p = PLAN("int f(int a, int b = 1, *, int c, int d = 2)");
    assert_int_equal(p->npy, 4);
    assert_int_equal(p->nposonly, 0);
    assert_int_equal(p->npositional, 2);
    assert_int_equal(p->nrequired, 1);
    assert_string_equal(text_sig(p), "(a, b=1, *, c, d=2)");
    sb__plan_free(p);

    p = PLAN("int f(*, int a)");
    assert_int_equal(p->npositional, 0);
    assert_int_equal(p->nrequired, 0);
    assert_string_equal(text_sig(p), "(*, a)");
    sb__plan_free(p);

    p = PLAN("int f(int a, int b, /, *, int c)");
    assert_int_equal(p->nposonly, 2);
    assert_int_equal(p->npositional, 2);
    assert_string_equal(text_sig(p), "(a, b, /, *, c)");
    sb__plan_free(p);
}

static void test_markers_skip_out_parameters(void **state)
{
    (void)state;
    /* The '/' after an [[out]] parameter counts the Python parameters before it. */
    sb_plan *p = PLAN("int f(int a, int *o [[out]], /, int b, int *o2 [[out]], *, int c)");
    assert_int_equal(p->npy, 3);
    assert_int_equal(p->nposonly, 1);
    assert_int_equal(p->npositional, 2);
    assert_string_equal(text_sig(p), "(a, /, b, *, c)");
    sb__plan_free(p);
}

static void test_args_and_kwargs_are_slots_not_python_parameters(void **state)
{
    (void)state;
    sb_plan *p = PLAN("PyObject *method(bool flag = true, *args, int n = 10, **kwargs)");
    assert_int_equal(p->npy, 2);
    assert_int_equal(p->npositional, 1);
    assert_int_equal(p->varargs_slot, 1);
    assert_int_equal(p->varkw_slot, 3);
    assert_int_equal(p->slots[1].conv, SB_CV_PYOBJ);
    assert_int_equal(p->slots[1].py, -1);
    assert_false(p->simple);
    sb__plan_free(p);
}

static void test_text_signatures(void **state)
{
    (void)state;
    CHECK_TS("double cos(double x)", "(x)");
    CHECK_TS("int open(const char *path, int flags, int mode = 0644)", "(path, flags, mode=420)");
    CHECK_TS("int f(int, int)", "(arg0, arg1, /)");
    CHECK_TS("int f(int a, /, int b, *, const char *c = NULL)", "(a, /, b, *, c=None)");
    CHECK_TS("int64_t add(int64_t a, int64_t b = 1)", "(a, b=1)");
    CHECK_TS("int f(int a = -5, unsigned b = 0x1F, char c = 'a')", "(a=-5, b=31, c=97)");
    CHECK_TS("int f(double a = 1.5, double b = 1e3, float c = -2.5f, double d = 3, double e = 0.1)",
             "(a=1.5, b=1000.0, c=-2.5, d=3, e=0.10000000000000001)");
    CHECK_TS("int f(double a = 1e999, double b = -1e999)", "(a=1e999, b=-1e999)");
    CHECK_TS("int f(const char *s = \"\xc3\xa9\xe2\x82\xac\")", "(s='\\u00e9\\u20ac')");
    CHECK_TS("PyObject *method(bool flag = true, *args, int n = 10, **kwargs)", "(flag=True, *args, n=10, **kwargs)");
    CHECK_TS("PyObject *f(int a, *rest)", "(a, *rest)");
    CHECK_TS("PyObject *f(**kw)", "(**kw)");
    CHECK_TS("int f(bool a = true, bool b = false, bool c = 1)", "(a=True, b=False, c=1)");
    CHECK_TS("int f(const char *s = \"it's \\\\ \\n\\x7f\", const char *t = \"\")", "(s='it\\'s \\\\ \\x0a\\x7f', t='')");
    CHECK_TS("int f(void *p = NULL, PyObject *o = None)", "(p=None, o=None)");
    /* The text signature stays valid UTF-8: valid sequences pass, stray high bytes are escaped. */
    CHECK_TS("int f(const char *s = \"\\xff\\xc3\\xa9\\xe2\\x82\\xac\\xed\\xa0\\x80\\xc3\")",
             "(s='\\xff\\u00e9\\u20ac\\xed\\xa0\\x80\\xc3')"); /* ASCII only: inspect needs it */
    CHECK_TS("int f(const char *s = \"caf\xc3\xa9\")", "(s='caf\\u00e9')");
    CHECK_TS("int f(int *x [[inout]] = 3)", "(x=3)");
}

static void test_doc_strings(void **state)
{
    (void)state;
    sb_plan *p = PLAN("double cos(double x)");
    assert_string_equal(p->doc, "cos(x)\n--\n\ndouble cos(double x)");
    sb__plan_free(p);
    p = PLAN("int   open(const char*path, int flags, int mode=0644) [[errno(-1)]]");
    assert_string_equal(p->doc, "open(path, flags, mode=420)\n--\n\n"
                                "int open(const char *path, int flags, int mode = 0644) [[errno(-1)]]");
    sb__plan_free(p);
    p = PLAN("double frexp(double, int *exp [[out]])");
    assert_string_equal(p->doc, "frexp(arg0, /)\n--\n\ndouble frexp(double, int *exp [[out]])");
    sb__plan_free(p);
}

static void test_defaults_point_into_the_signature(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int f(int a, int b = 7)");
    assert_null(p->py[0].def);
    assert_ptr_equal(p->py[1].def, &p->sig->params[1].def->lit);
    assert_int_equal(p->py[1].def->mag, 7);
    sb__plan_free(p);
}

static void test_errno_default_condition_depends_on_the_result(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int close(int fd) [[errno]]");
    assert_int_equal(p->sig->contract.kind, SB_CONTRACT_ERRNO);
    assert_int_equal(p->sig->contract.cmp, SB_CMP_EQ);
    assert_int_equal(p->sig->contract.value.kind, SB_LIT_INT);
    assert_true(p->sig->contract.value.neg);
    assert_int_equal(p->sig->contract.value.mag, 1);
    sb__plan_free(p);
    p = PLAN("void *malloc(size_t n) [[errno]]");
    assert_int_equal(p->sig->contract.value.kind, SB_LIT_NULL);
    assert_int_equal(p->sig->contract.cmp, SB_CMP_EQ);
    sb__plan_free(p);
    p = PLAN("int deflate(void *strm, int flush) [[status(!= 0, zError)]]");
    assert_int_equal(p->sig->contract.kind, SB_CONTRACT_STATUS);
    sb__plan_free(p);
    p = PLAN("char *strdup(const char *s) [[free, errno(NULL)]]");
    assert_int_equal(p->sig->flags, SB_SIG_FREE);
    sb__plan_free(p);
    p = PLAN("bool f(void) [[status(== 0)]]");
    sb__plan_free(p);
}

/* ------------------------------------------------------------------ */
/* Plan errors: exact message and column                                */

/* Variadic functions: the function's own plan (no extras), then one per extra-type list. */
static void test_variadic_plan(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int printf(const char *fmt, ...)");
    assert_int_equal(p->fast, SB_FAST_NONE); /* ffi_prep_cif_var's cif, never the register stub */
    assert_false(p->simple);
    assert_int_equal(p->npy, 1);
    assert_int_equal(p->cif.nargs, 1);
    assert_string_equal(text_sig(p), "(fmt, *args)");
    assert_string_equal(p->doc, "printf(fmt, *args)\n--\n\nint printf(const char *fmt, ...)");

    sb_type ex[3] = {{SB_K_INT, 0, 0, NULL}, {SB_K_DOUBLE, 0, 0, NULL}, {SB_K_CHAR, 1, 1, NULL}};
    sb_error e;
    sb_plan *v = sb__plan_variadic(p, ex, 3, &e);
    assert_non_null(v);
    assert_int_equal(v->nargs, 4);
    assert_int_equal(v->npy, 4);
    assert_int_equal(v->nposonly, 4); /* with extras, everything is positional */
    assert_int_equal(v->cif.nargs, 4);
    assert_int_equal(v->fast, SB_FAST_NONE);
    assert_int_equal(v->slots[1].conv, SB_CV_SINT);
    assert_int_equal(v->slots[2].conv, SB_CV_DOUBLE);
    assert_int_equal(v->slots[3].conv, SB_CV_CSTR);
    assert_true(v->slots[3].flags & SB_PARAM_EXTRA);
    assert_string_equal(v->sig->text, "int printf(const char *fmt, int, double, const char *, ...)");
    sb__plan_free(v);

    /* Only promoted types travel through '...'. */
    sb_type bad[2] = {{SB_K_FLOAT, 0, 0, NULL}, {SB_K_VOID, 0, 0, NULL}};
    assert_null(sb__plan_variadic(p, bad, 1, &e));
    assert_string_equal(e.msg, "an argument for '...' cannot have type float");
    assert_null(sb__plan_variadic(p, bad + 1, 1, &e));
    static sb_type many[SB_MAX_ARGS];
    for (int i = 0; i < SB_MAX_ARGS; i++)
        many[i] = ex[0];
    assert_null(sb__plan_variadic(p, many, SB_MAX_ARGS, &e));
    assert_string_equal(e.msg, "too many arguments (at most 1024 in all)");
    sb__plan_free(p);
}

static void test_variadic_plan_drops_defaults_and_keeps_outs(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int f(int *n [[out]], const char *k, int flags = 3, ...) [[errno(< 0)]]");
    assert_string_equal(text_sig(p), "(k, flags=3, *args)");
    sb_type ex[1] = {{SB_K_LLONG, 0, 0, NULL}};
    sb_error e;
    sb_plan *v = sb__plan_variadic(p, ex, 1, &e);
    assert_non_null(v);
    assert_int_equal(v->nout, 1);
    assert_int_equal(v->npy, 3);
    assert_null(v->py[1].def);
    assert_int_equal(v->sig->contract.kind, SB_CONTRACT_ERRNO);
    assert_int_equal(v->cif.nargs, 4);
    sb__plan_free(v);
    sb__plan_free(p);
    CHECK_TS("int f(int args, ...)", "(args, *varargs)");
}

static void test_type_promotions(void **state)
{
    (void)state;
    static const struct { sb_kind in, out; } cases[] = {
        {SB_K_FLOAT, SB_K_DOUBLE}, {SB_K_BOOL, SB_K_INT}, {SB_K_CHAR, SB_K_INT}, {SB_K_UCHAR, SB_K_INT},
        {SB_K_SHORT, SB_K_INT}, {SB_K_USHORT, SB_K_INT}, {SB_K_UINT8, SB_K_INT}, {SB_K_INT16, SB_K_INT},
        {SB_K_UINT, SB_K_UINT}, {SB_K_LLONG, SB_K_LLONG}, {SB_K_DOUBLE, SB_K_DOUBLE}, {SB_K_SIZE, SB_K_SIZE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_type t = {(uint8_t)cases[i].in, 0, 1, NULL};
        sb_type r = sb__type_promoted(t);
        assert_int_equal(r.kind, cases[i].out);
        assert_int_equal(r.cconst, 0);
    }
    sb_type fp = {SB_K_FLOAT, 1, 1, NULL}; /* pointers stay */
    assert_int_equal(sb__type_promoted(fp).kind, SB_K_FLOAT);
    assert_int_equal(sb__type_conv((sb_type){SB_K_CHAR, 1, 0, NULL}), SB_CV_PTR);
    assert_int_equal(sb__type_conv((sb_type){SB_K_CHAR, 1, 1, NULL}), SB_CV_CSTR);
}

PLAN_ERROR_CASE(test_variadic_after_keyword_only, "int f(int a, *, int b, ...)", NOCOL,
                "'...' cannot follow keyword-only parameters, *args or **kwargs")
PLAN_ERROR_CASE(test_free_on_a_non_pointer_result, "int f(void) [[free]]", NOCOL, "[[free]] needs a pointer result, not int")
PLAN_ERROR_CASE(test_free_on_void, "void f(void) [[free(g_free)]]", NOCOL, "[[free]] needs a pointer result, not void")
PLAN_ERROR_CASE(test_contract_on_void, "void f(void) [[errno]]", NOCOL,
                "an error contract needs a result to test, and f() returns void")
PLAN_ERROR_CASE(test_status_on_void, "void g(int x) [[status]]", NOCOL,
                "an error contract needs a result to test, and g() returns void")
PLAN_ERROR_CASE(test_pointer_result_compared_with_an_integer, "char *f(void) [[errno(-1)]]", NOCOL,
                "the error condition of a pointer result (char *) compares with NULL")
PLAN_ERROR_CASE(test_integer_result_compared_with_null, "int f(void) [[errno(NULL)]]", NOCOL,
                "an error contract on a result of type int needs an integer result compared with an integer")
PLAN_ERROR_CASE(test_errno_on_a_double_result, "double f(void) [[errno]]", NOCOL,
                "an error contract on a result of type double needs an integer result compared with an integer")
PLAN_ERROR_CASE(test_status_on_a_pointer_result, "char *f(void) [[status]]", NOCOL,
                "[[status]] needs an integer result, not char *")
PLAN_ERROR_CASE(test_status_null_on_a_pointer_result, "const char *f(void) [[status(== NULL)]]", NOCOL,
                "[[status]] needs an integer result, not const char *")
PLAN_ERROR_CASE(test_out_on_a_non_pointer, "int f(int x [[out]])", 6, "[[out]] parameter 'x' must be a pointer")
PLAN_ERROR_CASE(test_inout_on_a_non_pointer, "int f(int a, double y [[inout]])", 13,
                "[[inout]] parameter 'y' must be a pointer")
PLAN_ERROR_CASE(test_out_void_pointer, "int f(void *p [[out]])", 6, "[[out]] parameter 'p' cannot point to void")
PLAN_ERROR_CASE(test_inout_const_void_pointer, "int f(const void *p [[inout]])", 6,
                "[[inout]] parameter 'p' cannot point to void")
PLAN_ERROR_CASE(test_out_pyobject_pointer, "int f(PyObject *p [[out]])", 6,
                "[[out]] parameter 'p': PyObject is only usable as 'PyObject *'")
PLAN_ERROR_CASE(test_out_with_a_default, "int f(int *x [[out]] = NULL)", 6, "[[out]] parameter 'x' cannot have a default")
PLAN_ERROR_CASE(test_unsigned_char_default_256_is_out_of_range, "int f(unsigned char c = 256)", 24,
                "parameter 'c': default 256 does not fit unsigned char (0..255)")
PLAN_ERROR_CASE(test_int8_default_minus_129_is_out_of_range, "int f(int8_t x = -129)", 17,
                "parameter 'x': default -129 does not fit int8_t (-128..127)")
PLAN_ERROR_CASE(test_negative_default_for_unsigned, "int f(unsigned x = -1)", 19,
                "parameter 'x': default -1 does not fit unsigned int (0..4294967295)")
PLAN_ERROR_CASE(test_int64_default_below_minimum, "int f(int64_t x = -9223372036854775809)", 18,
                "parameter 'x': default -9223372036854775809 does not fit int64_t (-9223372036854775808..9223372036854775807)")
PLAN_ERROR_CASE(test_string_default_for_double, "int f(double x = \"s\")", 17,
                "parameter 'x': default a string is not a valid double")
PLAN_ERROR_CASE(test_integer_default_for_pointer, "int f(int *p = 5)", 15, "parameter 'p': default 5 is not a valid int *")
PLAN_ERROR_CASE(test_float_default_for_int, "int f(int i = 1.5)", 14, "parameter 'i': default 1.5 is not a valid int")
PLAN_ERROR_CASE(test_null_default_for_int, "int f(int i = NULL)", 14, "parameter 'i': default NULL is not a valid int")
PLAN_ERROR_CASE(test_two_is_not_a_bool, "int f(bool b = 2)", 15, "parameter 'b': default 2 is not a valid bool")
PLAN_ERROR_CASE(test_float_default_beyond_float_range, "int f(float f = 1e39)", 16,
                "parameter 'f': default 1e+39 does not fit float")
PLAN_ERROR_CASE(test_inout_default_checked_against_the_pointee, "int f(int *x [[inout]] = \"s\")", 25,
                "parameter 'x': default a string is not a valid int")
PLAN_ERROR_CASE(test_required_after_default, "int f(int a = 1, int b)", 17,
                "parameter 'b' without a default follows a parameter with a default")
PLAN_ERROR_CASE(test_keyword_renaming_must_not_collide, "int f(int from, int from_)", 16,
                "parameter 'from_' has the same Python name as an earlier one ('from_'; Python keywords get a trailing '_')")
PLAN_ERROR_CASE(test_free_on_pyobject_result, "PyObject *f(void) [[free]]", (size_t)-1,
                "[[free]] cannot apply to a PyObject * result (it is a reference, not memory)")
PLAN_ERROR_CASE(test_inout_char_pointer_pointer_needs_const, "void f(char **s [[inout]])", 7,
                "[[inout]] parameter 's': declare it 'const char **' (a str's text must not be written to)")
PLAN_ERROR_CASE(test_given_name_clashing_with_a_generated_name, "int f(int, int arg0)", 11,
                "parameter name 'arg0' clashes with the name of unnamed parameter 0")
PLAN_ERROR_CASE(test_generated_name_uses_the_c_position, "int f(int *x [[out]], int arg2, int)", 22,
                "parameter name 'arg2' clashes with the name of unnamed parameter 2")
PLAN_ERROR_CASE(test_unnamed_parameter_is_called_argN_in_default_errors, "int f(int x, unsigned char = 256)", 29,
                "parameter 'arg1': default 256 does not fit unsigned char (0..255)")
PLAN_ERROR_CASE(test_unnamed_parameter_is_called_argN_in_out_errors, "int f(int [[out]])", 6,
                "[[out]] parameter 'arg0' must be a pointer")
PLAN_ERROR_CASE(test_unnamed_keyword_only_parameter, "int f(*, int)", NOCOL,
                "unnamed parameters cannot be keyword-only (give them names)")

static void test_plan_of_null_signature(void **state)
{
    (void)state;
    sb_error e;
    assert_null(sb__plan_new(NULL, &e));
    assert_string_equal(e.msg, "no signature");
    assert_true(e.col == NOCOL);
    sb__plan_free(NULL); /* no-op */
}

static void test_float_max_is_a_valid_float_default(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int f(float a = 3.4028234663852886e38, float b = -3.4028234663852886e38, float c = 1e-50)");
    sb__plan_free(p);
}

static void test_integer_limits_are_valid_defaults(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int f(int8_t a = -128, int8_t b = 127, uint8_t c = 255, unsigned char d = 0, "
                      "int64_t e = -9223372036854775808, int64_t g = 9223372036854775807, "
                      "uint64_t h = 18446744073709551615, unsigned u = -0, bool t = 1, int i = true, "
                      "char ch = '\\x7f', double d2 = 1e308)");
    sb__plan_free(p);
}

static void test_sixty_four_arguments(void **state)
{
    (void)state;
    char buf[2048];
    size_t n = (size_t)snprintf(buf, sizeof buf, "int f(");
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s a%d%s", i ? ", " : "", i % 2 ? "double *" : "int",
                              i, i % 2 ? " [[out]]" : "");
    snprintf(buf + n, sizeof buf - n, ")");
    sb_plan *p = PLAN(buf);
    assert_int_equal(p->nargs, 64);
    assert_int_equal(p->npy, 32);
    assert_int_equal(p->nout, 32);
    assert_int_equal(p->ncells, 96);
    check_cells(p);
    sb__plan_free(p);

    /* 64 unnamed: names up to arg63. */
    n = (size_t)snprintf(buf, sizeof buf, "int f(");
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%sint", i ? ", " : "");
    snprintf(buf + n, sizeof buf - n, ")");
    p = PLAN(buf);
    assert_string_equal(p->py[63].name, "arg63");
    assert_int_equal(p->py[63].namelen, 5);
    assert_int_equal(p->nposonly, 64);
    sb__plan_free(p);
}

/* ------------------------------------------------------------------ */
/* sb__literal_check on its own                                         */

static sb_literal lit_int(bool neg, uint64_t mag)
{
    sb_literal l = {.kind = SB_LIT_INT, .neg = neg, .mag = mag};
    return l;
}
static sb_literal lit_float(double d)
{
    sb_literal l = {.kind = SB_LIT_FLOAT, .d = d};
    return l;
}
static sb_literal lit_of(uint8_t kind, uint64_t mag)
{
    sb_literal l = {.kind = (uint8_t)kind, .len = kind == SB_LIT_STRING ? 1u : 0u};
    if (kind == SB_LIT_STRING)
        l.s = "s";
    else
        l.mag = mag;
    return l;
}

static void check_lit_at(sb_literal l, sb_kind k, int ptr, const char *msg, int line)
{
    sb_type t = {(uint8_t)k, (uint8_t)ptr, 0, NULL};
    sb_error e;
    e.msg[0] = '\0';
    int r = sb__literal_check(&l, t, &e);
    if (!msg) {
        if (r != 0) {
            print_error("line %d: rejected: %s\n", line, e.msg);
            _fail(__FILE__, line);
        }
        return;
    }
    if (r != -1 || strcmp(e.msg, msg) != 0 || e.col != NOCOL) {
        print_error("line %d: got %d \"%s\", want \"%s\"\n", line, r, r ? e.msg : "", msg);
        _fail(__FILE__, line);
    }
}
#define LIT_OK(l, k, ptr) check_lit_at((l), (k), (ptr), NULL, __LINE__)
#define LIT_BAD(l, k, ptr, msg) check_lit_at((l), (k), (ptr), (msg), __LINE__)

/* ------------------------------------------------------------------ */
/* SysV x86-64 classification of structs by value (sysv.c)            */

#define SCALAR(k) ((sb_type){SB_K_##k, 0, 0, NULL})

/* A struct of the given scalar members (count 0 each), laid out. */
static sb_layout *struct_of(const sb_kind *kinds, size_t n)
{
    sb_error e;
    sb_layout *L = sb__layout_new(false, "struct t");
    assert_non_null(L);
    for (size_t i = 0; i < n; i++) {
        char name[8];
        snprintf(name, sizeof name, "m%u", (unsigned)(i % 100));
        assert_int_equal(sb__layout_add(L, name, strlen(name), (sb_type){kinds[i], 0, 0, NULL}, 0, &e), 0);
    }
    assert_int_equal(sb__layout_finish(L, &e), 0);
    return L;
}

static void expect_class(const sb_kind *kinds, size_t n, int eb, int c0, int c1)
{
    sb_layout *L = struct_of(kinds, n);
    sb_sysv sv;
    assert_true(sb__sysv_classify(L, &sv));
    assert_int_equal(sv.n, eb);
    if (eb > 0)
        assert_int_equal(sv.cls[0], c0);
    if (eb > 1)
        assert_int_equal(sv.cls[1], c1);
    assert_int_equal(sv.nint + sv.nsse, eb);
    sb__layout_free(L);
}

static void test_sysv_classes_of_small_structs(void **state)
{
    (void)state;
    const sb_kind ii[] = {SB_K_INT, SB_K_INT}, dd[] = {SB_K_DOUBLE, SB_K_DOUBLE}, ld[] = {SB_K_LONG, SB_K_DOUBLE},
                  dl[] = {SB_K_DOUBLE, SB_K_LONG}, ff[] = {SB_K_FLOAT, SB_K_FLOAT}, fi[] = {SB_K_FLOAT, SB_K_INT},
                  fff[] = {SB_K_FLOAT, SB_K_FLOAT, SB_K_FLOAT}, c1[] = {SB_K_CHAR},
                  big[] = {SB_K_LONG, SB_K_LONG, SB_K_LONG}, ipd[] = {SB_K_INT, SB_K_DOUBLE};
    expect_class(ii, 2, 1, SB_SYSV_INT, 0);             /* struct point: one INTEGER eightbyte */
    expect_class(dd, 2, 2, SB_SYSV_SSE, SB_SYSV_SSE);
    expect_class(ld, 2, 2, SB_SYSV_INT, SB_SYSV_SSE);   /* the mix of libffi issue 574 */
    expect_class(dl, 2, 2, SB_SYSV_SSE, SB_SYSV_INT);
    expect_class(ff, 2, 1, SB_SYSV_SSE, 0);             /* two floats share one SSE eightbyte */
    expect_class(fi, 2, 1, SB_SYSV_INT, 0);             /* float + int in one eightbyte: INTEGER */
    expect_class(fff, 3, 2, SB_SYSV_SSE, SB_SYSV_SSE);
    expect_class(c1, 1, 1, SB_SYSV_INT, 0);
    expect_class(ipd, 2, 2, SB_SYSV_INT, SB_SYSV_SSE);  /* int, padding, double */
    expect_class(big, 3, 0, 0, 0);                      /* 24 bytes: MEMORY */
}

static void test_sysv_leaves_long_double_to_libffi(void **state)
{
    (void)state;
    const sb_kind k[] = {SB_K_LDOUBLE};
    sb_layout *L = struct_of(k, 1);
    sb_sysv sv;
    assert_false(sb__sysv_classify(L, &sv));
    assert_int_equal(sv.n, 0);
    sb__layout_free(L);
}

static void test_sysv_nested_structs_and_arrays(void **state)
{
    (void)state;
    sb_error e;
    const sb_kind fk[] = {SB_K_FLOAT};
    sb_layout *inner = struct_of(fk, 1); /* struct { float } */
    sb_layout *L = sb__layout_new(false, "struct outer");
    sb_type it = {SB_K_VOID, 0, 0, &inner->named};
    assert_int_equal(sb__layout_add(L, "a", 1, it, 2, &e), 0);            /* struct { float } a[2]: SSE */
    assert_int_equal(sb__layout_add(L, "p", 1, (sb_type){SB_K_CHAR, 1, 0, NULL}, 0, &e), 0); /* char *: INTEGER */
    assert_int_equal(sb__layout_finish(L, &e), 0);
    sb_sysv sv;
    assert_true(sb__sysv_classify(L, &sv));
    assert_int_equal(sv.n, 2);
    assert_int_equal(sv.cls[0], SB_SYSV_SSE);
    assert_int_equal(sv.cls[1], SB_SYSV_INT);
    assert_int_equal(sv.nint, 1);
    assert_int_equal(sv.nsse, 1);
    sb__layout_free(L);
    sb__layout_free(inner);
}

static void test_literal_check_integer_ranges(void **state)
{
    (void)state;
    LIT_OK(lit_int(false, 127), SB_K_INT8, 0);
    LIT_OK(lit_int(true, 128), SB_K_INT8, 0);
    LIT_BAD(lit_int(false, 128), SB_K_INT8, 0, "default 128 does not fit int8_t (-128..127)");
    LIT_BAD(lit_int(true, 129), SB_K_INT8, 0, "default -129 does not fit int8_t (-128..127)");
    LIT_OK(lit_int(false, 255), SB_K_UCHAR, 0);
    LIT_BAD(lit_int(false, 256), SB_K_UCHAR, 0, "default 256 does not fit unsigned char (0..255)");
    LIT_BAD(lit_int(true, 1), SB_K_UINT64, 0, "default -1 does not fit uint64_t (0..18446744073709551615)");
    LIT_OK(lit_int(false, UINT64_MAX), SB_K_UINT64, 0);
    LIT_OK(lit_int(false, UINT64_MAX), SB_K_SIZE, 0);
    LIT_OK(lit_int(true, (uint64_t)1 << 63), SB_K_INT64, 0);
    LIT_OK(lit_int(false, INT64_MAX), SB_K_LLONG, 0);
    LIT_BAD(lit_int(false, (uint64_t)INT64_MAX + 1), SB_K_INT64, 0,
            "default 9223372036854775808 does not fit int64_t (-9223372036854775808..9223372036854775807)");
    LIT_BAD(lit_int(true, ((uint64_t)1 << 63) + 1), SB_K_PTRDIFF, 0,
            "default -9223372036854775809 does not fit ptrdiff_t (-9223372036854775808..9223372036854775807)");
    LIT_OK(lit_int(false, 65535), SB_K_USHORT, 0);
    LIT_BAD(lit_int(false, 65536), SB_K_UINT16, 0, "default 65536 does not fit uint16_t (0..65535)");
    LIT_OK(lit_int(true, 32768), SB_K_SHORT, 0);
    LIT_BAD(lit_int(true, 32769), SB_K_INT16, 0, "default -32769 does not fit int16_t (-32768..32767)");
    LIT_BAD(lit_int(false, 2147483648u), SB_K_INT, 0, "default 2147483648 does not fit int (-2147483648..2147483647)");
    LIT_OK(lit_int(false, 4294967295u), SB_K_UINT32, 0);
    LIT_OK(lit_int(false, 0), SB_K_UINT, 0);
    /* A bool literal is a valid integer default. */
    LIT_OK(lit_of(SB_LIT_BOOL, 1), SB_K_INT, 0);
    LIT_OK(lit_of(SB_LIT_BOOL, 0), SB_K_UINT8, 0);
}

static void test_literal_check_kinds(void **state)
{
    (void)state;
    LIT_BAD(lit_float(1.5), SB_K_INT, 0, "default 1.5 is not a valid int");
    LIT_BAD(lit_of(SB_LIT_STRING, 0), SB_K_INT, 0, "default a string is not a valid int");
    LIT_BAD(lit_of(SB_LIT_NULL, 0), SB_K_LONG, 0, "default NULL is not a valid long");
    LIT_BAD(lit_of(SB_LIT_NONE, 0), SB_K_INT, 0, "default nothing is not a valid int");
    /* bool */
    LIT_OK(lit_of(SB_LIT_BOOL, 1), SB_K_BOOL, 0);
    LIT_OK(lit_int(false, 0), SB_K_BOOL, 0);
    LIT_OK(lit_int(false, 1), SB_K_BOOL, 0);
    LIT_BAD(lit_int(false, 2), SB_K_BOOL, 0, "default 2 is not a valid bool");
    LIT_BAD(lit_int(true, 1), SB_K_BOOL, 0, "default -1 is not a valid bool");
    LIT_BAD(lit_float(0.0), SB_K_BOOL, 0, "default 0 is not a valid bool");
    /* floating */
    LIT_OK(lit_float(1e308), SB_K_DOUBLE, 0);
    LIT_OK(lit_int(true, 3), SB_K_DOUBLE, 0);
    LIT_OK(lit_float(FLT_MAX), SB_K_FLOAT, 0);
    LIT_OK(lit_float(-FLT_MAX), SB_K_FLOAT, 0);
    LIT_BAD(lit_float(3.5e38), SB_K_FLOAT, 0, "default 3.5e+38 does not fit float");
    LIT_BAD(lit_float(-1e39), SB_K_FLOAT, 0, "default -1e+39 does not fit float");
    LIT_BAD(lit_of(SB_LIT_STRING, 0), SB_K_DOUBLE, 0, "default a string is not a valid double");
    LIT_BAD(lit_of(SB_LIT_BOOL, 1), SB_K_DOUBLE, 0, "default true is not a valid double");
    /* text */
    LIT_OK(lit_of(SB_LIT_STRING, 0), SB_K_CHAR, 1);
    LIT_OK(lit_of(SB_LIT_NULL, 0), SB_K_CHAR, 1);
    LIT_BAD(lit_int(false, 0), SB_K_CHAR, 1, "default 0 is not a valid char *");
    LIT_BAD(lit_of(SB_LIT_STRING, 0), SB_K_CHAR, 0, "default a string is not a valid char");
    /* pointers */
    LIT_OK(lit_of(SB_LIT_NULL, 0), SB_K_VOID, 1);
    LIT_OK(lit_of(SB_LIT_NULL, 0), SB_K_CHAR, 2);
    LIT_OK(lit_of(SB_LIT_NULL, 0), SB_K_PYOBJECT, 1);
    LIT_BAD(lit_of(SB_LIT_STRING, 0), SB_K_VOID, 1, "default a string is not a valid void *");
    LIT_BAD(lit_of(SB_LIT_STRING, 0), SB_K_UCHAR, 1, "default a string is not a valid unsigned char *");
    LIT_BAD(lit_of(SB_LIT_BOOL, 0), SB_K_INT, 2, "default false is not a valid int **");
    LIT_BAD(lit_of(SB_LIT_NULL, 0), SB_K_VOID, 0, "default NULL is not a valid void");
}

static void test_literal_check_without_error_struct(void **state)
{
    (void)state;
    sb_literal l = lit_int(false, 300);
    assert_int_equal(sb__literal_check(&l, (sb_type){SB_K_UINT8, 0, 0, NULL}, NULL), -1);
    assert_int_equal(sb__literal_check(&l, (sb_type){SB_K_INT16, 0, 0, NULL}, NULL), 0);
}

/* ------------------------------------------------------------------ */
/* Every parsable prefix of a signature makes a plan or fails cleanly.  */

static void test_plans_of_parsable_prefixes_fail_cleanly(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "int open(const char *path, int flags, int mode = 0644) [[errno(-1)]]",
        "double frexp(double x, int *exp [[out]], double *acc [[inout]] = 0.5) [[nogil]]",
        "char *f(int a, /, unsigned char b = 255, *, const char *c = \"x\") [[free(my_free), status]]",
        "PyObject *m(bool flag = true, *args, int n = 10, **kwargs)",
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        size_t len = strlen(texts[t]);
        for (size_t i = 0; i <= len; i++) {
            sb_error e;
            sb_sig *s = sb__sig_parse(texts[t], i, &e);
            if (!s)
                continue;
            sb_plan *p = sb__plan_new(s, &e);
            if (p) {
                assert_non_null(text_sig(p));
                assert_non_null(p->doc);
                check_cells(p);
                sb__plan_free(p);
            } else {
                assert_true(e.msg[0] != '\0');
            }
        }
    }
}


/* ---- Methods of C-face classes ---- */

static const sb_named plan_rect = {.what = SB_NAMED_CLASS, .name = "Rect"};

static const sb_named *plan_lookup(const sb_scope *scope, const char *name, size_t len, int tag)
{
    (void)scope, (void)tag;
    return len == 4 && !memcmp(name, "Rect", 4) ? &plan_rect : NULL;
}

static sb_plan *method_plan(const char *text, sb_error *e)
{
    static const sb_scope scope = {.lookup = plan_lookup};
    sb_sig *s = sb__sig_parse_in(text, strlen(text), &scope, e);
    assert_non_null(s);
    s->flags |= SB_SIG_METHOD;
    return sb__plan_new(s, e);
}

static void test_method_plan_binds_self_positionally(void **state)
{
    (void)state;
    sb_error e;
    sb_plan *p = method_plan("int64_t resize(Rect *self, int64_t w, int64_t h = 1)", &e);
    assert_non_null(p);
    assert_string_equal(text_sig(p), "($self, /, w, h=1)");
    assert_int_equal(p->nposonly, 1);
    assert_int_equal(p->slots[0].conv, SB_CV_INST);
    assert_int_equal(p->slots[1].conv, SB_CV_SINT);
    sb__plan_free(p);
    p = method_plan("Rect *__iter__(Rect *self)", &e);
    assert_non_null(p);
    assert_int_equal(p->ret_conv, SB_CV_INST);
    assert_string_equal(text_sig(p), "($self, /)");
    sb__plan_free(p);
    p = method_plan("Rect *me(Rect *self) [[free]]", &e);
    assert_null(p);
    assert_non_null(strstr(e.msg, "[[free]] cannot apply to a Rect * result"));
}

/* ------------------------------------------------------------------ */
/* Fixed costs: what a plan keeps per bound function                   */

/* The records a plan keeps per parameter and per function stay this small (issue 15: at most
 * 1 KB of heap per bound function in all); a field added to one of them has to fit. */
static void test_plan_records_stay_small(void **state)
{
    (void)state;
    assert_true(sizeof(sb_literal) <= 16);
    assert_true(sizeof(sb_default) <= 24);
    assert_true(sizeof(sb_param) <= 40);
    assert_true(sizeof(sb_slot) <= 48);
    assert_true(sizeof(sb_pyparam) <= 24);
    assert_true(sizeof(sb_contract) <= 32);
    assert_true(sizeof(sb_sig) <= 112);
    assert_true(sizeof(sb_plan) <= 112);
}

static bool inside(const void *p, const void *lo, const void *hi)
{
    return (const char *)p >= (const char *)lo && (const char *)p < (const char *)hi;
}

/* A finished plan is one block: its signature, parameters, defaults, the names it made and its doc
 * (the doc last, the signature's text its tail); the parser's arena is gone. */
static void test_a_plan_is_one_block_with_its_signature(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int64_t f(int, double from, int b = -3, const char *s = \"x\\0y\", double d = 2) "
                      "[[errno(-1)]]");
    assert_true(p->packed);
    assert_null(p->sig->arena);
    const char *end = p->doc + strlen(p->doc) + 1;
    assert_true(inside(p->sig, p, end));
    assert_true(inside(p->sig->params, p, end));
    assert_true(inside(p->sig->name, p, end));
    assert_true(inside(p->cif.arg_types, p, end));
    assert_ptr_equal(p->sig->text, end - 1 - strlen(p->sig->text));
    assert_string_equal(p->sig->text, "int64_t f(int, double from, int b = -3, const char *s = \"x\\0y\", double d = 2) "
                                      "[[errno(-1)]]");
    assert_string_equal(p->sig->name, "f");
    assert_int_equal(p->npy, 5);
    assert_string_equal(p->py[0].name, "arg0");
    assert_string_equal(p->py[1].name, "from_");
    for (uint16_t k = 0; k < p->npy; k++) {
        assert_true(inside(p->py[k].name, p, end));
        if (p->py[k].def) {
            assert_true(inside(p->py[k].def, p, end));
            assert_ptr_equal(p->py[k].def, &p->sig->params[p->py[k].slot].def->lit);
        }
    }
    assert_null(p->py[0].def);
    assert_null(p->py[1].def);
    assert_int_equal(p->py[2].def->kind, SB_LIT_INT);
    assert_true(p->py[2].def->neg);
    assert_int_equal(p->py[2].def->mag, 3);
    assert_int_equal(p->py[3].def->kind, SB_LIT_STRING);
    assert_int_equal(p->py[3].def->len, 3);
    assert_memory_equal(p->py[3].def->s, "x\0y", 4); /* the string's bytes and its NUL, copied by length */
    assert_true(inside(p->py[3].def->s, p, end));
    assert_true(sb__literal_double(p->py[4].def) == 2.0);
    assert_int_equal(p->sig->contract.kind, SB_CONTRACT_ERRNO);
    assert_true(p->sig->contract.value.neg);
    assert_int_equal(p->sig->contract.value.mag, 1);
    assert_string_equal(text_sig(p), "(arg0, /, from_, b=-3, s='x\\x00y', d=2)");
    sb__plan_free(p);
}

/* A signature with a function type of its own keeps its arena (the type's records live there). */
static void test_a_plan_with_a_function_type_keeps_its_arena(void **state)
{
    (void)state;
    sb_plan *p = PLAN("int apply(int (*cb)(int v), int x = 4)");
    assert_false(p->packed);
    assert_non_null(p->sig->arena);
    assert_int_equal(p->sig->params[0].type.named->what, SB_NAMED_FUNC);
    assert_string_equal(p->py[0].name, "cb");
    assert_int_equal(p->py[1].def->mag, 4);
    assert_string_equal(text_sig(p), "(cb, x=4)");
    assert_string_equal(p->sig->text, "int apply(int (*cb)(int v), int x = 4)");
    sb__plan_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_records_stay_small),
        cmocka_unit_test(test_a_plan_is_one_block_with_its_signature),
        cmocka_unit_test(test_a_plan_with_a_function_type_keeps_its_arena),
        cmocka_unit_test(test_double_of_double_uses_registers),
        cmocka_unit_test(test_two_int64_use_registers),
        cmocka_unit_test(test_six_ints_and_eight_doubles_use_registers),
        cmocka_unit_test(test_seventh_int_argument_goes_on_the_stack),
        cmocka_unit_test(test_more_stack_words_than_the_stub_takes_use_libffi),
        cmocka_unit_test(test_ninth_double_goes_on_the_stack_in_order),
        cmocka_unit_test(test_no_arguments_uses_registers),
        cmocka_unit_test(test_out_pointers_count_as_integer_registers),
        cmocka_unit_test(test_slot_converters_follow_the_type),
        cmocka_unit_test(test_result_converters),
        cmocka_unit_test(test_out_parameter_is_not_a_python_parameter),
        cmocka_unit_test(test_several_out_and_inout_parameters_get_distinct_cells),
        cmocka_unit_test(test_out_cells_follow_argument_cells_without_fast_path),
        cmocka_unit_test(test_unnamed_parameters_become_positional_only_argN),
        cmocka_unit_test(test_markers_set_positional_and_keyword_counts),
        cmocka_unit_test(test_markers_skip_out_parameters),
        cmocka_unit_test(test_text_signatures),
        cmocka_unit_test(test_args_and_kwargs_are_slots_not_python_parameters),
        cmocka_unit_test(test_doc_strings),
        cmocka_unit_test(test_defaults_point_into_the_signature),
        cmocka_unit_test(test_errno_default_condition_depends_on_the_result),
        cmocka_unit_test(test_variadic_plan),
        cmocka_unit_test(test_variadic_plan_drops_defaults_and_keeps_outs),
        cmocka_unit_test(test_type_promotions),
        cmocka_unit_test(test_variadic_after_keyword_only),
        cmocka_unit_test(test_free_on_a_non_pointer_result),
        cmocka_unit_test(test_free_on_void),
        cmocka_unit_test(test_contract_on_void),
        cmocka_unit_test(test_status_on_void),
        cmocka_unit_test(test_pointer_result_compared_with_an_integer),
        cmocka_unit_test(test_integer_result_compared_with_null),
        cmocka_unit_test(test_errno_on_a_double_result),
        cmocka_unit_test(test_status_on_a_pointer_result),
        cmocka_unit_test(test_status_null_on_a_pointer_result),
        cmocka_unit_test(test_out_on_a_non_pointer),
        cmocka_unit_test(test_inout_on_a_non_pointer),
        cmocka_unit_test(test_out_void_pointer),
        cmocka_unit_test(test_inout_const_void_pointer),
        cmocka_unit_test(test_out_pyobject_pointer),
        cmocka_unit_test(test_out_with_a_default),
        cmocka_unit_test(test_unsigned_char_default_256_is_out_of_range),
        cmocka_unit_test(test_int8_default_minus_129_is_out_of_range),
        cmocka_unit_test(test_negative_default_for_unsigned),
        cmocka_unit_test(test_int64_default_below_minimum),
        cmocka_unit_test(test_string_default_for_double),
        cmocka_unit_test(test_integer_default_for_pointer),
        cmocka_unit_test(test_float_default_for_int),
        cmocka_unit_test(test_null_default_for_int),
        cmocka_unit_test(test_two_is_not_a_bool),
        cmocka_unit_test(test_float_default_beyond_float_range),
        cmocka_unit_test(test_inout_default_checked_against_the_pointee),
        cmocka_unit_test(test_required_after_default),
        cmocka_unit_test(test_keyword_renaming_must_not_collide),
        cmocka_unit_test(test_free_on_pyobject_result),
        cmocka_unit_test(test_inout_char_pointer_pointer_needs_const),
        cmocka_unit_test(test_given_name_clashing_with_a_generated_name),
        cmocka_unit_test(test_generated_name_uses_the_c_position),
        cmocka_unit_test(test_unnamed_parameter_is_called_argN_in_default_errors),
        cmocka_unit_test(test_unnamed_parameter_is_called_argN_in_out_errors),
        cmocka_unit_test(test_unnamed_keyword_only_parameter),
        cmocka_unit_test(test_plan_of_null_signature),
        cmocka_unit_test(test_float_max_is_a_valid_float_default),
        cmocka_unit_test(test_integer_limits_are_valid_defaults),
        cmocka_unit_test(test_sixty_four_arguments),
        cmocka_unit_test(test_sysv_classes_of_small_structs),
        cmocka_unit_test(test_sysv_leaves_long_double_to_libffi),
        cmocka_unit_test(test_sysv_nested_structs_and_arrays),
        cmocka_unit_test(test_literal_check_integer_ranges),
        cmocka_unit_test(test_literal_check_kinds),
        cmocka_unit_test(test_literal_check_without_error_struct),
        cmocka_unit_test(test_plans_of_parsable_prefixes_fail_cleanly),
        cmocka_unit_test(test_method_plan_binds_self_positionally),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
