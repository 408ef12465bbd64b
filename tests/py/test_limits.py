# test_limits.py — limits of the signature language (issue 11 items 6 and 7): sizes that would wrap, structs too large to pass by value, packed bit-fields touching only their bytes, deep nesting (also on a small thread stack), long names, undecodable text, character constants.
import threading
import unittest

import sigbind
from support import TESTLIB

HUGE = """
    struct a { char x[16777216]; };
    struct b { struct a y[16777216]; };      /* 2^48 bytes */
"""


def reason(text):
    try:
        sigbind.load(None, text)
    except sigbind.SignatureError as e:
        return e.reason
    return None


class Sizes(unittest.TestCase):
    def test_nested_arrays_of_huge_structs_are_too_large(self):
        lib = sigbind.load(None, HUGE)
        self.assertEqual(lib.sizeof("struct b"), 1 << 48)
        for text in ["struct c { struct b z[16777216]; };", "struct c { char c; struct b z[4096]; };",
                     "union c { struct b z[16777216]; };", "struct c { struct b z[4095]; struct b w[4095]; };"]:
            with self.subTest(text=text):
                self.assertIn("struct" if text.startswith("struct") else "union", reason(HUGE + text))
                self.assertIn("is too large", reason(HUGE + text))

    def test_typed_memory_of_a_huge_struct_is_refused(self):
        lib = sigbind.load(None, HUGE)
        with self.assertRaises((OverflowError, MemoryError, ValueError)):
            lib.new("struct b[70000]")

    def test_empty_and_zero_length(self):
        self.assertIn("has no members", reason("struct e { };"))
        self.assertIn("expected an array length", reason("struct e { char x[0]; };"))
        self.assertIn("flexible array member 'x' needs a member before it", reason("struct e { char x[]; };"))
        self.assertIn("has no members", reason("struct e { int : 0; };"))

    def test_large_struct_by_value_is_refused_at_bind_time(self):
        decls = "struct big { char x[65537]; }; struct ok { char x[65536]; };"
        self.assertIn("struct big cannot be passed or returned by value (larger than 64 KiB",
                      reason(decls + "int abs(struct big b);"))
        self.assertIn("struct big cannot be passed or returned by value", reason(decls + "struct big abs(int x);"))
        self.assertEqual(sigbind.load(None, decls).sizeof("struct big"), 65537)


class PackedBitFields(unittest.TestCase):
    def test_zero_width_bit_field_in_a_packed_struct(self):
        lib = sigbind.load(None, """
            struct __attribute__((packed)) z1 { char c; int : 0; char d; };
            struct [[packed]] z2 { char c : 3; long long : 0; char d : 2; };
        """)
        self.assertEqual((lib.sizeof("struct z1"), lib.offsetof("struct z1", "d")), (5, 4))
        self.assertEqual(lib.sizeof("struct z2"), 9)

    def test_packed_does_not_pack_an_inner_struct_type(self):
        lib = sigbind.load(None, "struct [[packed]] o { char c; struct { char d; int x; } in; };")
        self.assertEqual((lib.sizeof("struct o"), lib.offsetof("struct o", "in")), (9, 1))

    def test_bit_fields_touch_only_their_bytes(self):
        lib = sigbind.load(None, """
            struct [[packed]] pe { char c; long long x : 4; };          /* 2 bytes */
            struct [[packed]] ps { char c : 7; char d : 3; };           /* d straddles a byte */
        """)
        self.assertEqual(lib.sizeof("struct pe"), 2)
        s = lib.new("struct pe")          # the value is all its memory: a wider access runs past it
        s.x = -3
        s.c = 7
        self.assertEqual((s.c, s.x), (7, -3))
        mem = lib.new("struct pe[3]")
        raw = sigbind.buffer(mem)
        raw[:] = b"\xaa" * 6
        mem[1].x = 5
        self.assertEqual(bytes(raw), b"\xaa\xaa\xaa\xa5\xaa\xaa")
        mem[2].x = -1
        self.assertEqual(bytes(raw), b"\xaa\xaa\xaa\xa5\xaa\xaf")
        p = lib.new("struct ps")
        p.d = -3                           # 0b101 in bits 7..9
        p.c = 42
        self.assertEqual((p.c, p.d), (42, -3))
        m = lib.new("struct ps[1]")
        m[0].c, m[0].d = 42, -3
        self.assertEqual(bytes(sigbind.buffer(m)), b"\xaa\x02")


class Nesting(unittest.TestCase):
    N = 100000
    TEXTS = [
        "enum { A = " + "(" * N + "1" + ")" * N + " };",
        "enum { A = " + "- " * N + "1 };",
        "enum { A = " + "~" * N + "1 };",
        "#define A " + "1+(" * N + "1" + ")" * N + "\n",
        "int abs(" + "(" * N + "int" + ")" * N + ");",
        "int " + "(" * N + "*abs" + ")" * N + "(int);",
        "void qsort(" + "void (*)(" * N + "int" + ")" * N + " a);",
        "struct s { " + "struct { " * N + "int x;" + " } m;" * N + " };",
    ]

    def check_all(self, results):
        for text in self.TEXTS:
            try:
                sigbind.load(None, text)
                results.append("parsed: " + text[:40])
            except sigbind.SignatureError:
                results.append(None)
            except Exception as e:  # noqa: BLE001 — reported below
                results.append(repr(e)[:200])

    def test_deep_nesting_is_a_signature_error(self):
        results = []
        self.check_all(results)
        self.assertEqual(results, [None] * len(self.TEXTS))
        self.assertIn("nested too deeply", reason(self.TEXTS[0]))
        self.assertEqual(sigbind.load(None, "enum { A = " + "(" * 120 + "7" + ")" * 120 + " };").A, 7)

    def test_deep_nesting_in_a_thread_with_a_small_stack(self):
        results = []
        old = threading.stack_size()
        try:
            threading.stack_size(256 * 1024)
        except (ValueError, RuntimeError):
            self.skipTest("cannot set the thread stack size")
        try:
            t = threading.Thread(target=self.check_all, args=(results,))
            t.start()
            t.join()
        finally:
            threading.stack_size(old)
        self.assertEqual(results, [None] * len(self.TEXTS))


class Text(unittest.TestCase):
    def test_lone_surrogate_is_a_signature_error(self):
        for f in (lambda: sigbind.load(None, "int abs(int \udcff);"), lambda: sigbind.signature("int f(\udcff)"),
                  lambda: sigbind.load(None, "").declare("struct s { int \udc80; };"),
                  lambda: sigbind.load(None, "").sizeof("int\udcff"), lambda: sigbind.cast("int \udcff*", 0)):
            with self.assertRaises(sigbind.SignatureError) as cm:
                f()
            self.assertIn("not valid Unicode: U+DC", cm.exception.reason)

    def test_nul_and_non_ascii_are_signature_errors(self):
        self.assertIn("NUL character", reason("int abs(int a\0);"))
        self.assertIn("a NUL character", reason("struct s { int a\0; };"))
        self.assertIn("NUL character", reason("enum { A = 1\0 };"))
        self.assertIn("a non-ASCII byte (0xc3)", reason("int abs(int \u00e9);"))

    def test_long_names_are_kept_whole(self):
        n = "n" * 300
        lib = sigbind.load(TESTLIB, """
            struct %(n)s { int %(n)s; struct %(n)s *next; };
            typedef struct %(n)s %(n)s_t;
            typedef union u%(n)s { int i; float f; } %(n)s_u;
            typedef struct o%(n)s *%(n)s_h;
            enum e%(n)s { %(n)s_A = 7 };
            typedef enum { %(n)s_B = 2 } %(n)s_e;
            int t_int(%(n)s_e x);
            int t_is_null(%(n)s_h p);
            int t_deref(const struct %(n)s *p);
        """ % {"n": n})
        self.assertEqual(lib.sizeof("struct " + n), 2 * lib.sizeof("void *"))
        s = lib.new(n + "_t", {n: 5})
        self.assertEqual(getattr(s, n), 5)
        self.assertEqual(lib.offsetof("struct " + n, "next"), lib.sizeof("void *"))
        self.assertEqual(lib.sizeof(n + "_u"), 4)
        self.assertEqual(lib.sizeof("union u" + n), 4)
        self.assertEqual(lib.sizeof("enum e" + n), 4)
        self.assertEqual(getattr(lib, n + "_A") + getattr(lib, n + "_B"), 9)
        self.assertEqual(lib.t_int(getattr(lib, n + "_B")), 2)
        self.assertEqual(lib.t_is_null(None), 1)
        self.assertEqual(lib.t_deref(s), 5)
        with self.assertRaises(TypeError) as cm:
            lib.t_is_null(s)
        self.assertIn("t_is_null() argument 'p' (struct onnn", str(cm.exception))  # type names in messages: 63 chars

    def test_long_names_differing_at_the_end_are_distinct(self):
        a, b = "q" * 299 + "a", "q" * 299 + "b"
        lib = sigbind.load(None, "struct %s { char x; }; struct %s { double y; }; typedef int %s; typedef char %s;"
                           % (a, b, a, b))
        self.assertEqual((lib.sizeof("struct " + a), lib.sizeof("struct " + b)), (1, 8))
        self.assertEqual((lib.sizeof(a), lib.sizeof(b)), (4, 1))

    def test_char_constant_is_a_char_value(self):
        lib = sigbind.load(None, r"enum { X = '\xff', Y = '\x7f', Z = -'\xff', W = '\377' & 0xff };")
        self.assertEqual((lib.X, lib.Y, lib.Z, lib.W), (-1, 127, 1, 255))


if __name__ == "__main__":
    unittest.main()


class ManyParameters(unittest.TestCase):
    """No 64-parameter limit: up to 1024 C arguments, as ctypes allows."""

    def test_300_parameters_through_a_c_function(self):
        lib = sigbind.load(TESTLIB)
        params = ", ".join("long a%d" % i for i in range(300))
        lib.declare("long t_many300(%s);" % params)
        args = [(-1) ** i * (i + 7) for i in range(300)]
        self.assertEqual(lib.t_many300(*args), sum(a * (i + 1) for i, a in enumerate(args)))
        self.assertEqual(lib.t_many300(**{"a%d" % i: a for i, a in enumerate(args)}),
                         sum(a * (i + 1) for i, a in enumerate(args)))
        with self.assertRaises(OverflowError) as cm:
            lib.t_many300(*(args[:299] + [2**63]))
        self.assertIn("t_many300() argument 'a299' (long)", str(cm.exception))

    def test_temporaries_past_the_63rd_parameter_are_released(self):
        lib = sigbind.load(TESTLIB)
        pads = ", ".join("long pad%d" % i for i in range(66))
        lib.declare("size_t t_many_strs(const char *s0, const char *s1, const char *s2, %s, const char *s70, "
                    "const char *s71);" % pads)
        s70, s71 = "x" * 1000 + "é", "yz"
        self.assertEqual(lib.t_many_strs("a", "bc", "", *range(66), s70, s71), 3 + 1002 * 100 + 2000)
        with self.assertRaises(TypeError):  # a failing late conversion releases the earlier temporaries
            lib.t_many_strs("a", "bc", "", *range(66), s70, 5)

    def test_callback_with_300_parameters(self):
        t = "long (*)(%s)" % ", ".join(["long"] * 300)
        cb = sigbind.callback(t, lambda *a: sum(a))
        self.assertEqual(sigbind.cast(t, cb)(*range(300)), sum(range(300)))

    def test_the_limit_is_1024(self):
        lib = sigbind.load(TESTLIB)
        with self.assertRaises(sigbind.SignatureError) as cm:
            lib.declare("void f(%s);" % ", ".join("int a%d" % i for i in range(1025)))
        self.assertIn("too many parameters (at most 1024)", str(cm.exception))
