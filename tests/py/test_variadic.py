# test_variadic.py — variadic functions ('...'): extra arguments typed by their Python type or by sigbind.c(type, value), libc's snprintf/printf, errors, the per-function cache of call plans.
import inspect
import os
import sys
import threading
import unittest

import sigbind
from support import testlib

libc = sigbind.load(None, """
    int snprintf(char *buf, size_t n, const char *fmt, ...);
    int printf(const char *fmt, ...);
    int fflush(void *stream);
""")


def fmt(f, *args):
    """snprintf into a bytearray; returns the text."""
    buf = bytearray(256)
    n = libc.snprintf(buf, len(buf), f, *args)
    text = bytes(buf[:buf.index(0)]).decode()
    assert n == len(text.encode()), (n, text)
    return text


class Snprintf(unittest.TestCase):
    def test_python_types(self):
        self.assertEqual(fmt("%d|%d|%d", 42, -7, True), "42|-7|1")
        self.assertEqual(fmt("%s and %s", "h\u00e9llo", b"bytes"), "h\u00e9llo and bytes")
        self.assertEqual(fmt("%.3f %g", 2.5, 1e300), "2.500 1e+300")
        self.assertEqual(fmt("%s", None), "(null)")                  # glibc prints NULL %s so
        self.assertEqual(fmt("%p", None), "(nil)")
        self.assertEqual(fmt("%p", sigbind.Pointer(0x1234)), "0x1234")
        self.assertEqual(fmt("no extras"), "no extras")
        self.assertEqual(fmt(b"%d", 3), "3")                          # the fixed const char * takes bytes too

    def test_explicit_types(self):
        c = sigbind.c
        self.assertEqual(fmt("%lld", c("long long", -2**62)), str(-2**62))
        self.assertEqual(fmt("%llu", c("unsigned long long", 2**64 - 1)), str(2**64 - 1))
        self.assertEqual(fmt("%hhu %hd", c("unsigned char", 255), c("short", -5)), "255 -5")   # promoted to int
        self.assertEqual(fmt("%zu", c("size_t", 2**40)), str(2**40))
        self.assertEqual(fmt("%.10f", c("float", 0.1)), "0.1000000015")  # rounded to float, passed as double
        self.assertEqual(fmt("%d", c("bool", 5)), "1")
        self.assertEqual(fmt("%s", c("const char *", "x")), "x")
        self.assertEqual(fmt("%p", c("void *", 0x10)), "0x10")
        self.assertEqual(fmt("%c", c("char", ord("A"))), "A")

    def test_c_objects(self):
        v = sigbind.c("unsigned long long", 5)
        self.assertEqual((v.type, v.value), ("unsigned long long", 5))
        self.assertEqual(repr(sigbind.c("long unsigned int", 5)), "sigbind.c('unsigned long', 5)")
        with self.assertRaises(OverflowError) as cm:
            sigbind.c("unsigned char", 300)
        self.assertEqual(str(cm.exception), "c() argument 'value' (unsigned char) must be in 0..255, not 300")
        with self.assertRaises(TypeError):
            sigbind.c("int", "3")
        for bad in ("void", "nonsense", "int *("):
            with self.assertRaises(ValueError):
                sigbind.c(bad, 1)

    def test_many_arguments(self):
        args = list(range(20))
        self.assertEqual(fmt(" ".join(["%d"] * 20), *args), " ".join(map(str, args)))

    def test_text_signature(self):
        self.assertEqual(libc.snprintf.__text_signature__, "(buf, n, fmt, *args)")
        self.assertEqual(str(inspect.signature(libc.printf)), "(fmt, *args)")
        self.assertEqual(libc.printf.__self__.signature, "int printf(const char *fmt, ...)")
        self.assertEqual(sigbind.signature("int printf(const char *, ...)"), "int printf(const char *, ...)")
        f = sigbind.load(None).bind("int printf(const char *args, ...)")
        self.assertEqual(f.__text_signature__, "(args, *varargs)")   # a parameter is named args

    def test_keywords(self):
        buf = bytearray(16)
        self.assertEqual(libc.snprintf(buf, 16, fmt="ab"), 2)       # no extras: keywords as usual
        with self.assertRaises(TypeError) as cm:
            libc.snprintf(buf, 16, "%d", 1, n=16)
        self.assertIn("snprintf() got keyword argument 'n' with arguments for '...'", str(cm.exception))

    def test_errors(self):
        buf = bytearray(16)
        with self.assertRaises(OverflowError) as cm:
            libc.snprintf(buf, 16, "%d", 2**31)
        self.assertEqual(str(cm.exception),
                         "snprintf() argument 4 (for '...'): an int is passed as C int, and 2147483648 does not fit "
                         "(-2147483648..2147483647); give its type, e.g. sigbind.c(\"long long\", 2147483648)")
        with self.assertRaises(OverflowError) as cm:
            libc.snprintf(buf, 16, "%d", 2**63)
        self.assertIn('sigbind.c("unsigned long long", 9223372036854775808)', str(cm.exception))
        with self.assertRaises(OverflowError) as cm:
            libc.snprintf(buf, 16, "%d", -2**70)
        self.assertIn("does not fit any C integer type", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            libc.snprintf(buf, 16, "%d", 1, [])
        self.assertEqual(str(cm.exception),
                         "snprintf() argument 5 (for '...') must be int, float, str, bytes, None, a sigbind.Pointer "
                         "or sigbind.c(type, value), not list")
        with self.assertRaises(ValueError) as cm:
            libc.snprintf(buf, 16, "%s", "a\0b")
        self.assertIn("must not contain NUL", str(cm.exception))
        with self.assertRaises(TypeError):
            libc.snprintf(buf, 16, "%d", *range(1030))              # more than 1024 C arguments
        with self.assertRaises(TypeError):
            libc.snprintf(buf)                                      # fixed parameters are still required

    def test_signature_errors(self):
        lib = sigbind.load(None)
        for bad in ("int f(int a, *, int b, ...)", "int f(...)", "int f(int a, ..., int b)"):
            with self.assertRaises(sigbind.SignatureError):
                lib.bind(bad)

    def test_cache(self):
        lib = sigbind.load(None)
        f = lib.bind("int snprintf(char *buf, size_t n, const char *fmt, ...)")
        self.assertEqual(f.__self__.variadic_cache_size, 0)
        buf = bytearray(64)
        f(buf, 64, "x")
        self.assertEqual(f.__self__.variadic_cache_size, 0)         # no extras: the function's own plan
        for _ in range(3):
            f(buf, 64, "%d", 1)
            f(buf, 64, "%d", True)                                   # bool is int: the same types
        self.assertEqual(f.__self__.variadic_cache_size, 1)
        f(buf, 64, "%s", "a")
        f(buf, 64, "%s", b"a")
        f(buf, 64, "%f %d", 1.0, 2)
        self.assertEqual(f.__self__.variadic_cache_size, 4)
        for i in range(40):                                          # bounded
            f(buf, 64, "%d" * (i + 1), *([1] * (i + 1)))
        self.assertEqual(f.__self__.variadic_cache_size, 32)
        self.assertEqual(fmt("%d-%s", 7, "z"), "7-z")

    def test_threads(self):
        lib = sigbind.load(None)
        f = lib.bind("int snprintf(char *buf, size_t n, const char *fmt, ...)")
        errors = []

        def work(k):
            try:
                buf = bytearray(64)
                for i in range(300):
                    args = [(i, 1.5, "s", None, b"b", sigbind.c("long long", i))[(i + j + k) % 6] for j in range(i % 5)]
                    f(buf, 64, "x", *args)                          # C ignores unused extras
            except Exception as e:                                   # pragma: no cover
                errors.append(e)

        ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        self.assertLessEqual(f.__self__.variadic_cache_size, 32)


class Printf(unittest.TestCase):
    def test_printf_to_fd1(self):
        r, w = os.pipe()
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            os.dup2(w, 1)
            n = libc.printf("%s=%d %.1f %s\n", "x", 5, 0.5, b"end")
            libc.fflush(None)                                        # C's stdout buffer
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(w)
        with os.fdopen(r, "rb") as fr:
            out = fr.read()
        self.assertEqual(out, b"x=5 0.5 end\n")
        self.assertEqual(n, len(out))


class TestLib(unittest.TestCase):
    def setUp(self):
        self.lib = testlib()
        self.lib.declare("""
            double t_vsum(const char *kinds, ...);
            int t_vcount(int *n [[out]], const char *kinds, ...) [[status(< 0)]];
        """)

    def test_sum(self):
        c = sigbind.c
        v = self.lib.t_vsum("ildsp", 1, c("long long", 2**40), 0.5, "abc", sigbind.Pointer(8))
        self.assertEqual(v, 1 + 2**40 + 0.5 + 3 + 1)
        self.assertEqual(self.lib.t_vsum("dddddddddd", *[0.25] * 10), 2.5)  # beyond the SSE registers
        self.assertEqual(self.lib.t_vsum("sp", None, None), -1)
        self.assertEqual(self.lib.t_vsum(""), 0)

    def test_out_and_contract(self):
        self.assertEqual(self.lib.t_vcount("ii", 1, 2), 2)           # [[status]]: just the out value
        with self.assertRaises(sigbind.StatusError):
            self.lib.t_vcount("iiii", 1, 2, 3, 4)


if __name__ == "__main__":
    unittest.main()
