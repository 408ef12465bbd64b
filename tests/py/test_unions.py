# test_unions.py — unions passed and returned by value (classified for libffi as the SysV ABI classifies them).
import platform
import unittest

import sigbind
from support import TESTLIB

DECLS = """
union u_num { int i; double d; };
union u_fd { float f[2]; double d; };
union u_fi { float f; int i; };
union u_big { long l[3]; double d; };
union u_sigval { int sival_int; void *sival_ptr; };
struct u_tagged { int kind; union u_num v; float w; };
double u_num_double(union u_num u);
union u_num u_num_make(int i);
union u_fd u_fd_twice(union u_fd u);
union u_fi u_fi_swap(union u_fi u, float f);
long u_big_sum(union u_big u, int n);
union u_big u_big_make(long a);
int u_sigqueue(int pid, int sig, const union u_sigval v);
double u_tagged_get(struct u_tagged t);
struct u_tagged u_tagged_make(double d);
double u_fd_call(double (*cb)(union u_fd), double d);
"""


@unittest.skipUnless(TESTLIB and platform.machine() in ("x86_64", "AMD64"), "unions by value: x86-64 SysV")
class UnionsByValue(unittest.TestCase):
    def setUp(self):
        self.lib = sigbind.load(TESTLIB, DECLS)

    def test_integer_class_union_is_passed_and_returned(self):
        lib = self.lib
        self.assertEqual(lib.u_num_double(lib.new("union u_num", {"d": 2.5})), 2.5)
        u = lib.u_num_make(-7)
        self.assertEqual(u.i, -7)

    def test_float_only_union_travels_in_sse_registers(self):
        lib = self.lib
        r = lib.u_fd_twice(lib.new("union u_fd", {"d": 1.25}))
        self.assertEqual(r.d, 2.5)

    def test_float_and_int_sharing_bytes_is_integer_class(self):
        lib = self.lib
        r = lib.u_fi_swap(lib.new("union u_fi", {"f": 1.5}), 2.0)
        self.assertEqual(r.f, 3.5)

    def test_large_union_goes_in_memory(self):
        lib = self.lib
        u = lib.u_big_make(10)
        self.assertEqual(list(u.l), [10, 11, 12])
        self.assertEqual(lib.u_big_sum(u, 1000), 1033)

    def test_const_union_parameter_like_sigqueue(self):
        lib = self.lib
        self.assertEqual(lib.u_sigqueue(100, 10, lib.new("union u_sigval", {"sival_int": 5})), 115)

    def test_struct_holding_union_by_value(self):
        lib = self.lib
        t = lib.u_tagged_make(4.0)
        self.assertEqual((t.kind, t.v.d, t.w), (1, 4.0, 0.5))
        self.assertEqual(lib.u_tagged_get(t), 4.5)
        self.assertEqual(lib.u_tagged_get(lib.new("struct u_tagged", {"kind": 0, "v": {"i": 3}, "w": 0.25})), 3.25)

    def test_union_result_outlives_the_call_and_is_a_copy(self):
        lib = self.lib
        a = lib.new("union u_fd", {"d": 3.0})
        r = lib.u_fd_twice(a)
        a.d = 100.0
        self.assertEqual(r.d, 6.0)

    def test_callback_receives_union_by_value(self):
        lib = self.lib
        seen = []
        cb = lib.callback("double (union u_fd)", lambda u: seen.append(u.d) or u.d + 1)
        self.assertEqual(lib.u_fd_call(cb, 2.0), 3.0)
        self.assertEqual(seen, [2.0])

    def test_union_with_long_double_is_refused_by_value(self):
        lib = sigbind.load(TESTLIB, "union u_ld { long double x; int i; };")
        with self.assertRaises(sigbind.SignatureError) as cm:
            lib.bind("double u_num_double(union u_ld u)")
        self.assertIn("union u_ld cannot be passed or returned by value", str(cm.exception))

    def test_wrong_union_type_names_parameter(self):
        lib = self.lib
        with self.assertRaises(TypeError) as cm:
            lib.u_num_double(lib.new("union u_fd", {"d": 1.0}))
        self.assertIn("u_num_double() argument 'u'", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
