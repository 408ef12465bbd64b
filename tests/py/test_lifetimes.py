# test_lifetimes.py — what sigbind hands out outlives the objects that made it: libraries stay loaded, memory stays owned.
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

import sigbind
from support import TESTLIB, testlib


def run_isolated(case, code, *args):
    """Runs code in a fresh interpreter (a crash must not take the suite down); returns its stdout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(sigbind.__file__)] + sys.path)
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)] + list(args), env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    case.assertEqual(r.returncode, 0, "exit %d\nstdout: %s\nstderr: %s" % (r.returncode, r.stdout.decode(),
                                                                          r.stderr.decode()[-3000:]))
    return r.stdout.decode()


class LibrariesStayLoaded(unittest.TestCase):
    """A Library is never unloaded (as ctypes): what points into it stays valid after the Library dies."""

    def setUp(self):
        testlib()  # skips without the test library
        self.dir = tempfile.mkdtemp(prefix="sb_lifetimes_")
        self.addCleanup(shutil.rmtree, self.dir)
        # A private copy: the only handle on it is the Library under test.
        self.copy = os.path.join(self.dir, "libsbcopy.so")
        shutil.copy(TESTLIB, self.copy)

    def test_pointer_into_library_data_outlives_the_library(self):
        out = run_isolated(self, """
            import gc, sys, sigbind
            lib = sigbind.load(sys.argv[1])
            p = lib.bind("int *t_counter(void)")()
            del lib
            gc.collect()
            print(p[0])
        """, self.copy)
        self.assertEqual(out.split(), ["41"])

    def test_free_function_of_a_result_runs_after_the_library_died(self):
        out = run_isolated(self, """
            import gc, sys, sigbind
            lib = sigbind.load(sys.argv[1])
            p = lib.bind("void *t_alloc(size_t n) [[free(t_my_free)]]")(16)
            count = lib.bind("int t_free_count(void)")
            del lib
            gc.collect()
            del p                    # t_my_free runs: its code must still be mapped
            gc.collect()
            print(count())
        """, self.copy)
        self.assertEqual(out.split(), ["1"])

    def test_loading_again_reuses_the_handle(self):
        lib1 = sigbind.load(self.copy)
        a = int(lib1.bind("int *t_counter(void)")())
        del lib1
        lib2 = sigbind.load(self.copy)
        self.assertEqual(int(lib2.bind("int *t_counter(void)")()), a)


class CollectedCallbacks(unittest.TestCase):
    def setUp(self):
        testlib()

    def test_calling_a_collected_callback_is_a_fatal_error_naming_it(self):
        code = textwrap.dedent("""
            import gc, sys, sigbind
            lib = sigbind.load(sys.argv[1], "void cb_store(int (*f)(int)); int cb_call_stored(int x);")
            def first(x):
                return x + 1
            cb = sigbind.callback("int (int)", first)
            lib.cb_store(cb)
            del cb
            gc.collect()
            later = [sigbind.callback("int (int)", lambda x: 1000) for _ in range(50)]  # would reuse the address
            print("result", lib.cb_call_stored(1))
        """)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(sigbind.__file__)] + sys.path))
        r = subprocess.run([sys.executable, "-c", code, TESTLIB], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        self.assertNotEqual(r.returncode, 0)
        self.assertNotIn(b"result", r.stdout)
        err = r.stderr.decode()
        self.assertIn("sigbind: fatal: C called the Callback (int (*)(int)) of <function first", err)
        self.assertIn("after it was collected", err)

    def test_callback_dropped_by_its_own_callable_finishes(self):
        lib = sigbind.load(TESTLIB, "void cb_store(int (*f)(int)); int cb_call_stored(int x);")
        holder = []

        def f(x):
            holder.clear()
            import gc
            gc.collect()
            return x * 2
        holder.append(sigbind.callback("int (int)", f))
        lib.cb_store(holder[0])
        self.assertEqual(lib.cb_call_stored(21), 42)
        lib.cb_store(None)


class HandleRelease(unittest.TestCase):
    def setUp(self):
        testlib()
        self.lib = sigbind.load(TESTLIB, """
            typedef struct thing thing [[release(thing_close_busy)]];
            thing *thing_new(int value);
            int thing_value(const thing *t);
            int thing_close_busy(thing *t);
            int things_alive(void);
            thing *thing_self(thing *t) [[borrowed]];
        """)

    def test_release_that_reports_failure_keeps_the_handle(self):
        busy = self.lib.thing_new(-1)
        self.assertEqual(self.lib.thing_close_busy(busy), 5)  # "busy": not released
        self.assertEqual(self.lib.thing_value(busy), -1)      # still a live handle

    def test_borrowed_handle_result_is_never_released(self):
        alive = self.lib.things_alive()
        t = self.lib.thing_new(4)
        again = self.lib.thing_self(t)  # the same handle, owned by t
        self.assertEqual(int(again), int(t))
        self.assertEqual(self.lib.thing_value(again), 4)
        del again
        import gc
        gc.collect()
        self.assertEqual(self.lib.things_alive(), alive + 1)  # not released by the borrowed Pointer
        self.assertEqual(self.lib.thing_value(t), 4)
        del t
        gc.collect()
        self.assertEqual(self.lib.things_alive(), alive)      # released once, by its owner

    def test_borrowed_is_for_pointer_results_and_not_free(self):
        for text in ("int f(void) [[borrowed]]", "char *f(void) [[borrowed]] [[free]]"):
            with self.assertRaises(sigbind.SignatureError):
                self.lib.bind(text)
        self.assertEqual(sigbind.signature("void *f(void) [[borrowed]]"), "void *f(void) [[borrowed]]")

    def test_release_that_succeeds_marks_the_handle(self):
        alive = self.lib.things_alive()
        t = self.lib.thing_new(3)
        self.assertEqual(self.lib.thing_close_busy(t), 0)
        self.assertEqual(self.lib.things_alive(), alive)
        with self.assertRaises(ValueError):
            self.lib.thing_value(t)
        del t  # never released twice
        self.assertEqual(self.lib.things_alive(), alive)


class CallbacksWithStructs(unittest.TestCase):
    def setUp(self):
        testlib()
        self.lib = sigbind.load(TESTLIB, """
            struct point { int x; int y; };
            struct point t_point_via(struct point (*fn)(struct point p, int k) [[noescape]], int x, int y, int k);
            int t_point_arg_via(int (*fn)(struct point p) [[noescape]], int x, int y);
        """)

    def test_struct_result_of_a_callback_is_what_c_reads(self):
        def scale(p, k):
            return (p.x * k, p.y * k)
        r = self.lib.t_point_via(scale, 2, 3, 10)
        self.assertEqual((r.x, r.y), (20, 30))
        r = self.lib.t_point_via(lambda p, k: {"y": k}, 2, 3, 7)  # unnamed members are zero
        self.assertEqual((r.x, r.y), (0, 7))

    def test_struct_result_of_a_failing_callback_is_zeros(self):
        hook = getattr(sys, "unraisablehook", None)
        seen = []
        if hook:
            sys.unraisablehook = lambda u: seen.append(u.exc_type)
        try:
            r = self.lib.t_point_via(lambda p, k: "not a point", 2, 3, 7)
        finally:
            if hook:
                sys.unraisablehook = hook
        self.assertEqual((r.x, r.y), (0, 0))
        if hook:
            self.assertEqual(seen, [TypeError])

    def test_struct_argument_of_a_callback(self):
        got = []

        def take(p):
            got.append((p.x, p.y))
            return p.x - p.y
        self.assertEqual(self.lib.t_point_arg_via(take, 9, 4), 5)
        self.assertEqual(got, [(9, 4)])


if __name__ == "__main__":
    unittest.main()
