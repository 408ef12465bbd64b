# test_errors.py — every error path of binding and calling: argument binding messages, SignatureError, contracts.
import unittest

import sigbind
from support import testlib


# Bound functions use METH_FASTCALL | METH_KEYWORDS on every version (3.7+), so
# arity and keyword errors have sigbind's own wording everywhere.


class ArgumentBinding(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cos = sigbind.load("m").bind("double cos(double x)")
        cls.f = testlib().bind("double t_mix(int8_t a, double b, uint16_t c, float d, int64_t e = 0, double f = 1)")

    def message(self, fn, *args, **kwargs):
        with self.assertRaises(TypeError) as cm:
            fn(*args, **kwargs)
        return str(cm.exception)

    def test_missing_required_argument(self):
        self.assertEqual(self.message(self.cos), "cos() missing required argument 'x' (pos 1)")
        self.assertEqual(self.message(self.f, 1, 2.0), "t_mix() missing required argument 'c' (pos 3)")

    def test_too_many_positional(self):
        self.assertEqual(self.message(self.cos, 1.0, 2.0), "cos() takes at most 1 positional argument (2 given)")

    def test_unexpected_keyword(self):
        self.assertEqual(self.message(self.cos, y=1.0), "cos() got an unexpected keyword argument 'y'")

    def test_multiple_values(self):
        self.assertEqual(self.message(self.cos, 1.0, x=2.0), "cos() got multiple values for argument 'x' (pos 1)")

    def test_keyword_only(self):
        g = testlib().bind("int t_int(*, int x)")
        self.assertEqual(g(x=3), 3)
        self.assertEqual(self.message(g, 3), "t_int() takes no positional arguments (1 given)")
        self.assertEqual(self.message(g), "t_int() missing required keyword-only argument 'x'")

    def test_positional_only_by_keyword(self):
        g = testlib().bind("int t_int(int x, /)")
        self.assertEqual(g(3), 3)
        self.assertEqual(self.message(g, x=3),
                         "t_int() got some positional-only arguments passed as keyword arguments: 'x'")
        h = testlib().bind("int t_int(int x, /, int y = 0)")
        self.assertEqual(self.message(h, x=3),
                         "t_int() got some positional-only arguments passed as keyword arguments: 'x'")

    def test_keywords_and_defaults_mix(self):
        self.assertEqual(self.f(1, 2.0, 3, 0.5), 1 + 2.0 + 3 + 0.5 + 0 + 1)
        self.assertEqual(self.f(d=0.5, c=3, b=2.0, a=1, f=10), 1 + 2.0 + 3 + 0.5 + 10)

    def test_conversion_error_after_good_arguments_releases_temporaries(self):
        f = testlib().bind("char *t_concat(const char *a, const char *b) [[free]]")
        with self.assertRaises(TypeError):
            f("x" * 100, 5)

    def test_no_arguments_function_rejects_arguments(self):
        g = testlib().bind("int t_free_count(void)")
        self.assertEqual(self.message(g, 1), "t_free_count() takes no positional arguments (1 given)")
        self.assertIn("unexpected keyword argument 'z'", self.message(g, z=1))


class SignatureErrors(unittest.TestCase):
    def bad(self, text):
        with self.assertRaises(sigbind.SignatureError) as cm:
            testlib().bind(text)
        return cm.exception

    def test_is_value_error_with_text_column_reason(self):
        e = self.bad("double cos(double x y)")
        self.assertIsInstance(e, ValueError)
        self.assertEqual(e.text, "double cos(double x y)")
        self.assertEqual(e.column, 21)
        self.assertEqual(e.reason, "expected ',' or ')' after the parameter, found 'y'")
        lines = str(e).splitlines()
        self.assertEqual(lines[0], "expected ',' or ')' after the parameter, found 'y' (column 21)")
        self.assertEqual(lines[1], "    double cos(double x y)")
        self.assertEqual(lines[2], "    " + " " * 20 + "^")

    def test_unsupported_features_say_not_supported_yet(self):
        cases = {
            "struct point make(int x)": "struct 'point' is not declared (declare it first in load() or declare(): 'struct point { ... };' or 'typedef struct point point;')",
            "int f(union u x)": "union 'u' is not declared (declare it first in load() or declare(): 'union u { ... };' or 'typedef union u u;')",
            "int f(enum color c)": "enum 'color' is not declared (declare it first: 'enum color { ... };')",
            "sqlite3 *open(void)": "unknown type name 'sqlite3' (declare it first: a typedef in load() or declare())",
            "typedef int myint": "a typedef is a declaration, not a prototype: give it to load() or declare()",
            "_Float128 f(void)": "_Float128 as a result cannot be passed by value (libffi has no _Float128 type; pass a pointer to it)",
        }
        for text, reason in cases.items():
            self.assertEqual(self.bad(text).reason, reason, text)

    def test_plan_errors_name_the_function(self):
        e = self.bad("int t_int(int x = 1.5)")
        self.assertEqual(str(e).splitlines()[0], "t_int(): parameter 'x': default 1.5 is not a valid int (column 19)")
        self.assertEqual(e.column, 19)
        e = self.bad("unsigned char t_uchar(unsigned char x = 256)")
        self.assertIn("default 256 does not fit unsigned char (0..255)", e.reason)
        e = self.bad("void t_void(void) [[errno]]")
        self.assertIn("returns void", e.reason)
        e = self.bad("int t_int(int x) [[free]]")
        self.assertIn("[[free]] needs a pointer result", e.reason)

    def test_signature_function_normalizes(self):
        self.assertEqual(sigbind.signature("unsigned  long   crc32 ( unsigned long crc , const void*buf,unsigned len )"),
                         "unsigned long crc32(unsigned long crc, const void *buf, unsigned int len)")
        self.assertEqual(sigbind.signature("int f(int x = 0x10, ...)".replace(", ...", "")), "int f(int x = 0x10)")
        with self.assertRaises(sigbind.SignatureError):
            sigbind.signature("int f(")

    def test_non_str_signature(self):
        with self.assertRaises(TypeError):
            testlib().bind(b"int t_int(int x)")


class Contracts(unittest.TestCase):
    def test_errno_on_value(self):
        f = testlib().bind("int t_fail_errno(int e) [[errno(-1)]]")
        self.assertEqual(f(0), 7)
        with self.assertRaises(PermissionError) as cm:
            f(13)
        self.assertEqual(cm.exception.errno, 13)

    def test_errno_default_condition_for_int_and_pointer(self):
        f = testlib().bind("int t_fail_errno(int e) [[errno]]")
        with self.assertRaises(FileNotFoundError):
            f(2)
        g = testlib().bind("void *t_null_errno(int e) [[errno]]")
        self.assertIsInstance(g(0), sigbind.Pointer)
        with self.assertRaises(FileExistsError):
            g(17)
        h = testlib().bind("void *t_null_errno(int e) [[errno(NULL)]]")
        with self.assertRaises(OSError):
            h(5)

    def test_errno_with_comparison(self):
        f = testlib().bind("int t_fail_errno(int e) [[errno(< 0)]]")
        with self.assertRaises(OSError):
            f(1)
        self.assertEqual(f(0), 7)

    def test_errno_unsigned_result(self):
        f = testlib().bind("unsigned int t_errno_u(int e) [[errno(-1)]]")
        self.assertEqual(f(0), 5)
        with self.assertRaises(OSError):
            f(1)

    def test_status_nonzero_fails_and_result_is_dropped(self):
        f = testlib().bind("int t_status(int s) [[status]]")
        self.assertIsNone(f(0))
        with self.assertRaises(sigbind.StatusError) as cm:
            f(3)
        self.assertEqual(str(cm.exception), "t_status() failed with status 3")
        self.assertEqual(cm.exception.status, 3)
        self.assertEqual(cm.exception.function, "t_status")
        self.assertIsInstance(cm.exception, RuntimeError)

    def test_status_with_message_function(self):
        f = testlib().bind("int t_status(int s) [[status(!= 0, t_status_msg)]]")
        with self.assertRaises(sigbind.StatusError) as cm:
            f(-2)
        self.assertEqual(str(cm.exception), "t_status() failed with status -2: stream error")

    def test_status_negative_only(self):
        f = testlib().bind("int t_status(int s) [[status(< 0)]]")
        self.assertIsNone(f(1))
        with self.assertRaises(sigbind.StatusError):
            f(-1)

    def test_status_with_out_returns_only_outs(self):
        f = testlib().bind("int t_status_out(int s, int *value [[out]]) [[status]]")
        self.assertEqual(f(0), 99)
        with self.assertRaises(sigbind.StatusError):
            f(1)

    def test_missing_message_function(self):
        with self.assertRaises(sigbind.SymbolNotFoundError) as cm:
            testlib().bind("int t_status(int s) [[status(!= 0, no_such_msg)]]")
        self.assertIn("no_such_msg", str(cm.exception))

    def test_nogil_call_works(self):
        f = testlib().bind("int64_t t_i64(int64_t x) [[nogil]]")
        self.assertEqual(f(5), 5)


if __name__ == "__main__":
    unittest.main()
