/* test_sig.c — cmocka tests of the signature parser (sb__sig_parse, sb__sig_free, sb__decl_next, sb__type_parse). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static sb_sig *parse_ok_at(const char *text, size_t len, int line)
{
    sb_error e;
    sb_sig *s = sb__sig_parse(text, len, &e);
    if (!s) {
        print_error("line %d: parsing \"%.*s\" failed at column %zu: %s\n", line, (int)len, text, e.col, e.msg);
        _fail(__FILE__, line);
    }
    return s;
}
#define PARSE(text) parse_ok_at((text), strlen(text), __LINE__)

static void check_error_at(const char *text, size_t len, size_t col, const char *msg, int line)
{
    sb_error e;
    sb_sig *s = sb__sig_parse(text, len, &e);
    if (s) {
        print_error("line %d: \"%.*s\" parsed (as \"%s\"), expected error \"%s\"\n", line, (int)len, text, s->text, msg);
        sb__sig_free(s);
        _fail(__FILE__, line);
    }
    if (strcmp(e.msg, msg) != 0 || e.col != col) {
        print_error("line %d: \"%.*s\"\n   got col %zu \"%s\"\n  want col %zu \"%s\"\n", line, (int)len, text, e.col,
                    e.msg, col, msg);
        _fail(__FILE__, line);
    }
}
/* sizeof, not strlen: the text may hold a NUL byte. */
#define CHECK_ERROR(text, col, msg) check_error_at((text), sizeof(text) - 1, (col), (msg), __LINE__)

/* One test function per error, named after the behavior. */
#define ERROR_CASE(name, text, col, msg)                                                     \
    static void name(void **state)                                                           \
    {                                                                                        \
        (void)state;                                                                         \
        CHECK_ERROR(text, col, msg);                                                         \
    }

static void check_text_at(const char *in, const char *want, int line)
{
    sb_sig *s = parse_ok_at(in, strlen(in), line);
    if (strcmp(s->text, want) != 0) {
        print_error("line %d: \"%s\"\n   text \"%s\"\n   want \"%s\"\n", line, in, s->text, want);
        sb__sig_free(s);
        _fail(__FILE__, line);
    }
    /* The normalized text is itself a signature that normalizes to itself. */
    sb_sig *again = parse_ok_at(s->text, strlen(s->text), line);
    assert_string_equal(again->text, want);
    sb__sig_free(again);
    sb__sig_free(s);
}
#define CHECK_TEXT(in, want) check_text_at((in), (want), __LINE__)

/* Parses "T x" as the only parameter of a signature and as a lone type. */
static void check_type_at(const char *spelling, sb_kind kind, int ptr, bool cconst, int line)
{
    char buf[200];
    snprintf(buf, sizeof buf, "void f(%s x)", spelling);
    sb_sig *s = parse_ok_at(buf, strlen(buf), line);
    if (s->nparams != 1 || s->params[0].type.kind != kind || s->params[0].type.ptr != ptr ||
        s->params[0].type.cconst != cconst) {
        print_error("line %d: \"%s\": kind %d ptr %d const %d, want kind %d ptr %d const %d\n", line, buf,
                    s->nparams ? s->params[0].type.kind : -1, s->nparams ? s->params[0].type.ptr : -1,
                    s->nparams ? s->params[0].type.cconst : -1, (int)kind, ptr, (int)cconst);
        sb__sig_free(s);
        _fail(__FILE__, line);
    }
    sb__sig_free(s);

    sb_type t;
    sb_error e;
    if (sb__type_parse(spelling, strlen(spelling), &t, &e) != 0) {
        print_error("line %d: sb__type_parse(\"%s\"): col %zu %s\n", line, spelling, e.col, e.msg);
        _fail(__FILE__, line);
    }
    if (t.kind != kind || t.ptr != ptr || t.cconst != cconst) {
        print_error("line %d: sb__type_parse(\"%s\"): kind %d ptr %d const %d\n", line, spelling, t.kind, t.ptr,
                    t.cconst);
        _fail(__FILE__, line);
    }
}
#define CHECK_TYPE(spelling, kind, ptr, cconst) check_type_at((spelling), (kind), (ptr), (cconst), __LINE__)

/* The first parameter's default. */
static sb_literal first_default_at(const char *text, sb_sig **keep, int line)
{
    sb_sig *s = parse_ok_at(text, strlen(text), line);
    if (s->nparams < 1) {
        sb__sig_free(s);
        _fail(__FILE__, line);
    }
    *keep = s;
    if (!s->params[0].def) {
        print_error("line %d: \"%s\": no default\n", line, text);
        _fail(__FILE__, line);
    }
    return s->params[0].def->lit;
}

/* ------------------------------------------------------------------ */
/* Scalar types                                                        */

static void test_unsigned_long_long_int_is_ullong(void **state)
{
    (void)state;
    CHECK_TYPE("unsigned long long int", SB_K_ULLONG, 0, false);
    CHECK_TYPE("unsigned long long", SB_K_ULLONG, 0, false);
    CHECK_TYPE("long long unsigned", SB_K_ULLONG, 0, false);
    CHECK_TYPE("long unsigned long int", SB_K_ULLONG, 0, false);
}

static void test_long_long_int_is_llong(void **state)
{
    (void)state;
    CHECK_TYPE("long long int", SB_K_LLONG, 0, false);
    CHECK_TYPE("long long", SB_K_LLONG, 0, false);
    CHECK_TYPE("signed long long", SB_K_LLONG, 0, false);
    CHECK_TYPE("long int long", SB_K_LLONG, 0, false);
}

static void test_unsigned_alone_is_uint(void **state)
{
    (void)state;
    CHECK_TYPE("unsigned", SB_K_UINT, 0, false);
    CHECK_TYPE("unsigned int", SB_K_UINT, 0, false);
    CHECK_TYPE("int unsigned", SB_K_UINT, 0, false);
}

static void test_signed_alone_is_int(void **state)
{
    (void)state;
    CHECK_TYPE("int", SB_K_INT, 0, false);
    CHECK_TYPE("signed", SB_K_INT, 0, false);
    CHECK_TYPE("signed int", SB_K_INT, 0, false);
}

static void test_long_unsigned_is_ulong(void **state)
{
    (void)state;
    CHECK_TYPE("long unsigned", SB_K_ULONG, 0, false);
    CHECK_TYPE("unsigned long", SB_K_ULONG, 0, false);
    CHECK_TYPE("long unsigned int", SB_K_ULONG, 0, false);
    CHECK_TYPE("long", SB_K_LONG, 0, false);
    CHECK_TYPE("long int", SB_K_LONG, 0, false);
    CHECK_TYPE("signed long", SB_K_LONG, 0, false);
}

static void test_short_spellings(void **state)
{
    (void)state;
    CHECK_TYPE("unsigned short int", SB_K_USHORT, 0, false);
    CHECK_TYPE("unsigned short", SB_K_USHORT, 0, false);
    CHECK_TYPE("short unsigned", SB_K_USHORT, 0, false);
    CHECK_TYPE("short", SB_K_SHORT, 0, false);
    CHECK_TYPE("short int", SB_K_SHORT, 0, false);
    CHECK_TYPE("signed short int", SB_K_SHORT, 0, false);
}

static void test_signed_char_is_schar_and_plain_char_is_char(void **state)
{
    (void)state;
    CHECK_TYPE("signed char", SB_K_SCHAR, 0, false);
    CHECK_TYPE("unsigned char", SB_K_UCHAR, 0, false);
    CHECK_TYPE("char unsigned", SB_K_UCHAR, 0, false);
    CHECK_TYPE("char", SB_K_CHAR, 0, false);
}

static void test_fixed_width_and_platform_typedef_names(void **state)
{
    (void)state;
    CHECK_TYPE("int8_t", SB_K_INT8, 0, false);
    CHECK_TYPE("uint8_t", SB_K_UINT8, 0, false);
    CHECK_TYPE("int16_t", SB_K_INT16, 0, false);
    CHECK_TYPE("uint16_t", SB_K_UINT16, 0, false);
    CHECK_TYPE("int32_t", SB_K_INT32, 0, false);
    CHECK_TYPE("uint32_t", SB_K_UINT32, 0, false);
    CHECK_TYPE("int64_t", SB_K_INT64, 0, false);
    CHECK_TYPE("uint64_t", SB_K_UINT64, 0, false);
    CHECK_TYPE("size_t", SB_K_SIZE, 0, false);
    CHECK_TYPE("ssize_t", SB_K_SSIZE, 0, false);
    CHECK_TYPE("intptr_t", SB_K_INTPTR, 0, false);
    CHECK_TYPE("uintptr_t", SB_K_UINTPTR, 0, false);
    CHECK_TYPE("ptrdiff_t", SB_K_PTRDIFF, 0, false);
}

static void test_bool_and_Bool_are_bool(void **state)
{
    (void)state;
    CHECK_TYPE("bool", SB_K_BOOL, 0, false);
    CHECK_TYPE("_Bool", SB_K_BOOL, 0, false);
}

static void test_float_and_double(void **state)
{
    (void)state;
    CHECK_TYPE("float", SB_K_FLOAT, 0, false);
    CHECK_TYPE("double", SB_K_DOUBLE, 0, false);
}

static void test_void_result_and_void_pointer(void **state)
{
    (void)state;
    sb_sig *s = PARSE("void f(void *p)");
    assert_int_equal(s->ret.kind, SB_K_VOID);
    assert_int_equal(s->ret.ptr, 0);
    assert_int_equal(s->params[0].type.kind, SB_K_VOID);
    assert_int_equal(s->params[0].type.ptr, 1);
    sb__sig_free(s);
    CHECK_TYPE("void *", SB_K_VOID, 1, false);
    CHECK_TYPE("PyObject *", SB_K_PYOBJECT, 1, false);
}

/* ------------------------------------------------------------------ */
/* Qualifiers and pointers                                             */

static void test_const_qualifies_the_base_type(void **state)
{
    (void)state;
    CHECK_TYPE("const char *", SB_K_CHAR, 1, true);
    CHECK_TYPE("char const *", SB_K_CHAR, 1, true);
    CHECK_TYPE("const int", SB_K_INT, 0, true);
    CHECK_TYPE("const volatile unsigned long", SB_K_ULONG, 0, true);
}

static void test_volatile_and_restrict_are_accepted_and_dropped(void **state)
{
    (void)state;
    CHECK_TYPE("volatile int", SB_K_INT, 0, false);
    CHECK_TYPE("int *restrict", SB_K_INT, 1, false);
    CHECK_TYPE("char *const *volatile", SB_K_CHAR, 2, false);
    CHECK_TEXT("void *memcpy(void *restrict dst, const void *restrict src, size_t n)",
               "void *memcpy(void *dst, const void *src, size_t n)");
    CHECK_TEXT("int f(volatile int v, const char *const *argv)", "int f(int v, const char **argv)");
}

static void test_pointer_to_pointer(void **state)
{
    (void)state;
    CHECK_TYPE("int **", SB_K_INT, 2, false);
    CHECK_TYPE("const char **", SB_K_CHAR, 2, true);
    CHECK_TYPE("double ********", SB_K_DOUBLE, 8, false);
    sb_sig *s = PARSE("char **split(const char *s, size_t *n)");
    assert_int_equal(s->ret.kind, SB_K_CHAR);
    assert_int_equal(s->ret.ptr, 2);
    assert_int_equal(s->params[1].type.kind, SB_K_SIZE);
    assert_int_equal(s->params[1].type.ptr, 1);
    assert_string_equal(s->text, "char **split(const char *s, size_t *n)");
    sb__sig_free(s);
}

/* ------------------------------------------------------------------ */
/* Parameter lists                                                     */

static void test_void_parameter_list_is_empty(void **state)
{
    (void)state;
    sb_sig *s = PARSE("const char *zlibVersion(void)");
    assert_int_equal(s->nparams, 0);
    assert_string_equal(s->name, "zlibVersion");
    assert_int_equal(s->posonly, 0);
    assert_int_equal(s->kwonly, -1);
    assert_int_equal(s->flags, 0);
    assert_string_equal(s->text, "const char *zlibVersion(void)");
    sb__sig_free(s);
}

static void test_empty_parameter_list_is_void(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int getpid()");
    assert_int_equal(s->nparams, 0);
    assert_string_equal(s->text, "int getpid(void)");
    sb__sig_free(s);
}

static void test_parameter_names_are_optional(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(int, double y, const char *)");
    assert_int_equal(s->nparams, 3);
    assert_null(s->params[0].name);
    assert_string_equal(s->params[1].name, "y");
    assert_null(s->params[2].name);
    assert_int_equal(s->params[2].type.kind, SB_K_CHAR);
    assert_int_equal(s->params[2].type.ptr, 1);
    assert_string_equal(s->text, "int f(int, double y, const char *)");
    sb__sig_free(s);
}

static void test_parameter_columns_point_at_the_parameter(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(int a,  double b)");
    assert_int_equal(s->params[0].col, 6);
    assert_int_equal(s->params[1].col, 14);
    sb__sig_free(s);
}

static void test_array_parameters_become_pointers(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(int a[], int b[4], const char *argv[], double [])");
    assert_int_equal(s->nparams, 4);
    assert_int_equal(s->params[0].type.ptr, 1);
    assert_int_equal(s->params[1].type.ptr, 1);
    assert_int_equal(s->params[2].type.ptr, 2);
    assert_int_equal(s->params[2].type.cconst, 1);
    assert_int_equal(s->params[3].type.ptr, 1);
    assert_null(s->params[3].name);
    assert_string_equal(s->text, "int f(int *a, int *b, const char **argv, double *)");
    sb__sig_free(s);
}

static void test_array_parameter_takes_annotations(void **state)
{
    (void)state;
    sb_sig *s = PARSE("void fill(double out[3] [[out]])");
    assert_int_equal(s->params[0].type.ptr, 1);
    assert_int_equal(s->params[0].flags, SB_PARAM_OUT);
    sb__sig_free(s);
}

/* ------------------------------------------------------------------ */
/* Defaults                                                            */

static void test_decimal_default(void **state)
{
    (void)state;
    sb_sig *s;
    sb_literal l = first_default_at("int f(int a = 42)", &s, __LINE__);
    assert_int_equal(l.kind, SB_LIT_INT);
    assert_false(l.neg);
    assert_int_equal(l.mag, 42);
    assert_true(sb__literal_double(&l) == 42.0);
    assert_int_equal(s->params[0].def->def_pos, 14);
    assert_int_equal(s->params[0].def->def_len, 2);
    sb__sig_free(s);
}

static void test_hex_default(void **state)
{
    (void)state;
    sb_sig *s;
    sb_literal l = first_default_at("int f(int a = 0x1F)", &s, __LINE__);
    assert_int_equal(l.kind, SB_LIT_INT);
    assert_int_equal(l.mag, 31);
    assert_string_equal(s->text, "int f(int a = 0x1F)");
    sb__sig_free(s);
    l = first_default_at("uint64_t f(uint64_t a = 0xFFFFFFFFFFFFFFFF)", &s, __LINE__);
    assert_true(l.mag == UINT64_MAX);
    sb__sig_free(s);
}

static void test_octal_default(void **state)
{
    (void)state;
    sb_sig *s;
    sb_literal l = first_default_at("int f(int mode = 0644)", &s, __LINE__);
    assert_int_equal(l.kind, SB_LIT_INT);
    assert_int_equal(l.mag, 0644);
    assert_int_equal(l.mag, 420);
    sb__sig_free(s);
    l = first_default_at("int f(int zero = 0)", &s, __LINE__);
    assert_int_equal(l.mag, 0);
    sb__sig_free(s);
}

static void test_binary_default(void **state)
{
    (void)state;
    sb_sig *s;
    sb_literal l = first_default_at("int f(int a = 0b101)", &s, __LINE__);
    assert_int_equal(l.mag, 5);
    sb__sig_free(s);
}

static void test_negative_default(void **state)
{
    (void)state;
    sb_sig *s;
    sb_literal l = first_default_at("int f(int a = -5)", &s, __LINE__);
    assert_int_equal(l.kind, SB_LIT_INT);
    assert_true(l.neg);
    assert_int_equal(l.mag, 5);
    assert_true(sb__literal_double(&l) == -5.0);
    sb__sig_free(s);
    l = first_default_at("int f(int a = -0)", &s, __LINE__);
    assert_false(l.neg); /* -0 is 0 */
    sb__sig_free(s);
    l = first_default_at("int64_t f(int64_t a = -9223372036854775808)", &s, __LINE__);
    assert_true(l.neg);
    assert_true(l.mag == (uint64_t)1 << 63);
    sb__sig_free(s);
    l = first_default_at("int f(int a = +7)", &s, __LINE__);
    assert_false(l.neg);
    assert_int_equal(l.mag, 7);
    sb__sig_free(s);
}

static void test_integer_suffixes_are_accepted(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(unsigned a = 10u, unsigned long b = 10UL, unsigned long long c = 10ull, "
                      "long d = 10L, long long e = 10LL, unsigned f = 0x10U)");
    assert_int_equal(s->nparams, 6);
    uint64_t want[] = {10, 10, 10, 10, 10, 16};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(s->params[i].def->lit.kind, SB_LIT_INT);
        assert_int_equal(s->params[i].def->lit.mag, want[i]);
    }
    /* The default is kept as written in the normalized text. */
    assert_string_equal(s->text, "int f(unsigned int a = 10u, unsigned long b = 10UL, unsigned long long c = 10ull, "
                                 "long d = 10L, long long e = 10LL, unsigned int f = 0x10U)");
    sb__sig_free(s);
}

static void test_float_defaults(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(double a = 1.5, double b = 1e3, float c = -2.5f, double d = .25, double e = 2.5E-1, "
                      "double g = 3)");
    assert_int_equal(s->params[0].def->lit.kind, SB_LIT_FLOAT);
    assert_true(s->params[0].def->lit.d == 1.5);
    assert_int_equal(s->params[1].def->lit.kind, SB_LIT_FLOAT);
    assert_true(s->params[1].def->lit.d == 1000.0);
    assert_int_equal(s->params[2].def->lit.kind, SB_LIT_FLOAT);
    assert_true(s->params[2].def->lit.d == -2.5);
    assert_true(s->params[3].def->lit.d == 0.25);
    assert_true(s->params[4].def->lit.d == 0.25);
    assert_int_equal(s->params[5].def->lit.kind, SB_LIT_INT); /* an integer; plan accepts it for double */
    assert_true(sb__literal_double(&s->params[5].def->lit) == 3.0);
    sb__sig_free(s);
}

static void test_string_default_decodes_escapes(void **state)
{
    (void)state;
    sb_sig *s;
    sb_literal l = first_default_at("int f(const char *s = \"a\\n\\x41\")", &s, __LINE__);
    assert_int_equal(l.kind, SB_LIT_STRING);
    assert_int_equal(l.len, 3);
    assert_memory_equal(l.s, "a\nA", 4); /* NUL-terminated */
    assert_string_equal(s->text, "int f(const char *s = \"a\\n\\x41\")");
    sb__sig_free(s);

    l = first_default_at("int f(const char *s = \"\\t\\\\\\\"\\'\\?\\101\\r\\a\\b\\f\\v\")", &s, __LINE__);
    assert_int_equal(l.len, 11);
    assert_memory_equal(l.s, "\t\\\"'?A\r\a\b\f\v", 12);
    sb__sig_free(s);

    l = first_default_at("int f(const char *s = \"a\\0b\")", &s, __LINE__);
    assert_int_equal(l.len, 3);
    assert_memory_equal(l.s, "a\0b", 4);
    sb__sig_free(s);

    l = first_default_at("int f(const char *s = \"\")", &s, __LINE__);
    assert_int_equal(l.kind, SB_LIT_STRING);
    assert_int_equal(l.len, 0);
    assert_string_equal(l.s, "");
    sb__sig_free(s);

    l = first_default_at("int f(const char *s = \"semi;colon, paren) /* not a comment */\")", &s, __LINE__);
    assert_string_equal(l.s, "semi;colon, paren) /* not a comment */");
    sb__sig_free(s);
}

static void test_char_literal_default_is_an_integer(void **state)
{
    (void)state;
    sb_sig *s;
    sb_literal l = first_default_at("int f(char c = 'a')", &s, __LINE__);
    assert_int_equal(l.kind, SB_LIT_INT);
    assert_int_equal(l.mag, 'a');
    assert_false(l.neg);
    sb__sig_free(s);
    l = first_default_at("int f(char c = '\\n')", &s, __LINE__);
    assert_int_equal(l.mag, 10);
    sb__sig_free(s);
    l = first_default_at("int f(char c = '\\x7f')", &s, __LINE__);
    assert_int_equal(l.mag, 127);
    sb__sig_free(s);
    l = first_default_at("int f(char c = '\\'')", &s, __LINE__);
    assert_int_equal(l.mag, '\'');
    sb__sig_free(s);
    l = first_default_at("int f(unsigned char c = '\\xff')", &s, __LINE__);
    assert_int_equal(l.mag, 255);
    sb__sig_free(s);
}

static void test_null_and_none_defaults(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(int *a = NULL, int *b = None, int *c = nullptr)");
    for (int i = 0; i < 3; i++)
        assert_int_equal(s->params[i].def->lit.kind, SB_LIT_NULL);
    assert_string_equal(s->text, "int f(int *a = NULL, int *b = None, int *c = nullptr)");
    sb__sig_free(s);
}

static void test_bool_defaults(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(bool a = true, bool b = false, bool c = True, bool d = False)");
    int want[] = {1, 0, 1, 0};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(s->params[i].def->lit.kind, SB_LIT_BOOL);
        assert_int_equal(s->params[i].def->lit.mag, want[i]);
    }
    sb__sig_free(s);
}

static void test_parameter_without_default_has_kind_none(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(int a, int b = 1)");
    assert_null(s->params[0].def); /* no default: no record */
    assert_int_equal(s->params[1].def->lit.kind, SB_LIT_INT);
    sb__sig_free(s);
}

/* ------------------------------------------------------------------ */
/* Python-style markers                                                */

static void test_slash_marks_positional_only(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(int a, int b, /, int c)");
    assert_int_equal(s->nparams, 3);
    assert_int_equal(s->posonly, 2);
    assert_int_equal(s->kwonly, -1);
    assert_string_equal(s->text, "int f(int a, int b, /, int c)");
    sb__sig_free(s);
    s = PARSE("int f(int a, /)");
    assert_int_equal(s->posonly, 1);
    assert_string_equal(s->text, "int f(int a, /)");
    sb__sig_free(s);
}

static void test_star_marks_keyword_only(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(int a, *, int b, int c)");
    assert_int_equal(s->nparams, 3);
    assert_int_equal(s->posonly, 0);
    assert_int_equal(s->kwonly, 1);
    assert_string_equal(s->text, "int f(int a, *, int b, int c)");
    sb__sig_free(s);
    s = PARSE("int f(*, int b)");
    assert_int_equal(s->kwonly, 0);
    assert_string_equal(s->text, "int f(*, int b)");
    sb__sig_free(s);
}

static void test_slash_and_star_together(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(int a, /, int b, *, const char *c = NULL)");
    assert_int_equal(s->posonly, 1);
    assert_int_equal(s->kwonly, 2);
    assert_string_equal(s->text, "int f(int a, /, int b, *, const char *c = NULL)");
    sb__sig_free(s);
}

static void test_args_and_kwargs_become_pyobject_params(void **state)
{
    (void)state;
    sb_sig *s = PARSE("PyObject *method(bool flag = true, *args, int n = 10, **kwargs)");
    assert_int_equal(s->nparams, 4);
    assert_int_equal(s->ret.kind, SB_K_PYOBJECT);
    assert_int_equal(s->ret.ptr, 1);
    assert_string_equal(s->params[1].name, "args");
    assert_int_equal(s->params[1].flags, SB_PARAM_VARARGS);
    assert_int_equal(s->params[1].type.kind, SB_K_PYOBJECT);
    assert_int_equal(s->params[1].type.ptr, 1);
    assert_int_equal(s->params[1].col, 35);
    assert_string_equal(s->params[3].name, "kwargs");
    assert_int_equal(s->params[3].flags, SB_PARAM_VARKW);
    assert_int_equal(s->params[3].type.kind, SB_K_PYOBJECT);
    assert_int_equal(s->params[3].type.ptr, 1);
    assert_int_equal(s->params[2].flags, 0);
    assert_int_equal(s->kwonly, 2); /* after *args */
    assert_int_equal(s->posonly, 0);
    assert_string_equal(s->text, "PyObject *method(bool flag = true, *args, int n = 10, **kwargs)");
    sb__sig_free(s);
}

static void test_kwargs_written_with_a_space_is_still_kwargs(void **state)
{
    (void)state;
    sb_sig *s = PARSE("PyObject *f(int a, * *kw)");
    assert_int_equal(s->nparams, 2);
    assert_int_equal(s->params[1].flags, SB_PARAM_VARKW);
    assert_int_equal(s->kwonly, -1);
    assert_string_equal(s->text, "PyObject *f(int a, **kw)");
    sb__sig_free(s);
    s = PARSE("PyObject *f(int a, * /* c */ * kw)");
    assert_int_equal(s->params[1].flags, SB_PARAM_VARKW);
    sb__sig_free(s);
}

static void test_args_written_with_a_space_is_args(void **state)
{
    (void)state;
    sb_sig *s = PARSE("PyObject *f(int a, * rest, int k = 1)");
    assert_int_equal(s->params[1].flags, SB_PARAM_VARARGS);
    assert_string_equal(s->params[1].name, "rest");
    assert_int_equal(s->kwonly, 2);
    sb__sig_free(s);
}

static void test_kwargs_alone(void **state)
{
    (void)state;
    sb_sig *s = PARSE("PyObject *f(**kw)");
    assert_int_equal(s->nparams, 1);
    assert_int_equal(s->params[0].flags, SB_PARAM_VARKW);
    assert_int_equal(s->kwonly, -1);
    sb__sig_free(s);
}

/* ------------------------------------------------------------------ */
/* Annotations                                                         */

static void test_nogil_annotation_sets_flag(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int64_t count(const char *path, const char *word) [[nogil]]");
    assert_int_equal(s->flags, SB_SIG_NOGIL);
    assert_string_equal(s->text, "int64_t count(const char *path, const char *word) [[nogil]]");
    sb__sig_free(s);
}

static void test_free_annotation_without_function_uses_free(void **state)
{
    (void)state;
    sb_sig *s = PARSE("char *sum_as_string(int64_t a, int64_t b) [[free]]");
    assert_int_equal(s->flags, SB_SIG_FREE);
    assert_null(s->free_fn);
    assert_string_equal(s->text, "char *sum_as_string(int64_t a, int64_t b) [[free]]");
    sb__sig_free(s);
}

static void test_free_annotation_names_the_deallocator(void **state)
{
    (void)state;
    sb_sig *s = PARSE("char *f(void) [[free(my_free)]]");
    assert_int_equal(s->flags, SB_SIG_FREE);
    assert_string_equal(s->free_fn, "my_free");
    assert_string_equal(s->text, "char *f(void) [[free(my_free)]]");
    sb__sig_free(s);
}

static void test_out_and_inout_parameter_annotations(void **state)
{
    (void)state;
    sb_sig *s = PARSE("double frexp(double x, int *exp [[out]], double *acc [[inout]] = 0.5)");
    assert_int_equal(s->params[0].flags, 0);
    assert_int_equal(s->params[1].flags, SB_PARAM_OUT);
    assert_int_equal(s->params[2].flags, SB_PARAM_INOUT);
    assert_int_equal(s->params[2].def->lit.kind, SB_LIT_FLOAT);
    assert_string_equal(s->text, "double frexp(double x, int *exp [[out]], double *acc [[inout]] = 0.5)");
    sb__sig_free(s);
    /* After the default too; and on an unnamed parameter. */
    s = PARSE("int f(int *x = NULL [[inout]], int * [[out]])");
    assert_int_equal(s->params[0].flags, SB_PARAM_INOUT);
    assert_int_equal(s->params[0].def->lit.kind, SB_LIT_NULL);
    assert_int_equal(s->params[1].flags, SB_PARAM_OUT);
    assert_null(s->params[1].name);
    sb__sig_free(s);
}

static void test_errno_without_condition_is_decided_by_the_plan(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int close(int fd) [[errno]]");
    assert_int_equal(s->contract.kind, SB_CONTRACT_ERRNO);
    assert_int_equal(s->contract.cmp, SB_CMP_EQ);
    assert_int_equal(s->contract.value.kind, SB_LIT_NONE);
    assert_null(s->contract.msg_fn);
    assert_string_equal(s->text, "int close(int fd) [[errno]]");
    sb__sig_free(s);
}

static void test_errno_with_a_value_compares_equal(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int open(const char *path, int flags, int mode = 0644) [[errno(-1)]]");
    assert_int_equal(s->contract.kind, SB_CONTRACT_ERRNO);
    assert_int_equal(s->contract.cmp, SB_CMP_EQ);
    assert_int_equal(s->contract.value.kind, SB_LIT_INT);
    assert_true(s->contract.value.neg);
    assert_int_equal(s->contract.value.mag, 1);
    assert_string_equal(s->text, "int open(const char *path, int flags, int mode = 0644) [[errno(-1)]]");
    sb__sig_free(s);
}

static void test_errno_null(void **state)
{
    (void)state;
    sb_sig *s = PARSE("void *malloc(size_t n) [[errno(NULL)]]");
    assert_int_equal(s->contract.kind, SB_CONTRACT_ERRNO);
    assert_int_equal(s->contract.cmp, SB_CMP_EQ);
    assert_int_equal(s->contract.value.kind, SB_LIT_NULL);
    assert_string_equal(s->text, "void *malloc(size_t n) [[errno(NULL)]]");
    sb__sig_free(s);
}

static void test_errno_with_a_comparison(void **state)
{
    (void)state;
    sb_sig *s = PARSE("ssize_t read(int fd, void *buf, size_t n) [[errno(< 0)]]");
    assert_int_equal(s->contract.kind, SB_CONTRACT_ERRNO);
    assert_int_equal(s->contract.cmp, SB_CMP_LT);
    assert_int_equal(s->contract.value.kind, SB_LIT_INT);
    assert_int_equal(s->contract.value.mag, 0);
    assert_string_equal(s->text, "ssize_t read(int fd, void *buf, size_t n) [[errno(< 0)]]");
    sb__sig_free(s);
}

static void test_every_comparison_operator(void **state)
{
    (void)state;
    static const struct { const char *op; int cmp; } ops[] = {
        {"==", SB_CMP_EQ}, {"!=", SB_CMP_NE}, {"<", SB_CMP_LT},
        {"<=", SB_CMP_LE}, {">", SB_CMP_GT}, {">=", SB_CMP_GE},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "int f(void) [[status(%s 3)]]", ops[i].op);
        sb_sig *s = PARSE(buf);
        assert_int_equal(s->contract.cmp, ops[i].cmp);
        assert_int_equal(s->contract.value.mag, 3);
        assert_string_equal(s->text, buf);
        sb__sig_free(s);
    }
    /* errno(== v) is written as errno(v). */
    CHECK_TEXT("int f(void) [[errno(== -2)]]", "int f(void) [[errno(-2)]]");
    CHECK_TEXT("int f(void) [[errno(!= NULL)]]", "int f(void) [[errno(!= NULL)]]");
}

static void test_status_defaults_to_nonzero(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int deflateEnd(void *strm) [[status]]");
    assert_int_equal(s->contract.kind, SB_CONTRACT_STATUS);
    assert_int_equal(s->contract.cmp, SB_CMP_NE);
    assert_int_equal(s->contract.value.kind, SB_LIT_INT);
    assert_int_equal(s->contract.value.mag, 0);
    assert_null(s->contract.msg_fn);
    assert_string_equal(s->text, "int deflateEnd(void *strm) [[status(!= 0)]]");
    sb__sig_free(s);
}

static void test_status_with_a_condition(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int f(void) [[status(< 0)]]");
    assert_int_equal(s->contract.kind, SB_CONTRACT_STATUS);
    assert_int_equal(s->contract.cmp, SB_CMP_LT);
    assert_int_equal(s->contract.value.mag, 0);
    assert_null(s->contract.msg_fn);
    sb__sig_free(s);
}

static void test_status_with_a_message_function(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int deflate(void *strm, int flush) [[status(!= 0, zError)]]");
    assert_int_equal(s->contract.kind, SB_CONTRACT_STATUS);
    assert_int_equal(s->contract.cmp, SB_CMP_NE);
    assert_int_equal(s->contract.value.mag, 0);
    assert_string_equal(s->contract.msg_fn, "zError");
    assert_string_equal(s->text, "int deflate(void *strm, int flush) [[status(!= 0, zError)]]");
    sb__sig_free(s);
}

static void test_several_annotations_in_one_group(void **state)
{
    (void)state;
    sb_sig *s = PARSE("char *f(void) [[nogil, free]]");
    assert_int_equal(s->flags, SB_SIG_NOGIL | SB_SIG_FREE);
    assert_string_equal(s->text, "char *f(void) [[nogil]] [[free]]");
    sb__sig_free(s);
    s = PARSE("char *f(void) [[nogil]] [[free(g_free), errno(NULL)]]");
    assert_int_equal(s->flags, SB_SIG_NOGIL | SB_SIG_FREE);
    assert_string_equal(s->free_fn, "g_free");
    assert_int_equal(s->contract.kind, SB_CONTRACT_ERRNO);
    assert_string_equal(s->text, "char *f(void) [[nogil]] [[free(g_free)]] [[errno(NULL)]]");
    sb__sig_free(s);
}

static void test_variadic_flag(void **state)
{
    (void)state;
    sb_sig *s = PARSE("int printf(const char *fmt, ...)");
    assert_int_equal(s->flags, SB_SIG_VARIADIC);
    assert_int_equal(s->nparams, 1);
    assert_string_equal(s->text, "int printf(const char *fmt, ...)");
    sb__sig_free(s);
}

static void test_trailing_semicolon_is_allowed(void **state)
{
    (void)state;
    sb_sig *s = PARSE("double cos(double x);");
    assert_string_equal(s->text, "double cos(double x)");
    sb__sig_free(s);
    s = PARSE("  double cos(double x) [[nogil]] ;  // done\n");
    assert_string_equal(s->text, "double cos(double x) [[nogil]]");
    sb__sig_free(s);
}

static void test_comments_inside_the_signature_are_ignored(void **state)
{
    (void)state;
    CHECK_TEXT("/* lead */ double /* ret */ cos ( double /* type */ x /* the angle */ ) // tail",
               "double cos(double x)");
    CHECK_TEXT("int f(int a, // first\n int b /* second */ = /* d */ 3)", "int f(int a, int b = 3)");
    CHECK_TEXT("int f(void /**/)", "int f(void)");
}

static void test_crc32_text(void **state)
{
    (void)state;
    sb_sig *s = PARSE("unsigned long crc32(unsigned long crc, const void *buf, unsigned int len)");
    assert_string_equal(s->name, "crc32");
    assert_int_equal(s->ret.kind, SB_K_ULONG);
    assert_int_equal(s->nparams, 3);
    assert_string_equal(s->params[0].name, "crc");
    assert_string_equal(s->params[1].name, "buf");
    assert_int_equal(s->params[1].type.kind, SB_K_VOID);
    assert_int_equal(s->params[1].type.ptr, 1);
    assert_int_equal(s->params[1].type.cconst, 1);
    assert_string_equal(s->params[2].name, "len");
    assert_int_equal(s->params[2].type.kind, SB_K_UINT);
    assert_string_equal(s->text, "unsigned long crc32(unsigned long crc, const void *buf, unsigned int len)");
    sb__sig_free(s);
}

static void test_normalized_text_of_messy_inputs(void **state)
{
    (void)state;
    CHECK_TEXT("int   open ( const char*path,int flags , int mode=0644 ) [[ errno ( -1 ) ]]",
               "int open(const char *path, int flags, int mode = 0644) [[errno(-1)]]");
    CHECK_TEXT("long unsigned int f(short unsigned x)", "unsigned long f(unsigned short x)");
    CHECK_TEXT("_Bool f(signed x, char unsigned c, long long int ll)",
               "bool f(int x, unsigned char c, long long ll)");
    CHECK_TEXT("const char*zlibVersion()", "const char *zlibVersion(void)");
    CHECK_TEXT("char const * const f(char * * const p)", "const char *f(char **p)");
    CHECK_TEXT("double frexp(double x, int *exp[[out]])", "double frexp(double x, int *exp [[out]])");
    CHECK_TEXT("int f(int a,/,int b,*,int c=3)", "int f(int a, /, int b, *, int c = 3)");
    CHECK_TEXT("PyObject*m(*a,**k)", "PyObject *m(*a, **k)");
    CHECK_TEXT("int f(int a, *, **kw)", "int f(int a, *, **kw)");
    CHECK_TEXT("int f(const char *s = \"x;y\", char c = ';') [[status(<=-1,msg)]]",
               "int f(const char *s = \"x;y\", char c = ';') [[status(<= -1, msg)]]");
    CHECK_TEXT("extern int f(int x);", "int f(int x)");
    CHECK_TEXT("double mean(const double*xs[[len(n)]],size_t n)", "double mean(const double *xs [[len(n)]], size_t n)");
    CHECK_TEXT("char*f(size_t*k[[out]])[[len(k)]][[free]]", "char *f(size_t *k [[out]]) [[len(k)]] [[free]]");
    CHECK_TEXT("static inline int f(int x)", "int f(int x)");
}

static void test_long_text_is_formatted_past_the_stack_buffer(void **state)
{
    (void)state;
    /* 60 parameters with long names: the normalized text is > 512 bytes. */
    char in[8192], want[8192];
    size_t ni = 0, nw = 0;
    ni += (size_t)snprintf(in + ni, sizeof in - ni, "unsigned long long a_rather_long_function_name(");
    nw += (size_t)snprintf(want + nw, sizeof want - nw, "unsigned long long a_rather_long_function_name(");
    for (int i = 0; i < 60; i++) {
        ni += (size_t)snprintf(in + ni, sizeof in - ni, "%sconst   unsigned   char*parameter_number_%02d", i ? "," : "", i);
        nw += (size_t)snprintf(want + nw, sizeof want - nw, "%sconst unsigned char *parameter_number_%02d", i ? ", " : "", i);
    }
    snprintf(in + ni, sizeof in - ni, ")");
    snprintf(want + nw, sizeof want - nw, ")");
    sb_sig *s = PARSE(in);
    assert_int_equal(s->nparams, 60);
    assert_true(strlen(s->text) > 512);
    assert_string_equal(s->text, want);
    sb__sig_free(s);
}

static void test_sixty_four_parameters_is_the_limit(void **state)
{
    (void)state;
    char buf[2048];
    size_t n = (size_t)snprintf(buf, sizeof buf, "int f(");
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%sint a%d", i ? ", " : "", i);
    snprintf(buf + n, sizeof buf - n, ")");
    sb_sig *s = PARSE(buf);
    assert_int_equal(s->nparams, 64);
    assert_string_equal(s->params[63].name, "a63");
    sb__sig_free(s);
}

static void test_parse_without_an_error_struct(void **state)
{
    (void)state;
    assert_null(sb__sig_parse("int f(", 6, NULL));
    assert_null(sb__sig_parse(NULL, 0, NULL));
    sb_sig *s = sb__sig_parse("int f(void)", 11, NULL);
    assert_non_null(s);
    sb__sig_free(s);
    sb__sig_free(NULL); /* no-op */
}

static void test_parse_uses_only_len_bytes(void **state)
{
    (void)state;
    const char *text = "int f(int a) garbage that is not part of it";
    sb_error e;
    sb_sig *s = sb__sig_parse(text, 12, &e);
    assert_non_null(s);
    assert_string_equal(s->text, "int f(int a)");
    sb__sig_free(s);
}

static void test_null_text_is_an_error(void **state)
{
    (void)state;
    sb_error e;
    assert_null(sb__sig_parse(NULL, 5, &e));
    assert_string_equal(e.msg, "no signature text");
    assert_int_equal(e.col, 0);
}

static void test_success_leaves_the_error_cleared(void **state)
{
    (void)state;
    sb_error e;
    strcpy(e.msg, "stale");
    e.col = 7;
    sb_sig *s = sb__sig_parse("int f(void)", 11, &e);
    assert_non_null(s);
    assert_string_equal(e.msg, "");
    assert_true(e.col == (size_t)-1);
    sb__sig_free(s);
}

/* ------------------------------------------------------------------ */
/* Errors: exact message and column                                     */

ERROR_CASE(test_unknown_type_name_is_reported, "foo f(void)", 0,
           "unknown type name 'foo' (declare it first: a typedef in load() or declare())")
ERROR_CASE(test_unknown_parameter_type_reports_its_column, "int f(int a, BLOB *fp)", 13,
           "unknown type name 'BLOB' (declare it first: a typedef in load() or declare())")
ERROR_CASE(test_struct_is_not_supported_yet, "int f(struct stat *st)", 6,
           "struct 'stat' is not declared (declare it first in load() or declare(): 'struct stat { ... };' or 'typedef struct stat stat;')")
ERROR_CASE(test_union_is_not_supported_yet, "int f(union u v)", 6,
           "union 'u' is not declared (declare it first in load() or declare(): 'union u { ... };' or 'typedef union u u;')")
ERROR_CASE(test_enum_is_not_supported_yet, "enum color f(void)", 0, "enum 'color' is not declared (declare it first: 'enum color { ... };')")
ERROR_CASE(test_typedef_is_not_supported_yet, "typedef int myint", 0, "a typedef is a declaration, not a prototype: give it to load() or declare()")
ERROR_CASE(test_pointer_to_function_pointer_needs_a_known_type,
           "void qsort(void *base, size_t n, size_t size, int (**cmp)(const struct s *, const void *))", 50,
           "in the function pointer type: struct 's' is not declared (declare it first in load() or declare(): 'struct s { ... };' or 'typedef struct s s;')")
ERROR_CASE(test_function_pointer_parameter_with_a_bad_type, "void f(int (*cmp)(struct s *))", 11,
           "in the function pointer type: struct 's' is not declared (declare it first in load() or declare(): 'struct s { ... };' or 'typedef struct s s;')")
ERROR_CASE(test_function_pointer_declarator_is_not_supported_yet, "int (*f)(void)", 4,
           "function pointer declarators are not supported yet")
ERROR_CASE(test_long_long_double_is_an_invalid_combination, "long long double f(void)", 0,
           "invalid combination of type specifiers")
ERROR_CASE(test_long_double_complex_is_not_supported, "int f(long double _Complex z)", 6,
           "type 'long double _Complex' is not supported (pass a pointer to it)")
ERROR_CASE(test_complex_int_is_an_invalid_combination, "int f(int _Complex z)", 6,
           "invalid combination of type specifiers")
ERROR_CASE(test_signed_float128_is_an_invalid_combination, "int f(unsigned _Float128 z)", 6,
           "invalid combination of type specifiers")
ERROR_CASE(test_unsigned_double_is_an_invalid_combination, "unsigned double f(void)", 0,
           "invalid combination of type specifiers")
ERROR_CASE(test_long_long_long_is_an_invalid_combination, "int f(long long long x)", 6,
           "invalid combination of type specifiers")
ERROR_CASE(test_short_long_is_an_invalid_combination, "int f(short long x)", 6,
           "invalid combination of type specifiers")
ERROR_CASE(test_signed_unsigned_is_an_invalid_combination, "int f(signed unsigned x)", 6,
           "invalid combination of type specifiers")
ERROR_CASE(test_int_char_is_an_invalid_combination, "int f(int char x)", 6, "invalid combination of type specifiers")
ERROR_CASE(test_fixed_width_name_with_long_is_an_invalid_combination, "int f(int8_t long x)", 6,
           "invalid combination of type specifiers")
/* After a complete type, a typedef-like name is the declarator's name (as in C). */
ERROR_CASE(test_fixed_width_name_after_a_type_is_the_parameter_name, "int f(long int8_t x)", 18,
           "expected ',' or ')' after the parameter, found 'x'")
ERROR_CASE(test_missing_function_name_is_reported, "int (void)", 4,
           "function pointer declarators are not supported yet")
ERROR_CASE(test_missing_name_reports_what_was_found, "int *;", 5, "expected the function name, found ';'")
ERROR_CASE(test_missing_paren_reports_column, "int f int a)", 6,
           "expected '(' after the function name, found 'int'")
ERROR_CASE(test_missing_paren_at_end_of_text, "int f", 5, "expected '(' after the function name, found end of text")
ERROR_CASE(test_missing_close_paren_reports_column, "int f(int a", 11,
           "expected ',' or ')' after the parameter, found end of text")
ERROR_CASE(test_missing_comma_between_parameters, "int f(int a int b)", 12,
           "expected ',' or ')' after the parameter, found 'int'")
ERROR_CASE(test_trailing_comma_is_reported, "int f(int x,)", 12, "expected a type for the parameter, found ')'")
ERROR_CASE(test_duplicate_parameter_name_is_reported, "int f(int a, double b, char *a)", 23,
           "duplicate parameter name 'a'")
ERROR_CASE(test_duplicate_name_between_args_and_a_parameter, "PyObject *f(int args, *args)", 22,
           "duplicate parameter name 'args'")
ERROR_CASE(test_unterminated_string_is_reported, "int f(const char *s = \"abc)", 22, "unterminated string literal")
ERROR_CASE(test_string_cannot_span_lines, "int f(const char *s = \"ab\ncd\")", 22, "unterminated string literal")
ERROR_CASE(test_unterminated_char_literal_is_reported, "int f(char c = 'a)", 15, "unterminated character literal")
ERROR_CASE(test_unterminated_comment_is_reported, "int f(void) /* never closed", 12, "unterminated comment")
ERROR_CASE(test_unterminated_comment_inside_parameters, "int f(int a, /* ) */ int b", 26,
           "expected ',' or ')' after the parameter, found end of text")
ERROR_CASE(test_unterminated_comment_in_parameters_is_reported, "int f(int a /*)", 12, "unterminated comment")
ERROR_CASE(test_bad_escape_is_reported, "int f(const char *s = \"\\q\")", 24, "invalid escape sequence in literal")
ERROR_CASE(test_hex_escape_without_digits_is_bad, "int f(const char *s = \"\\xg\")", 24,
           "invalid escape sequence in literal")
ERROR_CASE(test_octal_escape_above_255_is_bad, "int f(const char *s = \"\\400\")", 26,
           "invalid escape sequence in literal")
ERROR_CASE(test_integer_literal_too_large, "int f(unsigned long long x = 18446744073709551616)", 29,
           "integer literal '18446744073709551616' is too large")
ERROR_CASE(test_hex_literal_too_large, "int f(uint64_t x = 0x10000000000000000)", 19,
           "integer literal '0x10000000000000000' is too large")
ERROR_CASE(test_hex_prefix_without_digits, "int f(int x = 0x)", 14, "invalid integer literal '0x'")
ERROR_CASE(test_nine_is_not_an_octal_digit, "int f(int x = 09)", 14, "invalid integer literal '09'")
ERROR_CASE(test_bad_integer_suffix, "int f(int x = 10z)", 14, "invalid integer literal '10z'")
ERROR_CASE(test_too_many_integer_suffix_letters, "int f(int x = 10ulll)", 14, "invalid integer literal '10ulll'")
ERROR_CASE(test_bad_float_literal, "int f(double x = 1.5e)", 17, "invalid floating literal '1.5e'")
ERROR_CASE(test_empty_char_literal, "int f(char c = '')", 15, "character literal must hold exactly one character")
ERROR_CASE(test_two_char_literal, "int f(char c = 'ab')", 15, "character literal must hold exactly one character")
ERROR_CASE(test_missing_default_value, "int f(int x = )", 14,
           "expected a literal (integer, float, string, NULL, true or false), found ')'")
ERROR_CASE(test_identifier_is_not_a_default, "int f(int x = FOO)", 14,
           "expected a literal (integer, float, string, NULL, true or false), found 'FOO'")
ERROR_CASE(test_negative_string_is_not_a_default, "int f(const char *s = -\"s\")", 23,
           "expected a literal (integer, float, string, NULL, true or false), found '\"s\"'")
ERROR_CASE(test_negative_null_is_not_a_default, "int f(int *p = -NULL)", 16,
           "expected a literal (integer, float, string, NULL, true or false), found 'NULL'")
ERROR_CASE(test_unknown_annotation_is_reported, "int f(void) [[bogus]]", 14,
           "unknown annotation 'bogus' (expected nogil, free, errno, status, borrowed or len)")
ERROR_CASE(test_unknown_parameter_annotation_is_reported, "int f(int *x [[nogil]])", 15,
           "unknown parameter annotation 'nogil' (expected out, inout, noescape or len)")
ERROR_CASE(test_noescape_on_a_data_pointer_is_reported, "int f(int *x [[noescape]])", 15,
           "[[noescape]] is for function pointer parameters (C calls the function only during the call)")
ERROR_CASE(test_noescape_takes_no_arguments, "int f(int (*g)(int) [[noescape(1)]])", 22,
           "[[noescape]] takes no arguments")
ERROR_CASE(test_out_after_the_function_is_reported, "int f(int *x) [[out]]", 16,
           "[[out]] belongs after a parameter, not after the function")
ERROR_CASE(test_inout_after_the_function_is_reported, "int f(int *x) [[inout]]", 16,
           "[[inout]] belongs after a parameter, not after the function")
ERROR_CASE(test_len_names_an_unknown_parameter, "int f(int *x [[len(m)]], int n)", 19,
           "[[len(m)]]: no parameter is named 'm'")
ERROR_CASE(test_len_on_a_scalar_is_reported, "int f(int x [[len(n)]], int n)", 6,
           "[[len]] is for a pointer to items (T *x [[len(n)]], T a scalar or void), not 'x'")
ERROR_CASE(test_len_of_a_non_integer_is_reported, "int f(int *x [[len(n)]], double n)", 19,
           "[[len(n)]]: 'n' must be a plain integer parameter (no default, no annotation)")
ERROR_CASE(test_len_without_a_name_is_reported, "int f(int *x [[len]], int n)", 18,
           "[[len]] needs the name of the length parameter: [[len(n)]]")
ERROR_CASE(test_result_len_needs_a_pointer_result, "int f(int n) [[len(n)]]", 19,
           "[[len]] after the function is for a pointer result (T *f(...) [[len(n)]])")
ERROR_CASE(test_len_with_varargs_is_reported, "int f(int *x [[len(n)]], int n, ...)", 19,
           "[[len]] cannot be combined with '...'")
ERROR_CASE(test_out_takes_no_arguments, "int f(int *x [[out(1)]])", 15, "[[out]] takes no arguments")
ERROR_CASE(test_out_and_inout_together_are_reported, "int f(int *x [[out, inout]])", 20,
           "parameter already has [[out]] or [[inout]]")
ERROR_CASE(test_nogil_takes_no_arguments, "int f(void) [[nogil(1)]]", 14, "[[nogil]] takes no arguments")
ERROR_CASE(test_free_needs_a_function_name, "char *f(void) [[free(1)]]", 21,
           "expected the name of a deallocation function, found '1'")
ERROR_CASE(test_free_needs_a_close_paren, "char *f(void) [[free(g x)]]", 23, "expected ')', found 'x'")
ERROR_CASE(test_two_contracts_in_one_group, "int f(void) [[errno, status]]", 21,
           "only one error contract ([[errno]] or [[status]]) is allowed")
ERROR_CASE(test_two_contracts_in_two_groups, "int f(void) [[errno(-1)]] [[errno]]", 28,
           "only one error contract ([[errno]] or [[status]]) is allowed")
ERROR_CASE(test_null_compared_with_less_than, "int *f(void) [[errno(< NULL)]]", 23,
           "NULL can only be compared with == or !=")
ERROR_CASE(test_float_condition_is_reported, "int f(void) [[errno(1.5)]]", 20,
           "an error condition compares with an integer or NULL")
ERROR_CASE(test_string_condition_is_reported, "int f(void) [[status(\"x\")]]", 21,
           "an error condition compares with an integer or NULL")
ERROR_CASE(test_empty_condition_is_reported, "int f(void) [[errno()]]", 20,
           "expected a literal (integer, float, string, NULL, true or false), found ')'")
ERROR_CASE(test_status_message_function_needs_a_comma, "int f(void) [[status(!= 0 zError)]]", 26,
           "expected ',' or ')', found 'zError'")
ERROR_CASE(test_status_message_function_must_be_a_name, "int f(void) [[status(!= 0, 5)]]", 27,
           "expected the name of a message function, found '5'")
ERROR_CASE(test_errno_takes_no_message_function, "int f(void) [[errno(-1, msg)]]", 22,
           "expected ')', found ','")
ERROR_CASE(test_single_bracket_is_not_an_annotation, "int f(void) [nogil]", 12, "expected '[[' to start an annotation")
ERROR_CASE(test_unclosed_annotation_is_reported, "int f(void) [[nogil]", 20,
           "expected ']]' to end the annotation, found end of text")
ERROR_CASE(test_annotation_needs_a_name, "int f(void) [[]]", 14, "expected an annotation name, found ']'")
ERROR_CASE(test_slash_first_is_reported, "int f(/, int a)", 6, "'/' needs at least one parameter before it")
ERROR_CASE(test_slash_after_star_is_reported, "int f(int a, *, int b, /)", 23, "'/' must come once, before '*'")
ERROR_CASE(test_two_slashes_are_reported, "int f(int a, /, int b, /)", 23, "'/' must come once, before '*'")
ERROR_CASE(test_two_stars_are_reported, "int f(int a, *, int b, *, int c)", 23, "'*' or '*args' may appear only once")
ERROR_CASE(test_star_after_args_is_reported, "PyObject *f(*args, *, int c)", 19, "'*' or '*args' may appear only once")
ERROR_CASE(test_bare_star_at_the_end_is_reported, "int f(int a, *)", 15, "named arguments must follow bare '*'")
ERROR_CASE(test_kwargs_not_last_is_reported, "PyObject *f(**kw, int a)", 18, "**kwargs must be the last parameter")
ERROR_CASE(test_kwargs_needs_a_name, "PyObject *f(**)", 14, "expected a name after '**', found ')'")
ERROR_CASE(test_variadic_needs_a_named_parameter_first, "int f(...)", 6,
           "'...' needs at least one named parameter before it")
ERROR_CASE(test_variadic_must_be_last, "int f(int a, ..., int b)", 16, "expected ')' after '...', found ','")
ERROR_CASE(test_too_many_pointer_levels_in_a_parameter, "int f(int *********x)", 18, "too many levels of pointers")
ERROR_CASE(test_too_many_pointer_levels_in_the_result, "int *********f(void)", 12, "too many levels of pointers")
ERROR_CASE(test_array_adds_a_pointer_level_past_the_limit, "int f(int ********x[])", 6, "too many levels of pointers")
ERROR_CASE(test_array_size_must_be_an_integer, "int f(int a[n])", 12, "expected ']' after the array size, found 'n'")
ERROR_CASE(test_void_parameter_type_is_reported, "int f(int a, void)", 13, "a parameter cannot have type void")
ERROR_CASE(test_named_void_parameter_is_reported, "int f(void x)", 6, "a parameter cannot have type void")
ERROR_CASE(test_pyobject_by_value_result_is_reported, "PyObject f(void)", 0,
           "PyObject is only usable as 'PyObject *'")
ERROR_CASE(test_pyobject_double_pointer_parameter_is_reported, "int f(PyObject **o)", 6,
           "PyObject is only usable as 'PyObject *'")
ERROR_CASE(test_junk_after_the_signature_is_reported, "int f(int x) junk", 13,
           "expected end of the signature, found 'junk'")
ERROR_CASE(test_two_semicolons_are_reported, "int f(void);;", 12, "expected end of the signature, found ';'")
ERROR_CASE(test_nul_byte_in_the_text_is_reported, "int f(int a)\0 x", 12, "NUL character in the signature")
ERROR_CASE(test_nul_byte_inside_the_parameters_is_reported, "int f(int\0 a)", 9, "NUL character in the signature")
ERROR_CASE(test_empty_text_is_reported, "", 0, "expected a type (the result type), found end of text")
ERROR_CASE(test_text_of_only_spaces_is_reported, "   \t\n  ", 7, "expected a type (the result type), found end of text")
ERROR_CASE(test_text_of_only_a_comment_is_reported, "/* nothing */", 13,
           "expected a type (the result type), found end of text")
ERROR_CASE(test_const_alone_is_not_a_type, "const *f(void)", 6, "expected a type (the result type), found '*'")
ERROR_CASE(test_no_implicit_int, "const f(void)", 6, "unknown type name 'f' (declare it first: a typedef in load() or declare())")
ERROR_CASE(test_float_literal_too_long_is_reported,
           "int f(double x = 1.00000000000000000000000000000000000000000000000000000000000000001)", 17,
           "floating literal is too long")
ERROR_CASE(test_punctuation_where_a_type_belongs, "int f(int a, = 3)", 13,
           "expected a type for the parameter, found '='")

static void test_too_many_parameters_is_reported(void **state)
{
    (void)state;
    static char buf[32768];
    size_t n = (size_t)snprintf(buf, sizeof buf, "int f(");
    size_t colx = 0;
    for (int i = 0; i < SB_MAX_ARGS + 1; i++) {
        if (i)
            n += (size_t)snprintf(buf + n, sizeof buf - n, ", ");
        if (i == SB_MAX_ARGS)
            colx = n;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "int a%d", i);
    }
    snprintf(buf + n, sizeof buf - n, ")");
    check_error_at(buf, strlen(buf), colx, "too many parameters (at most 1024)", __LINE__);

    /* The 1025th may also be *args or **kwargs. */
    n = (size_t)snprintf(buf, sizeof buf, "PyObject *f(");
    for (int i = 0; i < SB_MAX_ARGS; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%sint a%d", i ? ", " : "", i);
    colx = n + 2;
    snprintf(buf + n, sizeof buf - n, ", **kw)");
    check_error_at(buf, strlen(buf), colx, "too many parameters (at most 1024)", __LINE__);

    /* Exactly the limit parses (the parameters go to the heap beyond 64). */
    n = (size_t)snprintf(buf, sizeof buf, "int f(");
    for (int i = 0; i < SB_MAX_ARGS; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%sint a%d", i ? ", " : "", i);
    snprintf(buf + n, sizeof buf - n, ")");
    sb_error e;
    sb_sig *sig = sb__sig_parse(buf, strlen(buf), &e);
    assert_non_null(sig);
    assert_int_equal(sig->nparams, SB_MAX_ARGS);
    assert_string_equal(sig->params[SB_MAX_ARGS - 1].name, "a1023");
    sb__sig_free(sig);
}

static void test_first_error_wins(void **state)
{
    (void)state;
    /* The unterminated string is reported, not the follow-on "expected a literal". */
    CHECK_ERROR("int f(const char *s = \"oops", 22, "unterminated string literal");
    /* The too-large literal is reported, not anything after it. */
    CHECK_ERROR("int f(int a = 99999999999999999999999, junk junk)", 14,
                "integer literal '99999999999999999999999' is too large");
}

static void test_long_token_is_truncated_in_messages(void **state)
{
    (void)state;
    char buf[400];
    memset(buf, 'x', sizeof buf);
    memcpy(buf, "int f(int a) ", 13);
    buf[sizeof buf - 1] = '\0';
    sb_error e;
    assert_null(sb__sig_parse(buf, strlen(buf), &e));
    assert_int_equal(e.col, 13);
    assert_string_equal(e.msg, "expected end of the signature, found 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'");
}

/* ------------------------------------------------------------------ */
/* Adversarial inputs                                                  */

static const char long_valid[] =
    "PyObject *method(const char *path /* the file */, int *flags [[inout]], "
    "unsigned long long n = 0x1FULL, double d = -2.5e3, const char *s = \"a\\n\\x41;\", "
    "char c = '\\'', int *p = NULL, /, bool b = true, *args, int k = 10, **kwargs) "
    "[[nogil, free(my_free)]] [[status(!= 0, zError)]];";

static void test_every_prefix_parses_or_fails_cleanly(void **state)
{
    (void)state;
    size_t len = sizeof long_valid - 1;
    sb_sig *full = parse_ok_at(long_valid, len, __LINE__);
    assert_string_equal(full->text,
                        "PyObject *method(const char *path, int *flags [[inout]], unsigned long long n = 0x1FULL, "
                        "double d = -2.5e3, const char *s = \"a\\n\\x41;\", char c = '\\'', int *p = NULL, /, "
                        "bool b = true, *args, int k = 10, **kwargs) [[nogil]] [[free(my_free)]] "
                        "[[status(!= 0, zError)]]");
    sb__sig_free(full);
    int parsed = 0;
    for (size_t i = 0; i <= len; i++) {
        /* A heap copy of exactly i bytes, so reading past the end is caught by valgrind/ASan. */
        char *copy = malloc(i ? i : 1);
        assert_non_null(copy);
        memcpy(copy, long_valid, i);
        sb_error e;
        sb_sig *s = sb__sig_parse(copy, i, &e);
        if (s) {
            parsed++;
            assert_non_null(s->text);
            sb__sig_free(s);
        } else {
            assert_true(e.msg[0] != '\0');
            assert_true(e.col <= i);
        }
        free(copy);
    }
    /* Only the complete text (with or without its ';') and the one ending at ')' + annotations parse. */
    assert_true(parsed >= 2);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static void test_random_bytes_never_crash(void **state)
{
    (void)state;
    /* Half fully random bytes, half random picks from signature-like fragments. */
    static const char *const frags[] = {
        "int", "unsigned", "long", "char", "const", "*", "(", ")", ",", " ", "x", "f", "=", "-", "0x1F", "07",
        "1.5e3", "\"s\\n\"", "'a'", "NULL", "[[", "]]", "nogil", "free", "errno", "status", "(", "<", "!=",
        "/", "...", ";", "/*", "*/", "//", "\n", "[", "]", "[4]", "void", "double", "PyObject", "out", "inout",
        "**", "\\", "\"", "'", "size_t", "true", "\0",
    };
    /* ... and a third: valid signatures with a few random edits. */
    static const char *const valid[] = {
        "double cos(double x)",
        "int open(const char *path, int flags, int mode = 0644) [[errno(-1)]]",
        "double frexp(double x, int *exp [[out]], double *acc [[inout]] = 0.5)",
        "char *s(int64_t a, int64_t b) [[nogil, free(my_free)]]",
        "PyObject *m(bool flag = true, *args, int n = 10, **kwargs)",
        "int f(int a, /, int b, *, const char *c = \"a\\n\", char d = 'x')",
        "int deflate(void *strm, int flush) [[status(!= 0, zError)]];",
        "unsigned long long /* c */ f(long unsigned x = 10UL, float y = -2.5f) // t",
        "int printf(const char *fmt, ...)",
        "int f(int a[], const char *argv[4], void *p = NULL) [[errno(< 0)]]",
    };
    enum { N = 20000 };
    char buf[256];
    int ok = 0;
    for (int iter = 0; iter < N; iter++) {
        size_t len = 0;
        size_t want = (size_t)(rng() % 128);
        if (iter % 3 == 0) {
            for (len = 0; len < want; len++)
                buf[len] = (char)(rng() & 0xff);
        } else if (iter % 3 == 1) {
            while (len < want) {
                const char *f = frags[rng() % (sizeof frags / sizeof frags[0])];
                size_t fl = f[0] ? strlen(f) : 1;
                if (len + fl > 128)
                    break;
                memcpy(buf + len, f, fl);
                len += fl;
            }
        } else {
            const char *v = valid[rng() % (sizeof valid / sizeof valid[0])];
            len = strlen(v);
            memcpy(buf, v, len);
            int edits = (int)(rng() % 3);
            for (int k = 0; k < edits && len > 0; k++) {
                size_t at = (size_t)(rng() % len);
                switch (rng() % 3) {
                case 0: /* delete a few bytes */ {
                    size_t d = 1 + (size_t)(rng() % 4);
                    if (at + d > len)
                        d = len - at;
                    memmove(buf + at, buf + at + d, len - at - d);
                    len -= d;
                    break;
                }
                case 1: /* insert a fragment */ {
                    const char *f = frags[rng() % (sizeof frags / sizeof frags[0])];
                    size_t fl = f[0] ? strlen(f) : 1;
                    if (len + fl <= sizeof buf) {
                        memmove(buf + at + fl, buf + at, len - at);
                        memcpy(buf + at, f, fl);
                        len += fl;
                    }
                    break;
                }
                default: /* replace a byte */
                    buf[at] = (char)(rng() & 0xff);
                    break;
                }
            }
        }
        char *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, buf, len);
        sb_error e;
        sb_sig *s = sb__sig_parse(copy, len, &e);
        if (s) {
            ok++;
            /* The normalized text parses again, to itself. */
            sb_error e2;
            sb_sig *again = sb__sig_parse(s->text, strlen(s->text), &e2);
            if (!again) {
                print_error("input %.*s\ntext %s\nreparse: col %zu %s\n", (int)len, copy, s->text, e2.col, e2.msg);
                fail();
            }
            assert_string_equal(again->text, s->text);
            sb__sig_free(again);
            sb__sig_free(s);
        } else {
            assert_true(e.msg[0] != '\0');
            assert_true(e.col <= len);
        }
        sb_type t;
        if (sb__type_parse(copy, len, &t, &e) != 0)
            assert_true(e.msg[0] != '\0');
        size_t pos = 0, st, en;
        int guard = 0;
        while (sb__decl_next(copy, len, &pos, &st, &en)) {
            assert_true(st <= en && en <= len && pos <= len);
            assert_true(++guard <= (int)len + 1);
        }
        free(copy);
    }
    print_message("random inputs: %d of %d parsed\n", ok, N);
}

static void test_very_long_identifiers(void **state)
{
    (void)state;
    enum { L = 100000 };
    size_t cap = 3 * L + 64;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n = 0;
    memcpy(buf + n, "int ", 4), n += 4;
    memset(buf + n, 'f', L), n += L;
    memcpy(buf + n, "(int ", 5), n += 5;
    memset(buf + n, 'a', L), n += L;
    memcpy(buf + n, ", double ", 9), n += 9;
    memset(buf + n, 'b', L), n += L;
    buf[n++] = ')';
    sb_error e;
    sb_sig *s = sb__sig_parse(buf, n, &e);
    assert_non_null(s);
    assert_int_equal(strlen(s->name), L);
    assert_int_equal(strlen(s->params[0].name), L);
    assert_int_equal(strlen(s->params[1].name), L);
    assert_int_equal(strlen(s->text), n); /* already normalized */
    assert_memory_equal(s->text, buf, n);
    sb__sig_free(s);

    /* A long unknown type name: the message is bounded. */
    memset(buf, 'T', L);
    memcpy(buf + L, " f(void)", 8);
    assert_null(sb__sig_parse(buf, L + 8, &e));
    assert_int_equal(e.col, 0);
    assert_true(strlen(e.msg) < sizeof e.msg);
    assert_memory_equal(e.msg, "unknown type name 'TTTT", 23);

    /* A long integer literal. */
    n = 0;
    memcpy(buf, "int f(int a = ", 14), n = 14;
    memset(buf + n, '9', L), n += L;
    buf[n++] = ')';
    assert_null(sb__sig_parse(buf, n, &e));
    assert_int_equal(e.col, 14);
    assert_memory_equal(e.msg, "integer literal '999", 20);
    free(buf);
}

static void test_ten_thousand_nested_stars(void **state)
{
    (void)state;
    enum { L = 10000 };
    char *buf = malloc(L + 64);
    assert_non_null(buf);
    size_t n = 0;
    memcpy(buf, "int f(int ", 10), n = 10;
    memset(buf + n, '*', L), n += L;
    memcpy(buf + n, "x)", 2), n += 2;
    sb_error e;
    assert_null(sb__sig_parse(buf, n, &e));
    assert_string_equal(e.msg, "too many levels of pointers");
    assert_int_equal(e.col, 18);

    n = 0;
    memcpy(buf, "int ", 4), n = 4;
    memset(buf + n, '*', L), n += L;
    memcpy(buf + n, "f(void)", 7), n += 7;
    assert_null(sb__sig_parse(buf, n, &e));
    assert_string_equal(e.msg, "too many levels of pointers");
    assert_int_equal(e.col, 12);

    sb_type t;
    memcpy(buf, "int ", 4);
    memset(buf + 4, '*', L);
    assert_int_equal(sb__type_parse(buf, 4 + L, &t, &e), -1);
    assert_string_equal(e.msg, "too many levels of pointers");
    assert_int_equal(e.col, 12);

    /* Nothing but stars, parentheses, brackets. */
    const char fill[] = "*([";
    for (size_t k = 0; k < 3; k++) {
        memset(buf, fill[k], L);
        assert_null(sb__sig_parse(buf, L, &e));
        assert_true(e.msg[0] != '\0');
    }
    free(buf);
}

static void test_many_annotation_groups(void **state)
{
    (void)state;
    enum { G = 5000 };
    char *buf = malloc(16 * G + 64);
    assert_non_null(buf);
    size_t n = (size_t)sprintf(buf, "int f(void)");
    for (int i = 0; i < G; i++)
        n += (size_t)sprintf(buf + n, " [[nogil]]");
    sb_error e;
    sb_sig *s = sb__sig_parse(buf, n, &e);
    assert_non_null(s);
    assert_string_equal(s->text, "int f(void) [[nogil]]");
    sb__sig_free(s);
    free(buf);
}

/* ------------------------------------------------------------------ */
/* Declaration blocks                                                   */

typedef struct span {
    size_t start, end;
} span;

static int collect(const char *text, span *out, int cap)
{
    size_t pos = 0, st, en, len = strlen(text);
    int n = 0;
    while (sb__decl_next(text, len, &pos, &st, &en)) {
        assert_true(n < cap);
        out[n].start = st;
        out[n].end = en;
        n++;
    }
    assert_int_equal(pos, len);
    return n;
}

static void check_stmt(const char *text, span sp, const char *want)
{
    size_t n = sp.end - sp.start;
    if (n != strlen(want) || memcmp(text + sp.start, want, n) != 0) {
        print_error("statement \"%.*s\", want \"%s\"\n", (int)n, text + sp.start, want);
        fail();
    }
}

static void test_decl_next_splits_on_semicolons(void **state)
{
    (void)state;
    const char *text = "\n    unsigned long crc32(unsigned long crc, const void *buf, unsigned int len);\n"
                       "    const char *zlibVersion(void);\n";
    span sp[8];
    assert_int_equal(collect(text, sp, 8), 2);
    check_stmt(text, sp[0], "unsigned long crc32(unsigned long crc, const void *buf, unsigned int len)");
    check_stmt(text, sp[1], "const char *zlibVersion(void)");
}

static void test_decl_next_ignores_semicolons_in_comments_and_strings(void **state)
{
    (void)state;
    const char *text = "int a(void); /* ; */ int b(void /* ; */);// ;\n"
                       "int c(const char *s = \";\", char d = ';', const char *e = \"\\\";\");"
                       "  // trailing comment ; with semicolon\n";
    span sp[8];
    assert_int_equal(collect(text, sp, 8), 3);
    check_stmt(text, sp[0], "int a(void)");
    check_stmt(text, sp[1], "int b(void /* ; */)");
    check_stmt(text, sp[2], "int c(const char *s = \";\", char d = ';', const char *e = \"\\\";\")");
    /* Each statement parses. */
    for (int i = 0; i < 3; i++) {
        sb_error e;
        sb_sig *s = sb__sig_parse(text + sp[i].start, sp[i].end - sp[i].start, &e);
        assert_non_null(s);
        sb__sig_free(s);
    }
}

static void test_decl_next_skips_empty_statements(void **state)
{
    (void)state;
    const char *text = ";;  ; int a(void);;; /* c */ ; \n; int b(void)";
    span sp[8];
    assert_int_equal(collect(text, sp, 8), 2);
    check_stmt(text, sp[0], "int a(void)");
    check_stmt(text, sp[1], "int b(void)"); /* last statement without ';' */
}

static void test_decl_next_on_empty_and_comment_only_blocks(void **state)
{
    (void)state;
    span sp[4];
    assert_int_equal(collect("", sp, 4), 0);
    assert_int_equal(collect("   \n\t ", sp, 4), 0);
    assert_int_equal(collect("/* just a comment */ // and another\n ;;", sp, 4), 0);
    assert_int_equal(collect("// no newline at the end", sp, 4), 0);
}

static void test_decl_next_hands_unterminated_comment_to_the_parser(void **state)
{
    (void)state;
    const char *text = "int a(void); /* open ; int b(void);";
    span sp[4];
    assert_int_equal(collect(text, sp, 4), 2);
    check_stmt(text, sp[0], "int a(void)");
    check_stmt(text, sp[1], "/* open ; int b(void);");
    sb_error e;
    assert_null(sb__sig_parse(text + sp[1].start, sp[1].end - sp[1].start, &e));
    assert_string_equal(e.msg, "unterminated comment");
    assert_int_equal(e.col, 0);

    /* Inside a statement, the unterminated comment runs to the end. */
    text = "int a(int x /* ; int b(void);";
    assert_int_equal(collect(text, sp, 4), 1);
    check_stmt(text, sp[0], text);
    assert_null(sb__sig_parse(text + sp[0].start, sp[0].end - sp[0].start, &e));
    assert_string_equal(e.msg, "unterminated comment");
    assert_int_equal(e.col, 12);
}

static void test_decl_next_with_unterminated_string(void **state)
{
    (void)state;
    /* A string ends at the end of its line. */
    const char *text = "int a(const char *s = \"x;\nint b(void);";
    span sp[4];
    assert_int_equal(collect(text, sp, 4), 1);
    check_stmt(text, sp[0], "int a(const char *s = \"x;\nint b(void)");
    /* A trailing backslash at the very end. */
    text = "int a(const char *s = \"\\";
    assert_int_equal(collect(text, sp, 4), 1);
    check_stmt(text, sp[0], text);
}

static void test_decl_next_resumes_from_pos(void **state)
{
    (void)state;
    const char *text = "int a(void); int b(void);";
    size_t len = strlen(text), pos = 0, st, en;
    assert_true(sb__decl_next(text, len, &pos, &st, &en));
    assert_int_equal(st, 0);
    assert_int_equal(en, 11);
    assert_int_equal(pos, 12);
    assert_true(sb__decl_next(text, len, &pos, &st, &en));
    assert_int_equal(st, 13);
    assert_int_equal(en, 24);
    assert_int_equal(pos, 25);
    assert_false(sb__decl_next(text, len, &pos, &st, &en));
    assert_int_equal(pos, 25);
    assert_false(sb__decl_next(text, len, &pos, &st, &en));
}

/* ------------------------------------------------------------------ */
/* sb__type_parse                                                       */

static void check_type_error_at(const char *text, size_t col, const char *msg, int line)
{
    sb_type t;
    sb_error e;
    if (sb__type_parse(text, strlen(text), &t, &e) == 0) {
        print_error("line %d: type \"%s\" parsed\n", line, text);
        _fail(__FILE__, line);
    }
    if (strcmp(e.msg, msg) != 0 || e.col != col) {
        print_error("line %d: type \"%s\"\n   got col %zu \"%s\"\n  want col %zu \"%s\"\n", line, text, e.col, e.msg,
                    col, msg);
        _fail(__FILE__, line);
    }
}
#define CHECK_TYPE_ERROR(text, col, msg) check_type_error_at((text), (col), (msg), __LINE__)

static void test_type_parse_accepts_a_lone_type(void **state)
{
    (void)state;
    CHECK_TYPE("const char *", SB_K_CHAR, 1, true);
    CHECK_TYPE("  uint8_t ** ", SB_K_UINT8, 2, false);
    CHECK_TYPE("unsigned /* c */ long", SB_K_ULONG, 0, false);
    sb_type t;
    sb_error e;
    assert_int_equal(sb__type_parse("void", 4, &t, &e), 0);
    assert_int_equal(t.kind, SB_K_VOID);
    assert_int_equal(t.ptr, 0);
    assert_int_equal(sb__type_parse("PyObject *", 10, &t, &e), 0);
    assert_int_equal(t.kind, SB_K_PYOBJECT);
    assert_int_equal(t.ptr, 1);
    assert_int_equal(sb__type_parse("double", 6, &t, NULL), 0);
    assert_int_equal(t.kind, SB_K_DOUBLE);
}

static void test_type_parse_errors(void **state)
{
    (void)state;
    CHECK_TYPE_ERROR("", 0, "expected a type, found end of text");
    CHECK_TYPE_ERROR("   ", 3, "expected a type, found end of text");
    CHECK_TYPE_ERROR("*", 0, "expected a type, found '*'");
    CHECK_TYPE_ERROR("int x", 4, "expected end of the type, found 'x'");
    CHECK_TYPE_ERROR("int *)", 5, "expected end of the type, found ')'");
    CHECK_TYPE_ERROR("PyObject", 0, "PyObject is only usable as 'PyObject *'");
    CHECK_TYPE_ERROR("PyObject **", 0, "PyObject is only usable as 'PyObject *'");
    CHECK_TYPE_ERROR("foo *", 0, "unknown type name 'foo' (declare it first: a typedef in load() or declare())");
    CHECK_TYPE_ERROR("long long double", 0, "invalid combination of type specifiers");
    CHECK_TYPE_ERROR("struct s *", 0, "struct 's' is not declared (declare it first in load() or declare(): 'struct s { ... };' or 'typedef struct s s;')");
    CHECK_TYPE_ERROR("int *********", 12, "too many levels of pointers");
    CHECK_TYPE_ERROR("int /* open", 4, "unterminated comment");
    CHECK_TYPE_ERROR("short char", 0, "invalid combination of type specifiers");
    assert_int_equal(sb__type_parse("nope", 4, &(sb_type){0}, NULL), -1);
}

/* sb__array_type_parse: typed memory's "int[10]", "char *[]", "double". */
static void test_array_type_parse(void **state)
{
    (void)state;
    sb_type t;
    int64_t n;
    sb_error e;
    assert_int_equal(sb__array_type_parse("int[10]", 7, NULL, &t, &n, &e), 0);
    assert_int_equal(t.kind, SB_K_INT);
    assert_int_equal(t.ptr, 0);
    assert_int_equal(n, 10);
    assert_int_equal(sb__array_type_parse(" const char * [ ] ", 18, NULL, &t, &n, &e), 0);
    assert_int_equal(t.kind, SB_K_CHAR);
    assert_int_equal(t.ptr, 1);
    assert_true(t.cconst);
    assert_int_equal(n, SB_ARRAY_OPEN);
    assert_int_equal(sb__array_type_parse("double", 6, NULL, &t, &n, &e), 0);
    assert_int_equal(n, SB_ARRAY_NONE);
    assert_int_equal(sb__array_type_parse("uint8_t[0x10]", 13, NULL, &t, &n, &e), 0);
    assert_int_equal(n, 16);
    assert_int_equal(sb__array_type_parse("int[0]", 6, NULL, &t, &n, &e), 0);
    assert_int_equal(n, 0);
    static const struct { const char *text; size_t col; const char *msg; } bad[] = {
        {"int[-1]", 4, "array length must not be negative"},
        {"int[99999999999999999999]", 4, "integer literal '99999999999999999999' is too large"},
        {"int[9223372036854775808]", 4, "array length 9223372036854775808 is too large"},
        {"int[2][3]", 6, "arrays of arrays are not supported"},
        {"int[", 4, "expected an array length or ']', found end of text"},
        {"int[3", 3, "unclosed '['"},
        {"int[3)", 5, "expected ']', found ')'"},
        {"int[x]", 4, "expected an array length or ']', found 'x'"},
        {"int[1.5]", 4, "expected an array length or ']', found '1.5'"},
        {"int[3] x", 7, "expected end of the type, found 'x'"},
        {"int x", 4, "expected '[' or end of the type, found 'x'"},
        {"PyObject[2]", 0, "PyObject is only usable as 'PyObject *'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        if (sb__array_type_parse(bad[i].text, strlen(bad[i].text), NULL, &t, &n, &e) != -1 || e.col != bad[i].col ||
            strcmp(e.msg, bad[i].msg) != 0) {
            print_error("\"%s\": col %zu '%s'\n", bad[i].text, e.col, e.msg);
            fail();
        }
    }
}

/* ------------------------------------------------------------------ */


/* ---- Named types through a scope (C-face classes, Library typedefs) ---- */

static const sb_named scope_rect = {.what = SB_NAMED_CLASS, .name = "Rect", .index = 3};
static const sb_named scope_handle = {.what = SB_NAMED_OPAQUE, .name = "db"};
static sb_named scope_alias = {.what = SB_NAMED_ALIAS, .name = "uLong"};

static const sb_named *test_lookup(const sb_scope *scope, const char *name, size_t len, int tag)
{
    (void)scope;
#define NAME_IS(w) (len == sizeof(w) - 1 && memcmp(name, w, len) == 0)
    if (NAME_IS("Rect") && (tag == 0 || tag == 's'))
        return &scope_rect;
    if (NAME_IS("db") && tag == 0)
        return &scope_handle;
    if (NAME_IS("uLong") && tag == 0)
        return &scope_alias;
#undef NAME_IS
    return NULL;
}

static const sb_scope test_scope = {.lookup = test_lookup};

static void test_scope_resolves_class_names(void **state)
{
    (void)state;
    const char *t = "int64_t area(Rect *self, struct Rect *other)";
    sb_error err;
    sb_sig *sig = sb__sig_parse_in(t, strlen(t), &test_scope, &err);
    assert_non_null(sig);
    assert_ptr_equal(sig->params[0].type.named, &scope_rect);
    assert_int_equal(sig->params[0].type.ptr, 1);
    assert_ptr_equal(sig->params[1].type.named, &scope_rect);
    assert_string_equal(sig->text, "int64_t area(Rect *self, Rect *other)");
    sb__sig_free(sig);
    /* Without the scope the name is unknown. */
    assert_null(sb__sig_parse(t, strlen(t), &err));
    assert_non_null(strstr(err.msg, "unknown type name 'Rect'"));
}

static void test_scope_types_only_through_pointers(void **state)
{
    (void)state;
    sb_error err;
    const char *t1 = "int f(Rect r)";
    assert_null(sb__sig_parse_in(t1, strlen(t1), &test_scope, &err));
    assert_string_equal(err.msg, "'Rect' is only usable through a pointer ('Rect *')");
    const char *t2 = "db g(void)";
    assert_null(sb__sig_parse_in(t2, strlen(t2), &test_scope, &err));
    assert_string_equal(err.msg, "'db' is only usable through a pointer ('db *')");
    const char *t3 = "int h(union Rect *u)";
    assert_null(sb__sig_parse_in(t3, strlen(t3), &test_scope, &err));
    assert_non_null(strstr(err.msg, "union 'Rect' is not declared"));
    const char *t4 = "int h(Rect unsigned *u)";
    assert_null(sb__sig_parse_in(t4, strlen(t4), &test_scope, &err));
    assert_non_null(strstr(err.msg, "invalid combination of type specifiers"));
    const char *t5 = "int h(unsigned Rect *u)"; /* as in C: Rect is then the parameter's name */
    assert_null(sb__sig_parse_in(t5, strlen(t5), &test_scope, &err));
}

static void test_scope_aliases_expand(void **state)
{
    (void)state;
    scope_alias.alias = (sb_type){SB_K_ULONG, 0, 0, NULL};
    const char *t = "uLong crc(uLong c, const uLong *p)";
    sb_error err;
    sb_sig *sig = sb__sig_parse_in(t, strlen(t), &test_scope, &err);
    assert_non_null(sig);
    assert_int_equal(sig->ret.kind, SB_K_ULONG);
    assert_null(sig->ret.named);
    assert_int_equal(sig->params[1].type.ptr, 1);
    assert_true(sig->params[1].type.cconst);
    assert_string_equal(sig->text, "unsigned long crc(unsigned long c, const unsigned long *p)");
    sb__sig_free(sig);
    /* An alias of a pointer carries its stars. */
    scope_alias.alias = (sb_type){SB_K_VOID, 1, 0, &scope_handle};
    const char *t2 = "int close(uLong h)";
    sig = sb__sig_parse_in(t2, strlen(t2), &test_scope, &err);
    assert_non_null(sig);
    assert_ptr_equal(sig->params[0].type.named, &scope_handle);
    assert_int_equal(sig->params[0].type.ptr, 1);
    assert_string_equal(sig->text, "int close(db *h)");
    sb__sig_free(sig);
}

static void test_typedef_parse_forms(void **state)
{
    (void)state;
    sb_typedef td;
    sb_error err;
    const char *a = "typedef struct sqlite3 sqlite3 [[release(sqlite3_close)]]";
    assert_int_equal(sb__typedef_parse(a, strlen(a), NULL, &td, &err), 0);
    assert_true(td.opaque);
    assert_string_equal(td.name, "sqlite3");
    assert_string_equal(td.tag, "sqlite3");
    assert_string_equal(td.release, "sqlite3_close");
    assert_int_equal(td.type.ptr, 0);
    sb__typedef_clear(&td);
    const char *b = "typedef struct _X *XHandle";
    assert_int_equal(sb__typedef_parse(b, strlen(b), NULL, &td, &err), 0);
    assert_true(td.opaque);
    assert_int_equal(td.type.ptr, 1);
    assert_string_equal(td.tag, "_X");
    sb__typedef_clear(&td);
    const char *c = "typedef unsigned long uLongf";
    assert_int_equal(sb__typedef_parse(c, strlen(c), NULL, &td, &err), 0);
    assert_false(td.opaque);
    assert_int_equal(td.type.kind, SB_K_ULONG);
    sb__typedef_clear(&td);
    assert_true(sb__is_typedef(c, strlen(c)));
    assert_false(sb__is_typedef("typedefx y", 10));
    assert_false(sb__is_typedef("int typedef_(void)", 18));
    const char *f = "typedef char *(*fmt_t)(const char *s, int n)";
    assert_int_equal(sb__typedef_parse(f, strlen(f), NULL, &td, &err), 0);
    assert_string_equal(td.name, "fmt_t");
    assert_non_null(td.fsig);
    assert_string_equal(td.fname, "char *(*)(const char *s, int n)");
    assert_int_equal(td.fsig->nparams, 2);
    sb__sig_free(td.fsig);
    sb__typedef_clear(&td);
    /* A struct tag the scope knows is not a new opaque type. */
    const char *d = "typedef struct Rect *RectP";
    assert_int_equal(sb__typedef_parse(d, strlen(d), &test_scope, &td, &err), 0);
    assert_false(td.opaque);
    assert_ptr_equal(td.type.named, &scope_rect);
    sb__typedef_clear(&td);
}

/* ------------------------------------------------------------------ */
/* Constant declarations: enum, const, #define                          */

static bool const_lookup(const sb_constscope *cs, const char *name, size_t len, sb_cval *out)
{
    (void)cs;
    if (len == 5 && memcmp(name, "Z_OK7", 5) == 0) {
        out->v = 7;
        out->u = false;
        return true;
    }
    return false;
}
static const sb_constscope test_consts = {const_lookup, NULL};

static sb_constdecl constdecl_ok_at(const char *text, int line)
{
    sb_constdecl d;
    sb_error err;
    if (sb__constdecl_parse(text, strlen(text), NULL, &test_consts, &d, &err) < 0) {
        print_error("line %d: \"%s\": col %lld: %s\n", line, text, (long long)err.col, err.msg);
        _fail(__FILE__, line);
    }
    return d;
}
#define CONSTDECL(text) constdecl_ok_at((text), __LINE__)

static void constdecl_error_at(const char *text, const char *msg, int line)
{
    sb_constdecl d;
    sb_error err;
    if (sb__constdecl_parse(text, strlen(text), NULL, &test_consts, &d, &err) == 0) {
        print_error("line %d: \"%s\" parsed, expected \"%s\"\n", line, text, msg);
        sb__constdecl_free(&d);
        _fail(__FILE__, line);
    }
    if (!strstr(err.msg, msg)) {
        print_error("line %d: \"%s\"\n   got  \"%s\"\n   want \"%s\"\n", line, text, err.msg, msg);
        _fail(__FILE__, line);
    }
}
#define CONSTDECL_ERROR(text, msg) constdecl_error_at((text), (msg), __LINE__)

static void test_constdecl_kinds(void **state)
{
    (void)state;
    static const struct { const char *text; int kind; } cases[] = {
        {"enum color { RED }", SB_DECL_ENUM},
        {"  typedef enum { A } ab_t", SB_DECL_ENUM},
        {"typedef enum color color_t", SB_DECL_NONE},       /* a typedef of a known enum */
        {"enum color next(enum color c)", SB_DECL_NONE},    /* a prototype */
        {"static const int Z_OK = 0", SB_DECL_CONST},
        {"const long /* c */ BIG = -5", SB_DECL_CONST},
        {"const char *strerror(int e)", SB_DECL_NONE},
        {"int f(const int x = 1)", SB_DECL_NONE},
        {"int x = 1", SB_DECL_NONE},                        /* not const: not a constant */
        {"#define X 1", SB_DECL_DEFINE},
        {"  #include <x.h>", SB_DECL_DEFINE},
        {"double cos(double x)", SB_DECL_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (sb__constdecl_kind(cases[i].text, strlen(cases[i].text)) != cases[i].kind) {
            print_error("\"%s\": kind %d, want %d\n", cases[i].text,
                        sb__constdecl_kind(cases[i].text, strlen(cases[i].text)), cases[i].kind);
            fail();
        }
}

static void test_constdecl_enum(void **state)
{
    (void)state;
    sb_constdecl d = CONSTDECL("enum color { RED, GREEN = 5, BLUE, NEXT = BLUE * 2 + Z_OK7, LAST, }");
    assert_int_equal(d.what, SB_DECL_ENUM);
    assert_string_equal(d.tag, "color");
    assert_null(d.type_name);
    assert_int_equal(d.type.kind, SB_K_INT);
    assert_int_equal(d.n, 5);
    static const char *const names[] = {"RED", "GREEN", "BLUE", "NEXT", "LAST"};
    static const int64_t values[] = {0, 5, 6, 19, 20};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(d.v[i].name, names[i]);
        assert_int_equal(d.v[i].value.v, values[i]);
        assert_false(d.v[i].value.u);
    }
    sb__constdecl_free(&d);
    d = CONSTDECL("typedef enum { A = 1 << 3, B = A | 1, C = ~0, D = (A + 2) % 3, E = 'x', F = 010 ^ 0x1 } ab_t");
    assert_null(d.tag);
    assert_string_equal(d.type_name, "ab_t");
    assert_int_equal(d.v[0].value.v, 8);
    assert_int_equal(d.v[1].value.v, 9);
    assert_int_equal(d.v[2].value.v, -1);
    assert_int_equal(d.v[3].value.v, 1);
    assert_int_equal(d.v[4].value.v, 'x');
    assert_int_equal(d.v[5].value.v, 9);
    sb__constdecl_free(&d);
    /* The type: int, else unsigned int, long long, unsigned long long. */
    d = CONSTDECL("enum u { U = 0xffffffff }");
    assert_int_equal(d.type.kind, SB_K_UINT);
    sb__constdecl_free(&d);
    d = CONSTDECL("enum l { L = -1, M = 0x100000000 }");
    assert_int_equal(d.type.kind, SB_K_LLONG);
    sb__constdecl_free(&d);
    d = CONSTDECL("enum ul { UL = 0xffffffffffffffff }");
    assert_int_equal(d.type.kind, SB_K_ULLONG);
    assert_true(d.v[0].value.u);
    sb__constdecl_free(&d);
    d = CONSTDECL("enum { P = 0x7fffffffffffffff, Q }"); /* Q = 2**63: above INT64_MAX */
    assert_true(d.v[1].value.u);
    assert_int_equal(d.type.kind, SB_K_ULLONG);
    sb__constdecl_free(&d);
    /* Comparisons and logic. */
    d = CONSTDECL("enum { T = 3 > 2 && 1 <= 1, F = 2 == 3 || 0 != 0, S = -8 >> 1, G = 1 >= 2 }");
    assert_int_equal(d.v[0].value.v, 1);
    assert_int_equal(d.v[1].value.v, 0);
    assert_int_equal(d.v[2].value.v, -4);
    assert_int_equal(d.v[3].value.v, 0);
    sb__constdecl_free(&d);
}

static void test_constdecl_const_and_define(void **state)
{
    (void)state;
    sb_constdecl d = CONSTDECL("static const unsigned char A = 255, B = A - 1");
    assert_int_equal(d.what, SB_DECL_CONST);
    assert_int_equal(d.type.kind, SB_K_UCHAR);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.v[1].value.v, 254);
    sb__constdecl_free(&d);
    d = CONSTDECL("const bool YES = 5");
    assert_int_equal(d.v[0].value.v, 1);
    sb__constdecl_free(&d);
    d = CONSTDECL("#define Z_BEST (9) /* best */");
    assert_int_equal(d.what, SB_DECL_DEFINE);
    assert_string_equal(d.v[0].name, "Z_BEST");
    assert_int_equal(d.v[0].value.v, 9);
    sb__constdecl_free(&d);
    d = CONSTDECL("#define CONT \\\n   (1 + \\\n 2)");
    assert_int_equal(d.v[0].value.v, 3);
    sb__constdecl_free(&d);
}

static void test_constdecl_errors(void **state)
{
    (void)state;
    CONSTDECL_ERROR("enum e { X = 1 / 0 }", "division by zero");
    CONSTDECL_ERROR("enum e { X = 1 % 0 }", "division by zero");
    CONSTDECL_ERROR("enum e { X = NOPE }", "'NOPE' is not an integer constant declared before");
    CONSTDECL_ERROR("enum e { X, X }", "'X' is declared twice");
    CONSTDECL_ERROR("enum e { X = 1 << 63 }", "overflows");
    CONSTDECL_ERROR("enum e { X = -1 << 2 }", "shift out of range");
    CONSTDECL_ERROR("enum e { X = 0x7fffffffffffffff * 2 }", "overflows");
    CONSTDECL_ERROR("enum e { X = -0x7fffffffffffffff - 2 }", "overflows");
    CONSTDECL_ERROR("enum e { X = 0x7fffffffffffffff + 1 }", "overflows"); /* signed: C overflows */
    CONSTDECL_ERROR("enum e { X = -1, Y = 0xffffffffffffffff }", "more than 64 bits");
    CONSTDECL_ERROR("enum e { X = (1 }", "expected ')'");
    CONSTDECL_ERROR("enum e { X = 2.5 }", "only integer constants");
    CONSTDECL_ERROR("enum e { 3 }", "expected an enumerator name");
    CONSTDECL_ERROR("enum e X { A }", "expected '{'");
    CONSTDECL_ERROR("enum { }", "declares nothing");
    CONSTDECL_ERROR("typedef enum { A } *p", "the typedef's name");
    CONSTDECL_ERROR("static const int X = 1 Y", "expected ',' or the end of the declaration");
    CONSTDECL_ERROR("static const int8_t X = 128", "X = 128 does not fit int8_t (-128..127)");
    CONSTDECL_ERROR("static const float X = 1", "only integer constants are supported, not float");
    CONSTDECL_ERROR("static const int X Y = 1", "expected '=' and the constant's value");
    CONSTDECL_ERROR("#define F(x) x", "function-like macros");
    CONSTDECL_ERROR("#define E", "has no value");
    CONSTDECL_ERROR("#define S \"s\"", "an integer constant expression");
    CONSTDECL_ERROR("#define T 1 2", "the end of the #define");
    CONSTDECL_ERROR("#ifdef X", "only '#define NAME value'");
    CONSTDECL_ERROR("int f(void)", "not a constant declaration");
}

static void test_decl_next_preprocessor_lines(void **state)
{
    (void)state;
    const char *text = "#define A 1\n#define B \\\n 2;\n int f(void); #define C 3 /* x\n y */ \nint g(void)";
    size_t len = strlen(text), pos = 0, st, en;
    const char *want[] = {"#define A 1", "#define B \\\n 2", "int f(void)", "#define C 3 /* x\n y */", "int g(void)"};
    for (size_t i = 0; i < 5; i++) {
        assert_true(sb__decl_next(text, len, &pos, &st, &en));
        char got[64];
        snprintf(got, sizeof got, "%.*s", (int)(en - st), text + st);
        assert_string_equal(got, want[i]);
    }
    assert_false(sb__decl_next(text, len, &pos, &st, &en));
}

static void test_sig_variadic(void **state)
{
    (void)state;
    sb_sig *base = PARSE("int f(int *n [[out]], const char *fmt = \"x\", ...) [[errno(-1)]]");
    sb_type ex[2] = {{SB_K_INT, 0, 0, NULL}, {SB_K_VOID, 1, 0, NULL}};
    sb_error err;
    sb_sig *v = sb__sig_variadic(base, ex, 2, &err);
    assert_non_null(v);
    sb__sig_free(base); /* the new signature owns its own text */
    assert_int_equal(v->nparams, 4);
    assert_string_equal(v->name, "f");
    assert_string_equal(v->params[1].name, "fmt");
    assert_null(v->params[1].def); /* given positionally: no default */
    assert_null(v->params[2].name);
    assert_int_equal(v->params[3].flags, SB_PARAM_EXTRA);
    assert_true(v->flags & SB_SIG_VARIADIC);
    assert_string_equal(v->text, "int f(int *n [[out]], const char *fmt, int, void *, ...) [[errno(-1)]]");
    sb__sig_free(v);
}

static void test_typedef_parse_errors(void **state)
{
    (void)state;
    static const struct { const char *text, *msg; } cases[] = {
        {"typedef int", "expected the typedef's name"},
        {"typedef int n [[release(f)]]", "[[release]] applies to opaque handle types"},
        {"typedef struct s s [[free]]", "a typedef takes only [[release(fn)]]"},
        {"typedef struct s s x", "expected the end of the typedef"},
        {"typedef int (*)(int)", "a function pointer typedef needs a name"},
        {"typedef int (*fp)(int) x", "expected the end of the typedef"},
        {"int x", "expected 'typedef'"},
        {"typedef enum e e", "enum 'e' is not declared (declare it first: 'enum e { ... };')"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_typedef td;
        sb_error err;
        assert_int_equal(sb__typedef_parse(cases[i].text, strlen(cases[i].text), NULL, &td, &err), -1);
        if (!strstr(err.msg, cases[i].msg))
            fail_msg("'%s': got '%s', want '%s'", cases[i].text, err.msg, cases[i].msg);
    }
}


/* ---- struct layouts against this compiler's ---- */

struct lt_mixed {
    char c;
    double d;
    short s[3];
    struct {
        int a;
        char b;
    } inner;
    union {
        int i;
        float f;
    };
    void *p;
    unsigned char tail;
};

struct lt_bits {
    unsigned ready : 1;
    unsigned mode : 3;
    int delta : 5;
    unsigned : 0;
    unsigned char tag;
    unsigned long long big : 40;
    short s : 9;
};

struct __attribute__((packed)) lt_packed {
    char c;
    int i;
    short s;
    double d;
};

static sb_layout *layout_of(const char *text)
{
    sb_layout *L = NULL;
    sb_error err;
    if (sb__struct_parse(text, strlen(text), NULL, &L, &err) < 0)
        fail_msg("'%s': %s", text, err.msg);
    return L;
}

static size_t member_offset(const sb_layout *L, const char *name)
{
    const sb_field *f = sb__layout_field(L, name, strlen(name));
    assert_non_null(f);
    return f->offset;
}

static void test_struct_layouts_match_the_compiler(void **state)
{
    (void)state;
    sb_layout *L = layout_of("struct lt_mixed { char c; double d; short s[3]; struct { int a; char b; } inner; "
                             "union { int i; float f; }; void *p; unsigned char tail; }");
    assert_int_equal(L->size, sizeof(struct lt_mixed));
    assert_int_equal(L->align, _Alignof(struct lt_mixed));
    assert_int_equal(member_offset(L, "d"), offsetof(struct lt_mixed, d));
    assert_int_equal(member_offset(L, "s"), offsetof(struct lt_mixed, s));
    assert_int_equal(member_offset(L, "inner"), offsetof(struct lt_mixed, inner));
    assert_int_equal(member_offset(L, "i"), offsetof(struct lt_mixed, i));
    assert_int_equal(member_offset(L, "f"), offsetof(struct lt_mixed, f));
    assert_int_equal(member_offset(L, "p"), offsetof(struct lt_mixed, p));
    assert_int_equal(member_offset(L, "tail"), offsetof(struct lt_mixed, tail));
#if defined(__x86_64__)
    assert_true(L->by_value_ok); /* its union classified as SysV does (layout.c union_elements) */
    assert_int_equal(L->ffi.size, sizeof(struct lt_mixed));
#else
    assert_false(L->by_value_ok); /* it holds a union */
#endif
    sb__layout_free(L);

    L = layout_of("struct lt_bits { unsigned ready : 1; unsigned mode : 3; int delta : 5; unsigned : 0; "
                  "unsigned char tag; unsigned long long big : 40; short s : 9; }");
    assert_int_equal(L->size, sizeof(struct lt_bits));
    assert_int_equal(L->align, _Alignof(struct lt_bits));
    assert_int_equal(member_offset(L, "tag"), offsetof(struct lt_bits, tag));
    const sb_field *mode = sb__layout_field(L, "mode", 4);
    assert_int_equal(mode->bit_offset, 1);
    assert_int_equal(mode->bit_width, 3);
    sb__layout_free(L);

    L = layout_of("struct [[packed]] lt_packed { char c; int i; short s; double d; }");
    assert_int_equal(L->size, sizeof(struct lt_packed));
    assert_int_equal(member_offset(L, "i"), offsetof(struct lt_packed, i));
    assert_int_equal(member_offset(L, "d"), offsetof(struct lt_packed, d));
    sb__layout_free(L);

    L = layout_of("struct two { double re, im; }");
    assert_true(L->by_value_ok);
    assert_int_equal(L->ffi.size, 16);
    sb__layout_free(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unsigned_long_long_int_is_ullong),
        cmocka_unit_test(test_long_long_int_is_llong),
        cmocka_unit_test(test_unsigned_alone_is_uint),
        cmocka_unit_test(test_signed_alone_is_int),
        cmocka_unit_test(test_long_unsigned_is_ulong),
        cmocka_unit_test(test_short_spellings),
        cmocka_unit_test(test_signed_char_is_schar_and_plain_char_is_char),
        cmocka_unit_test(test_fixed_width_and_platform_typedef_names),
        cmocka_unit_test(test_bool_and_Bool_are_bool),
        cmocka_unit_test(test_float_and_double),
        cmocka_unit_test(test_void_result_and_void_pointer),
        cmocka_unit_test(test_const_qualifies_the_base_type),
        cmocka_unit_test(test_volatile_and_restrict_are_accepted_and_dropped),
        cmocka_unit_test(test_pointer_to_pointer),
        cmocka_unit_test(test_void_parameter_list_is_empty),
        cmocka_unit_test(test_empty_parameter_list_is_void),
        cmocka_unit_test(test_parameter_names_are_optional),
        cmocka_unit_test(test_parameter_columns_point_at_the_parameter),
        cmocka_unit_test(test_array_parameters_become_pointers),
        cmocka_unit_test(test_array_parameter_takes_annotations),
        cmocka_unit_test(test_decimal_default),
        cmocka_unit_test(test_hex_default),
        cmocka_unit_test(test_octal_default),
        cmocka_unit_test(test_binary_default),
        cmocka_unit_test(test_negative_default),
        cmocka_unit_test(test_integer_suffixes_are_accepted),
        cmocka_unit_test(test_float_defaults),
        cmocka_unit_test(test_string_default_decodes_escapes),
        cmocka_unit_test(test_char_literal_default_is_an_integer),
        cmocka_unit_test(test_null_and_none_defaults),
        cmocka_unit_test(test_bool_defaults),
        cmocka_unit_test(test_parameter_without_default_has_kind_none),
        cmocka_unit_test(test_slash_marks_positional_only),
        cmocka_unit_test(test_star_marks_keyword_only),
        cmocka_unit_test(test_slash_and_star_together),
        cmocka_unit_test(test_args_and_kwargs_become_pyobject_params),
        cmocka_unit_test(test_kwargs_written_with_a_space_is_still_kwargs),
        cmocka_unit_test(test_args_written_with_a_space_is_args),
        cmocka_unit_test(test_kwargs_alone),
        cmocka_unit_test(test_nogil_annotation_sets_flag),
        cmocka_unit_test(test_free_annotation_without_function_uses_free),
        cmocka_unit_test(test_free_annotation_names_the_deallocator),
        cmocka_unit_test(test_out_and_inout_parameter_annotations),
        cmocka_unit_test(test_errno_without_condition_is_decided_by_the_plan),
        cmocka_unit_test(test_errno_with_a_value_compares_equal),
        cmocka_unit_test(test_errno_null),
        cmocka_unit_test(test_errno_with_a_comparison),
        cmocka_unit_test(test_every_comparison_operator),
        cmocka_unit_test(test_status_defaults_to_nonzero),
        cmocka_unit_test(test_status_with_a_condition),
        cmocka_unit_test(test_status_with_a_message_function),
        cmocka_unit_test(test_several_annotations_in_one_group),
        cmocka_unit_test(test_variadic_flag),
        cmocka_unit_test(test_trailing_semicolon_is_allowed),
        cmocka_unit_test(test_comments_inside_the_signature_are_ignored),
        cmocka_unit_test(test_crc32_text),
        cmocka_unit_test(test_normalized_text_of_messy_inputs),
        cmocka_unit_test(test_long_text_is_formatted_past_the_stack_buffer),
        cmocka_unit_test(test_sixty_four_parameters_is_the_limit),
        cmocka_unit_test(test_parse_without_an_error_struct),
        cmocka_unit_test(test_parse_uses_only_len_bytes),
        cmocka_unit_test(test_null_text_is_an_error),
        cmocka_unit_test(test_success_leaves_the_error_cleared),

        cmocka_unit_test(test_unknown_type_name_is_reported),
        cmocka_unit_test(test_unknown_parameter_type_reports_its_column),
        cmocka_unit_test(test_struct_is_not_supported_yet),
        cmocka_unit_test(test_union_is_not_supported_yet),
        cmocka_unit_test(test_enum_is_not_supported_yet),
        cmocka_unit_test(test_typedef_is_not_supported_yet),
        cmocka_unit_test(test_pointer_to_function_pointer_needs_a_known_type),
        cmocka_unit_test(test_function_pointer_parameter_with_a_bad_type),
        cmocka_unit_test(test_function_pointer_declarator_is_not_supported_yet),
        cmocka_unit_test(test_long_long_double_is_an_invalid_combination),
        cmocka_unit_test(test_long_double_complex_is_not_supported),
        cmocka_unit_test(test_complex_int_is_an_invalid_combination),
        cmocka_unit_test(test_signed_float128_is_an_invalid_combination),
        cmocka_unit_test(test_unsigned_double_is_an_invalid_combination),
        cmocka_unit_test(test_long_long_long_is_an_invalid_combination),
        cmocka_unit_test(test_short_long_is_an_invalid_combination),
        cmocka_unit_test(test_signed_unsigned_is_an_invalid_combination),
        cmocka_unit_test(test_int_char_is_an_invalid_combination),
        cmocka_unit_test(test_fixed_width_name_with_long_is_an_invalid_combination),
        cmocka_unit_test(test_fixed_width_name_after_a_type_is_the_parameter_name),
        cmocka_unit_test(test_missing_function_name_is_reported),
        cmocka_unit_test(test_missing_name_reports_what_was_found),
        cmocka_unit_test(test_missing_paren_reports_column),
        cmocka_unit_test(test_missing_paren_at_end_of_text),
        cmocka_unit_test(test_missing_close_paren_reports_column),
        cmocka_unit_test(test_missing_comma_between_parameters),
        cmocka_unit_test(test_trailing_comma_is_reported),
        cmocka_unit_test(test_duplicate_parameter_name_is_reported),
        cmocka_unit_test(test_duplicate_name_between_args_and_a_parameter),
        cmocka_unit_test(test_unterminated_string_is_reported),
        cmocka_unit_test(test_string_cannot_span_lines),
        cmocka_unit_test(test_unterminated_char_literal_is_reported),
        cmocka_unit_test(test_unterminated_comment_is_reported),
        cmocka_unit_test(test_unterminated_comment_inside_parameters),
        cmocka_unit_test(test_unterminated_comment_in_parameters_is_reported),
        cmocka_unit_test(test_bad_escape_is_reported),
        cmocka_unit_test(test_hex_escape_without_digits_is_bad),
        cmocka_unit_test(test_octal_escape_above_255_is_bad),
        cmocka_unit_test(test_integer_literal_too_large),
        cmocka_unit_test(test_hex_literal_too_large),
        cmocka_unit_test(test_hex_prefix_without_digits),
        cmocka_unit_test(test_nine_is_not_an_octal_digit),
        cmocka_unit_test(test_bad_integer_suffix),
        cmocka_unit_test(test_too_many_integer_suffix_letters),
        cmocka_unit_test(test_bad_float_literal),
        cmocka_unit_test(test_empty_char_literal),
        cmocka_unit_test(test_two_char_literal),
        cmocka_unit_test(test_missing_default_value),
        cmocka_unit_test(test_identifier_is_not_a_default),
        cmocka_unit_test(test_negative_string_is_not_a_default),
        cmocka_unit_test(test_negative_null_is_not_a_default),
        cmocka_unit_test(test_unknown_annotation_is_reported),
        cmocka_unit_test(test_unknown_parameter_annotation_is_reported),
        cmocka_unit_test(test_noescape_on_a_data_pointer_is_reported),
        cmocka_unit_test(test_noescape_takes_no_arguments),
        cmocka_unit_test(test_out_after_the_function_is_reported),
        cmocka_unit_test(test_inout_after_the_function_is_reported),
        cmocka_unit_test(test_len_names_an_unknown_parameter),
        cmocka_unit_test(test_len_on_a_scalar_is_reported),
        cmocka_unit_test(test_len_of_a_non_integer_is_reported),
        cmocka_unit_test(test_len_without_a_name_is_reported),
        cmocka_unit_test(test_result_len_needs_a_pointer_result),
        cmocka_unit_test(test_len_with_varargs_is_reported),
        cmocka_unit_test(test_out_takes_no_arguments),
        cmocka_unit_test(test_out_and_inout_together_are_reported),
        cmocka_unit_test(test_nogil_takes_no_arguments),
        cmocka_unit_test(test_free_needs_a_function_name),
        cmocka_unit_test(test_free_needs_a_close_paren),
        cmocka_unit_test(test_two_contracts_in_one_group),
        cmocka_unit_test(test_two_contracts_in_two_groups),
        cmocka_unit_test(test_null_compared_with_less_than),
        cmocka_unit_test(test_float_condition_is_reported),
        cmocka_unit_test(test_string_condition_is_reported),
        cmocka_unit_test(test_empty_condition_is_reported),
        cmocka_unit_test(test_status_message_function_needs_a_comma),
        cmocka_unit_test(test_status_message_function_must_be_a_name),
        cmocka_unit_test(test_errno_takes_no_message_function),
        cmocka_unit_test(test_single_bracket_is_not_an_annotation),
        cmocka_unit_test(test_unclosed_annotation_is_reported),
        cmocka_unit_test(test_annotation_needs_a_name),
        cmocka_unit_test(test_slash_first_is_reported),
        cmocka_unit_test(test_slash_after_star_is_reported),
        cmocka_unit_test(test_two_slashes_are_reported),
        cmocka_unit_test(test_two_stars_are_reported),
        cmocka_unit_test(test_star_after_args_is_reported),
        cmocka_unit_test(test_bare_star_at_the_end_is_reported),
        cmocka_unit_test(test_kwargs_not_last_is_reported),
        cmocka_unit_test(test_kwargs_needs_a_name),
        cmocka_unit_test(test_variadic_needs_a_named_parameter_first),
        cmocka_unit_test(test_variadic_must_be_last),
        cmocka_unit_test(test_too_many_pointer_levels_in_a_parameter),
        cmocka_unit_test(test_too_many_pointer_levels_in_the_result),
        cmocka_unit_test(test_array_adds_a_pointer_level_past_the_limit),
        cmocka_unit_test(test_array_size_must_be_an_integer),
        cmocka_unit_test(test_void_parameter_type_is_reported),
        cmocka_unit_test(test_named_void_parameter_is_reported),
        cmocka_unit_test(test_pyobject_by_value_result_is_reported),
        cmocka_unit_test(test_pyobject_double_pointer_parameter_is_reported),
        cmocka_unit_test(test_junk_after_the_signature_is_reported),
        cmocka_unit_test(test_two_semicolons_are_reported),
        cmocka_unit_test(test_nul_byte_in_the_text_is_reported),
        cmocka_unit_test(test_nul_byte_inside_the_parameters_is_reported),
        cmocka_unit_test(test_empty_text_is_reported),
        cmocka_unit_test(test_text_of_only_spaces_is_reported),
        cmocka_unit_test(test_text_of_only_a_comment_is_reported),
        cmocka_unit_test(test_const_alone_is_not_a_type),
        cmocka_unit_test(test_no_implicit_int),
        cmocka_unit_test(test_float_literal_too_long_is_reported),
        cmocka_unit_test(test_punctuation_where_a_type_belongs),
        cmocka_unit_test(test_too_many_parameters_is_reported),
        cmocka_unit_test(test_first_error_wins),
        cmocka_unit_test(test_long_token_is_truncated_in_messages),

        cmocka_unit_test(test_every_prefix_parses_or_fails_cleanly),
        cmocka_unit_test(test_random_bytes_never_crash),
        cmocka_unit_test(test_very_long_identifiers),
        cmocka_unit_test(test_ten_thousand_nested_stars),
        cmocka_unit_test(test_many_annotation_groups),

        cmocka_unit_test(test_decl_next_splits_on_semicolons),
        cmocka_unit_test(test_decl_next_ignores_semicolons_in_comments_and_strings),
        cmocka_unit_test(test_decl_next_skips_empty_statements),
        cmocka_unit_test(test_decl_next_on_empty_and_comment_only_blocks),
        cmocka_unit_test(test_decl_next_hands_unterminated_comment_to_the_parser),
        cmocka_unit_test(test_decl_next_with_unterminated_string),
        cmocka_unit_test(test_decl_next_resumes_from_pos),

        cmocka_unit_test(test_type_parse_accepts_a_lone_type),
        cmocka_unit_test(test_type_parse_errors),
        cmocka_unit_test(test_array_type_parse),

        cmocka_unit_test(test_scope_resolves_class_names),
        cmocka_unit_test(test_scope_types_only_through_pointers),
        cmocka_unit_test(test_scope_aliases_expand),
        cmocka_unit_test(test_typedef_parse_forms),
        cmocka_unit_test(test_typedef_parse_errors),
        cmocka_unit_test(test_struct_layouts_match_the_compiler),
        cmocka_unit_test(test_constdecl_kinds),
        cmocka_unit_test(test_constdecl_enum),
        cmocka_unit_test(test_constdecl_const_and_define),
        cmocka_unit_test(test_constdecl_errors),
        cmocka_unit_test(test_decl_next_preprocessor_lines),
        cmocka_unit_test(test_sig_variadic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
