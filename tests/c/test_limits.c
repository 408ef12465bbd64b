/* test_limits.c — cmocka tests of the core's limits: sizes that would wrap, structs too large to pass by value, packed bit-fields, deep nesting (also on a small thread stack), long names, character constants. */
#include <pthread.h>
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
/* Helpers: struct definitions in a tiny scope of earlier ones         */

static sb_layout *defined[16];
static size_t ndefined;

static const sb_named *scope_lookup(const sb_scope *scope, const char *name, size_t len, int tag)
{
    (void)scope;
    for (size_t i = 0; i < ndefined; i++) {
        const char *tn = strchr(defined[i]->name, ' ') + 1;
        if (tag && strlen(tn) == len && memcmp(tn, name, len) == 0)
            return &defined[i]->named;
    }
    return NULL;
}
static const sb_scope scope = {.lookup = scope_lookup};

static void forget(void)
{
    while (ndefined)
        sb__layout_free(defined[--ndefined]);
}

static sb_layout *define_at(const char *text, int line)
{
    sb_layout *L = NULL;
    sb_error err;
    if (sb__struct_parse(text, strlen(text), &scope, &L, &err) < 0) {
        print_error("line %d: \"%s\": %s\n", line, text, err.msg);
        forget();
        _fail(__FILE__, line);
    }
    defined[ndefined++] = L;
    return L;
}
#define DEFINE(text) define_at((text), __LINE__)

static void struct_error_at(const char *text, const char *msg, int line)
{
    sb_layout *L = NULL;
    sb_error err;
    if (sb__struct_parse(text, strlen(text), &scope, &L, &err) == 0) {
        print_error("line %d: \"%s\" parsed, expected \"%s\"\n", line, text, msg);
        sb__layout_free(L);
        forget();
        _fail(__FILE__, line);
    }
    if (!strstr(err.msg, msg)) {
        print_error("line %d: \"%s\"\n   got  \"%s\"\n   want \"%s\"\n", line, text, err.msg, msg);
        forget();
        _fail(__FILE__, line);
    }
}
#define STRUCT_ERROR(text, msg) struct_error_at((text), (msg), __LINE__)

static const sb_field *field(const sb_layout *L, const char *name)
{
    const sb_field *f = sb__layout_field(L, name, strlen(name));
    assert_non_null(f);
    return f;
}

/* ------------------------------------------------------------------ */
/* Sizes                                                               */

static void test_nested_arrays_of_huge_structs_are_too_large(void **state)
{
    (void)state;
    DEFINE("struct a { char x[16777216]; }");
    sb_layout *b = DEFINE("struct b { struct a y[16777216]; }"); /* 2^48 bytes: fine */
    assert_int_equal(b->size, (size_t)1 << 48);
    assert_false(b->by_value_ok);
    assert_null(b->elements); /* no 2^48 libffi elements for a struct never passed by value */
    STRUCT_ERROR("struct c { struct b z[16777216]; }", "struct c is too large: member 'z'");
    STRUCT_ERROR("struct c { char pad; struct b z[4096]; }", "is too large");
    STRUCT_ERROR("struct c { struct b z[4095]; struct b w[4095]; }", "is too large: member 'w'");
    STRUCT_ERROR("union c { struct b z[16777216]; }", "is too large");
    STRUCT_ERROR("struct c { struct b z[2048]; struct { struct b q[4095]; }; }", "is too large");
    forget();
}

static void test_sizes_just_below_the_limit_are_exact(void **state)
{
    (void)state;
    DEFINE("struct a { char x[16777216]; }");
    DEFINE("struct b { struct a y[16777216]; }");
    sb_layout *c = DEFINE("struct c { struct b z[4095]; char tail; }");
    assert_int_equal(c->size, ((size_t)4095 << 48) + 1);
    assert_int_equal(field(c, "tail")->offset, (size_t)4095 << 48);
    forget();
}

static void test_bit_positions_of_huge_structs_do_not_wrap(void **state)
{
    (void)state;
    DEFINE("struct a { char x[16777216]; }");
    DEFINE("struct b { struct a y[16777216]; }");
    /* 2^60 - 1 bytes: the largest layout; one bit more is too large. */
    sb_layout *c = DEFINE("struct c { struct b z[4095]; struct a v[16777215]; char x[16777215]; }");
    assert_int_equal(c->size, SB_MAX_OBJECT_SIZE);
    STRUCT_ERROR("struct d { struct b z[4095]; struct a v[16777215]; char x[16777215]; unsigned f : 3; }",
                 "struct d is too large: member 'f'");
    STRUCT_ERROR("struct d { struct b z[4095]; struct a v[16777215]; char x[16777215]; long long : 0; char y; }",
                 "struct d is too large");
    STRUCT_ERROR("struct d { struct b z[4095]; struct a v[16777215]; char x[16777214]; short s; }",
                 "struct d is too large");
    c = DEFINE("struct d { struct b z[4095]; int f : 3; }");
    assert_int_equal(field(c, "f")->offset, (size_t)4095 << 48);
    forget();
}

static void test_empty_and_zero_length_are_errors(void **state)
{
    (void)state;
    STRUCT_ERROR("struct e { }", "struct e has no members");
    STRUCT_ERROR("struct e { char x[0]; }", "expected an array length");
    STRUCT_ERROR("struct e { char x[]; }", "flexible array member 'x' needs a member before it");
    STRUCT_ERROR("struct e { int : 0; }", "struct e has no members");
    STRUCT_ERROR("struct e { int : 5; }", "struct e has no members");
}

/* ------------------------------------------------------------------ */
/* By value                                                            */

static void test_large_struct_is_not_passed_by_value(void **state)
{
    (void)state;
    sb_layout *ok = DEFINE("struct ok { char x[65536]; }");
    assert_true(ok->by_value_ok);
    assert_null(sb__layout_byvalue_why(ok));
    sb_layout *big = DEFINE("struct big { char x[65537]; }");
    assert_false(big->by_value_ok);
    assert_non_null(strstr(sb__layout_byvalue_why(big), "too large to pass by value"));
    sb_layout *outer = DEFINE("struct outer { struct big b; }");
    assert_non_null(strstr(sb__layout_byvalue_why(outer), "too large to pass by value"));

    sb_error err;
    sb_sig *sig = sb__sig_parse_in("void f(int a, struct big b)", 27, &scope, &err);
    assert_non_null(sig);
    assert_null(sb__plan_new(sig, &err));
    assert_non_null(strstr(err.msg, "struct big cannot be passed or returned by value (larger than 64 KiB"));
    assert_int_equal(err.col, 14);
    sig = sb__sig_parse_in("struct big f(void)", 18, &scope, &err);
    assert_non_null(sig);
    assert_null(sb__plan_new(sig, &err));
    assert_non_null(strstr(err.msg, "struct big cannot be passed or returned by value"));
    sig = sb__sig_parse_in("struct ok f(struct ok a)", 24, &scope, &err);
    assert_non_null(sig);
    sb_plan *pl = sb__plan_new(sig, &err);
    assert_non_null(pl);
    sb__plan_free(pl);
    forget();
}

static void test_by_value_reasons(void **state)
{
    (void)state;
    assert_non_null(strstr(sb__layout_byvalue_why(DEFINE("union ul { long double x; int i; }")), "a union"));
#if defined(__x86_64__)
    assert_null(sb__layout_byvalue_why(DEFINE("union u { int a; float b; }")));
    sb_layout *L = DEFINE("union uf { float f[2]; double d; }");
    assert_int_equal(L->nelements, 1);
    assert_ptr_equal(L->elements[0], &ffi_type_double); /* SSE: only float bytes */
    L = DEFINE("union ui { float f; char c[5]; }");
    assert_int_equal(L->nelements, 2);
    assert_ptr_equal(L->elements[0], &ffi_type_uint32); /* INTEGER: a char shares the eightbyte */
    L = DEFINE("union ub { long l[3]; double d; }");
    assert_int_equal(L->nelements, 3);
    assert_int_equal(L->ffi.size, 24);
#else
    assert_non_null(strstr(sb__layout_byvalue_why(DEFINE("union u { int a; float b; }")), "a union"));
#endif
    assert_non_null(strstr(sb__layout_byvalue_why(DEFINE("struct bf { int a : 3; }")), "bit-fields"));
    assert_non_null(strstr(sb__layout_byvalue_why(DEFINE("struct [[packed]] pk { char c; int i; }")), "packed"));
    forget();
}

/* ------------------------------------------------------------------ */
/* Packed bit-fields (GCC's layouts, checked with the compiler)        */

struct __attribute__((packed)) pk_zero { char c; int : 0; char d; };
struct __attribute__((packed)) pk_zero_bits { char c : 3; long long : 0; char d : 2; };
struct __attribute__((packed)) pk_straddle { char c : 7; char d : 3; };
struct __attribute__((packed)) pk_inner { char c; struct { char d; int x; } in; };
struct __attribute__((packed)) pk_end { char c; long long x : 4; };

static void test_packed_zero_width_bit_field_goes_to_the_next_unit(void **state)
{
    (void)state;
    sb_layout *L = DEFINE("struct __attribute__((packed)) pk_zero { char c; int : 0; char d; }");
    assert_int_equal(L->size, sizeof(struct pk_zero));
    assert_int_equal(field(L, "d")->offset, offsetof(struct pk_zero, d));
    L = DEFINE("struct __attribute__((packed)) pk_zero_bits { char c : 3; long long : 0; char d : 2; }");
    assert_int_equal(L->size, sizeof(struct pk_zero_bits));
    assert_int_equal(field(L, "d")->offset, 8);
    forget();
}

static void test_packed_bit_fields_may_straddle_and_stay_inside(void **state)
{
    (void)state;
    sb_layout *L = DEFINE("struct [[packed]] pk_straddle { char c : 7; char d : 3; }");
    assert_int_equal(L->size, sizeof(struct pk_straddle));
    const sb_field *d = field(L, "d");
    assert_int_equal(d->offset, 0);
    assert_int_equal(d->bit_offset, 7);
    /* A packed struct's bit-field of a wide type: the bytes it occupies end inside the struct. */
    L = DEFINE("struct [[packed]] pk_end { char c; long long x : 4; }");
    assert_int_equal(L->size, sizeof(struct pk_end));
    const sb_field *x = field(L, "x");
    assert_true(x->offset + (x->bit_offset + x->bit_width + 7u) / 8u <= L->size);
    STRUCT_ERROR("struct [[packed]] pk_wide { char c : 1; long long x : 64; }", "spans 9 bytes: not supported");
    forget();
}

static void test_packed_does_not_reach_an_inner_struct_type(void **state)
{
    (void)state;
    sb_layout *L = DEFINE("struct __attribute__((packed)) pk_inner { char c; struct { char d; int x; } in; }");
    assert_int_equal(L->size, sizeof(struct pk_inner));
    assert_int_equal(field(L, "in")->offset, offsetof(struct pk_inner, in));
    forget();
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

static void test_long_names_are_kept_whole(void **state)
{
    (void)state;
    char text[1400];
    char tag[301];
    memset(tag, 't', 300);
    tag[300] = '\0';
    snprintf(text, sizeof text, "struct %s { int x; }", tag);
    sb_layout *L = DEFINE(text);
    assert_int_equal(strlen(L->name), 7 + 300);
    assert_string_equal(L->name + 7, tag);
    snprintf(text, sizeof text, "struct s { union %s { int x; } u; }", tag);
    L = DEFINE(text);
    assert_int_equal(L->nsubs, 1);
    assert_int_equal(strlen(L->subs[0]->name), 6 + 300);
    forget();

    sb_typedef td;
    sb_error err;
    snprintf(text, sizeof text, "typedef struct %s { int x; } %s_t, *%s_p", tag, tag, tag);
    assert_int_equal(sb__typedef_parse(text, strlen(text), NULL, &td, &err), 0);
    assert_string_equal(td.tag, tag);
    assert_int_equal(strlen(td.name), 302);
    assert_int_equal(strlen(td.layout->name), 307);
    assert_int_equal(td.nmore, 1);
    assert_int_equal(strlen(td.more[0].name), 302);
    sb__layout_free(td.layout);
    sb__typedef_clear(&td);
    assert_null(td.name);
    snprintf(text, sizeof text, "typedef int (*%s)(int)", tag);
    assert_int_equal(sb__typedef_parse(text, strlen(text), NULL, &td, &err), 0);
    assert_string_equal(td.name, tag);
    sb__sig_free(td.fsig);
    sb__typedef_clear(&td);

    char *ftag = NULL;
    bool u = false;
    snprintf(text, sizeof text, "union %s", tag);
    assert_true(sb__struct_forward(text, strlen(text), &ftag, &u));
    assert_true(u);
    assert_string_equal(ftag, tag);
    free(ftag);

    sb_constdecl d;
    snprintf(text, sizeof text, "typedef enum %s { %s_A = 1 } %s_e", tag, tag, tag);
    assert_int_equal(sb__constdecl_parse(text, strlen(text), NULL, NULL, &d, &err), 0);
    assert_string_equal(d.tag, tag);
    assert_int_equal(strlen(d.type_name), 302);
    assert_int_equal(strlen(d.v[0].name), 302);
    sb__constdecl_free(&d);
}

/* ------------------------------------------------------------------ */
/* Nesting                                                             */

static char *repeat3(const char *head, const char *open, size_t n, const char *mid, const char *close,
                     const char *tail)
{
    size_t hl = strlen(head), ol = strlen(open), ml = strlen(mid), cl = strlen(close), tl = strlen(tail);
    char *s = malloc(hl + n * (ol + cl) + ml + tl + 1), *o = s;
    assert_non_null(s);
    memcpy(o, head, hl), o += hl;
    for (size_t i = 0; i < n; i++)
        memcpy(o, open, ol), o += ol;
    memcpy(o, mid, ml), o += ml;
    for (size_t i = 0; i < n; i++)
        memcpy(o, close, cl), o += cl;
    memcpy(o, tail, tl + 1);
    return s;
}

static void const_error(const char *text, const char *msg)
{
    sb_constdecl d;
    sb_error err;
    if (sb__constdecl_parse(text, strlen(text), NULL, NULL, &d, &err) == 0) {
        sb__constdecl_free(&d);
        fail_msg("\"%.60s...\" parsed, expected \"%s\"", text, msg);
    }
    if (!strstr(err.msg, msg))
        fail_msg("\"%.60s...\": got \"%s\", want \"%s\"", text, err.msg, msg);
}

static int64_t const_value(const char *text)
{
    sb_constdecl d;
    sb_error err;
    if (sb__constdecl_parse(text, strlen(text), NULL, NULL, &d, &err) < 0)
        fail_msg("\"%.60s\": %s", text, err.msg);
    int64_t v = d.v[0].value.v;
    sb__constdecl_free(&d);
    return v;
}

/* Every kind of deep nesting, 100000 levels: an error, never a stack overflow. */
static void *deep_nesting(void *arg)
{
    (void)arg;
    const size_t n = 100000;
    char *s = repeat3("enum { A = ", "(", n, "1", ")", " }");
    const_error(s, "constant expression nested too deeply");
    free(s);
    s = repeat3("enum { A = ", "- ", n, "1", "", " }");
    const_error(s, "constant expression nested too deeply");
    free(s);
    s = repeat3("enum { A = ", "~!-+", n / 4, "1", "", " }");
    const_error(s, "constant expression nested too deeply");
    free(s);
    s = repeat3("#define A ", "1+(", n, "1", ")", "");
    const_error(s, "constant expression nested too deeply");
    free(s);
    s = repeat3("static const int A = ", "(", n, "1", ")", "");
    const_error(s, "constant expression nested too deeply");
    free(s);

    sb_error err;
    s = repeat3("int f(", "(", n, "int", ")", ")");
    assert_null(sb__sig_parse(s, strlen(s), &err));
    free(s);
    s = repeat3("int ", "(", n, "*f", ")", "(int)");
    assert_null(sb__sig_parse(s, strlen(s), &err));
    free(s);
    s = repeat3("void f(", "void (*)(", n, "int", ")", " a)");
    assert_null(sb__sig_parse(s, strlen(s), &err));
    free(s);
    s = repeat3("void f(", "void (*p)(", n, "int", ")", ")");
    assert_null(sb__sig_parse(s, strlen(s), &err));
    assert_non_null(strstr(err.msg, "nested too deeply"));
    free(s);
    sb_layout *L;
    s = repeat3("struct s { ", "struct { ", n, "int x;", " } m;", " }");
    assert_int_equal(sb__struct_parse(s, strlen(s), NULL, &L, &err), -1);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    free(s);
    sb_type t;
    s = repeat3("", "(", n, "int", ")", "");
    assert_int_equal(sb__type_parse(s, strlen(s), &t, &err), -1);
    free(s);
    return NULL;
}

static void test_deep_nesting_is_an_error(void **state)
{
    (void)state;
    deep_nesting(NULL);
    /* at the limit, still fine */
    char *s = repeat3("enum { A = ", "(", 127, "1", ")", " }");
    assert_int_equal(const_value(s), 1);
    free(s);
}

static void test_deep_nesting_on_a_small_thread_stack(void **state)
{
    (void)state;
    pthread_attr_t attr;
    pthread_t th;
    assert_int_equal(pthread_attr_init(&attr), 0);
    /* 256 KiB: a small thread (musl's default is 128 KiB; sanitizers need more). */
    assert_int_equal(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
    assert_int_equal(pthread_create(&th, &attr, deep_nesting, NULL), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    pthread_attr_destroy(&attr);
}

/* ------------------------------------------------------------------ */
/* Character constants                                                 */

static void test_char_constant_has_char_value(void **state)
{
    (void)state;
    assert_int_equal(const_value("enum { X = '\\xff' }"), (char)'\xff');
    assert_int_equal(const_value("enum { X = '\\377' }"), (char)'\377');
    assert_int_equal(const_value("enum { X = '\\x7f' }"), 127);
    assert_int_equal(const_value("enum { X = -'\\x80' }"), -(char)'\x80');
    assert_int_equal(const_value("#define X ('\\xff' & 0xff)"), 255);
}

/* ------------------------------------------------------------------ */
/* Undecodable text                                                    */

static void test_nul_and_invalid_utf8_are_errors(void **state)
{
    (void)state;
    sb_error err;
    sb_layout *L;
    sb_type t;
    static const char proto[] = "int f(int a\0, int b)";
    assert_null(sb__sig_parse(proto, sizeof proto - 1, &err));
    static const char bad[] = "int f(int \xff\xfe)";
    assert_null(sb__sig_parse(bad, sizeof bad - 1, &err));
    static const char sdef[] = "struct s { int a; \xc3 }";
    assert_int_equal(sb__struct_parse(sdef, sizeof sdef - 1, NULL, &L, &err), -1);
    static const char snul[] = "struct s { int a\0; }";
    assert_int_equal(sb__struct_parse(snul, sizeof snul - 1, NULL, &L, &err), -1);
    static const char tnul[] = "int\0";
    assert_int_equal(sb__type_parse(tnul, sizeof tnul - 1, &t, &err), -1);
    const_error("enum { A = 1, \xe2\x82 }", "expected an enumerator name");
}

/* ------------------------------------------------------------------ */
/* Constants are hashed by name (declaration blocks stay linear)       */

static void test_many_constants_are_found_and_truncated(void **state)
{
    (void)state;
    size_t n = 20000, len = 0;
    char *text = malloc(n * 32 + 16);
    assert_non_null(text);
    len += (size_t)sprintf(text, "enum {");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, i ? ", E%zu = E%zu + 2" : "E%zu", i, i - 1);
    len += (size_t)sprintf(text + len, " }");
    sb_constdecl d;
    sb_error err;
    assert_int_equal(sb__constdecl_parse(text, len, NULL, NULL, &d, &err), 0);
    assert_int_equal(d.n, n);
    assert_int_equal(d.v[n - 1].value.v, 2 * (int64_t)(n - 1));
    assert_int_equal(sb__constdecl_find(&d, "E12345", 6), 12345);
    assert_int_equal(sb__constdecl_find(&d, "E20000", 6), SIZE_MAX);
    sb__constdecl_truncate(&d, 100);
    assert_int_equal(sb__constdecl_find(&d, "E12345", 6), SIZE_MAX);
    assert_int_equal(sb__constdecl_find(&d, "E99", 3), 99);
    size_t cap = d.n; /* the storage holds at least n */
    sb_constdef c = {"E12345", {7, false, 0}};
    assert_true(sb__constdecl_push(&d, &cap, &c));
    assert_int_equal(sb__constdecl_find(&d, "E12345", 6), 100);
    sb__constdecl_free(&d);
    /* a name twice in one statement is still an error */
    text[0] = '\0';
    const_error("enum { A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z, A }",
                "'A' is declared twice");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_arrays_of_huge_structs_are_too_large),
        cmocka_unit_test(test_sizes_just_below_the_limit_are_exact),
        cmocka_unit_test(test_bit_positions_of_huge_structs_do_not_wrap),
        cmocka_unit_test(test_empty_and_zero_length_are_errors),
        cmocka_unit_test(test_large_struct_is_not_passed_by_value),
        cmocka_unit_test(test_by_value_reasons),
        cmocka_unit_test(test_packed_zero_width_bit_field_goes_to_the_next_unit),
        cmocka_unit_test(test_packed_bit_fields_may_straddle_and_stay_inside),
        cmocka_unit_test(test_packed_does_not_reach_an_inner_struct_type),
        cmocka_unit_test(test_long_names_are_kept_whole),
        cmocka_unit_test(test_deep_nesting_is_an_error),
        cmocka_unit_test(test_deep_nesting_on_a_small_thread_stack),
        cmocka_unit_test(test_char_constant_has_char_value),
        cmocka_unit_test(test_nul_and_invalid_utf8_are_errors),
        cmocka_unit_test(test_many_constants_are_found_and_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
