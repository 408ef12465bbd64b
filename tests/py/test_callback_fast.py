# test_callback_fast.py — the callbacks' fast entry (arguments straight from the stub's frame, typed Pointer arguments) and Pointer p[i]'s fast read: each equals the general path, errors, threads, hostile indexes.
import builtins
import ctypes
import gc
import io
import sys
import unittest

import sigbind

from support import TESTLIB, assert_flat

DECLS = """
int cb_ptr_int(int (*f)(const int *a, const int *b) [[noescape]], int a, int b);
int cb_ptr_null(int (*f)(const int *a, const int *b) [[noescape]], int a);
int cb_ptr_in_thread(int (*f)(const int *a, const int *b) [[noescape]], int a, int b) [[nogil]];
double cb_ptr_kinds(double (*f)(const int8_t *, const uint16_t *, const int32_t *, const uint64_t *,
                                const float *, const double *, const bool *) [[noescape]]);
"""


class Unraisable:
    """What went to sys.unraisablehook: (type, message) pairs; on 3.7, which has
    no hook, the text written to sys.stderr is parsed into the same pairs."""

    def __enter__(self):
        self.seen = []
        self.old = getattr(sys, "unraisablehook", None)
        if self.old is not None:
            sys.unraisablehook = lambda u: self.seen.append((u.exc_type, str(u.exc_value)))
        else:
            self.old_err, sys.stderr = sys.stderr, io.StringIO()
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            sys.unraisablehook = self.old
            return
        text, sys.stderr = sys.stderr.getvalue(), self.old_err
        for line in text.splitlines():
            name, sep, msg = line.partition(": ")
            if sep and name in ("ValueError", "TypeError"):
                self.seen.append((getattr(builtins, name), msg))


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set")
class FastCallbacks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(TESTLIB, DECLS)

    def test_typed_pointer_arguments_read_every_common_element_type(self):
        got = {}

        def f(i8, u16, i32, u64, f32, f64, b):
            for name, p in (("i8", i8), ("u16", u16), ("i32", i32), ("u64", u64), ("f32", f32), ("f64", f64),
                            ("b", b)):
                got[name] = (p[0], p[1], p[0:2])  # p[0:2]: the general path
            return 1.5

        cb = sigbind.callback("double (const int8_t *, const uint16_t *, const int32_t *, const uint64_t *, "
                              "const float *, const double *, const bool *)", f)
        self.assertEqual(self.lib.cb_ptr_kinds(cb), 1.5)
        want = {"i8": (-128, 5), "u16": (65535, 7), "i32": (-2 ** 31, 9), "u64": (2 ** 64 - 1, 11),
                "f32": (0.5, -2.25), "f64": (1e300, -0.125), "b": (True, False)}
        for name, (a, b) in want.items():
            self.assertEqual(got[name][:2], (a, b), name)
            self.assertEqual(list(got[name][2]), [a, b], name)
            self.assertIs(type(got[name][0]), type(a), name)

    def test_pointer_argument_is_a_typed_pointer_with_its_address(self):
        seen = []

        def f(a, b):
            seen.append((type(a).__name__, a.type, b.type, a[0], b[0]))
            return (a[0] > b[0]) - (a[0] < b[0])

        cb = sigbind.callback("int (const int *a, const int *b)", f)
        self.assertEqual(self.lib.cb_ptr_int(cb, 3, 9), -1)
        self.assertEqual(self.lib.cb_ptr_int(cb, 9, 3), 1)
        self.assertEqual(seen[0], ("Pointer", "const int *", "const int *", 3, 9))

    def test_null_pointer_argument_is_none(self):
        seen = []
        cb = sigbind.callback("int (const int *a, const int *b)", lambda a, b: seen.append((a[0], b)) or 4)
        self.assertEqual(self.lib.cb_ptr_null(cb, 8), 4)
        self.assertEqual(seen, [(8, None)])

    def test_index_errors_of_a_pointer_argument_name_the_pointer(self):
        errors = []

        def f(a, b):
            for key in (-1, 2 ** 70, -2 ** 70, "0", 1.0, None):
                try:
                    a[key]
                except (IndexError, TypeError) as e:
                    errors.append((key, type(e).__name__, str(e)))
            return 0

        cb = sigbind.callback("int (const int *a, const int *b)", f)
        self.lib.cb_ptr_int(cb, 1, 2)
        kinds = {k: t for k, t, _ in errors}
        self.assertEqual(kinds, {-1: "IndexError", 2 ** 70: "IndexError", -2 ** 70: "IndexError", "0": "TypeError",
                                 1.0: "TypeError", None: "TypeError"})
        self.assertIn("const int *", dict((k, m) for k, _, m in errors)[-1])

    def test_hostile_index_objects_take_the_general_path(self):
        class Shifty:
            calls = 0

            def __index__(self):
                Shifty.calls += 1
                gc.collect()  # runs arbitrary code mid-subscript
                return 0

        class MyInt(int):
            pass

        seen = []
        cb = sigbind.callback("int (const int *a, const int *b)",
                              lambda a, b: seen.append((a[Shifty()], a[MyInt(0)], b[False])) or 0)
        self.lib.cb_ptr_int(cb, 5, 6)
        self.assertEqual(Shifty.calls, 1)
        self.assertEqual(seen, [(5, 5, 6)])

    def test_a_pointer_kept_after_the_call_keeps_its_address_and_type(self):
        kept = []
        cb = sigbind.callback("int (const int *a, const int *b)", lambda a, b: kept.append((a, int(a))) or 0)
        self.lib.cb_ptr_int(cb, 1, 2)
        p, addr = kept.pop()
        del cb
        gc.collect()
        self.assertEqual(int(p), addr)
        self.assertEqual(p.type, "const int *")
        self.assertIn("const int *", repr(p))

    def test_exception_in_the_fast_entry_is_reported_and_c_gets_the_error_result(self):
        def f(a, b):
            raise ValueError("boom %d" % a[0])

        cb = sigbind.callback("int (const int *a, const int *b)", f, error_result=-7)
        with Unraisable() as u:
            self.assertEqual(self.lib.cb_ptr_int(cb, 3, 4), -7)
        self.assertEqual(u.seen, [(ValueError, "boom 3")])
        cb = sigbind.callback("int (const int *a, const int *b)", lambda a, b: "not an int")
        with Unraisable() as u:
            self.assertEqual(self.lib.cb_ptr_int(cb, 3, 4), 0)
        self.assertEqual(len(u.seen), 1)
        self.assertIs(u.seen[0][0], TypeError)

    def test_fast_entry_and_the_thread_entry_agree(self):
        # cb_ptr_int runs it during a sigbind call (the fast entry); ctypes releases
        # the GIL around its call, and a new thread has no Python state: both take
        # the general entry.
        def f(a, b):
            return a[0] * 1000 + b[0]

        cb = sigbind.callback("int (const int *a, const int *b)", f)
        via_ctypes = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))(
            cb.address)
        for a, b in ((1, 2), (-5, 7), (2 ** 20, -3)):
            want = a * 1000 + b
            self.assertEqual(self.lib.cb_ptr_int(cb, a, b), want)
            self.assertEqual(self.lib.cb_ptr_in_thread(cb, a, b), want)
            self.assertEqual(via_ctypes(ctypes.c_int(a), ctypes.c_int(b)), want)

    def test_callbacks_on_threads_python_never_saw_read_pointer_arguments(self):
        seen = []

        def f(a, b):
            seen.append((a[0], b[0]))
            return a[0] - b[0]

        cb = sigbind.callback("int (const int *a, const int *b)", f)
        self.assertEqual([self.lib.cb_ptr_in_thread(cb, i, 2 * i) for i in range(5)], [-i for i in range(5)])
        self.assertEqual(seen, [(i, 2 * i) for i in range(5)])

    def test_the_callback_dropping_itself_mid_call(self):
        holder = {}

        def f(a, b):
            holder.clear()  # the Callback's last reference but the one the call holds
            gc.collect()
            return a[0] + b[0]

        holder["cb"] = sigbind.callback("int (const int *a, const int *b)", f)
        fn = sigbind.cast("int (*)(const int *, const int *)", holder["cb"].address)
        x, y = sigbind.new("int", 20), sigbind.new("int", 22)
        self.assertEqual(fn(x, y), 42)

    def test_reused_pointers_never_alias_kept_ones_or_keep_a_stale_element_type(self):
        # Dead Pointers are kept for reuse by the module (pointer.c's free list):
        # one kept by Python stays itself, a reused one takes its new type.
        kept = []
        ints = sigbind.callback("int (const int *a, const int *b)", lambda a, b: kept.append((a, b, a[0], b[0])) or 0)
        mem = sigbind.new("double[2]", [2.5, -1.0])
        seen = []
        doubles = sigbind.callback("int (const double *a, const double *b)",
                                   lambda a, b: seen.append((a.type, a[0], b[0])) or 0)
        fn = sigbind.cast("int (*)(const double *, const double *)", doubles.address)
        for i in range(40):
            self.lib.cb_ptr_int(ints, i, -i)
            fn(mem, mem + 1)
        self.assertEqual(len({id(a) for a, _, _, _ in kept} | {id(b) for _, b, _, _ in kept}), 80)
        self.assertEqual([(x, y) for _, _, x, y in kept], [(i, -i) for i in range(40)])
        self.assertTrue(all(a.type == "const int *" and b.type == "const int *" for a, b, _, _ in kept))
        self.assertEqual(seen, [("const double *", 2.5, -1.0)] * 40)
        del kept[:]
        gc.collect()
        for _ in range(3):
            fn(mem, mem + 1)
        self.assertEqual(seen[-1], ("const double *", 2.5, -1.0))

    def test_a_pyobject_argument_is_not_kept_after_the_call(self):
        # Below 3.12 the Callback keeps its argument tuple between calls; only
        # numbers and Pointers may stay in it, never an object C lent it.
        obj = object()
        cb = sigbind.callback("int (PyObject *o, int x)", lambda o, x: x + (o is obj))
        fn = sigbind.cast("int (*)(PyObject *, int)", cb.address)
        before = sys.getrefcount(obj)
        self.assertEqual(fn(obj, 4), 5)
        self.assertEqual(sys.getrefcount(obj), before)

    def test_fast_entry_does_not_leak(self):
        cb = sigbind.callback("int (const int *a, const int *b)", lambda a, b: a[0] - b[0])
        f = self.lib.cb_ptr_int
        assert_flat(self, lambda: [f(cb, i, 1) for i in range(2000)])


class PointerItems(unittest.TestCase):
    def test_item_reads_equal_the_general_path_for_each_element_type(self):
        values = {"int8_t": [-128, 127], "uint8_t": [0, 255], "int16_t": [-32768, 32767], "uint16_t": [0, 65535],
                  "int32_t": [-2 ** 31, 2 ** 31 - 1], "uint32_t": [0, 2 ** 32 - 1], "int64_t": [-2 ** 63, 2 ** 63 - 1],
                  "uint64_t": [0, 2 ** 64 - 1], "float": [0.5, -3.25], "double": [1e-300, -2.5], "bool": [True, False],
                  "char": [b"a", b"z"], "long": [-5, 2 ** 40]}
        for t, vals in values.items():
            m = sigbind.new("%s[2]" % t, vals)
            p = sigbind.cast("%s *" % t, int(m))  # no known region
            self.assertEqual([m[0], m[1]], vals, t)
            self.assertEqual([p[0], p[1]], vals, t)
            self.assertEqual(list(p[0:2]) if t != "char" else [p[0:1], p[1:2]], vals, t)
            self.assertEqual([m[-2], m[-1]], vals, t)

    def test_item_of_a_known_region_stays_inside_it(self):
        m = sigbind.new("int[3]", [1, 2, 3])
        self.assertEqual(m[2], 3)
        with self.assertRaises(IndexError):
            m[3]
        q = m + 1
        self.assertEqual((q[0], q[1]), (2, 3))
        with self.assertRaises(IndexError):
            q[2]

    def test_pointer_to_pointer_and_void_pointer_items(self):
        inner = sigbind.new("int[1]", [77])
        pp = sigbind.new("int *[1]", [inner])
        self.assertEqual(pp[0][0], 77)
        with self.assertRaises(TypeError):
            sigbind.cast("void *", int(inner))[0]
        with self.assertRaises(ValueError):
            sigbind.cast("int *", 8)[0]


if __name__ == "__main__":
    unittest.main()
