# test_hardening.py — regressions found in review: temporaries vs pending errors, resized buffers, borrowed kwargs, huge ints, text signatures.
import inspect
import sys
import unittest
import weakref

import sigbind
from support import testlib


class CallPathTemporaries(unittest.TestCase):
    def test_error_after_writable_memoryview_argument_keeps_its_exception(self):
        # 3.7-3.10: the memoryview copy-back runs Python code with the
        # conversion error pending -> SystemError, the TypeError is lost.
        fill = testlib().bind("void t_fill(unsigned char *p, size_t n, int v)")
        buf = bytearray(8)
        with self.assertRaises(TypeError) as cm:
            fill(memoryview(buf), 4, "x")
        self.assertIn("t_fill", str(cm.exception))
        self.assertEqual(buf, bytearray(8))

    def test_status_failure_with_writable_memoryview_argument_raises_status_error(self):
        st = testlib().bind("int t_status_out(int s, int *value) [[status]]")
        buf = bytearray(4)
        self.assertIsNone(st(0, memoryview(buf)))
        self.assertEqual(int.from_bytes(buf, sys.byteorder), 99)
        buf2 = bytearray(4)
        with self.assertRaises(sigbind.StatusError):
            st(1, memoryview(buf2))
        self.assertEqual(int.from_bytes(buf2, sys.byteorder), 99)

    def test_bytearray_resized_by_a_later_argument_is_not_read_after_free(self):
        # The address of a bytearray is taken, then a later argument's
        # __index__ reallocates it; C then reads the freed block.
        total = testlib().bind("int t_sum_bytes(const unsigned char *p, size_t n)")
        buf = bytearray(b"\x01" * 1000)

        class Grow:
            def __index__(self):
                buf[:] = b"\x02" * 100000
                return 1000

        try:
            r = total(buf, Grow())
        except BufferError:
            return  # pinning the bytearray for the call is a fine answer too
        self.assertEqual(r, 2000)

    def test_keyword_values_stay_alive_while_arguments_convert(self):
        # 3.7-3.9 (METH_VARARGS|METH_KEYWORDS): f(**d) may hand the caller's
        # own dict to the callee; values bound from it are borrowed, so code
        # run by a conversion (here __index__ clearing d) frees them.
        mix = testlib().bind("double t_mix(int8_t a, double b, uint16_t c, float d, int64_t e, double f)")
        seen = []

        class Later(float):
            pass

        later = Later(2.5)
        ref = weakref.ref(later)

        class Clear:
            def __index__(self):
                d.clear()
                seen.append(ref() is not None)
                raise ValueError("stop here")  # before the freed value would be touched

        d = {"a": Clear(), "b": later, "c": 3, "d": 4.0, "e": 5, "f": 6.0}
        del later
        with self.assertRaises(ValueError):
            mix(**d)
        self.assertEqual(seen, [True])


class Buffers(unittest.TestCase):
    def test_non_contiguous_memoryview_is_written_or_rejected_as_non_contiguous(self):
        fill = testlib().bind("void t_fill(unsigned char *p, size_t n, int v)")
        buf = bytearray(range(8))
        try:
            fill(memoryview(buf)[::2], 4, 9)
        except TypeError as e:
            self.assertIn("contiguous", str(e))  # 3.11+: says "read-only", which it is not
            self.assertEqual(buf, bytearray(range(8)))
        else:
            self.assertEqual(bytes(buf[::2]), b"\x09" * 4)  # 3.7-3.10: write silently lost

    def test_non_contiguous_memoryview_to_const_pointer_is_the_same_on_every_version(self):
        total = testlib().bind("int t_sum_bytes(const unsigned char *p, size_t n)")
        mv = memoryview(bytearray(range(8)))[::2]
        try:
            r = total(mv, 4)
        except TypeError as e:
            self.assertIn("contiguous", str(e))
            self.assertNotIn("read-only", str(e))
        else:
            self.assertEqual(r, 0 + 2 + 4 + 6)


class Messages(unittest.TestCase):
    def test_huge_int_out_of_range_names_function_and_parameter(self):
        f = testlib().bind("int t_int(int x)")
        for n in (10 ** 5000, -(10 ** 5000)):
            with self.assertRaises(OverflowError) as cm:
                f(n)
            self.assertIn("t_int()", str(cm.exception))
            self.assertIn("'x'", str(cm.exception))

    def test_huge_int_to_double_names_function_and_parameter(self):
        f = testlib().bind("double t_double(double x)")
        with self.assertRaises(OverflowError) as cm:
            f(10 ** 5000)
        self.assertIn("t_double()", str(cm.exception))

    def test_unencodable_str_names_function_and_parameter(self):
        f = testlib().bind("size_t t_strlen(const char *s)")
        with self.assertRaises(ValueError) as cm:  # UnicodeEncodeError is a ValueError
            f("\udc80")
        self.assertIn("t_strlen()", str(cm.exception))
        self.assertIn("'s'", str(cm.exception))


class Conversions(unittest.TestCase):
    def test_index_only_object_converts_to_double_on_every_version(self):
        # float(x) uses __index__ from 3.8 (PyFloat_AsDouble); 3.7 raises TypeError.
        f = testlib().bind("double t_double(double x)")

        class I:
            def __index__(self):
                return 3

        self.assertEqual(f(I()), 3.0)


class Signatures(unittest.TestCase):
    def test_non_ascii_string_default_keeps_inspect_signature_working(self):
        f = testlib().bind('size_t t_strlen(const char *s = "\\xc3\\xa9")')
        self.assertEqual(f(), 2)
        self.assertEqual(inspect.signature(f).parameters["s"].default, "\u00e9")

    def test_infinite_default_is_shown_as_infinity(self):
        f = testlib().bind("double t_double(double x = 1e999)")
        self.assertEqual(f(), float("inf"))
        self.assertEqual(inspect.signature(f).parameters["x"].default, float("inf"))

    def test_keyword_renaming_does_not_make_duplicate_python_names(self):
        try:
            f = testlib().bind("int t_fadd(int from, int from_)")
        except sigbind.SignatureError:
            return
        self.assertEqual(len(inspect.signature(f).parameters), 2)

    def test_free_on_pyobject_result_is_rejected(self):
        with self.assertRaises(sigbind.SignatureError):
            sigbind.signature("PyObject *f(void) [[free]]")


if __name__ == "__main__":
    unittest.main()
