# test_lenbuf.py — [[len(n)]]: buffer parameters whose length the call fills (hidden from Python), and results of n items, in both faces.
import array
import gc
import inspect
import sys
import unittest

import sigbind
from support import testlib

import cface_helpers as h


def py_face():
    lib = testlib()
    return {
        "mean": lib.bind("double len_mean(const double *xs [[len(n)]], size_t n)"),
        "scale": lib.bind("void len_scale(double *xs [[len(n)]], size_t n, double by)"),
        "dot": lib.bind("int64_t len_dot(const int32_t *a [[len(n)]], const int32_t *b [[len(n)]], uint8_t n)"),
        "squares": lib.bind("double *len_squares(size_t n) [[len(n)]] [[free]]"),
        "reversed": lib.bind("unsigned char *len_reversed(const unsigned char *s [[len(n)]], size_t n, "
                             "size_t *outlen [[out]]) [[len(outlen)]] [[free]]"),
    }


class BothFaces:
    """The same behaviours through the Python face (testlib) and the C face (cface_helpers)."""

    f = None

    def test_length_is_filled_and_hidden(self):
        mean = self.f["mean"]
        self.assertEqual(mean(array.array("d", [1, 2, 3])), 2.0)
        self.assertEqual(mean(xs=array.array("d", [4.0])), 4.0)
        self.assertEqual(mean(array.array("d")), 0.0)
        self.assertEqual(mean(None), 0.0)  # NULL, no items
        self.assertEqual(str(inspect.signature(mean)), "(xs)")
        self.assertIn("[[len(n)]]", mean.__doc__)
        with self.assertRaises(TypeError):
            mean(array.array("d", [1.0]), 1000)  # the length cannot be given: no over-read

    def test_format_mismatch_is_type_error(self):
        mean = self.f["mean"]
        for bad in (array.array("f", [1.0]), array.array("i", [1]), b"\0" * 8, bytearray(16)):
            with self.assertRaises(TypeError) as cm:
                mean(bad)
            self.assertIn("must be a buffer of format 'd'", str(cm.exception))
        self.assertEqual(mean(memoryview(bytes(16)).cast("d")), 0.0)

    def test_no_raw_addresses(self):
        mean = self.f["mean"]
        for bad in (12345, 0, 2.0, "abc", [1.0, 2.0]):
            with self.assertRaises(TypeError) as cm:
                mean(bad)
            self.assertIn("must be a buffer", str(cm.exception))
        p = sigbind.cast("double *", 0) if hasattr(sigbind, "cast") else None
        if p is not None:
            with self.assertRaises(TypeError):
                mean(p)

    def test_non_contiguous_refused(self):
        with self.assertRaises(TypeError) as cm:
            self.f["mean"](memoryview(array.array("d", [1, 2, 3, 4]))[::2])
        self.assertIn("C-contiguous", str(cm.exception))

    def test_writable_buffer_written_in_place(self):
        scale = self.f["scale"]
        a = array.array("d", [1, 2, 3])
        self.assertIsNone(scale(a, 2.0))
        self.assertEqual(list(a), [2, 4, 6])
        with self.assertRaises(TypeError) as cm:
            scale(memoryview(bytes(16)).cast("d"), 2.0)  # read-only
        self.assertIn("writable", str(cm.exception))

    def test_other_argument_resizing_the_buffer_first(self):
        # `by` converts (running __float__) before the buffer is opened: the length is the final one.
        a = array.array("d", [1.0])

        class Grow:
            def __float__(self):
                a.extend([1.0] * 1000)
                return 3.0

        self.f["scale"](a, Grow())
        self.assertEqual(len(a), 1001)
        self.assertTrue(all(x == 3.0 for x in a))

    def test_shared_length_must_agree(self):
        dot = self.f["dot"]
        self.assertEqual(dot(array.array("i", [1, 2, 3]), array.array("i", [4, 5, 6])), 32)
        with self.assertRaises(ValueError) as cm:
            dot(array.array("i", [1, 2]), array.array("i", [1, 2, 3]))
        self.assertIn("must be equal", str(cm.exception))

    def test_length_overflow_names_the_length(self):
        with self.assertRaises(OverflowError) as cm:
            self.f["dot"](array.array("i", [0] * 256), array.array("i", [0] * 256))
        self.assertIn("'n' (uint8_t, at most 255)", str(cm.exception))

    def test_typed_result_of_n_items(self):
        sq = self.f["squares"](5)
        self.assertIsInstance(sq, memoryview)
        self.assertEqual((sq.format, sq.readonly), ("d", True))
        self.assertEqual(sq.tolist(), [0.0, 1.0, 4.0, 9.0, 16.0])
        self.assertEqual(self.f["squares"](0).tolist(), [])

    def test_bytes_result_with_out_length(self):
        rev = self.f["reversed"]
        self.assertEqual(rev(b"abc"), b"cba")  # the [[out]] length is not returned separately
        self.assertEqual(rev(bytearray(b"xy")), b"yx")
        self.assertEqual(rev(b""), b"")

    def test_bytearray_pinned_during_the_call_and_released_after(self):
        ba = bytearray(b"abcd")
        self.assertEqual(self.f["reversed"](ba), b"dcba")
        ba.extend(b"e")  # no export left behind
        self.assertEqual(ba, bytearray(b"abcde"))

    def test_no_leaks(self):
        mean, rev = self.f["mean"], self.f["reversed"]
        data = array.array("d", [1.0] * 4)
        gc.collect()
        before = sys.getrefcount(data)
        for _ in range(2000):
            mean(data)
            rev(b"xyz")
            try:
                mean(array.array("i"))
            except TypeError:
                pass
        gc.collect()
        self.assertEqual(sys.getrefcount(data), before)


class PythonFace(BothFaces, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = py_face()

    def test_static_result_and_negative_length(self):
        lib = testlib()
        st = lib.bind("const int16_t *len_static(int *count [[out]]) [[len(count)]]")
        self.assertEqual(st().tolist(), [-1, 2, -3, 4])
        neg = lib.bind("const int16_t *len_negative(int *count [[out]]) [[len(count)]]")
        with self.assertRaises(ValueError) as cm:
            neg()
        self.assertIn("negative length 'count'", str(cm.exception))


class CFace(BothFaces, unittest.TestCase):
    f = {"mean": h.mean_of, "scale": h.scale, "dot": h.dot, "squares": h.squares, "reversed": h.reversed}

    def test_error_raised_by_the_function_wins(self):
        with self.assertRaises(ValueError):
            h.squares(65)


class Signatures(unittest.TestCase):
    def test_bad_len_annotations_are_signature_errors(self):
        lib = testlib()
        cases = {
            "double len_mean(const double *xs [[len(m)]], size_t n)": "no parameter is named 'm'",
            "double len_mean(double xs [[len(n)]], size_t n)": "pointer to items",
            "double len_mean(const double *xs [[len(n)]], double n)": "plain integer parameter",
            "double len_mean(const double *xs [[len(n)]], size_t n = 3)": "plain integer parameter",
            "double len_mean(const double *xs [[len]], size_t n)": "needs the name",
            "double len_mean(PyObject *xs [[len(n)]], size_t n)": "pointer to items",
            "double *len_squares(size_t n) [[len(k)]]": "no parameter is named 'k'",
            "double len_mean(size_t n) [[len(n)]]": "pointer result",
            "double len_mean(const double *xs [[len(n)]], size_t n, ...)": "'...'",
        }
        for text, msg in cases.items():
            with self.assertRaises(sigbind.SignatureError, msg=text) as cm:
                lib.bind(text)
            self.assertIn(msg, str(cm.exception), text)

    def test_normalized_text_keeps_the_annotations(self):
        f = testlib().bind("unsigned char*len_reversed(const unsigned char*s[[len(n)]],size_t n,size_t*outlen[[out]])"
                           "[[len(outlen)]][[free]]")
        self.assertIn("const unsigned char *s [[len(n)]]", f.__doc__)
        self.assertIn("[[len(outlen)]]", f.__doc__)


if __name__ == "__main__":
    unittest.main()
