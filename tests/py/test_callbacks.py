# test_callbacks.py — Python callables as C function pointers: sigbind.callback(), call-scoped wrapping, other threads, [[nogil]], errors through sys.unraisablehook, libc qsort/bsearch.
import array
import ctypes
import gc
import struct
import sys
import threading
import unittest
import weakref

import sigbind

from support import TESTLIB, assert_flat

DECLS = """
    int cb_call_int(int (*f)(int) [[noescape]], int x);
    int cb_call_int_nogil(int (*f)(int) [[noescape]], int x) [[nogil]];
    double cb_call_dd(double (*f)(double, double) [[noescape]], double a, double b);
    int64_t cb_call_mixed(int64_t (*f)(int8_t, uint16_t, float, const char *) [[noescape]], int8_t a, uint16_t b, float c,
                          const char *d);
    uint8_t cb_call_u8(uint8_t (*f)(void) [[noescape]]);
    void *cb_call_ptr(void *(*f)(void *) [[noescape]], void *p);
    int cb_call_twice(int (*f)(int) [[noescape]], int (*g)(int) [[noescape]], int x);
    void cb_store(int (*f)(int));
    int cb_call_stored(int x);
    int cb_call_in_thread_nogil(int (*f)(int) [[noescape]], int x) [[nogil]];
    long cb_call_in_threads(int (*f)(int) [[noescape]], int n) [[nogil]];
"""


def load():
    """The library, and the [[nogil]] variants (the same C functions under another prototype) by name."""
    lib = sigbind.load(TESTLIB)
    nogil = {}
    for line in DECLS.split(";"):
        line = line.strip()
        if not line:
            continue
        name = line.split("(")[0].split()[-1]
        if name.endswith("_nogil"):
            nogil[name] = lib.bind(line.replace(name + "(", name[: -len("_nogil")] + "(", 1))
        else:
            lib.declare(line + ";")
    return lib, nogil


class Unraisable:
    """Collects what sys.unraisablehook gets (3.8+); on 3.7 the runtime prints instead."""

    def __enter__(self):
        self.seen = []
        self.old = getattr(sys, "unraisablehook", None)
        if self.old is not None:
            sys.unraisablehook = lambda u: self.seen.append((u.exc_type, str(u.exc_value), u.object))
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            sys.unraisablehook = self.old


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class Callbacks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib, cls.nogil = load()

    def test_plain_callable_is_refused_where_c_may_keep_the_pointer(self):
        lib = sigbind.load(TESTLIB, "void cb_store(int (*f)(int)); int cb_call_stored(int x);")
        with self.assertRaises(TypeError) as cm:
            lib.cb_store(lambda x: x)
        self.assertEqual(str(cm.exception),
                         "cb_store() argument 'f' (int (*)(int)) may be kept by C after the call: pass "
                         "sigbind.callback(type, fn) and keep it alive while C may call it, or declare the parameter "
                         "[[noescape]] if C calls it only during the call (got function)")
        cb = sigbind.callback("int (int)", lambda x: x + 2)
        lib.cb_store(cb)  # a Callback the caller keeps: fine
        self.assertEqual(lib.cb_call_stored(1), 3)
        lib.cb_store(None)

    def test_noescape_is_part_of_the_signature(self):
        self.assertEqual(sigbind.signature("int cb_call_int(int (*f)(int) [[noescape]], int x)"),
                         "int cb_call_int(int (*f)(int) [[noescape]], int x)")
        with self.assertRaises(sigbind.SignatureError):
            sigbind.signature("int f(int *x [[noescape]])")

    def test_plain_callable_is_wrapped_for_the_call(self):
        self.assertEqual(self.lib.cb_call_int(lambda x: x * 3, 14), 42)
        self.assertEqual(self.lib.cb_call_dd(lambda a, b: a / b, 1.0, 4.0), 0.25)
        got = []

        def mixed(a, b, c, d):
            got.append((a, b, c, d))
            return -(2**40)

        self.assertEqual(self.lib.cb_call_mixed(mixed, -5, 65535, 0.5, "héllo"), -(2**40))
        self.assertEqual(got, [(-5, 65535, 0.5, "héllo")])
        self.assertEqual(self.lib.cb_call_twice(lambda x: x + 1, lambda x: x * 10, 4), 50)

    def test_callback_object(self):
        calls = []

        def f(x):
            calls.append(x)
            return x + 1

        cb = sigbind.callback("int (int x)", f)
        self.assertEqual(cb.type, "int (*)(int x)")
        self.assertIsInstance(cb.address, int)
        self.assertIn("int (*)(int x)", repr(cb))
        self.assertEqual(self.lib.cb_call_int(cb, 1), 2)
        self.assertEqual(cb(5), 6)  # still callable from Python
        self.assertIs(cb.callable, f)
        self.assertEqual(calls, [1, 5])
        # The Callback keeps the callable alive.
        w = weakref.ref(f)
        del f
        gc.collect()
        self.assertIsNotNone(w())
        self.lib.cb_store(cb)
        self.assertEqual(self.lib.cb_call_stored(41), 42)  # C kept the address; cb is alive
        self.lib.cb_store(None)
        self.assertEqual(self.lib.cb_call_stored(1), -1)
        del cb
        gc.collect()
        self.assertIsNone(w())

    def test_wrong_types_are_refused(self):
        cb = sigbind.callback("double (double a, double b)", lambda a, b: a)
        with self.assertRaises(TypeError) as cm:
            self.lib.cb_call_int(cb, 1)
        self.assertEqual(str(cm.exception), "cb_call_int() argument 'f' (int (*)(int)) must be a callback of that "
                                            "type, not a Callback (double (*)(double a, double b))")
        with self.assertRaises(TypeError):
            self.lib.cb_call_int("not callable", 1)
        with self.assertRaises(sigbind.SignatureError):
            sigbind.callback("int (int x, ...)", print)
        with self.assertRaises(sigbind.SignatureError):
            sigbind.callback("not a type", print)
        with self.assertRaises(TypeError):
            sigbind.callback("int (int)", 3)

    def test_bound_c_function_as_function_pointer(self):
        libc = sigbind.load("c", "int abs(int j); long labs(long j);")
        self.assertEqual(self.lib.cb_call_int(libc.abs, -7), 7)
        with self.assertRaises(TypeError) as cm:
            self.lib.cb_call_int(libc.labs, -7)
        self.assertIn("must be a function of that type, not long labs(long j)", str(cm.exception))

    def test_exception_goes_to_unraisablehook_and_returns_error_result(self):
        def boom(x):
            raise ValueError("boom %d" % x)

        with Unraisable() as u:
            self.assertEqual(self.lib.cb_call_int(boom, 3), 0)
            cb = sigbind.callback("int (int x)", boom, error_result=-1)
            self.assertEqual(self.lib.cb_call_int(cb, 4), -1)
            self.assertEqual(self.lib.cb_call_int(lambda x: "not an int", 4), 0)
            self.assertEqual(self.lib.cb_call_u8(lambda: 300), 0)  # out of range for uint8_t
        if sys.version_info >= (3, 8):
            self.assertEqual([e[:2] for e in u.seen[:2]], [(ValueError, "boom 3"), (ValueError, "boom 4")])
            self.assertIs(u.seen[1][2], cb)  # the hook is told which callback
            self.assertEqual(u.seen[2][0], TypeError)
            self.assertEqual(u.seen[3][0], OverflowError)
            self.assertIn("callback return value (uint8_t)", u.seen[3][1])
        with self.assertRaises(TypeError):
            sigbind.callback("void *(void *p)", lambda p: p, error_result=1)

    def test_pointer_arguments_and_results(self):
        buf = bytearray(b"abc")
        seen = []

        def f(p):
            seen.append(p)
            return p

        r = self.lib.cb_call_ptr(f, buf)
        self.assertIsInstance(seen[0], sigbind.Pointer)
        self.assertEqual(int(r), int(seen[0]))
        self.assertIsNone(self.lib.cb_call_ptr(lambda p: None, buf))

    def test_from_a_thread_python_never_saw(self):
        ids = []

        def f(x):
            ids.append(threading.get_ident())
            return x * 2

        # A C function that waits for another thread running a callback must
        # release the GIL ([[nogil]]): that thread needs it to run Python.
        self.assertEqual(self.nogil["cb_call_in_thread_nogil"](f, 21), 42)
        self.assertNotEqual(ids[0], threading.get_ident())
        self.assertEqual(self.nogil["cb_call_int_nogil"](f, 6), 12)  # same thread, GIL released

    def test_many_threads_at_once(self):
        lock = threading.Lock()
        count = [0]

        def f(x):
            with lock:
                count[0] += 1
            return x

        self.assertEqual(self.lib.cb_call_in_threads(f, 8), sum(range(8)) * 100)
        self.assertEqual(count[0], 800)

    def test_many_calls_do_not_leak(self):
        f = self.lib.cb_call_int
        cb = sigbind.callback("int (int x)", lambda x: x)

        def churn():
            for i in range(20000):
                f(lambda x: x + 1, i)
                f(cb, i)

        assert_flat(self, churn)


class Libc(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.libc = sigbind.load("c", """
            void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *) [[noescape]]);
            void *bsearch(const void *key, const void *base, size_t nmemb, size_t size,
                          int (*compar)(const void *, const void *) [[noescape]]);
        """)

    @staticmethod
    def ints(p, q):
        a = ctypes.c_int.from_address(int(p)).value
        b = ctypes.c_int.from_address(int(q)).value
        return (a > b) - (a < b)

    def test_qsort_with_a_python_comparator(self):
        data = array.array("i", [5, -3, 9, 0, 7, 7, -100])
        self.libc.qsort(data, len(data), data.itemsize, self.ints)
        self.assertEqual(list(data), sorted([5, -3, 9, 0, 7, 7, -100]))
        cb = sigbind.callback("int (const void *a, const void *b)", lambda p, q: -self.ints(p, q))
        self.libc.qsort(data, len(data), data.itemsize, cb)
        self.assertEqual(list(data), sorted(data, reverse=True))

    def test_qsort_records(self):
        # struct { int key; double value; } laid out by the struct module (8-byte alignment)
        rec = struct.Struct("i4xd")
        items = [(3, 0.3), (1, 0.1), (2, 0.2)]
        buf = bytearray(b"".join(rec.pack(*it) for it in items))

        def by_key(p, q):
            return self.ints(p, q)

        self.libc.qsort(buf, len(items), rec.size, by_key)
        self.assertEqual([rec.unpack_from(buf, i * rec.size) for i in range(3)], sorted(items))

    def test_function_pointer_typedef(self):
        libc = sigbind.load("c", """
            typedef int (*cmp_t)(const void *, const void *);
            typedef cmp_t compare_fn;
            void qsort(void *base, size_t nmemb, size_t size, compare_fn compar [[noescape]]);
        """)
        self.assertEqual(libc.qsort.__self__.signature,
                         "void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *) "
                         "[[noescape]])")
        data = array.array("i", [3, 1, 2])
        libc.qsort(data, 3, data.itemsize, self.ints)
        self.assertEqual(list(data), [1, 2, 3])
        with self.assertRaises(sigbind.SignatureError):
            sigbind.load("c", "typedef int (*cmp_t)(int); typedef long (*cmp_t)(int);")

    def test_bsearch(self):
        # A bytearray is passed in place on every version (other buffers are
        # copied for the call before 3.11), so the result points into it.
        data = bytearray(array.array("i", range(0, 100, 3)).tobytes())
        n = len(data) // 4
        base = ctypes.addressof(ctypes.c_char.from_buffer(data))
        key = array.array("i", [42])
        hit = self.libc.bsearch(key, data, n, 4, self.ints)
        self.assertEqual((int(hit) - base) // 4, 14)
        key[0] = 43
        self.assertIsNone(self.libc.bsearch(key, data, n, 4, self.ints))


if __name__ == "__main__":
    unittest.main()
