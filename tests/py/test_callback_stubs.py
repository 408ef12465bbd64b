# test_callback_stubs.py — callbacks entered through the compiled stubs (core/cbstubs_x86_64.S): every scalar type and register mix, stack arguments, results, errors, threads, the pool and its libffi fallback.
import ctypes
import gc
import math
import platform
import sys
import unittest

import sigbind

from support import TESTLIB

STUBS = platform.machine() in ("x86_64", "AMD64")


def module_text():
    """The executable mappings of sigbind's own module file: where the stubs are."""
    path = sigbind.__file__
    spans = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and parts[5] == path and "x" in parts[1]:
                lo, hi = parts[0].split("-")
                spans.append((int(lo, 16), int(hi, 16)))
    return spans


def is_stub(address):
    return any(lo <= address < hi for lo, hi in module_text())


class Unraisable:
    def __enter__(self):
        self.seen = []
        self.old = getattr(sys, "unraisablehook", None)
        if self.old is not None:
            sys.unraisablehook = lambda u: self.seen.append((u.exc_type, str(u.exc_value)))
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            sys.unraisablehook = self.old


INTS = (
    ("int8_t", ctypes.c_int8, (-128, -1, 0, 127)),
    ("uint8_t", ctypes.c_uint8, (0, 1, 200, 255)),
    ("int16_t", ctypes.c_int16, (-32768, -2, 32767)),
    ("uint16_t", ctypes.c_uint16, (0, 40000, 65535)),
    ("int32_t", ctypes.c_int32, (-2 ** 31, -3, 2 ** 31 - 1)),
    ("uint32_t", ctypes.c_uint32, (0, 2 ** 31, 2 ** 32 - 1)),
    ("int64_t", ctypes.c_int64, (-2 ** 63, -4, 2 ** 63 - 1)),
    ("uint64_t", ctypes.c_uint64, (0, 2 ** 63, 2 ** 64 - 1)),
    ("long", ctypes.c_long, (-5, 2 ** 40)),
    ("unsigned char", ctypes.c_ubyte, (0, 255)),
)


@unittest.skipUnless(STUBS, "the callback stubs are x86-64 only")
class StubTypes(unittest.TestCase):
    def roundtrip(self, ctype, pytype, values, f=None):
        """A `T (T)` callback called by sigbind and by ctypes (libffi), with each value."""
        seen = []

        def g(x):
            seen.append(x)
            return x if f is None else f(x)

        cb = sigbind.callback("%s (%s x)" % (ctype, ctype), g)
        self.assertTrue(is_stub(cb.address), ctype)
        via_sigbind = sigbind.cast("%s (*)(%s)" % (ctype, ctype), cb)
        via_ctypes = ctypes.CFUNCTYPE(pytype, pytype)(cb.address)
        for v in values:
            want = v if f is None else f(v)
            self.assertEqual(via_sigbind(v), want, (ctype, v))
            self.assertEqual(via_ctypes(v), want, (ctype, v))
        self.assertEqual(seen, [v for v in values for _ in (0, 1)])

    def test_every_integer_type_round_trips(self):
        for ctype, pytype, values in INTS:
            self.roundtrip(ctype, pytype, values)

    def test_small_integer_arguments_ignore_the_register_upper_bits(self):
        # ctypes passes a full register; the callee must read only the declared width.
        cb = sigbind.callback("int (uint8_t a, int16_t b)", lambda a, b: a * 100000 + b)
        f = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint64, ctypes.c_uint64)(cb.address)
        self.assertEqual(f(0xFFFFFF07, 0xFFFFFFFFFFFF8001), 7 * 100000 - 32767)

    def test_bool_float_double(self):
        self.roundtrip("bool", ctypes.c_bool, (True, False))
        self.roundtrip("double", ctypes.c_double, (0.0, -1.5, 1e300, math.inf))
        self.roundtrip("float", ctypes.c_float, (0.0, -1.5, 3.25, math.inf))
        cb = sigbind.callback("double (double x)", lambda x: x)
        self.assertTrue(math.isnan(sigbind.cast("double (*)(double)", cb)(math.nan)))

    def test_results_of_each_type(self):
        cases = (("void", None), ("float", 2.5), ("double", -0.125), ("uint8_t", 255), ("int8_t", -128),
                 ("bool", True), ("uint64_t", 2 ** 64 - 1), ("int64_t", -2 ** 63), ("unsigned short", 65535))
        for ctype, value in cases:
            cb = sigbind.callback("%s (void)" % ctype, lambda value=value: value)
            self.assertTrue(is_stub(cb.address))
            self.assertEqual(sigbind.cast("%s (*)(void)" % ctype, cb)(), value, ctype)

    def test_results_accept_what_the_full_conversion_accepts(self):
        class Idx:
            def __index__(self):
                return 42

        class MyInt(int):
            pass

        cb = sigbind.callback("int (void)", Idx)
        self.assertEqual(sigbind.cast("int (*)(void)", cb)(), 42)
        cb = sigbind.callback("int (void)", lambda: MyInt(-9))
        self.assertEqual(sigbind.cast("int (*)(void)", cb)(), -9)
        cb = sigbind.callback("double (void)", lambda: 3)
        self.assertEqual(sigbind.cast("double (*)(void)", cb)(), 3.0)
        cb = sigbind.callback("int64_t (void)", lambda: True)
        self.assertEqual(sigbind.cast("int64_t (*)(void)", cb)(), 1)

    def test_out_of_range_result_is_reported_and_gives_the_error_result(self):
        with Unraisable() as u:
            for ctype, bad in (("uint8_t", 256), ("int8_t", -129), ("uint32_t", -1), ("int64_t", 2 ** 63),
                               ("uint64_t", 2 ** 64)):
                cb = sigbind.callback("%s (void)" % ctype, lambda bad=bad: bad, error_result=7)
                self.assertEqual(sigbind.cast("%s (*)(void)" % ctype, cb)(), 7, ctype)
        if sys.version_info >= (3, 8):
            self.assertEqual(len(u.seen), 5)
            self.assertTrue(all(e[0] is OverflowError for e in u.seen), u.seen)
            self.assertIn("callback return value (uint8_t)", u.seen[0][1])

    def test_exception_gives_the_error_result(self):
        def boom(*a):
            raise KeyError("k")

        with Unraisable() as u:
            for ctype, err in (("int64_t", -1), ("double", -2.5), ("float", 0.5), ("uint8_t", 9)):
                cb = sigbind.callback("%s (int a, double b)" % ctype, boom, error_result=err)
                self.assertEqual(sigbind.cast("%s (*)(int, double)" % ctype, cb)(1, 2.0), err, ctype)
            cb = sigbind.callback("void (int a)", boom)
            self.assertIsNone(sigbind.cast("void (*)(int)", cb)(1))
            cb = sigbind.callback("void *(int a)", boom)
            self.assertIsNone(sigbind.cast("void *(*)(int)", cb)(1))
        if sys.version_info >= (3, 8):
            self.assertEqual([e[0] for e in u.seen], [KeyError] * 6)

    def test_void_callback_returning_a_value_is_reported(self):
        with Unraisable() as u:
            cb = sigbind.callback("void (void)", lambda: 5)
            self.assertIsNone(sigbind.cast("void (*)(void)", cb)())
        if sys.version_info >= (3, 8):
            self.assertEqual(u.seen[0][0], TypeError)


@unittest.skipUnless(STUBS, "the callback stubs are x86-64 only")
class StubRegisters(unittest.TestCase):
    def test_mixed_registers(self):
        got = []

        def f(a, b, c, d, e, g, s, p):
            got.append((a, b, c, d, e, g, s, p))
            return a + b + c + d + e + g

        sig = "double (int8_t a, double b, uint16_t c, float d, int64_t e, double g, const char *s, void *p)"
        cb = sigbind.callback(sig, f)
        self.assertTrue(is_stub(cb.address))
        fn = sigbind.cast(sig.replace("double (", "double (*)(", 1), cb)
        self.assertEqual(fn(-3, 0.5, 65535, 0.25, -2 ** 40, 8.0, "héllo", 4096),
                         -3 + 0.5 + 65535 + 0.25 - 2 ** 40 + 8.0)
        a, b, c, d, e, g, s, p = got[0]
        self.assertEqual((a, b, c, d, e, g, s, int(p)), (-3, 0.5, 65535, 0.25, -2 ** 40, 8.0, "héllo", 4096))

    def test_more_integers_than_registers_come_from_the_stack(self):
        n = 13
        sig = "int64_t (%s)" % ", ".join("int64_t a%d" % i for i in range(n))
        cb = sigbind.callback(sig, lambda *a: sum(v * (i + 1) for i, v in enumerate(a)))
        self.assertTrue(is_stub(cb.address))
        args = [(-1) ** i * (i + 1) * 1000003 for i in range(n)]
        want = sum(v * (i + 1) for i, v in enumerate(args))
        self.assertEqual(sigbind.cast(sig.replace("(", "(*)(", 1), cb)(*args), want)
        f = ctypes.CFUNCTYPE(ctypes.c_int64, *[ctypes.c_int64] * n)(cb.address)
        self.assertEqual(f(*args), want)

    def test_more_doubles_than_registers_come_from_the_stack(self):
        n = 11
        sig = "double (%s)" % ", ".join(("float a%d" if i % 3 == 2 else "double a%d") % i for i in range(n))
        seen = []
        cb = sigbind.callback(sig, lambda *a: seen.append(a) or a[-1] - a[0])
        self.assertTrue(is_stub(cb.address))
        args = [i + 0.5 for i in range(n)]
        self.assertEqual(sigbind.cast(sig.replace("(", "(*)(", 1), cb)(*args), args[-1] - args[0])
        self.assertEqual(list(seen[0]), args)

    def test_interleaved_stack_arguments_keep_their_order(self):
        # 8 ints and 10 doubles alternating: the last two of each kind are on the stack, interleaved.
        types = ["int" if i % 2 == 0 else "double" for i in range(18)]
        sig = "double (%s)" % ", ".join("%s a%d" % (t, i) for i, t in enumerate(types))
        seen = []
        cb = sigbind.callback(sig, lambda *a: seen.append(a) or 1.0)
        args = [i if t == "int" else i + 0.5 for i, t in enumerate(types)]
        f = ctypes.CFUNCTYPE(ctypes.c_double, *[ctypes.c_int if t == "int" else ctypes.c_double
                                                 for t in types])(cb.address)
        self.assertEqual(f(*args), 1.0)
        self.assertEqual(list(seen[0]), args)

    def test_too_many_arguments_or_a_struct_take_libffi(self):
        n = 40
        sig = "long (%s)" % ", ".join("long a%d" % i for i in range(n))
        cb = sigbind.callback(sig, lambda *a: sum(a))
        self.assertFalse(is_stub(cb.address))
        self.assertEqual(sigbind.cast(sig.replace("(", "(*)(", 1), cb)(*range(n)), sum(range(n)))
        lib = sigbind.load(None, "struct pt { int x; int y; };")
        cb = lib.callback("int (struct pt p)", lambda p: p.x - p.y)
        self.assertFalse(is_stub(cb.address))
        cb = sigbind.callback("long double (long double x)", lambda x: x)
        self.assertFalse(is_stub(cb.address))


@unittest.skipUnless(STUBS, "the callback stubs are x86-64 only")
@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class StubLifetimes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, """
            int cb_call_int(int (*f)(int) [[noescape]], int x);
            int cb_call_in_thread(int (*f)(int) [[noescape]], int x) [[nogil]];
            long cb_call_in_threads(int (*f)(int) [[noescape]], int n) [[nogil]];
            uintptr_t t_identity_obj(int (*f)(int) [[noescape]]);
        """)

    def test_from_a_thread_python_never_saw(self):
        cb = sigbind.callback("int (int x)", lambda x: x * 3)
        self.assertTrue(is_stub(cb.address))
        self.assertEqual(self.lib.cb_call_in_thread(cb, 14), 42)
        # 8 threads Python never saw at once, each 100 calls (the per-Callback argument tuple is shared)
        cb = sigbind.callback("int (int x)", lambda x: x + 1)
        self.assertEqual(self.lib.cb_call_in_threads(cb, 8), sum(range(1, 9)) * 100)

    def test_call_scoped_stubs_are_reused(self):
        a = self.lib.t_identity_obj(lambda x: x)
        b = self.lib.t_identity_obj(lambda x: -x)
        self.assertTrue(is_stub(a))
        self.assertEqual(a, b)

    def test_a_collected_callbacks_stub_never_runs_another(self):
        cb = sigbind.callback("int (int x)", lambda x: x)
        dead = cb.address
        del cb
        gc.collect()
        others = [sigbind.callback("int (int x)", lambda x: x) for _ in range(5)]
        self.assertNotIn(dead, [o.address for o in others])

    def test_recursive_callbacks_and_kept_argument_tuples(self):
        kept = []

        def f(*args):
            kept.append(args)
            x = args[0]
            return x if x <= 0 else x + self.lib.cb_call_int(cb, x - 1)

        cb = sigbind.callback("int (int x)", f)
        self.assertEqual(self.lib.cb_call_int(cb, 5), 15)
        self.assertEqual(self.lib.cb_call_int(cb, 2), 3)
        self.assertEqual(kept, [(5,), (4,), (3,), (2,), (1,), (0,), (2,), (1,), (0,)])


@unittest.skipUnless(STUBS, "the callback stubs are x86-64 only")
@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class StubsUsedUp(unittest.TestCase):
    """Sorts after the Stub* classes: the Callbacks made here keep their stubs quarantined afterwards."""

    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, "int cb_call_int(int (*f)(int) [[noescape]], int x);")

    def test_when_the_pool_is_used_up_libffi_takes_over(self):
        cbs = [sigbind.callback("int (int x)", lambda x, i=i: x + i) for i in range(1100)]
        stubs = [is_stub(c.address) for c in cbs]
        self.assertIn(False, stubs)
        self.assertEqual(stubs, sorted(stubs, reverse=True))  # stubs first, then closures
        self.assertEqual(len(set(c.address for c in cbs)), len(cbs))
        for i in (0, stubs.index(False) - 1, stubs.index(False), 1099):
            self.assertEqual(self.lib.cb_call_int(cbs[i], 1), 1 + i)
        self.assertEqual(self.lib.cb_call_int(lambda x: x * 5, 2), 10)


if __name__ == "__main__":
    unittest.main()
