# test_callback_entries.py — the callbacks' fast entries (one per argument count, 64-bit integer arguments and results, 3.11+) against the general entry: every count, results, threads at once, re-entry, kept arguments.
import ctypes
import enum
import gc
import sys
import threading
import unittest

import sigbind

from support import TESTLIB, assert_flat
from test_callback_stubs import Unraisable

DECLS = """
long cb_long1(long (*f)(long a) [[noescape]], long a);
long cb_long3(long (*f)(long a, long b, long c) [[noescape]], long a, long b, long c);
long cb_long_in_threads(long (*f)(long a) [[noescape]], int n) [[nogil]];
"""


def through_ctypes(cb, restype, argtypes):
    """cb's address called by ctypes: the GIL is released around the call, so the
    callback takes the general entry (PyGILState_Ensure), never a fast one."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(cb.address)


class Color(enum.IntEnum):
    RED = 5


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class CallbackEntries(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, DECLS)

    def test_every_argument_count_gives_the_same_through_the_fast_and_the_general_entry(self):
        for ctype, cname in ((ctypes.c_long, "long"), (ctypes.c_int, "int"), (ctypes.c_double, "double")):
            for n in range(10):
                names = ", ".join("%s a%d" % (cname, i) for i in range(n))
                cb = sigbind.callback("%s (%s)" % (cname, names),
                                      lambda *a: sum((i + 1) * v for i, v in enumerate(a)) + 1)
                fn = sigbind.cast("%s (*)(%s)" % (cname, names), cb.address)
                args = [ctype(3 * i - 7).value for i in range(n)]
                want = sum((i + 1) * v for i, v in enumerate(args)) + 1
                self.assertEqual(fn(*args), want, (cname, n))
                self.assertEqual(through_ctypes(cb, ctype, [ctype] * n)(*args), want, (cname, n))

    def test_void_and_mixed_callbacks_through_the_fast_entries(self):
        seen = []
        cb = sigbind.callback("void (long a, int b, const char *c)", lambda a, b, c: seen.append((a, b, c)))
        fn = sigbind.cast("void (*)(long, int, const char *)", cb.address)
        self.assertIsNone(fn(2 ** 40, -3, b"x"))
        cb2 = sigbind.callback("double (long a, double b, uint8_t c)", lambda a, b, c: a + b + c)
        fn2 = sigbind.cast("double (*)(long, double, uint8_t)", cb2.address)
        self.assertEqual(fn2(-5, 0.25, 255), 250.25)
        self.assertEqual(seen, [(2 ** 40, -3, "x")])

    def test_long_results_accept_what_the_full_conversion_accepts_and_report_the_rest(self):
        fast = self.lib.cb_long1
        for value, want in ((True, 1), (Color.RED, 5), (-1, -1), (0, 0), (2 ** 63 - 1, 2 ** 63 - 1),
                            (-2 ** 63, -2 ** 63)):
            cb = sigbind.callback("long (long a)", lambda a, v=value: v, error_result=-9)
            with Unraisable() as u:
                self.assertEqual(fast(cb, 1), want, value)
                self.assertEqual(through_ctypes(cb, ctypes.c_long, [ctypes.c_long])(1), want, value)
            self.assertEqual(u.seen, [], value)
        for value, exc in ((2 ** 63, OverflowError), (-2 ** 63 - 1, OverflowError), (2.5, TypeError),
                           (None, TypeError), ("7", TypeError)):
            cb = sigbind.callback("long (long a)", lambda a, v=value: v, error_result=-9)
            with Unraisable() as u:
                self.assertEqual(fast(cb, 1), -9, value)
                self.assertEqual(through_ctypes(cb, ctypes.c_long, [ctypes.c_long])(1), -9, value)
            if sys.version_info >= (3, 8):
                self.assertEqual([t for t, _ in u.seen], [exc, exc], value)
                self.assertEqual(u.seen[0][1], u.seen[1][1])  # the same message from both entries

    def test_exception_in_a_long_callback_gives_the_error_result(self):
        def boom(a):
            raise ValueError("boom %d" % a)

        cb = sigbind.callback("long (long a)", boom, error_result=-4)
        with Unraisable() as u:
            self.assertEqual(self.lib.cb_long1(cb, 3), -4)
        if sys.version_info >= (3, 8):
            self.assertEqual(u.seen, [(ValueError, "boom 3")])

    def test_foreign_threads_and_the_calling_thread_run_one_callback_at_once(self):
        calls = []
        cb = sigbind.callback("long (long a)", lambda a: calls.append(a) or a * 2)
        out = {}
        # A Python thread makes a [[nogil]] call in which 6 threads Python never saw call cb
        # (general entry, PyGILState_Ensure); meanwhile this thread calls it from C during its own
        # sigbind calls (fast entry).
        t = threading.Thread(target=lambda: out.setdefault("threads", self.lib.cb_long_in_threads(cb, 6)))
        t.start()
        here = sum(self.lib.cb_long1(cb, i) for i in range(3000))
        t.join()
        self.assertEqual(here, 2 * sum(range(3000)))
        self.assertEqual(out["threads"], 2 * 200 * sum(range(6)))
        self.assertEqual(len(calls), 3000 + 6 * 200)

    def test_a_callback_reentering_sigbind_calls(self):
        nogil = sigbind.load(TESTLIB, "long cb_long1(long (*f)(long a) [[noescape]], long a) [[nogil]];").cb_long1

        def f(a):
            if a <= 0:
                return 0
            if a % 3 == 0:  # through a [[nogil]] call: back on this thread without the GIL
                return a + nogil(cb, a - 1)
            return a + self.lib.cb_long1(cb, a - 1)

        cb = sigbind.callback("long (long a)", f)
        self.assertEqual(self.lib.cb_long1(cb, 12), sum(range(13)))
        self.assertEqual(nogil(cb, 12), sum(range(13)))
        g = sigbind.callback("long (long a, long b, long c)", lambda a, b, c: self.lib.cb_long1(cb, a) + b + c)
        self.assertEqual(self.lib.cb_long3(g, 4, 100, 1000), 1110)

    def test_a_callable_that_keeps_its_arguments(self):
        kept = []

        def f(*args):
            kept.append(args)
            kept.append(args[0])
            return args[0] - args[1] + args[2]

        cb = sigbind.callback("long (long a, long b, long c)", f)
        for i in range(300):
            self.assertEqual(self.lib.cb_long3(cb, 2 ** 40 + i, i, -i), 2 ** 40 - i)
        gc.collect()
        self.assertEqual(kept[0::2], [(2 ** 40 + i, i, -i) for i in range(300)])
        self.assertEqual(kept[1::2], [2 ** 40 + i for i in range(300)])
        self.assertTrue(all(sys.getrefcount(t[0]) >= 3 for t in kept[0::2]))
        self.assertEqual(len({id(t[0]) for t in kept[0::2]}), 300)

    def test_the_callback_dropping_itself_before_its_result_is_converted(self):
        holder = {}

        def f(a):
            holder.clear()  # the last reference but the one the call holds
            gc.collect()
            return 2 ** 70  # the full conversion runs after the Callback lost its owner

        holder["cb"] = sigbind.callback("long (long a)", f, error_result=-3)
        fn = sigbind.cast("long (*)(long)", holder["cb"].address)
        with Unraisable() as u:
            self.assertEqual(fn(1), -3)
        if sys.version_info >= (3, 8):
            self.assertEqual([t for t, _ in u.seen], [OverflowError])

    def test_long_entry_does_not_leak(self):
        cb = sigbind.callback("long (long a)", lambda a: a + 2 ** 40)
        f = self.lib.cb_long1
        assert_flat(self, lambda: [f(cb, i) for i in range(3000)])


if __name__ == "__main__":
    unittest.main()
