# test_structs.py — structs and unions declared in C text: layouts equal to the C compiler's, values by value and by pointer, members as attributes, libc's div() and gettimeofday().
import gc
import time
import unittest

import sigbind

from support import TESTLIB, assert_flat

DECLS = """
    struct point { int x; int y; };
    typedef struct { double re, im; } complex_t;
    struct mixed {
        char c;
        double d;
        short s[3];
        struct point p;
        union { int i; float f; };       /* anonymous: its members are mixed's */
        const char *name;
        unsigned char tail;
    };
    struct rect { struct point min, max; };
    union number { int64_t i; double d; };
    typedef struct point point_t;
    typedef struct rect *rect_ptr;
    size_t layout_size(int which);
    size_t mixed_offset(int which);
    struct point point_add(struct point a, struct point b);
    complex_t complex_mul(complex_t a, complex_t b);
    int rect_area(const struct rect *r);
    void rect_grow(rect_ptr r, int by);
    struct rect rect_make(int w, int h);
    double mixed_sum(const struct mixed *m);
    void point_get(point_t *out [[out]], int x, int y);
"""


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class Structs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, DECLS)

    def test_layouts_match_the_c_compiler(self):
        lib = self.lib
        names = ["struct point", "complex_t", "struct mixed", "struct rect", "union number"]
        self.assertEqual([lib.sizeof(n) for n in names], [lib.layout_size(i) for i in range(5)])
        members = ["c", "d", "s", "p", "i", "f", "name", "tail"]
        self.assertEqual([lib.offsetof("struct mixed", m) for m in members], [lib.mixed_offset(i) for i in range(8)])
        self.assertEqual(lib.alignof("struct mixed"), 8)
        self.assertEqual(lib.sizeof("point_t"), lib.sizeof("struct point"))
        self.assertEqual(lib.sizeof("rect_ptr"), 8)
        with self.assertRaises(AttributeError):
            lib.offsetof("struct point", "z")

    def test_by_value_arguments_and_results(self):
        lib = self.lib
        p = lib.point_add((1, 2), {"x": 10, "y": 20})
        self.assertEqual((p.x, p.y), (11, 22))
        self.assertEqual(lib.point_add(p, lib.new("struct point", x=-11)), lib.new("struct point", (0, 22)))
        c = lib.complex_mul(lib.new("complex_t", re=0.0, im=1.0), (0.0, 1.0))
        self.assertEqual((c.re, c.im), (-1.0, 0.0))
        r = lib.rect_make(3, 4)
        self.assertEqual((r.max.x, r.max.y), (3, 4))
        m = lib.new("struct mixed", c=1, d=0.5, s=[1, 2, 3], p=(4, 5), i=6, tail=7)
        self.assertEqual(lib.mixed_sum(m), 1 + 0.5 + 6 + 9 + 6 + 7)

    def test_by_pointer_and_out(self):
        lib = self.lib
        r = lib.rect_make(2, 2)
        self.assertEqual(lib.rect_area(r), 4)
        lib.rect_grow(r, 1)  # C writes into the Struct's own memory
        self.assertEqual((r.min.x, r.max.y, lib.rect_area(r)), (-1, 3, 16))
        self.assertEqual(lib.point_get(7, 8), lib.new("struct point", x=7, y=8))
        with self.assertRaises(TypeError) as cm:
            lib.rect_area(lib.new("struct point"))
        self.assertIn("must point to a struct rect, not a struct point", str(cm.exception))

    def test_members_and_views(self):
        lib = self.lib
        m = lib.new("struct mixed")
        self.assertEqual(dict(m), {"c": 0, "d": 0.0, "s": [0, 0, 0], "p": m.p, "i": 0, "f": 0.0, "name": None,
                                   "tail": 0})
        m.p.x = 9  # a nested struct is a view into its parent
        self.assertEqual(m.p.x, 9)
        m.i = 0x3F800000  # union members share memory
        self.assertEqual(m.f, 1.0)
        m.s = [1, 2]  # shorter: the rest is zero
        self.assertEqual(list(m.s), [1, 2, 0])  # an array member is a view (issue 12): list() copies it
        with self.assertRaises(OverflowError) as cm:
            m.tail = 256
        self.assertEqual(str(cm.exception), "struct mixed attribute 'tail' (unsigned char) must be in 0..255, not 256")
        with self.assertRaises(ValueError):
            m.s = [1, 2, 3, 4]
        with self.assertRaises(AttributeError):
            m.nope = 1
        with self.assertRaises(TypeError):
            m.name = "a str would not outlive the assignment"
        self.assertEqual(m._asdict()["p"], {"x": 9, "y": 0})
        self.assertEqual(repr(lib.new("struct point", x=1, y=2)), "struct point(x=1, y=2)")
        self.assertEqual(m._type, "struct mixed")
        self.assertEqual(m._size, lib.sizeof("struct mixed"))
        self.assertNotEqual(lib.new("struct point", x=1), lib.new("struct point", x=2))
        with self.assertRaises(TypeError):
            hash(m)

    def test_buffer_for_struct_pointer_is_released_after_the_call(self):
        b = bytearray(self.lib.sizeof("struct rect"))
        self.assertEqual(self.lib.rect_area(b), 0)
        b.extend(b"x")  # no export left behind: the bytearray can be resized again

    def test_conversion_errors(self):
        lib = self.lib
        with self.assertRaises(TypeError) as cm:
            lib.point_add(1, (0, 0))
        self.assertEqual(str(cm.exception), "point_add() argument 'a' (struct point) must be a struct point, a dict "
                                            "or a tuple, not int")
        with self.assertRaises(TypeError):
            lib.point_add({"z": 1}, (0, 0))
        with self.assertRaises(TypeError):
            lib.point_add((1, 2, 3), (0, 0))
        with self.assertRaises(TypeError):
            lib.point_add(lib.rect_make(1, 1), (0, 0))
        lib.declare("struct holds_ld { int a; union { long double x; int i; }; };")
        with self.assertRaises(sigbind.SignatureError) as cm:
            lib.bind("double mixed_sum(struct holds_ld m)")
        self.assertIn("struct holds_ld cannot be passed or returned by value", str(cm.exception))
        for bad, reason in [
            ("struct s { int a : 33; };", "bit-field 'a' is wider than its type (32 bits)"),
            ("struct s { double a : 3; };", "bit-field 'a' must have an integer type"),
            ("struct s { int a[2] : 3; };", "an array cannot be a bit-field"),
            ("struct [[aligned]] s { int a; };", "a struct takes only [[packed]]"),
            ("struct s { };", "struct s has no members"),
            ("struct s { int a; int a; };", "duplicate member 'a'"),
            ("struct s { void v; };", "cannot have type void"),
            ("struct point { int z; };", "struct point is already declared"),
            ("struct s { int a[0]; };", "expected an array length"),
        ]:
            with self.subTest(bad=bad):
                with self.assertRaises(sigbind.SignatureError) as cm:
                    self.lib.declare(bad)
                self.assertIn(reason, str(cm.exception))

    def test_values_keep_the_library_alive_and_do_not_leak(self):
        lib = sigbind.load(TESTLIB, DECLS)
        p = lib.point_add((1, 1), (2, 2))
        del lib
        gc.collect()
        self.assertEqual(repr(p), "struct point(x=3, y=3)")
        f = self.lib.point_add

        def churn():
            for _ in range(20000):
                f((1, 2), {"x": 3, "y": 4}).x

        assert_flat(self, churn)


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class BitFieldsAndPacking(unittest.TestCase):
    DECLS = """
        struct flags { unsigned ready : 1; unsigned mode : 3; int delta : 5; unsigned : 0; unsigned char tag;
                       unsigned long long big : 40; short s : 9; };
        struct __attribute__((packed)) packed_rec { char c; int i; short s; double d; };
        struct [[packed]] packed_too { char c; int i; };
        size_t bits_size(int which);
        size_t packed_offset(int which);
        void flags_set(struct flags *f, unsigned ready, unsigned mode, int delta, unsigned long long big, short s);
        long long flags_sum(const struct flags *f);
        int packed_sum(const struct packed_rec *r);
    """

    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, cls.DECLS)

    def test_layouts_match_the_c_compiler(self):
        lib = self.lib
        self.assertEqual((lib.sizeof("struct flags"), lib.sizeof("struct packed_rec")), (lib.bits_size(0), lib.bits_size(1)))
        self.assertEqual([lib.offsetof("struct packed_rec", m) for m in ("i", "s", "d")],
                         [lib.packed_offset(i) for i in range(3)])
        self.assertEqual((lib.sizeof("struct packed_too"), lib.alignof("struct packed_too")), (5, 1))

    def test_bit_fields_read_and_write_through_c(self):
        lib = self.lib
        f = lib.new("struct flags")
        lib.flags_set(f, 1, 5, -7, 2**39 + 3, -200)  # C writes, Python reads
        self.assertEqual(dict(f), {"ready": 1, "mode": 5, "delta": -7, "tag": 0xAB, "big": 2**39 + 3, "s": -200})
        f.delta, f.mode, f.big = 15, 2, 1  # Python writes, C reads
        self.assertEqual(lib.flags_sum(f), 1 + 2 + 15 + 0xAB + 1 - 200)
        with self.assertRaises(OverflowError) as cm:
            f.mode = 8
        self.assertEqual(str(cm.exception), "struct flags attribute 'mode' (unsigned int : 3) must be in 0..7, not 8")
        with self.assertRaises(OverflowError):
            f.delta = -17
        self.assertEqual(f.mode, 2)  # unchanged by the failed writes

    def test_packed_values_and_by_value_refusal(self):
        r = self.lib.new("struct packed_rec", c=1, i=2, s=3, d=4.0)
        self.assertEqual(self.lib.packed_sum(r), 10)
        with self.assertRaises(sigbind.SignatureError):
            self.lib.bind("int packed_sum(struct packed_rec r)")  # libffi lays structs out aligned
        with self.assertRaises(sigbind.SignatureError):
            self.lib.bind("long long flags_sum(struct flags f)")  # nor does it know bit-fields


class Libc(unittest.TestCase):
    def test_qsort_over_an_array_of_structs(self):
        libc = sigbind.load("c", """
            struct point { int x; int y; };
            void qsort(void *base, size_t n, size_t size,
                       int (*compar)(const struct point *a, const struct point *b) [[noescape]]);
        """)
        pts = libc.new("struct point[4]", [(3, 0), (1, 1), {"x": 2, "y": 2}, libc.new("struct point", x=0, y=3)])
        self.assertEqual(len(pts), 4)
        libc.qsort(pts, len(pts), libc.sizeof("struct point"), lambda a, b: a[0].x - b[0].x)
        self.assertEqual([(p.x, p.y) for p in pts], [(0, 3), (1, 1), (2, 2), (3, 0)])
        pts[1].y = 10  # an element is a view into the array
        self.assertEqual(pts[1], libc.new("struct point", x=1, y=10))
        pts[2] = (20, 20)
        self.assertEqual(dict(pts[2]), {"x": 20, "y": 20})
        with self.assertRaises(IndexError):
            pts[4]
        with self.assertRaises(sigbind.SignatureError) as cm:
            sigbind.new("struct point")  # struct types belong to the Library that declares them
        self.assertIn("struct 'point' is not declared", str(cm.exception))

    def test_div_returns_div_t_by_value(self):
        libc = sigbind.load("c", """
            typedef struct { int quot; int rem; } div_t;
            div_t div(int numer, int denom);
            typedef struct { long quot; long rem; } ldiv_t;
            ldiv_t ldiv(long numer, long denom);
        """)
        self.assertEqual(dict(libc.div(17, 5)), {"quot": 3, "rem": 2})
        self.assertEqual(dict(libc.ldiv(-(2**40) - 1, 2**20)), {"quot": -(2**20), "rem": -1})

    def test_gettimeofday_fills_a_struct(self):
        libc = sigbind.load("c", """
            struct timeval { long tv_sec; long tv_usec; };
            int gettimeofday(struct timeval *tv, void *tz);
        """)
        tv = libc.new("struct timeval")
        self.assertEqual(libc.gettimeofday(tv, None), 0)
        self.assertLess(abs(tv.tv_sec + tv.tv_usec / 1e6 - time.time()), 5)
        rc, tv2 = libc.bind("int gettimeofday(struct timeval *tv [[out]], void *tz = NULL)")()
        self.assertEqual(rc, 0)
        self.assertGreaterEqual(tv2.tv_sec, tv.tv_sec)


if __name__ == "__main__":
    unittest.main()
