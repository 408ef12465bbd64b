# test_cface.py — the C face: modules written in C with functions, exceptions and constants registered by signature (tests/cface, examples).
import asyncio
import importlib
import inspect
import sys
import textwrap
import threading
import time
import unittest

import sigbind
from support import assert_flat

import cface_test as m


class ModuleDefinition(unittest.TestCase):
    def test_doc_constants_and_exec_hook(self):
        self.assertEqual(m.__doc__, "sigbind's C-face test module.")
        self.assertEqual((m.ANSWER, m.BIG, m.PI, m.NAME), (42, -9007199254740993, 3.14159, "cface_test"))
        self.assertGreaterEqual(m.exec_count, 1)

    def test_functions_have_signatures_docs_and_module(self):
        self.assertEqual(str(inspect.signature(m.add)), "(a, b)")
        self.assertEqual(m.add.__doc__, "Adds two integers.\n\nC: int64_t add(int64_t a, int64_t b)")
        self.assertEqual(m.add.__module__, "cface_test")
        self.assertEqual(m.add.__name__, "add")
        self.assertEqual(str(inspect.signature(m.options)), "(a, /, b=2, *, flag=True, name='four', ratio=1.0)")
        self.assertEqual(str(inspect.signature(m.collect)), "(first, *args, flag=False, **kwargs)")

    def test_help_lists_the_functions(self):
        import pydoc
        text = pydoc.render_doc(m, renderer=pydoc.plaintext)
        self.assertIn("add(a, b)", text)
        self.assertIn("Adds two integers.", text)


class Calls(unittest.TestCase):
    def test_scalars_defaults_keywords(self):
        self.assertEqual(m.add(2, 3), 5)
        self.assertEqual(m.add(b=3, a=2), 5)
        self.assertEqual(m.scale(2.0), 4.0)
        self.assertEqual(m.scale(2.0, factor=3), 6.0)
        self.assertIsNone(m.nothing())

    def test_positional_only_and_keyword_only(self):
        self.assertEqual(m.options(1), 1000 + 200 + 10 + 4 + 1)
        self.assertEqual(m.options(1, 3, flag=False, name=None, ratio=7.9), 1000 + 300 + 7)
        with self.assertRaises(TypeError):
            m.options(a=1)
        with self.assertRaises(TypeError):
            m.options(1, 2, False)

    def test_conversion_errors_name_function_and_parameter(self):
        with self.assertRaises(OverflowError) as cm:
            m.add(2**63, 1)
        self.assertEqual(str(cm.exception), "add() argument 'a' (int64_t) must be in "
                                            "-9223372036854775808..9223372036854775807, not 9223372036854775808")
        with self.assertRaises(TypeError) as cm:
            m.scale("x")
        self.assertEqual(str(cm.exception), "scale() argument 'x' (double) must be float, not str")

    def test_pyobject_pass_through(self):
        o = object()
        before = sys.getrefcount(o)
        for _ in range(1000):
            self.assertIs(m.identity(o), o)
        self.assertEqual(sys.getrefcount(o), before)

    def test_args_and_kwargs(self):
        self.assertEqual(m.collect(1), (1, (), False, {}))
        self.assertEqual(m.collect(1, 2, 3, flag=True, x=5), (1, (2, 3), True, {"x": 5}))
        self.assertEqual(m.collect(first=7, y="z"), (7, (), False, {"y": "z"}))

    def test_only_args_only_kwargs_and_posonly_with_args(self):
        # (3.7-3.9 once picked METH_NOARGS / METH_O for these)
        self.assertEqual(m.pass_args(1, 2), (1, 2))
        self.assertEqual(m.pass_args(), ())
        self.assertEqual(m.pass_kwargs(a=1), {"a": 1})
        self.assertEqual(m.first_and_rest(1, 2, 3), (1, (2, 3)))
        self.assertEqual(m.first_and_rest(1), (1, ()))

    def test_free_result(self):
        self.assertEqual(m.greet("C"), "hello, C")


class ErrorsFromC(unittest.TestCase):
    def test_builtin_exception_by_name(self):
        with self.assertRaises(ZeroDivisionError) as cm:
            m.checked_div(7, 0)
        self.assertEqual(str(cm.exception), "checked_div(7, 0)")
        self.assertEqual(m.checked_div(7, 2), 3)
        with self.assertRaises(ValueError):
            m.greet("")

    def test_error_with_a_result_releases_it(self):
        o = object()
        refs = sys.getrefcount(o)

        def churn():
            for _ in range(20000):
                with self.assertRaises(RuntimeError):
                    m.leaky_failure()
                with self.assertRaises(KeyError):
                    m.object_and_error(o)

        assert_flat(self, churn)
        self.assertEqual(sys.getrefcount(o), refs)

    def test_module_exceptions(self):
        self.assertEqual(str(m.Error), "<class 'cface_test.Error'>")
        self.assertTrue(issubclass(m.NotFound, m.Error))
        self.assertTrue(issubclass(m.BadValue, ValueError))
        self.assertEqual(m.Error("oops").args, ("oops",))
        self.assertEqual(m.Error.__doc__, "The module's base error.")
        with self.assertRaises(m.Error) as cm:
            m.raise_own(0)
        self.assertEqual(str(cm.exception), "base error 0")
        with self.assertRaises(m.NotFound):
            m.raise_own(1)

    def test_exception_from_python_code_by_dotted_name(self):
        with self.assertRaises(asyncio.CancelledError) as cm:
            m.raise_own(2)
        self.assertEqual(str(cm.exception), "cancelled from C")

    def test_unknown_exception_name_is_a_system_error(self):
        with self.assertRaises(SystemError) as cm:
            m.raise_own(3)
        self.assertIn("NoSuchException", str(cm.exception))

    def test_errno(self):
        with self.assertRaises(FileNotFoundError) as cm:
            m.raise_errno(2, "/some/path")
        self.assertEqual(cm.exception.filename, "/some/path")
        with self.assertRaises(PermissionError):
            m.raise_errno(13)

    def test_python_exception_propagates_through_c_with_traceback(self):
        def boom(x):
            raise KeyError(x)
        try:  # (assertRaises drops the traceback)
            m.call_back(boom, 5)
        except KeyError as e:
            frames = [f.name for f in __import__("traceback").extract_tb(e.__traceback__)]
        else:
            self.fail("no KeyError")
        self.assertIn("boom", frames)
        self.assertEqual(m.call_back(lambda x: x * 2, 21), 42)

    def test_raise_from_chains_the_cause(self):
        def boom(x):
            raise KeyError(x)
        with self.assertRaises(m.Error) as cm:
            m.call_back(boom, 5, wrap=True)
        self.assertEqual(str(cm.exception), "callback failed")
        self.assertIsInstance(cm.exception.__cause__, KeyError)

    def test_matching_fetch_and_restore(self):
        def lookup():
            raise IndexError("i")

        def own():
            raise m.NotFound("n")

        def arith():
            raise ZeroDivisionError("z")

        def other():
            raise TypeError("t")
        kind, exc = m.classify(lookup)
        self.assertEqual(kind, "lookup")
        self.assertIsInstance(exc, IndexError)
        self.assertEqual(m.classify(own)[0], "notfound")
        self.assertEqual(m.classify(arith)[0], "arith")
        with self.assertRaises(TypeError):
            m.classify(other)
        self.assertEqual(m.classify(lambda: 3), 3)
        with self.assertRaises(TypeError) as cm:
            m.refetch(other)
        self.assertEqual(str(cm.exception), "t")


class FunctionPointers(unittest.TestCase):
    def test_python_callable_as_c_function_pointer(self):
        self.assertAlmostEqual(m.integrate(lambda x: x * x, 0.0, 3.0), 9.0, places=4)
        cb = sigbind.callback("double (double x)", lambda x: 2.0)
        self.assertAlmostEqual(m.integrate(cb, 0.0, 1.0, n=10), 2.0)
        self.assertEqual(str(inspect.signature(m.integrate)), "(f, a, b, n=1000)")
        libm = sigbind.load("m", "double cos(double x);")
        self.assertAlmostEqual(m.integrate(libm.cos, 0.0, 1.0), 0.8414709848, places=5)  # a C function, directly
        with self.assertRaises(TypeError):
            m.integrate(sigbind.callback("int (int)", abs), 0.0, 1.0)


class DataPointers(unittest.TestCase):
    def test_pointer_parameter_takes_buffers_and_pointers_not_addresses(self):
        import array
        self.assertEqual(m.sum_doubles(array.array("d", [1.0, 2.0, 3.5]), 3), 6.5)
        p = sigbind.new("double[2]", [4.0, 5.0])  # a Pointer of the sigbind module (another module on the runtime)
        self.assertEqual(m.sum_doubles(p, 2), 9.0)
        self.assertEqual(m.sum_doubles(None, 0), 0.0)
        with self.assertRaises(TypeError) as cm:
            m.sum_doubles(12345, 3)  # would read arbitrary memory
        self.assertIn("sum_doubles() argument 'xs' (const double *) must be a sigbind.Pointer, a buffer or None "
                      "(a C-face function takes no raw address), not int", str(cm.exception))


class TheGIL(unittest.TestCase):
    def run_while(self, fn):
        """Counts how far a Python thread gets while fn() runs."""
        count = [0]
        stop = threading.Event()

        def spin():
            while not stop.is_set():
                count[0] += 1
        t = threading.Thread(target=spin)
        t.start()
        time.sleep(0.01)
        before = count[0]
        fn()
        during = count[0] - before
        stop.set()
        t.join()
        return during

    def test_nogil_releases_the_gil(self):
        self.assertEqual(m.sleep_nogil(1), 1)
        self.assertGreater(self.run_while(lambda: m.sleep_nogil(200)), 1000)

    def test_allow_threads_releases_the_gil(self):
        self.assertGreater(self.run_while(lambda: m.sleep_allow(200)), 1000)


class ImportRules(unittest.TestCase):
    def test_bad_signature_fails_the_import_with_signature_error(self):
        with self.assertRaises(sigbind.SignatureError) as cm:
            importlib.import_module("cface_bad")
        text = str(cm.exception)
        self.assertIn("cface_bad", text)
        self.assertIn("(column 15)", text)
        self.assertEqual(cm.exception.column, 15)
        self.assertEqual(cm.exception.text, "int bad(int x y)")

    def test_variadic_function_fails_the_import(self):
        with self.assertRaises(sigbind.SignatureError) as cm:
            importlib.import_module("cface_bad_variadic")
        self.assertIn("a module function cannot be variadic ('...'); take *args (a tuple) instead", str(cm.exception))
        self.assertEqual(cm.exception.text, "int bad(int x, ...)")

    def test_reload(self):
        old_add = m.add
        mod = importlib.reload(m)
        self.assertEqual(mod.add(1, 2), 3)
        self.assertEqual(old_add(1, 2), 3)

    def test_subinterpreters(self):
        interp = None
        for name in ("_interpreters", "_xxsubinterpreters"):
            try:
                interp = importlib.import_module(name)
                break
            except ImportError:
                pass
        if interp is None:
            reason = "no subinterpreter module in CPython %d.%d" % sys.version_info[:2]
            print("\nskipped %s: %s" % (self.id(), reason), file=sys.stderr)
            self.skipTest(reason)
        script = textwrap.dedent("""
            import cface_test, rust2py
            assert cface_test.add(2, 3) == 5
            assert rust2py.sum_as_string(5, 20) == "25"
            try:
                cface_test.raise_own(1)
            except cface_test.NotFound:
                pass
            else:
                raise AssertionError("no NotFound")
        """)
        ids = [interp.create() for _ in range(2)]
        try:
            for iid in ids:
                self.assertIsNone(interp.run_string(iid, script))
        finally:
            for iid in ids:
                interp.destroy(iid)


class Examples(unittest.TestCase):
    """examples/sum_as_string and examples/custom_exception: the PyO3 guide's programs in C."""

    def test_sum_as_string(self):
        import rust2py
        self.assertEqual(rust2py.__doc__, "This module is implemented in C.")
        self.assertEqual(rust2py.sum_as_string(5, 20), "25")
        self.assertEqual(rust2py.sum_as_string(-5, 2), "-3")
        self.assertEqual(str(inspect.signature(rust2py.sum_as_string)), "(a, b)")
        with self.assertRaises(OverflowError):
            rust2py.sum_as_string(2**63, 0)

    def test_custom_exception_seed_test(self):
        import mymodule
        self.assertEqual(str(mymodule.CustomError), "<class 'mymodule.CustomError'>")
        self.assertEqual(mymodule.CustomError("oops").args, ("oops",))
        with self.assertRaises(mymodule.CustomError) as cm:
            mymodule.check(True)
        self.assertEqual(cm.exception.args, ("oops",))
        self.assertEqual(mymodule.check(), 0)
        with self.assertRaises(ZeroDivisionError):
            mymodule.divide(1, 0)
        with self.assertRaises(mymodule.CustomError) as cm:
            mymodule.open_or_custom(open, "/nonexistent/sigbind")
        self.assertIsInstance(cm.exception.__cause__, FileNotFoundError)


class CallOverheadIsFlat(unittest.TestCase):
    def test_many_calls_keep_memory_flat(self):
        o = object()
        refs = sys.getrefcount(o)

        def churn():
            for _ in range(100000):
                m.collect(1, 2, x=3)
                m.identity(o)
                m.greet("x")
                m.add(1, 2)

        assert_flat(self, churn)
        self.assertEqual(sys.getrefcount(o), refs)


if __name__ == "__main__":
    unittest.main()
