# test_fnptr.py — C function pointers as Python callables: results, [[out]] values, struct members, typed memory, callback arguments, sigbind.cast and Library.cast; NULL is None; what keeps them alive.
import ctypes
import gc
import sys
import unittest

import sigbind

from support import TESTLIB, assert_flat

DECLS = """
    struct point { int x; int y; };
    typedef int (*fp_int_t)(int);
    typedef struct point (*fp_mk_t)(int, int);
    typedef const char *(*fp_name_t)(int);
    struct fp_ops {
        int (*unary)(int);
        double (*binary)(double a, double b);
        fp_int_t named;
        int tag;
    };
    fp_int_t fp_get(int which);
    void fp_get_out(int which, fp_int_t *out [[out]]);
    fp_int_t fp_get_bad(void);
    fp_mk_t fp_get_mkpoint(void);
    fp_name_t fp_get_name(void);
    void fp_ops_fill(struct fp_ops *o);
    int fp_ops_unary(const struct fp_ops *o, int x);
    fp_int_t *fp_table_get(void);
    int fp_give(int (*cb)(fp_int_t f, int x) [[noescape]], int x);
    int fp_apply(fp_int_t f, int x);
    int fp_from_cb(fp_int_t (*cb)(int) [[noescape]], int x);
"""


def fresh():
    lib = sigbind.load(TESTLIB)
    lib.declare(DECLS)
    return lib


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class FunctionPointers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = fresh()

    def test_result_is_callable(self):
        twice = self.lib.fp_get(0)
        self.assertTrue(callable(twice))
        self.assertEqual(twice(21), 42)
        self.assertEqual(self.lib.fp_get(1)(5), -5)

    def test_result_signature_and_address(self):
        f = self.lib.fp_get(0)
        self.assertEqual(f.__self__.signature, "int fp_get_result(int)")
        self.assertEqual(f.__name__, "fp_get_result")
        self.assertEqual(f.__self__.address, self.lib.fp_get(0).__self__.address)
        self.assertNotEqual(f.__self__.address, self.lib.fp_get(1).__self__.address)

    def test_null_result_is_none(self):
        self.assertIsNone(self.lib.fp_get(2))

    def test_address_in_null_page_is_refused(self):
        with self.assertRaisesRegex(ValueError, r"NULL page"):
            self.lib.fp_get_bad()
        with self.assertRaises(ValueError) as cm:
            sigbind.cast("int (*)(int)", 16)
        self.assertEqual(str(cm.exception), "int (*)(int): 0x10 is not a function's address (it is in the NULL page)")

    def test_converts_arguments_as_a_bound_function(self):
        twice = self.lib.fp_get(0)
        with self.assertRaisesRegex(OverflowError, r"fp_get_result\(\) argument 'arg0' \(int\)"):
            twice(2 ** 40)
        with self.assertRaises(TypeError):
            twice("x")
        with self.assertRaises(TypeError):
            twice(1, 2)

    def test_struct_by_value_result(self):
        mk = self.lib.fp_get_mkpoint()
        p = mk(3, 4)
        self.assertEqual((p.x, p.y), (3, 4))

    def test_text_result(self):
        name = self.lib.fp_get_name()
        self.assertEqual(name(0), "twice")
        self.assertEqual(name(1), "neg")

    def test_out_parameter(self):
        f = self.lib.fp_get_out(1)
        self.assertEqual(f(8), -8)
        self.assertIsNone(self.lib.fp_get_out(2))

    def test_passed_back_to_c(self):
        self.assertEqual(self.lib.fp_apply(self.lib.fp_get(1), 9), -9)

    def test_inline_struct_members_are_callable(self):
        ops = self.lib.new("struct fp_ops")
        self.lib.fp_ops_fill(ops)
        self.assertEqual(ops.unary(4), 8)
        self.assertEqual(ops.binary(3.0, 4.0), 25.0)
        self.assertEqual(ops.binary.__self__.signature, "double binary(double a, double b)")
        self.assertEqual(ops.named(4), -4)
        self.assertEqual(ops.tag, 7)

    def test_identical_redeclaration_with_function_pointer_members(self):
        lib = sigbind.load(TESTLIB)
        text = "struct fp_twice { int (*f)(int); double (*g)(double x, double y); int n; };"
        lib.declare(text)
        lib.declare(text)  # a header read twice: the same definition
        with self.assertRaises(sigbind.SignatureError):
            lib.declare("struct fp_twice { int (*f)(long); double (*g)(double x, double y); int n; };")
        self.assertIsNone(lib.new("struct fp_twice").f)

    def test_null_member_is_none(self):
        ops = self.lib.new("struct fp_ops")
        self.assertIsNone(ops.unary)
        self.assertIsNone(ops.named)

    def test_member_takes_function_callback_or_none(self):
        ops = self.lib.new("struct fp_ops")
        ops.unary = self.lib.fp_get(1)
        self.assertEqual(self.lib.fp_ops_unary(ops, 6), -6)
        cb = sigbind.callback("int (int)", lambda x: x + 100)
        ops.unary = cb
        self.assertEqual(self.lib.fp_ops_unary(ops, 6), 106)
        self.assertEqual(ops.unary(1), 101)  # C's pointer to the Callback, called from Python
        ops.unary = None
        self.assertEqual(self.lib.fp_ops_unary(ops, 6), -1000)

    def test_member_refuses_wrong_type_and_plain_callable(self):
        ops = self.lib.new("struct fp_ops")
        with self.assertRaisesRegex(TypeError, r"unary"):
            ops.unary = sigbind.callback("double (double)", lambda x: x)
        with self.assertRaisesRegex(TypeError, r"binary"):
            ops.binary = self.lib.fp_get(0)
        with self.assertRaises(TypeError):
            ops.unary = lambda x: x
        self.assertIsNone(ops.unary)

    def test_typed_memory_elements_are_callable(self):
        table = self.lib.fp_table_get()
        self.assertEqual(table[0](5), 10)
        self.assertEqual(table[1](5), -5)
        self.assertIsNone(table[2])
        self.assertEqual([f(1) for f in table[0:2]], [2, -1])

    def test_typed_memory_elements_take_functions_and_callbacks(self):
        t = self.lib.new("fp_int_t[3]")
        t[0] = self.lib.fp_get(1)
        cb = sigbind.callback("int (int)", lambda x: x * 3)
        t[1] = cb
        self.assertEqual(t[0](3), -3)
        self.assertEqual(self.lib.fp_apply(t[1], 5), 15)
        self.assertIsNone(t[2])
        with self.assertRaisesRegex(TypeError, r"p\[2\].*kept alive"):
            t[2] = lambda x: x
        with self.assertRaisesRegex(TypeError, r"p\[2\]"):
            t[2] = sigbind.callback("double (double)", lambda x: x)

    def test_member_refuses_plain_callable_naming_the_member(self):
        ops = self.lib.new("struct fp_ops")
        with self.assertRaises(TypeError) as cm:
            ops.unary = abs
        self.assertIn("struct fp_ops attribute 'unary' (int (*)(int)) must be a sigbind.callback(type, fn)",
                      str(cm.exception))

    def test_pointer_to_function_pointers_reads_callables(self):
        table = self.lib.fp_table_get()
        self.assertEqual(table.type, "int (**)(int)")
        holder = sigbind.new("void *[1]", [table])
        pp = self.lib.cast("fp_int_t **", holder)
        self.assertEqual(pp.type, "int (***)(int)")
        self.assertEqual(pp[0].type, "int (**)(int)")
        self.assertEqual(pp[0][1](5), -5)

    def test_global_function_pointer_reads_as_callable(self):
        lib = sigbind.load(TESTLIB, "extern void (*g_hook)(int); int g_run_hook(int v);")
        seen = []
        cb = sigbind.callback("void (int v)", seen.append)
        lib.g_hook = cb
        hook = lib.g_hook
        hook(3)  # C's pointer (the Callback's address), called from Python
        self.assertEqual(lib.g_run_hook(4), 0)
        self.assertEqual(seen, [3, 4])
        lib.g_hook = None
        self.assertIsNone(lib.g_hook)

    def test_callback_receives_a_callable(self):
        seen = []

        def cb(f, x):
            seen.append(f)
            return f(x) + 1

        self.assertEqual(self.lib.fp_give(cb, 20), 41)
        self.assertTrue(callable(seen[0]))
        self.assertEqual(seen[0](3), 6)  # still valid after the call: C's function lives on

    def test_callback_returns_a_function_pointer(self):
        neg = self.lib.fp_get(1)
        self.assertEqual(self.lib.fp_from_cb(lambda x: neg, 6), -6)  # a function bound or read by sigbind
        triple = sigbind.callback("int (int)", lambda x: 3 * x)
        self.assertEqual(self.lib.fp_from_cb(lambda x: triple, 6), 18)  # a Callback (kept alive by us)
        self.assertEqual(self.lib.fp_from_cb(lambda x: None, 6), -1000)

    def test_cast_inline_function_type(self):
        libc = ctypes.CDLL(None)
        addr = ctypes.cast(libc.abs, ctypes.c_void_p).value
        f = sigbind.cast("int (*)(int)", addr)
        self.assertEqual(f(-7), 7)
        g = sigbind.cast("int (int)", sigbind.Pointer(addr))
        self.assertEqual(g(-8), 8)
        self.assertIsNone(sigbind.cast("int (*)(int)", 0))
        self.assertIsNone(sigbind.cast("int (*)(int)", None))

    def test_cast_of_a_callback_or_bound_function(self):
        cb = sigbind.callback("int (int)", lambda x: x + 1)
        f = sigbind.cast("int (*)(int)", cb)
        self.assertEqual(f(1), 2)
        g = self.lib.cast("fp_int_t", self.lib.fp_get(0))
        self.assertEqual(g(4), 8)
        p = sigbind.cast("void *", sigbind.callback("int (int)", lambda x: x * 7))
        gc.collect()
        self.assertEqual(self.lib.fp_apply(p, 3), 21)  # the Pointer keeps the Callback it was cast from
        h = sigbind.cast("int (*)(int)", sigbind.callback("int (int)", lambda x: -x))
        gc.collect()
        self.assertEqual(h(3), -3)
        with self.assertRaisesRegex(TypeError, "Callback, a function bound by sigbind"):
            sigbind.cast("int (*)(int)", "abs")

    def test_cast_bad_function_type_is_signature_error(self):
        with self.assertRaises(sigbind.SignatureError):
            sigbind.cast("int (*)(int", 4096)

    def test_library_cast_with_typedef(self):
        addr = self.lib.fp_get(1).__self__.address
        f = self.lib.cast("fp_int_t", addr)
        self.assertEqual(f(3), -3)
        mk = self.lib.cast("struct point (*)(int, int)", self.lib.fp_get_mkpoint().__self__.address)
        self.assertEqual(mk(1, 2).y, 2)

    def test_fast_path_kernel_as_bound_functions(self):
        # the same calling convention as a bound function of that prototype
        bound = sigbind.load(TESTLIB).bind("int t_int(int x)")
        f = self.lib.fp_get(0)
        self.assertEqual(type(f), type(bound))
        for i in range(1000):
            self.assertEqual(f(i), 2 * i)

    def test_result_outlives_library_and_function(self):
        lib = fresh()
        base = sys.getrefcount(lib)
        f = lib.fp_get_mkpoint()
        self.assertGreater(sys.getrefcount(lib), base)  # the function keeps its Library (and its types) alive
        del f
        gc.collect()
        self.assertEqual(sys.getrefcount(lib), base)
        f = lib.fp_get_mkpoint()
        del lib
        gc.collect()
        [bytearray(64) for _ in range(1000)]
        self.assertEqual(f(5, 6).x, 5)

    def test_member_outlives_struct_and_library(self):
        lib = fresh()
        ops = lib.new("struct fp_ops")
        lib.fp_ops_fill(ops)
        base = sys.getrefcount(lib)
        binary = ops.binary
        self.assertGreater(sys.getrefcount(lib), base)
        del lib, ops
        gc.collect()
        [bytearray(64) for _ in range(1000)]
        self.assertEqual(binary(1.0, 2.0), 5.0)
        self.assertEqual(binary.__self__.signature, "double binary(double a, double b)")

    def test_received_function_outlives_call_library_and_binding(self):
        lib = fresh()
        lib.declare("int fp_give_mk(int (*cb)(fp_mk_t f) [[noescape]]);")
        kept = []
        self.assertEqual(lib.fp_give_mk(lambda f: kept.append(f) or f(2, 3).y), 3)
        del lib  # the Library, the bound fp_give_mk and its plan (which owns the callback's type) go
        gc.collect()
        [bytearray(64) for _ in range(1000)]
        p = kept[0](7, 8)  # struct point by value: its layout is still alive
        self.assertEqual((p.x, p.y), (7, 8))

    def test_making_and_calling_function_pointers_is_flat(self):
        lib = self.lib
        ops = lib.new("struct fp_ops")
        lib.fp_ops_fill(ops)
        table = lib.fp_table_get()
        addr = lib.fp_get(1).__self__.address
        cb = sigbind.callback("int (int)", lambda x: x)

        def churn():
            for i in range(3000):
                lib.fp_get(0)(i)
                ops.binary(1.0, 2.0)
                table[1](i)
                sigbind.cast("int (*)(int)", addr)(i)
                lib.cast("fp_int_t", cb)(i)
                lib.fp_give(lambda f, x: f(x), i)
                try:
                    lib.fp_get(0)("x")
                except TypeError:
                    pass

        assert_flat(self, churn)

    def test_element_outlives_pointer(self):
        lib = fresh()
        f = lib.fp_table_get()[1]
        del lib
        gc.collect()
        self.assertEqual(f(2), -2)


if __name__ == "__main__":
    unittest.main()
