# test_cdata_peers.py — C data described as ctypes' and cffi's suites check it: array members are views, pointer members keep their type, NULL is None, positional initialisers, nested offsetof, Pointer ordering, lists for pointer parameters, void callbacks that return a value.
import gc
import sys
import unittest

import sigbind

from support import TESTLIB, assert_flat

DECLS = """
    struct point { int x; int y; };
    struct peer_buf {
        int n;
        int data[4];
        unsigned char raw[4];
        signed char sc[2];
        char name[8];
        int *ip;
        double *dp;
        char **names;
        struct point pts[2];
    };
    struct tagged {
        int kind;
        union { int i; float f; double d; };
        int after;
    };
    struct inner { int a; int arr[3]; unsigned flag : 1; };
    struct outer { char c; struct inner in[2]; struct { int u, v; } anon; };
    int peer_sum(const struct peer_buf *b);
    void peer_fill(struct peer_buf *b);
    double peer_avg(const double *v, size_t n);
    void peer_scale(int *v, size_t n, int k);
    int peer_points_x(const struct point *p, size_t n);
    size_t peer_strs_len(const char *const *v, size_t n);
    int peer_void_cb(void (*cb)(int) [[noescape]], int x);
"""


class Unraisable:
    """Collects what sys.unraisablehook gets (3.8+); on 3.7 the runtime prints instead."""

    def __enter__(self):
        self.seen = []
        self.old = getattr(sys, "unraisablehook", None)
        if self.old is not None:
            sys.unraisablehook = lambda u: self.seen.append((u.exc_type, str(u.exc_value)))
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            sys.unraisablehook = self.old


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class ArrayMembers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, DECLS)

    def test_array_member_write_goes_into_the_struct(self):
        b = self.lib.new("struct peer_buf", n=3)
        b.data[0] = 5
        b.data[2] = 7
        self.assertEqual(self.lib.peer_sum(b), 12)  # C sees the writes (a copy would drop them)
        self.assertEqual(list(b.data), [5, 0, 7, 0])

    def test_array_member_view_has_bounds(self):
        b = self.lib.new("struct peer_buf")
        self.assertEqual(len(b.data), 4)
        b.data[-1] = 9
        self.assertEqual(b.data[3], 9)
        with self.assertRaises(IndexError):
            b.data[4]
        with self.assertRaises(IndexError):
            b.data[4] = 1
        self.assertEqual(b.data[1:3], [0, 0])

    def test_array_member_view_keeps_struct_alive(self):
        b = self.lib.new("struct peer_buf")
        b.data[1] = 11
        view = b.data
        del b
        gc.collect()
        [bytearray(200) for _ in range(200)]
        self.assertEqual(view[1], 11)

    def test_multidimensional_member_is_one_flat_view(self):
        lib = sigbind.load(TESTLIB, "struct grid { int m[2][3]; };")
        g = lib.new("struct grid")
        self.assertEqual(len(g.m), 6)
        g.m[4] = 9  # m[1][1]
        self.assertEqual(g["m"], [0, 0, 0, 0, 9, 0])
        self.assertEqual(lib.offsetof("struct grid", "m", 4), 16)

    def test_array_of_structs_member_elements_are_views(self):
        b = self.lib.new("struct peer_buf")
        b.pts[1].y = 4
        self.assertEqual(b.pts[1].y, 4)
        self.assertEqual(b._asdict()["pts"][1]._asdict(), {"x": 0, "y": 4})

    def test_copies_for_repr_asdict_eq_and_dict(self):
        b = self.lib.new("struct peer_buf")
        b.data = [1, 2]
        self.assertEqual(b._asdict()["data"], [1, 2, 0, 0])
        self.assertEqual(dict(b)["data"], [1, 2, 0, 0])
        self.assertEqual(b["data"], [1, 2, 0, 0])
        self.assertIn("data=[1, 2, 0, 0]", repr(b))
        c = self.lib.new("struct peer_buf")
        self.assertNotEqual(b, c)
        c.data = b.data  # a view is a sequence: assignment copies its values
        c.pts = b.pts
        self.assertEqual(b, c)

    def test_only_char_arrays_read_as_bytes(self):
        b = self.lib.new("struct peer_buf")
        self.lib.peer_fill(b)
        b.name = b"abc"
        self.assertEqual(b.name, b"abc")
        self.assertEqual(b.raw[0], 200)  # unsigned char[N]: numbers
        self.assertEqual(list(b.raw), [200, 0, 0, 0])
        self.assertEqual(b.sc[0], -3)  # signed char[N]: numbers
        b.raw = b"\x01\x02"  # assignment still takes bytes
        self.assertEqual(list(b.raw), [1, 2, 0, 0])
        with self.assertRaises(ValueError):
            b.raw = b"12345"

    def test_pointer_members_keep_their_type(self):
        b = self.lib.new("struct peer_buf")
        self.assertIsNone(b.ip)
        self.lib.peer_fill(b)
        self.assertEqual(b.ip.type, "int *")
        self.assertEqual(b.ip[0], 42)
        self.assertEqual(b.dp.type, "double *")
        self.assertEqual(b.dp[0], 2.5)
        self.assertEqual(b.names.type, "char **")
        self.assertEqual(sigbind.string_at(b.names[1]), b"beta")
        self.assertIsNone(b.names[2])


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class Initialisers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, DECLS)

    def test_positional_fills_anonymous_union_as_one_member(self):
        t = self.lib.new("struct tagged", (1, 5, 9))
        self.assertEqual((t.kind, t.i, t.after), (1, 5, 9))

    def test_positional_extras_are_refused(self):
        with self.assertRaises(TypeError) as cm:
            self.lib.new("struct tagged", (1, 2, 3, 4))
        self.assertIn("struct tagged takes at most 3 values in order, not 4", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            self.lib.new("struct point", (1, 2, 3))
        self.assertIn("struct point takes at most 2 values in order, not 3", str(cm.exception))

    def test_nested_initialiser_error_names_the_member(self):
        with self.assertRaises(TypeError) as cm:
            self.lib.new("struct outer", {"in": [{"a": 1}, {"nope": 2}]})
        self.assertIn("struct outer attribute 'in[1]'", str(cm.exception))
        with self.assertRaises(OverflowError) as cm:
            self.lib.new("struct outer", {"in": [{"arr": [1, 2 ** 40]}]})
        self.assertIn("struct inner attribute 'arr[1]' (int)", str(cm.exception))


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class OffsetofAndSizes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, DECLS)

    def test_nested_offsetof(self):
        lib = self.lib
        inner = lib.sizeof("struct inner")
        base = lib.offsetof("struct outer", "in")
        self.assertEqual(base, 4)
        self.assertEqual(lib.offsetof("struct outer", "in", 1, "arr", 2), base + inner + 4 + 8)
        self.assertEqual(lib.offsetof("struct outer", "anon.v"), lib.offsetof("struct outer", "anon", "v"))
        self.assertEqual(lib.offsetof("struct outer", "anon", "v"), base + 2 * inner + 4)

    def test_offsetof_errors(self):
        lib = self.lib
        with self.assertRaises(IndexError):
            lib.offsetof("struct outer", "in", 2)
        with self.assertRaises(TypeError):
            lib.offsetof("struct outer", "in", 0, "flag")  # a bit-field
        with self.assertRaises(AttributeError):
            lib.offsetof("struct outer", "in", 0, "zz")
        with self.assertRaises(TypeError):
            lib.offsetof("struct outer", "c", 0)  # not an array

    def test_sizeof_alignof_offsetof_of_a_struct_value(self):
        o = self.lib.new("struct outer")
        anon = o.anon  # an anonymous struct type: only reachable through a value
        self.assertEqual(self.lib.sizeof(anon), 8)
        self.assertEqual(sigbind.sizeof(anon), 8)
        self.assertEqual(self.lib.alignof(anon), 4)
        self.assertEqual(sigbind.alignof(anon), 4)
        self.assertEqual(self.lib.offsetof(anon, "v"), 4)
        self.assertEqual(sigbind.offsetof(o, "anon", "v"), self.lib.offsetof("struct outer", "anon.v"))


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class PointersAndNull(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, DECLS)

    def test_null_is_none(self):
        self.assertIsNone(sigbind.Pointer(0))
        self.assertIsNone(sigbind.Pointer(0, "int *"))
        self.assertIsNone(sigbind.cast("int *", 0))
        self.assertIsNone(self.lib.cast("struct point *", 0))

    def test_pointer_ordering_within_one_allocation(self):
        p = sigbind.new("int[4]")
        q = p + 2
        self.assertTrue(p < q)
        self.assertTrue(p <= q)
        self.assertTrue(q > p)
        self.assertTrue(q >= p)
        self.assertTrue(p <= p and p >= p)
        self.assertFalse(q < p)
        self.assertEqual(sorted([p + 3, p, q]), [p, q, p + 3])
        with self.assertRaises(TypeError):
            p < 5

    def test_library_typed_memory_keeps_its_types_alive(self):
        lib = sigbind.load(TESTLIB, DECLS)
        p = lib.new("struct point[2]", [(1, 2), (3, 4)])
        q = p + 1
        view = sigbind.buffer(p)
        del lib
        gc.collect()
        [bytearray(256) for _ in range(200)]
        self.assertEqual(p.type, "struct point *")
        self.assertEqual((q[0].x, p[0].y), (3, 2))
        self.assertEqual(len(view), 16)
        self.assertIs(view.obj, sigbind.buffer(p).obj)  # still a view of the memory object, not of C memory

    def test_library_cast_of_a_pointer_keeps_types_and_memory_alive(self):
        lib = sigbind.load(TESTLIB, DECLS)
        mem = sigbind.new("int[4]", [1, 2, 3, 4])
        p = lib.cast("struct point *", mem)
        del lib, mem
        gc.collect()
        [bytearray(256) for _ in range(200)]
        self.assertEqual(p.type, "struct point *")
        self.assertEqual((p[0].x, p[1].y), (1, 4))
        self.assertEqual(len(p), 2)
        self.assertEqual(bytes(sigbind.buffer(p))[:4], b"\x01\x00\x00\x00")

    def test_library_cast_keeps_type(self):
        b = self.lib.new("struct peer_buf")
        p = self.lib.cast("struct peer_buf *", b._address)
        self.assertEqual(p.type, "struct peer_buf *")


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class ListArguments(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, DECLS)

    def test_list_for_scalar_pointer_parameter(self):
        self.assertEqual(self.lib.peer_avg([1.0, 2.0, 6.0], 3), 3.0)
        self.assertEqual(self.lib.peer_avg((4, 8), 2), 6.0)
        self.assertEqual(self.lib.peer_avg([], 0), 0.0)

    def test_list_is_temporary_memory_not_written_back(self):
        v = [1, 2, 3]
        self.lib.peer_scale(v, 3, 10)  # C writes the temporary, as in cffi
        self.assertEqual(v, [1, 2, 3])

    def test_list_of_structs_and_of_strings(self):
        self.assertEqual(self.lib.peer_points_x([(1, 2), {"x": 10}], 2), 11)
        self.assertEqual(self.lib.peer_strs_len(["ab", b"cde", None], 3), 5)

    def test_list_for_a_c_face_pointer_parameter(self):
        import cface_test
        self.assertEqual(cface_test.sum_doubles([1.0, 2.5, 4], 3), 7.5)
        self.assertEqual(cface_test.sum_doubles((), 0), 0.0)

    def test_list_for_void_pointer_is_refused(self):
        lib = sigbind.load(TESTLIB, "void h_copy(void *dst, const void *src, size_t n);")
        with self.assertRaises(TypeError) as cm:
            lib.h_copy(bytearray(4), [1, 2], 2)
        self.assertIn("h_copy() argument 'src' (const void *)", str(cm.exception))
        self.assertIn("a list needs a pointer to a known element type", str(cm.exception))

    def test_list_of_pointers_for_pointer_to_pointer(self):
        lib = sigbind.load(TESTLIB, "size_t peer_strs_len(char **v, size_t n);")
        a, b = sigbind.new("char[]", b"xyz"), sigbind.new("char[]", b"hi")
        self.assertEqual(lib.peer_strs_len([a, None, b], 3), 5)
        with self.assertRaises(TypeError):
            lib.peer_strs_len([bytearray(b"no")], 1)  # no buffer: nothing would hold its export

    def test_list_arguments_and_views_are_flat(self):
        lib = self.lib
        b = lib.new("struct peer_buf")
        lib.peer_fill(b)

        def churn():
            for i in range(3000):
                lib.peer_avg([1.0, 2.0, float(i)], 3)
                lib.peer_points_x([(1, 2), {"x": i}], 2)
                lib.peer_strs_len(["ab", "cd"], 2)
                b.data[1] = i
                b.ip[0]
                lib.offsetof("struct outer", "in", 1, "arr", 2)
                try:
                    lib.peer_avg([1.0, "x"], 2)
                except TypeError:
                    pass

        assert_flat(self, churn)

    def test_list_item_errors_name_the_item(self):
        with self.assertRaises(TypeError) as cm:
            self.lib.peer_avg([1.0, "x"], 2)
        self.assertIn("peer_avg() argument 'v[1]' (const double)", str(cm.exception))
        with self.assertRaises(OverflowError) as cm:
            self.lib.peer_scale([1, 2 ** 40], 2, 1)
        self.assertIn("'v[1]'", str(cm.exception))
        with self.assertRaises(TypeError):
            self.lib.peer_avg([1.0, 2.0], 2, 3)

    def test_hostile_index_mutating_the_list_is_safe(self):
        w = []

        class Evil:
            def __init__(self, n):
                self.n = n

            def __index__(self):
                w.clear()  # the list loses its items (and their last references) mid-conversion
                gc.collect()
                return self.n

        w.extend([Evil(5), Evil(6)])
        self.lib.peer_scale(w, 2, 1)  # the snapshot keeps every item alive: both convert
        self.assertEqual(w, [])
        w.extend([Evil(7)])
        self.assertEqual(self.lib.peer_points_x([{"x": Evil(1)}, {"x": Evil(2)}], 2), 3)


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class VoidCallbacks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, DECLS)

    def test_void_callback_returning_a_value_is_reported(self):
        seen = []
        with Unraisable() as u:
            self.assertEqual(self.lib.peer_void_cb(lambda x: seen.append(x) or 42, 7), 8)
            self.assertEqual(self.lib.peer_void_cb(lambda x: seen.append(x), 8), 9)  # None: fine
        self.assertEqual(seen, [7, 8])
        if sys.version_info >= (3, 8):
            self.assertEqual(len(u.seen), 1)
            self.assertEqual(u.seen[0][0], TypeError)
            self.assertIn("callback with the return type 'void' must return None", u.seen[0][1])


if __name__ == "__main__":
    unittest.main()
