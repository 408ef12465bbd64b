# test_interpreters.py — module state, not process state: subinterpreters, reload, heap-type reference rules on every version.
import gc
import importlib
import sys
import textwrap
import unittest

import sigbind
from support import TESTLIB, testlib

SCRIPT = textwrap.dedent("""
    import sigbind
    cos = sigbind.load("m").bind("double cos(double x)")
    assert cos(0.0) == 1.0, cos(0.0)
    try:
        cos("x")
    except TypeError as e:
        assert "cos() argument 'x' (double)" in str(e), e
    else:
        raise AssertionError("no TypeError")
    assert sigbind.SignatureError is not None
    # classes, callbacks and structs keep their types in module state too
    import classes, array
    c = classes.MyClass(3)
    assert c.method1() == 10 and c(1) == 3 and list(classes.Countdown(2)) == [2, 1]
    libc = sigbind.load("c", '''
        struct point { int x; int y; };
        void qsort(void *b, size_t n, size_t s, int (*cmp)(const struct point *a, const struct point *b) [[noescape]]);
    ''')
    pts = libc.new("struct point[3]", [(3, 0), (1, 0), (2, 0)])
    libc.qsort(pts, 3, libc.sizeof("struct point"), lambda a, b: a[0].x - b[0].x)
    assert [p.x for p in pts] == [1, 2, 3], [p.x for p in pts]
""")


def interpreters_module():
    for name in ("_interpreters", "_xxsubinterpreters"):
        try:
            return importlib.import_module(name)
        except ImportError:
            pass
    return None


class Subinterpreters(unittest.TestCase):
    def setUp(self):
        self.interp = interpreters_module()
        if self.interp is None:
            reason = "no subinterpreter module in CPython %d.%d" % sys.version_info[:2]
            print("\nskipped %s: %s" % (self.id(), reason), file=sys.stderr)
            self.skipTest(reason)

    def run_in(self, iid):
        r = self.interp.run_string(iid, SCRIPT)
        # 3.13's _interpreters returns an exception summary instead of raising.
        self.assertIsNone(r, r)

    def test_import_and_call_in_two_subinterpreters(self):
        ids = [self.interp.create() for _ in range(2)]
        try:
            for iid in ids:
                self.run_in(iid)
            for iid in ids:
                self.run_in(iid)  # again, already imported there
        finally:
            for iid in ids:
                self.interp.destroy(iid)
        # the main interpreter's module is untouched
        self.assertEqual(sigbind.load("m").bind("double cos(double x)")(0.0), 1.0)

    @unittest.skipIf(sys.version_info < (3, 12), "interpreters with their own GIL exist from 3.12")
    def test_isolated_subinterpreter_with_own_gil(self):
        try:
            iid = self.interp.create(isolated=True)
        except TypeError:
            iid = self.interp.create("isolated")
        try:
            self.run_in(iid)
        finally:
            self.interp.destroy(iid)

    def run_callback_script(self, iid):
        script = CALLBACK_SCRIPT % {"lib": TESTLIB}
        r = self.interp.run_string(iid, script)
        self.assertIsNone(r, r)

    def test_callback_of_a_subinterpreter_runs_there_from_a_foreign_thread(self):
        testlib()
        iid = self.interp.create()
        try:
            self.run_callback_script(iid)
        finally:
            self.interp.destroy(iid)

    @unittest.skipIf(sys.version_info < (3, 12), "interpreters with their own GIL exist from 3.12")
    def test_callback_of_an_isolated_subinterpreter_runs_under_its_own_gil(self):
        testlib()
        try:
            iid = self.interp.create(isolated=True)
        except TypeError:
            iid = self.interp.create("isolated")
        try:
            self.run_callback_script(iid)
        finally:
            self.interp.destroy(iid)

    def test_callback_of_a_subinterpreter_refuses_to_run_from_the_main_one(self):
        testlib()
        iid = self.interp.create()
        try:
            # The subinterpreter leaves its Callback in the C library; the main interpreter calls it.
            r = self.interp.run_string(iid, STORE_SCRIPT % {"lib": TESTLIB})
            self.assertIsNone(r, r)
            lib = sigbind.load(TESTLIB, "int cb_call_stored(int x); void cb_store(int (*f)(int));")
            seen = []
            old = getattr(sys, "unraisablehook", None)
            if old:
                sys.unraisablehook = lambda u: seen.append(str(u.exc_value))
            try:
                self.assertEqual(lib.cb_call_stored(1), -7)
            finally:
                if old:
                    sys.unraisablehook = old
                lib.cb_store(None)
            if old:
                self.assertEqual(len(seen), 1)
                self.assertIn("another interpreter than its own", seen[0])
        finally:
            self.interp.destroy(iid)

    def call_main_callback_from_a_subinterpreter(self, how):
        """The main interpreter leaves a Callback in the C library; C code that a call from a
        subinterpreter made calls it: it must not run there (its objects are the main
        interpreter's), and must neither deadlock (PyGILState_Ensure on a thread holding the
        subinterpreter's GIL, before 3.12) nor corrupt the thread state (3.12+)."""
        testlib()
        lib = sigbind.load(TESTLIB, "int cb_call_stored(int x); void cb_store(int (*f)(int));")
        seen, main = [], self.interp.get_main()

        def double(x):
            seen.append((x, self.interp.get_current() == main))  # in which interpreter it runs
            return x * 2
        kept = sigbind.callback("int (int)", double, error_result=-7)
        lib.cb_store(kept)
        iid = self.interp.create()
        try:
            r = self.interp.run_string(iid, MAIN_CALLBACK_SCRIPT % {"lib": TESTLIB, "how": how})
            self.assertIsNone(r, r)
            # refused (-7) where the subinterpreter holds its GIL; where the call released it
            # (ctypes does), the main interpreter may take its own thread state and run it there
            self.assertIn(seen, ([], [(5, True)]))
            # the main interpreter still runs it, from its own calls and from a thread Python never saw
            self.assertEqual(lib.cb_call_stored(5), 10)
            inthread = sigbind.load(TESTLIB, "int cb_call_in_thread(int (*f)(int) [[noescape]], int x) [[nogil]];")
            self.assertEqual(inthread.cb_call_in_thread(kept, 6), 12)
            self.assertEqual(seen[-2:], [(5, True), (6, True)])
        finally:
            lib.cb_store(None)
            self.interp.destroy(iid)

    def test_main_callback_refuses_to_run_from_a_subinterpreters_sigbind_call(self):
        self.call_main_callback_from_a_subinterpreter("sigbind")

    def test_main_callback_never_runs_in_a_subinterpreter_from_its_ctypes_call(self):
        probe = self.interp.create()
        try:
            r = self.interp.run_string(probe, "import _ctypes")
        except Exception as e:  # 3.12's RunFailedError
            r = e
        finally:
            self.interp.destroy(probe)
        if r is not None:  # 3.12 refuses single-phase init modules in its subinterpreters
            reason = "_ctypes does not load in a subinterpreter of CPython %d.%d" % sys.version_info[:2]
            print("\nskipped %s: %s" % (self.id(), reason), file=sys.stderr)
            self.skipTest(reason)
        self.call_main_callback_from_a_subinterpreter("ctypes")


MAIN_CALLBACK_SCRIPT = """
import sys
seen = []
sys.unraisablehook = lambda u: seen.append(str(u.exc_value))
if %(how)r == "sigbind":
    import sigbind
    call = sigbind.load(%(lib)r, "int cb_call_stored(int x);").cb_call_stored
else:
    import ctypes
    call = ctypes.CDLL(%(lib)r).cb_call_stored
    call.argtypes, call.restype = [ctypes.c_int], ctypes.c_int
r = call(5)
if %(how)r == "sigbind" or r != 10:  # 10: ran in the main interpreter (ctypes released the GIL)
    assert r == -7, r
    assert len(seen) == 1 and "another interpreter than its own" in seen[0], seen
"""

CALLBACK_SCRIPT = """
import sigbind
lib = sigbind.load(%(lib)r, "int cb_call_in_thread(int (*f)(int) [[noescape]], int x) [[nogil]];")
seen = []
def triple(x):
    seen.append(x)
    return x * 3
cb = sigbind.callback("int (int)", triple)
r = lib.cb_call_in_thread(cb, 14)      # run on a thread Python never saw
assert (r, seen) == (42, [14]), (r, seen)
r = lib.cb_call_in_thread(lambda x: x + 1, 1)
assert r == 2, r
"""

STORE_SCRIPT = """
import builtins, sigbind
lib = sigbind.load(%(lib)r, "void cb_store(int (*f)(int));")
builtins.sb_kept = sigbind.callback("int (int)", lambda x: x * 100, error_result=-7)
lib.cb_store(builtins.sb_kept)
"""


class Reload(unittest.TestCase):
    def test_reload_gives_working_module_and_old_functions_survive(self):
        cos = sigbind.load("m").bind("double cos(double x)")
        mod = importlib.reload(sigbind)
        self.assertEqual(mod.load("m").bind("double cos(double x)")(0.0), 1.0)
        self.assertEqual(cos(0.0), 1.0)


class HeapTypeReferences(unittest.TestCase):
    """Instances hold a reference to their heap type, released on dealloc (DESIGN §7)."""

    def assert_type_refcount_flat(self, tp, make):
        gc.collect()
        before = sys.getrefcount(tp)
        objs = [make() for _ in range(1000)]
        self.assertGreaterEqual(sys.getrefcount(tp), before + 1000 if sys.version_info < (3, 12) else before)
        del objs
        gc.collect()
        self.assertEqual(sys.getrefcount(tp), before)

    def test_pointer_instances(self):
        self.assert_type_refcount_flat(sigbind.Pointer, lambda: sigbind.Pointer(8, "int *"))

    def test_function_instances(self):
        lib = testlib()
        self.assert_type_refcount_flat(sigbind.Function, lambda: lib.bind("int t_int(int x)"))

    def test_library_instances(self):
        self.assert_type_refcount_flat(sigbind.Library, lambda: sigbind.load("m"))


if __name__ == "__main__":
    unittest.main()
