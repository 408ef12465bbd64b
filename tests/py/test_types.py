# test_types.py — every conversion of DESIGN §5 through the test library: ranges, bool, floats, text, pointers, out/inout, defaults.
import array
import ctypes
import sys
import unittest

import sigbind
from support import testlib

INT_TYPES = [
    # (C type, function, min, max)
    ("signed char", "t_schar", -128, 127),
    ("unsigned char", "t_uchar", 0, 255),
    ("short", "t_short", -2**15, 2**15 - 1),
    ("unsigned short", "t_ushort", 0, 2**16 - 1),
    ("int", "t_int", -2**31, 2**31 - 1),
    ("unsigned int", "t_uint", 0, 2**32 - 1),
    ("long", "t_long", -2**63, 2**63 - 1),
    ("unsigned long", "t_ulong", 0, 2**64 - 1),
    ("long long", "t_llong", -2**63, 2**63 - 1),
    ("unsigned long long", "t_ullong", 0, 2**64 - 1),
    ("int8_t", "t_i8", -128, 127),
    ("uint8_t", "t_u8", 0, 255),
    ("int16_t", "t_i16", -2**15, 2**15 - 1),
    ("uint16_t", "t_u16", 0, 2**16 - 1),
    ("int32_t", "t_i32", -2**31, 2**31 - 1),
    ("uint32_t", "t_u32", 0, 2**32 - 1),
    ("int64_t", "t_i64", -2**63, 2**63 - 1),
    ("uint64_t", "t_u64", 0, 2**64 - 1),
    ("size_t", "t_size", 0, 2**64 - 1),
    ("ssize_t", "t_ssize", -2**63, 2**63 - 1),
    ("intptr_t", "t_intptr", -2**63, 2**63 - 1),
    ("uintptr_t", "t_uintptr", 0, 2**64 - 1),
    ("ptrdiff_t", "t_ptrdiff", -2**63, 2**63 - 1),
    ("char", "t_char", -128, 127),
]


class Integers(unittest.TestCase):
    def test_every_integer_type_round_trips_its_range(self):
        lib = testlib()
        for ctype, fn, lo, hi in INT_TYPES:
            f = lib.bind("%s %s(%s x)" % (ctype, fn, ctype))
            for v in (lo, lo + 1, 0, 1, hi - 1, hi, (lo + hi) // 2):
                self.assertEqual(f(v), v, (ctype, v))

    def test_every_integer_type_rejects_out_of_range(self):
        lib = testlib()
        for ctype, fn, lo, hi in INT_TYPES:
            f = lib.bind("%s %s(%s x)" % (ctype, fn, ctype))
            for bad in (lo - 1, hi + 1, 2**70, -2**70):
                with self.assertRaises(OverflowError) as cm:
                    f(bad)
                self.assertEqual(str(cm.exception),
                                 "%s() argument 'x' (%s) must be in %d..%d, not %d" % (fn, ctype, lo, hi, bad))

    def test_index_protocol_accepted(self):
        class I:
            def __index__(self):
                return 42
        f = testlib().bind("int t_int(int x)")
        self.assertEqual(f(I()), 42)
        self.assertEqual(f(True), 1)

    def test_float_rejected_for_int(self):
        f = testlib().bind("int t_int(int x)")
        with self.assertRaises(TypeError) as cm:
            f(1.5)
        self.assertEqual(str(cm.exception), "t_int() argument 'x' (int) must be int, not float")
        with self.assertRaises(TypeError) as cm:
            f("3")
        self.assertEqual(str(cm.exception), "t_int() argument 'x' (int) must be int, not str")

    def test_index_raising_propagates(self):
        class Bad:
            def __index__(self):
                raise KeyError("boom")
        f = testlib().bind("int t_int(int x)")
        with self.assertRaises(KeyError):
            f(Bad())

    def test_eight_arguments_through_libffi(self):
        f = testlib().bind("int64_t t_sum8(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,"
                           " int64_t g, int64_t h)")
        self.assertEqual(f(1, 2, 3, 4, 5, 6, 7, 8), sum(i * i for i in range(1, 9)))
        self.assertEqual(f(h=1, g=0, f=0, e=0, d=0, c=0, b=0, a=0), 8)

    def test_twelve_arguments_use_the_heap_frame(self):
        f = testlib().bind("int t_many(int, int, int, int, int, int, int, int, int, int, int, int)")
        self.assertEqual(f(*range(12)), sum(range(12)))

    def test_mixed_classes(self):
        f = testlib().bind("double t_mix(int8_t a, double b, uint16_t c, float d, int64_t e, double f)")
        self.assertEqual(f(-1, 0.5, 65535, 0.25, 2**40, 1.0), -1 + 0.5 + 65535 + 0.25 + 2**40 + 1.0)

    def test_ten_doubles_spill_to_the_stack(self):
        f = testlib().bind("double t_sumd10(double a, double b, double c, double d, double e, double f, double g,"
                           " double h, double i, double j)")
        self.assertEqual(f(*[1.0] * 10), 55.0)


class Bools(unittest.TestCase):
    def test_bool_and_int_accepted(self):
        f = testlib().bind("bool t_not(bool x)")
        self.assertIs(f(True), False)
        self.assertIs(f(False), True)
        self.assertIs(f(0), True)
        self.assertIs(f(5), False)

    def test_no_silent_truthiness(self):
        f = testlib().bind("bool t_not(bool x)")
        for bad in ("", "x", None, [], 1.0):
            with self.assertRaises(TypeError) as cm:
                f(bad)
            self.assertIn("t_not() argument 'x' (bool) must be bool or int", str(cm.exception))

    def test_underscore_bool_spelling(self):
        f = testlib().bind("_Bool t_bool(_Bool x)")
        self.assertIs(f(1), True)


class Floats(unittest.TestCase):
    def test_double_round_trip(self):
        f = testlib().bind("double t_double(double x)")
        for v in (0.0, -0.0, 1.5, 1e308, -1e-308, float("inf")):
            self.assertEqual(f(v), v)
        import math
        self.assertTrue(math.isnan(f(float("nan"))))

    def test_float_round_trip_and_range(self):
        f = testlib().bind("float t_float(float x)")
        self.assertEqual(f(0.5), 0.5)
        self.assertEqual(f(float("inf")), float("inf"))
        with self.assertRaises(OverflowError) as cm:
            f(1e300)
        self.assertIn("t_float() argument 'x' (float)", str(cm.exception))

    def test_two_floats(self):
        f = testlib().bind("float t_fadd(float a, float b)")
        self.assertEqual(f(1.5, 2.25), 3.75)

    def test_huge_int_for_double(self):
        f = testlib().bind("double t_double(double x)")
        with self.assertRaises(OverflowError) as cm:
            f(10**400)
        self.assertIn("t_double() argument 'x' (double)", str(cm.exception))


class Text(unittest.TestCase):
    def test_str_bytes_none_in(self):
        f = testlib().bind("size_t t_strlen(const char *s)")
        self.assertEqual(f("héllo"), 6)
        self.assertEqual(f(b"abc"), 3)
        self.assertEqual(f(None), 2**64 - 1)

    def test_wrong_type_for_text(self):
        f = testlib().bind("size_t t_strlen(const char *s)")
        with self.assertRaises(TypeError) as cm:
            f(5)
        self.assertEqual(str(cm.exception), "t_strlen() argument 's' (const char *) must be str, bytes or None, not int")

    def test_non_const_char_pointer_takes_buffers_not_str(self):
        fill = testlib().bind("void t_fill(char *p, size_t n, int v)")
        ba = bytearray(2)
        fill(ba, 2, 65)
        self.assertEqual(ba, b"AA")
        with self.assertRaises(TypeError) as cm:
            fill("ab", 2, 65)
        self.assertEqual(str(cm.exception), "t_fill() argument 'p' (char *) must be a sigbind.Pointer, int address, "
                                            "buffer or None, not str")

    def test_text_out_and_null_out(self):
        lib = testlib()
        self.assertEqual(lib.bind("const char *t_hello(void)")(), "hello, world")
        self.assertIsNone(lib.bind("const char *t_null_str(void)")())

    def test_free_releases_result(self):
        lib = testlib()
        count = lib.bind("int t_free_count(void)")
        dup = lib.bind("char *t_dup(const char *s) [[free(t_my_free)]]")
        before = count()
        self.assertEqual(dup("abc"), "abc")
        self.assertEqual(count(), before + 1)
        concat = lib.bind("char *t_concat(const char *a, const char *b) [[free]]")
        self.assertEqual(concat("ab", "cd"), "abcd")

    def test_string_default(self):
        f = testlib().bind("size_t t_strlen(const char *s = \"four\")")
        self.assertEqual(f(), 4)
        self.assertEqual(f("xy"), 2)

    def test_invalid_utf8_result_is_surrogateescaped(self):
        f = testlib().bind("char *t_dup(const char *s) [[free]]")
        self.assertEqual(f(b"\xff\xfe"), "\udcff\udcfe")


class Pointers(unittest.TestCase):
    def test_pointer_result_is_pointer_object(self):
        lib = testlib()
        p = lib.bind("int *t_counter(void)")()
        self.assertIsInstance(p, sigbind.Pointer)
        self.assertEqual(p.type, "int *")
        self.assertEqual(lib.bind("int t_deref(const int *p)")(p), 41)
        self.assertTrue(bool(p))
        self.assertEqual(p, lib.bind("int *t_counter(void)")())
        self.assertEqual(hash(p), hash(int(p)))
        self.assertIn("int *", repr(p))
        self.assertIn(hex(int(p))[2:], repr(p))

    def test_null_result_is_none(self):
        f = testlib().bind("void *t_addr(void *p)")
        self.assertIsNone(f(None))
        self.assertIsNone(f(0))

    def test_int_address_in_and_out(self):
        f = testlib().bind("void *t_addr(void *p)")
        p = f(12345)
        self.assertEqual(int(p), 12345)
        self.assertEqual(p.address, 12345)
        with self.assertRaises(OverflowError) as cm:
            f(-1)
        self.assertIn("t_addr() argument 'p' (void *) must be an address", str(cm.exception))

    def test_pointer_constructor(self):
        p = sigbind.Pointer(16, "uint8_t *")
        self.assertEqual(p.type, "uint8_t *")
        self.assertEqual(int(p), 16)
        self.assertIsNone(sigbind.Pointer(0))  # NULL is None
        with self.assertRaises(ValueError):
            sigbind.Pointer(1, "int")
        with self.assertRaises(ValueError):
            sigbind.Pointer(1, "struct x *")
        with self.assertRaises(TypeError):
            sigbind.Pointer("x")

    def test_bytes_bytearray_and_buffers(self):
        lib = testlib()
        total = lib.bind("int t_sum_bytes(const unsigned char *p, size_t n)")
        self.assertEqual(total(b"\x01\x02\x03", 3), 6)
        self.assertEqual(total(bytearray(b"\x01\x02"), 2), 3)
        self.assertEqual(total(memoryview(b"\x05\x05"), 2), 10)
        self.assertEqual(total(array.array("B", [7, 8]), 2), 15)

    def test_writable_buffer_is_written(self):
        fill = testlib().bind("void t_fill(unsigned char *p, size_t n, int v)")
        ba = bytearray(4)
        fill(ba, 4, 7)
        self.assertEqual(ba, bytearray(b"\x07" * 4))
        arr = array.array("B", [0, 0, 0])
        fill(arr, 3, 9)
        self.assertEqual(list(arr), [9, 9, 9])
        mv = memoryview(bytearray(3))
        fill(mv, 3, 1)
        self.assertEqual(bytes(mv), b"\x01\x01\x01")

    def test_read_only_buffer_rejected_for_writable_pointer(self):
        fill = testlib().bind("void t_fill(unsigned char *p, size_t n, int v)")
        with self.assertRaises(TypeError) as cm:
            fill(memoryview(b"abc"), 3, 0)
        self.assertIn("needs a writable buffer", str(cm.exception))

    def test_wrong_type_for_pointer(self):
        f = testlib().bind("int t_is_null(const void *p)")
        with self.assertRaises(TypeError) as cm:
            f(1.5)
        self.assertEqual(str(cm.exception),
                         "t_is_null() argument 'p' (const void *) must be a sigbind.Pointer, int address, buffer or None, not float")
        self.assertEqual(f(None), 1)

    def test_pyobject_is_passed_through(self):
        f = testlib().bind("uintptr_t t_uintptr(PyObject *o)")
        x = object()
        self.assertEqual(f(x), id(x))

    def test_ctypes_address_interoperates(self):
        buf = ctypes.create_string_buffer(b"\x02\x03", 2)
        total = testlib().bind("int t_sum_bytes(const unsigned char *p, size_t n)")
        self.assertEqual(total(ctypes.addressof(buf), 2), 5)


class OutParameters(unittest.TestCase):
    def test_void_function_two_outs(self):
        f = testlib().bind("void t_divmod(int a, int b, int *q [[out]], int *r [[out]])")
        self.assertEqual(f(17, 5), (3, 2))
        self.assertEqual(f(b=5, a=17), (3, 2))

    def test_result_then_out(self):
        f = testlib().bind("int t_split(double x, double *ipart [[out]])")
        self.assertEqual(f(-2.5), (-1, -2.0))

    def test_inout(self):
        f = testlib().bind("void t_incr(int *x [[inout]])")
        self.assertEqual(f(41), 42)
        with self.assertRaises(OverflowError):
            f(2**31)

    def test_inout_default(self):
        f = testlib().bind("void t_incr(int *x [[inout]] = 9)")
        self.assertEqual(f(), 10)

    def test_text_out(self):
        f = testlib().bind("void t_get_str(const char **out [[out]])")
        self.assertEqual(f(), "from out")

    def test_out_parameters_are_not_python_parameters(self):
        import inspect
        f = testlib().bind("void t_divmod(int a, int b, int *q [[out]], int *r [[out]])")
        self.assertEqual(str(inspect.signature(f)), "(a, b)")


class Defaults(unittest.TestCase):
    def test_integer_defaults(self):
        f = testlib().bind("int t_int(int x = -0x10)")
        self.assertEqual(f(), -16)
        g = testlib().bind("unsigned int t_uint(unsigned int x = 0644)")
        self.assertEqual(g(), 420)

    def test_float_and_bool_defaults(self):
        self.assertEqual(testlib().bind("double t_double(double x = 2.5)")(), 2.5)
        self.assertEqual(testlib().bind("double t_double(double x = 3)")(), 3.0)
        self.assertIs(testlib().bind("bool t_bool(bool x = true)")(), True)
        self.assertIs(testlib().bind("bool t_bool(bool x = false)")(), False)

    def test_null_default(self):
        self.assertEqual(testlib().bind("int t_is_null(const void *p = NULL)")(), 1)


if __name__ == "__main__":
    unittest.main()


def libm():
    import ctypes.util
    return sigbind.load(ctypes.util.find_library("m") or "libm.so.6")


def libc_lib():
    import ctypes.util
    return sigbind.load(ctypes.util.find_library("c") or "libc.so.6")


class WideScalars(unittest.TestCase):
    """long double, float/double _Complex, __int128, _Float128 (wider than a register cell)."""

    def test_complex_by_value_through_libm(self):
        m = libm()
        m.declare("double cabs(double _Complex z); double _Complex csqrt(double _Complex z);"
                  "float _Complex csqrtf(float _Complex z); _Complex double conj(_Complex double z);"
                  "double creal(double _Complex z);")
        self.assertEqual(m.cabs(3 + 4j), 5.0)
        self.assertEqual(m.csqrt(-4), 2j)
        self.assertEqual(m.csqrtf(-4 + 0j), 2j)
        self.assertEqual(m.conj(1 + 2j), 1 - 2j)
        self.assertEqual(m.creal(2.5), 2.5)  # a float or int is a complex with no imaginary part
        self.assertIsInstance(m.csqrt(4), complex)

    def test_complex_argument_errors_name_the_parameter(self):
        m = libm()
        m.declare("double cabs(double _Complex z); float _Complex csqrtf(float _Complex z);")
        with self.assertRaises(TypeError) as cm:
            m.cabs("1+2j")
        self.assertEqual(str(cm.exception), "cabs() argument 'z' (double _Complex) must be complex, not str")
        with self.assertRaises(OverflowError) as cm:
            m.csqrtf(1e300j)
        self.assertIn("csqrtf() argument 'z' (float _Complex) must be within the range of float", str(cm.exception))

    def test_complex_argument_uses_dunder_complex(self):
        class Z:
            def __complex__(self):
                return 3 + 4j
        m = libm()
        m.declare("double cabs(double _Complex z);")
        self.assertEqual(m.cabs(Z()), 5.0)

    def test_long_double_by_value_loses_precision_to_float(self):
        m = libm()
        m.declare("long double fabsl(long double x); long double nextafterl(long double x, long double y);")
        self.assertEqual(m.fabsl(-2.5), 2.5)
        # the next long double after 1 is 1 + 2**-63: a Python float rounds it back to 1.0 (as ctypes' c_longdouble)
        self.assertEqual(m.nextafterl(1, 2), 1.0)
        with self.assertRaises(TypeError) as cm:
            m.fabsl("1")
        self.assertIn("fabsl() argument 'x' (long double) must be float", str(cm.exception))

    def test_wide_values_in_callbacks(self):
        t = "double _Complex (*)(double _Complex, long double)"
        cb = sigbind.callback(t, lambda z, x: z * x)
        f = sigbind.cast(t, cb)
        self.assertEqual(f(1 + 1j, 3), 3 + 3j)
        ft = "float _Complex (*)(float _Complex)"
        cbf = sigbind.callback(ft, lambda z: z.conjugate())
        self.assertEqual(sigbind.cast(ft, cbf)(1.5 - 2j), 1.5 + 2j)
        seen = []
        bad = sigbind.callback("long double (*)(long double)", lambda x: seen.append(x) or "nope")
        old = getattr(sys, "unraisablehook", None)  # 3.7: the runtime prints the error instead
        if old:
            sys.unraisablehook = lambda u: seen.append(type(u.exc_value))
        try:
            self.assertEqual(sigbind.cast("long double (*)(long double)", bad)(2.0), 0.0)  # an error returns zeros
        finally:
            if old:
                sys.unraisablehook = old
        self.assertEqual(seen, [2.0, TypeError] if old else [2.0])

    def test_int128_by_value_is_refused_naming_the_type(self):
        with self.assertRaises(sigbind.SignatureError) as cm:
            libc_lib().declare("__int128 f(unsigned __int128 x);")
        self.assertIn("unsigned __int128 as a parameter cannot be passed by value (libffi has no 128-bit integer "
                      "type; pass a pointer to it)", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            sigbind.callback("__int128 (*)(void)", lambda: 1)
        self.assertIn("__int128 cannot be passed by value", str(cm.exception))
        lib = libc_lib()
        lib.declare("struct hold { __int128 v; }; void *memcpy(void *d, const void *s, size_t n);")
        with self.assertRaises(sigbind.SignatureError):
            lib.declare("struct hold get(void);")

    def test_int128_in_memory(self):
        lib = libc_lib()
        lib.declare("struct big { char c; __int128 s; unsigned __int128 u; __uint128_t v; };")
        self.assertEqual((lib.sizeof("__int128"), lib.alignof("__int128")), (16, 16))
        self.assertEqual(lib.offsetof("struct big", "s"), 16)
        s = lib.new("struct big")
        for v in (0, -1, 1, -2**127, 2**127 - 1, 2**64, -2**64 - 7):
            s.s = v
            self.assertEqual(s.s, v)
        s.u = 2**128 - 1
        self.assertEqual(s.u, 2**128 - 1)
        with self.assertRaises(OverflowError) as cm:
            s.s = 2**127
        self.assertEqual(str(cm.exception), "struct big attribute 's' (__int128) must be in -2**127..2**127-1, "
                                            "not 170141183460469231731687303715884105728")
        with self.assertRaises(OverflowError):
            s.u = -1
        with self.assertRaises(OverflowError):
            s.v = 2**128
        with self.assertRaises(TypeError):
            s.s = 1.5
        a = lib.new("unsigned __int128[2]", [3, 2**100])
        self.assertEqual(list(a), [3, 2**100])
        raw = ctypes.string_at(int(a), 32)
        self.assertEqual(raw[:16], (3).to_bytes(16, sys.byteorder))  # C's layout of the value

    def test_complex_and_long_double_members(self):
        lib = libc_lib()
        lib.declare("struct w { char c; double _Complex z; float _Complex f; long double ld; };")
        s = lib.new("struct w", z=1 - 2j, f=0.5j, ld=0.1)
        self.assertEqual((s.z, s.f, s.ld), (1 - 2j, 0.5j, 0.1))
        self.assertEqual(lib.offsetof("struct w", "z"), 8)
        a = lib.new("double _Complex[2]", [1j, 2])
        self.assertEqual(list(a), [1j, 2 + 0j])

    def test_float128_in_memory_refused_by_value(self):
        lib = libc_lib()
        lib.declare("struct q { _Float128 x; };")
        s = lib.new("struct q", x=2.5)
        self.assertEqual(s.x, 2.5)
        self.assertEqual(lib.sizeof("_Float128"), 16)
        with self.assertRaises(sigbind.SignatureError) as cm:
            lib.declare("_Float128 strtof128(const char *s, char **end);")
        self.assertIn("_Float128 as a result cannot be passed by value (libffi has no _Float128 type", str(cm.exception))
        with self.assertRaises(TypeError):
            sigbind.callback("void (*)(_Float128)", lambda x: None)

    def test_long_double_complex_is_refused_by_name(self):
        with self.assertRaises(sigbind.SignatureError) as cm:
            libm().declare("long double _Complex csqrtl(long double _Complex z);")
        self.assertIn("'long double _Complex' is not supported", str(cm.exception))


class WideStrings(unittest.TestCase):
    """wchar_t / char16_t / char32_t strings: str in and out, as ctypes' c_wchar_p."""

    def test_wchar_string_in_and_out(self):
        c = libc_lib()
        c.declare("size_t wcslen(const wchar_t *s); wchar_t *wcschr(const wchar_t *s, wchar_t c);")
        self.assertEqual(c.wcslen("héllo😀"), 6)
        self.assertEqual(c.wcslen(""), 0)
        self.assertEqual(c.wcschr("abcdef", ord("c")), "cdef")
        self.assertIsNone(c.wcschr("abc", ord("z")))
        with self.assertRaises(ValueError) as cm:
            c.wcslen("a\0b")
        self.assertIn("wcslen() argument 's' (const wchar_t *): embedded null character", str(cm.exception))

    def test_bytes_for_a_wide_string_is_refused(self):
        # bytes hold chars, not wchar_t units, and need not end in a wide NUL: wcslen would read
        # past them, and wcscpy would write into an immutable object. ctypes' c_wchar_p refuses
        # bytes too. A writable buffer (storage for C to fill) and str still convert.
        c = libc_lib()
        c.declare("size_t wcslen(const wchar_t *s); wchar_t *wcscpy(wchar_t *d, const wchar_t *s);")
        with self.assertRaises(TypeError) as cm:
            c.wcslen(b"ab")
        self.assertEqual(str(cm.exception), "wcslen() argument 's' (const wchar_t *) must be str, "
                                            "a buffer of wide units or a Pointer, not bytes")
        frozen = b"x" * 32
        with self.assertRaises(TypeError) as cm:
            c.wcscpy(frozen, "hi")
        self.assertIn("argument 'd' (wchar_t *)", str(cm.exception))
        self.assertEqual(frozen, b"x" * 32)
        store = array.array("i" if array.array("i").itemsize == c.sizeof("wchar_t") else "l", [7] * 4)
        self.assertEqual(c.wcscpy(store, "hi"), "hi")
        self.assertEqual(list(store[:3]), [ord("h"), ord("i"), 0])
        for _ in range(3):  # the fast paths (first calls, then the learned ones) refuse it as well
            with self.assertRaises(TypeError):
                c.wcslen(b"\0\0\0\0")

    def test_wchar_array_member_reads_str(self):
        c = libc_lib()
        c.declare("struct n { wchar_t name[8]; char16_t u16[4]; char32_t u32[4]; int after; };")
        s = c.new("struct n", after=7)
        s.name = "hé😀"
        s.u16 = "😀a"   # a surrogate pair and one unit
        s.u32 = "xyz"
        self.assertEqual((s.name, s.u16, s.u32, s.after), ("hé😀", "😀a", "xyz", 7))
        s.name = "12345678"  # full: no NUL, read up to the end
        self.assertEqual(s.name, "12345678")
        with self.assertRaises(ValueError) as cm:
            s.name = "123456789"
        self.assertEqual(str(cm.exception), "struct n attribute 'name' (wchar_t[8]) holds at most 8 characters, not 9")
        self.assertEqual(s.after, 7)
        self.assertEqual(c.sizeof("char16_t"), 2)

    def test_wchar_string_in_callback(self):
        t = "size_t (*)(const char32_t *)"
        cb = sigbind.callback(t, lambda s: len(s) * 10)
        self.assertEqual(sigbind.cast(t, cb)("héllo"), 50)
