/* test_ctype.c — cmocka tests of the C type table (sizes, alignment, ranges, classes, libffi types, formatting). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "internal.h"

/* The expected table, written out independently of the X-macro in internal.h. */
typedef struct expect_kind {
    sb_kind kind;
    const char *name;
    size_t size, align;
    sb_class cls;
    long long min;
    unsigned long long max;
} expect_kind;

#define CHAR_CLASS (CHAR_MIN < 0 ? SB_CLASS_SINT : SB_CLASS_UINT)

static const expect_kind expected[] = {
    {SB_K_BOOL, "bool", sizeof(_Bool), _Alignof(_Bool), SB_CLASS_BOOL, 0, 1},
    {SB_K_CHAR, "char", sizeof(char), _Alignof(char), CHAR_CLASS, CHAR_MIN, CHAR_MAX},
    {SB_K_SCHAR, "signed char", sizeof(signed char), _Alignof(signed char), SB_CLASS_SINT, SCHAR_MIN, SCHAR_MAX},
    {SB_K_UCHAR, "unsigned char", sizeof(unsigned char), _Alignof(unsigned char), SB_CLASS_UINT, 0, UCHAR_MAX},
    {SB_K_SHORT, "short", sizeof(short), _Alignof(short), SB_CLASS_SINT, SHRT_MIN, SHRT_MAX},
    {SB_K_USHORT, "unsigned short", sizeof(unsigned short), _Alignof(unsigned short), SB_CLASS_UINT, 0, USHRT_MAX},
    {SB_K_INT, "int", sizeof(int), _Alignof(int), SB_CLASS_SINT, INT_MIN, INT_MAX},
    {SB_K_UINT, "unsigned int", sizeof(unsigned int), _Alignof(unsigned int), SB_CLASS_UINT, 0, UINT_MAX},
    {SB_K_LONG, "long", sizeof(long), _Alignof(long), SB_CLASS_SINT, LONG_MIN, LONG_MAX},
    {SB_K_ULONG, "unsigned long", sizeof(unsigned long), _Alignof(unsigned long), SB_CLASS_UINT, 0, ULONG_MAX},
    {SB_K_LLONG, "long long", sizeof(long long), _Alignof(long long), SB_CLASS_SINT, LLONG_MIN, LLONG_MAX},
    {SB_K_ULLONG, "unsigned long long", sizeof(unsigned long long), _Alignof(unsigned long long), SB_CLASS_UINT, 0,
     ULLONG_MAX},
    {SB_K_INT8, "int8_t", 1, _Alignof(int8_t), SB_CLASS_SINT, INT8_MIN, INT8_MAX},
    {SB_K_UINT8, "uint8_t", 1, _Alignof(uint8_t), SB_CLASS_UINT, 0, UINT8_MAX},
    {SB_K_INT16, "int16_t", 2, _Alignof(int16_t), SB_CLASS_SINT, INT16_MIN, INT16_MAX},
    {SB_K_UINT16, "uint16_t", 2, _Alignof(uint16_t), SB_CLASS_UINT, 0, UINT16_MAX},
    {SB_K_INT32, "int32_t", 4, _Alignof(int32_t), SB_CLASS_SINT, INT32_MIN, INT32_MAX},
    {SB_K_UINT32, "uint32_t", 4, _Alignof(uint32_t), SB_CLASS_UINT, 0, UINT32_MAX},
    {SB_K_INT64, "int64_t", 8, _Alignof(int64_t), SB_CLASS_SINT, INT64_MIN, INT64_MAX},
    {SB_K_UINT64, "uint64_t", 8, _Alignof(uint64_t), SB_CLASS_UINT, 0, UINT64_MAX},
    {SB_K_SIZE, "size_t", sizeof(size_t), _Alignof(size_t), SB_CLASS_UINT, 0, SIZE_MAX},
    {SB_K_SSIZE, "ssize_t", sizeof(ssize_t), _Alignof(ssize_t), SB_CLASS_SINT, -SSIZE_MAX - 1, SSIZE_MAX},
    {SB_K_INTPTR, "intptr_t", sizeof(intptr_t), _Alignof(intptr_t), SB_CLASS_SINT, INTPTR_MIN, INTPTR_MAX},
    {SB_K_UINTPTR, "uintptr_t", sizeof(uintptr_t), _Alignof(uintptr_t), SB_CLASS_UINT, 0, UINTPTR_MAX},
    {SB_K_PTRDIFF, "ptrdiff_t", sizeof(ptrdiff_t), _Alignof(ptrdiff_t), SB_CLASS_SINT, PTRDIFF_MIN, PTRDIFF_MAX},
    {SB_K_FLOAT, "float", sizeof(float), _Alignof(float), SB_CLASS_FLOAT, 0, 0},
    {SB_K_DOUBLE, "double", sizeof(double), _Alignof(double), SB_CLASS_FLOAT, 0, 0},
    {SB_K_LDOUBLE, "long double", sizeof(long double), _Alignof(long double), SB_CLASS_FLOAT, 0, 0},
    {SB_K_WCHAR, "wchar_t", sizeof(wchar_t), _Alignof(wchar_t), WCHAR_MIN < 0 ? SB_CLASS_SINT : SB_CLASS_UINT,
     WCHAR_MIN, WCHAR_MAX},
    {SB_K_CHAR16, "char16_t", sizeof(uint_least16_t), _Alignof(uint_least16_t), SB_CLASS_UINT, 0, UINT_LEAST16_MAX},
    {SB_K_CHAR32, "char32_t", sizeof(uint_least32_t), _Alignof(uint_least32_t), SB_CLASS_UINT, 0, UINT_LEAST32_MAX},
    {SB_K_CFLOAT, "float _Complex", sizeof(float _Complex), _Alignof(float _Complex), SB_CLASS_WIDE, 0, 0},
    {SB_K_CDOUBLE, "double _Complex", sizeof(double _Complex), _Alignof(double _Complex), SB_CLASS_WIDE, 0, 0},
    {SB_K_INT128, "__int128", 16, 16, SB_CLASS_WIDE, 0, 0},
    {SB_K_UINT128, "unsigned __int128", 16, 16, SB_CLASS_WIDE, 0, 0},
    {SB_K_FLOAT128, "_Float128", 16, 16, SB_CLASS_WIDE, 0, 0},
};
enum { NEXPECTED = sizeof expected / sizeof expected[0] };

static void test_every_kind_has_a_row(void **state)
{
    (void)state;
    /* All kinds but VOID and PYOBJECT (checked on their own) are in the expected table. */
    assert_int_equal(NEXPECTED + 2, SB_K_COUNT);
    bool seen[SB_K_COUNT] = {false};
    for (int i = 0; i < NEXPECTED; i++) {
        assert_false(seen[expected[i].kind]);
        seen[expected[i].kind] = true;
    }
    assert_false(seen[SB_K_VOID]);
    assert_false(seen[SB_K_PYOBJECT]);
}

static void test_names_are_canonical_spellings(void **state)
{
    (void)state;
    for (int i = 0; i < NEXPECTED; i++)
        assert_string_equal(sb__kind(expected[i].kind)->name, expected[i].name);
    assert_string_equal(sb__kind(SB_K_VOID)->name, "void");
    assert_string_equal(sb__kind(SB_K_PYOBJECT)->name, "PyObject");
}

static void test_sizes_and_alignment_match_the_c_types(void **state)
{
    (void)state;
    for (int i = 0; i < NEXPECTED; i++) {
        const sb_kindinfo *ki = sb__kind(expected[i].kind);
        if (ki->size != expected[i].size || ki->align != expected[i].align) {
            print_error("%s: size %u align %u, want %zu %zu\n", expected[i].name, ki->size, ki->align,
                        expected[i].size, expected[i].align);
            fail();
        }
    }
}

static void test_classes(void **state)
{
    (void)state;
    for (int i = 0; i < NEXPECTED; i++)
        if (sb__kind(expected[i].kind)->cls != expected[i].cls) {
            print_error("%s: class %u, want %u\n", expected[i].name, sb__kind(expected[i].kind)->cls,
                        expected[i].cls);
            fail();
        }
    assert_int_equal(sb__kind(SB_K_VOID)->cls, SB_CLASS_VOID);
    assert_int_equal(sb__kind(SB_K_PYOBJECT)->cls, SB_CLASS_PYOBJ);
}

static void test_plain_char_follows_the_platform_signedness(void **state)
{
    (void)state;
    const sb_kindinfo *ki = sb__kind(SB_K_CHAR);
    if ((char)-1 < 0) {
        assert_int_equal(ki->cls, SB_CLASS_SINT);
        assert_int_equal(ki->min, -128);
        assert_int_equal(ki->max, 127);
    } else {
        assert_int_equal(ki->cls, SB_CLASS_UINT);
        assert_int_equal(ki->min, 0);
        assert_int_equal(ki->max, 255);
    }
}

static void test_ranges_of_every_integer_kind(void **state)
{
    (void)state;
    for (int i = 0; i < NEXPECTED; i++) {
        const sb_kindinfo *ki = sb__kind(expected[i].kind);
        if ((long long)ki->min != expected[i].min || (unsigned long long)ki->max != expected[i].max) {
            print_error("%s: range %lld..%llu, want %lld..%llu\n", expected[i].name, (long long)ki->min,
                        (unsigned long long)ki->max, expected[i].min, expected[i].max);
            fail();
        }
    }
    /* Non-integers have the empty 0..0 range. */
    assert_int_equal(sb__kind(SB_K_VOID)->min, 0);
    assert_int_equal(sb__kind(SB_K_VOID)->max, 0);
    assert_int_equal(sb__kind(SB_K_PYOBJECT)->max, 0);
}

static void test_ffi_types_match_size_alignment_and_signedness(void **state)
{
    (void)state;
    for (int i = 0; i < NEXPECTED; i++) {
        const sb_kindinfo *ki = sb__kind(expected[i].kind);
        ffi_type *ft = ki->ffi;
        assert_non_null(ft);
        if (ft->size != ki->size || ft->alignment != ki->align) {
            print_error("%s: ffi size %zu align %u, want %u %u\n", expected[i].name, ft->size, ft->alignment,
                        ki->size, ki->align);
            fail();
        }
        switch (ki->cls) {
        case SB_CLASS_SINT:
            assert_true(ft->type == FFI_TYPE_SINT8 || ft->type == FFI_TYPE_SINT16 || ft->type == FFI_TYPE_SINT32 ||
                        ft->type == FFI_TYPE_SINT64);
            break;
        case SB_CLASS_UINT:
        case SB_CLASS_BOOL:
            assert_true(ft->type == FFI_TYPE_UINT8 || ft->type == FFI_TYPE_UINT16 || ft->type == FFI_TYPE_UINT32 ||
                        ft->type == FFI_TYPE_UINT64);
            break;
        case SB_CLASS_FLOAT:
            assert_int_equal(ft->type, expected[i].kind == SB_K_FLOAT    ? FFI_TYPE_FLOAT
                                       : expected[i].kind == SB_K_LDOUBLE ? FFI_TYPE_LONGDOUBLE
                                                                          : FFI_TYPE_DOUBLE);
            break;
        case SB_CLASS_WIDE: /* complex where libffi has it; else (and __int128, _Float128) two 8-byte integers */
            if (SB_HAVE_FFI_COMPLEX && (expected[i].kind == SB_K_CFLOAT || expected[i].kind == SB_K_CDOUBLE))
                assert_int_equal(ft->type, FFI_TYPE_COMPLEX);
            else
                assert_ptr_equal(ft, &sb__ffi_int128);
            break;
        default:
            fail();
        }
    }
    assert_ptr_equal(sb__kind(SB_K_VOID)->ffi, &ffi_type_void);
    assert_ptr_equal(sb__kind(SB_K_PYOBJECT)->ffi, &ffi_type_pointer);
}

static void test_out_of_range_kind_is_void(void **state)
{
    (void)state;
    assert_ptr_equal(sb__kind(SB_K_COUNT), sb__kind(SB_K_VOID));
    assert_ptr_equal(sb__kind((sb_kind)200), sb__kind(SB_K_VOID));
}

static void test_type_size_and_ffi_of_values_and_pointers(void **state)
{
    (void)state;
    for (int i = 0; i < NEXPECTED; i++) {
        sb_type t = {(uint8_t)expected[i].kind, 0, 0, NULL};
        assert_int_equal(sb__type_size(t), expected[i].size);
        assert_ptr_equal(sb__type_ffi(t), sb__kind(expected[i].kind)->ffi);
        for (uint8_t p = 1; p <= 8; p++) {
            sb_type pt = {(uint8_t)expected[i].kind, p, 1, NULL};
            assert_int_equal(sb__type_size(pt), sizeof(void *));
            assert_ptr_equal(sb__type_ffi(pt), &ffi_type_pointer);
        }
    }
    sb_type vp = {SB_K_VOID, 1, 0, NULL}, obj = {SB_K_PYOBJECT, 1, 0, NULL};
    assert_int_equal(sb__type_size(vp), sizeof(void *));
    assert_ptr_equal(sb__type_ffi(vp), &ffi_type_pointer);
    assert_int_equal(sb__type_size(obj), sizeof(void *));
    assert_ptr_equal(sb__type_ffi(obj), &ffi_type_pointer);
    sb_type v = {SB_K_VOID, 0, 0, NULL};
    assert_ptr_equal(sb__type_ffi(v), &ffi_type_void);
}

static void check_format_at(sb_type t, const char *want, int line)
{
    char buf[64];
    memset(buf, 'X', sizeof buf);
    size_t n = sb__type_format(t, buf, sizeof buf);
    if (strcmp(buf, want) != 0 || n != strlen(want)) {
        print_error("line %d: format gave \"%s\" (%zu), want \"%s\"\n", line, buf, n, want);
        _fail(__FILE__, line);
    }
}
#define CHECK_FORMAT(kind, ptr, cconst, want) check_format_at((sb_type){(kind), (ptr), (cconst), NULL}, (want), __LINE__)

static void test_type_format_outputs(void **state)
{
    (void)state;
    CHECK_FORMAT(SB_K_INT, 0, 0, "int");
    CHECK_FORMAT(SB_K_CHAR, 1, 1, "const char *");
    CHECK_FORMAT(SB_K_CHAR, 2, 0, "char **");
    CHECK_FORMAT(SB_K_VOID, 0, 0, "void");
    CHECK_FORMAT(SB_K_VOID, 1, 1, "const void *");
    CHECK_FORMAT(SB_K_ULLONG, 1, 0, "unsigned long long *");
    CHECK_FORMAT(SB_K_UINT, 0, 1, "const unsigned int");
    CHECK_FORMAT(SB_K_PYOBJECT, 1, 0, "PyObject *");
    CHECK_FORMAT(SB_K_SIZE, 0, 0, "size_t");
    CHECK_FORMAT(SB_K_BOOL, 0, 0, "bool");
    CHECK_FORMAT(SB_K_DOUBLE, 8, 0, "double ********");
    CHECK_FORMAT(SB_K_SCHAR, 3, 1, "const signed char ***");
    /* Every kind formats as its name. */
    for (int k = 0; k < SB_K_COUNT; k++)
        check_format_at((sb_type){(uint8_t)k, 0, 0, NULL}, sb__kind((sb_kind)k)->name, __LINE__);
    /* An out-of-range kind formats as void, pointer depth beyond 8 stops at 8 stars. */
    CHECK_FORMAT(250, 0, 0, "void");
    CHECK_FORMAT(SB_K_INT, 200, 0, "int ********");
}

static void test_type_format_truncates_to_capacity(void **state)
{
    (void)state;
    char buf[16];
    sb_type t = {SB_K_CHAR, 1, 1, NULL}; /* "const char *" */
    memset(buf, 'X', sizeof buf);
    assert_int_equal(sb__type_format(t, buf, 5), 4);
    assert_string_equal(buf, "cons");
    assert_int_equal(buf[5], 'X'); /* nothing written past cap */
    assert_int_equal(sb__type_format(t, buf, 1), 0);
    assert_string_equal(buf, "");
    buf[0] = 'X';
    assert_int_equal(sb__type_format(t, buf, 0), 0);
    assert_int_equal(buf[0], 'X');
    assert_int_equal(sb__type_format(t, buf, 13), 12);
    assert_string_equal(buf, "const char *");
    assert_int_equal(sb__type_format(t, buf, 12), 11);
    assert_string_equal(buf, "const char ");
}

static void test_type_format_round_trips_through_the_parser(void **state)
{
    (void)state;
    for (int k = 0; k < SB_K_COUNT; k++)
        for (uint8_t p = 0; p <= 8; p++)
            for (uint8_t c = 0; c <= 1; c++) {
                if (k == SB_K_PYOBJECT && p != 1)
                    continue;
                sb_type t = {(uint8_t)k, p, c, NULL}, back;
                char buf[64];
                size_t n = sb__type_format(t, buf, sizeof buf);
                sb_error e;
                if (sb__type_parse(buf, n, &back, &e) != 0) {
                    print_error("\"%s\": %s\n", buf, e.msg);
                    fail();
                }
                assert_int_equal(back.kind, k);
                assert_int_equal(back.ptr, p);
                assert_int_equal(back.cconst, c);
            }
}

static void test_is_cstring(void **state)
{
    (void)state;
    assert_true(sb__type_is_cstring((sb_type){SB_K_CHAR, 1, 0, NULL}));
    assert_true(sb__type_is_cstring((sb_type){SB_K_CHAR, 1, 1, NULL}));
    assert_false(sb__type_is_cstring((sb_type){SB_K_CHAR, 0, 0, NULL}));
    assert_false(sb__type_is_cstring((sb_type){SB_K_CHAR, 2, 0, NULL}));
    assert_false(sb__type_is_cstring((sb_type){SB_K_CHAR, 2, 1, NULL}));
    assert_false(sb__type_is_cstring((sb_type){SB_K_UCHAR, 1, 0, NULL}));
    assert_false(sb__type_is_cstring((sb_type){SB_K_SCHAR, 1, 1, NULL}));
    assert_false(sb__type_is_cstring((sb_type){SB_K_INT8, 1, 0, NULL}));
    assert_false(sb__type_is_cstring((sb_type){SB_K_UINT8, 1, 0, NULL}));
    assert_false(sb__type_is_cstring((sb_type){SB_K_VOID, 1, 1, NULL}));
    assert_false(sb__type_is_cstring((sb_type){SB_K_PYOBJECT, 1, 0, NULL}));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_has_a_row),
        cmocka_unit_test(test_names_are_canonical_spellings),
        cmocka_unit_test(test_sizes_and_alignment_match_the_c_types),
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_plain_char_follows_the_platform_signedness),
        cmocka_unit_test(test_ranges_of_every_integer_kind),
        cmocka_unit_test(test_ffi_types_match_size_alignment_and_signedness),
        cmocka_unit_test(test_out_of_range_kind_is_void),
        cmocka_unit_test(test_type_size_and_ffi_of_values_and_pointers),
        cmocka_unit_test(test_type_format_outputs),
        cmocka_unit_test(test_type_format_truncates_to_capacity),
        cmocka_unit_test(test_type_format_round_trips_through_the_parser),
        cmocka_unit_test(test_is_cstring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
