# test_core.py — the Python face against real libraries: libm vs math, libz vs zlib, libc vs os; keywords, docs, inspect.
import inspect
import math
import os
import unittest
import zlib

import sigbind


class LibmAgainstMath(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.libm = sigbind.load("m")

    def test_short_name_finds_libm(self):
        self.assertIn("libm.so", self.libm.path)

    def test_cos_positional_and_keyword(self):
        cos = self.libm.bind("double cos(double x)")
        self.assertEqual(cos(0.0), 1.0)
        self.assertEqual(cos(x=0.0), 1.0)

    def test_one_argument_functions_match_math(self):
        values = [i / 7.0 for i in range(-50, 51)]
        for name in ("sin", "cos", "tan", "exp", "fabs", "atan", "sinh", "cosh", "tanh", "floor", "ceil"):
            f = self.libm.bind("double %s(double x)" % name)
            ref = getattr(math, name)
            for v in values:
                self.assertEqual(f(v), ref(v), (name, v))

    def test_pow_and_ldexp(self):
        pow_ = self.libm.bind("double pow(double x, double y)")
        ldexp = self.libm.bind("double ldexp(double x, int exp)")
        for x in (0.5, 1.5, 2.0, 10.0):
            for y in (-3, -1, 0, 0.5, 2, 7):
                self.assertEqual(pow_(x, y), math.pow(x, y))
                self.assertEqual(ldexp(x, int(y)), math.ldexp(x, int(y)))

    def test_frexp_out_parameter_returns_tuple(self):
        frexp = self.libm.bind("double frexp(double x, int *exp [[out]])")
        self.assertEqual(frexp(8.0), (0.5, 4))
        for v in (0.1, 1.0, 3.75, -1e300, 1e-300, 123456.0):
            self.assertEqual(frexp(v), math.frexp(v))

    def test_modf_double_out(self):
        modf = self.libm.bind("double modf(double x, double *iptr [[out]])")
        self.assertEqual(modf(3.25), (0.25, 3.0))

    def test_float_functions(self):
        sqrtf = self.libm.bind("float sqrtf(float x)")
        self.assertEqual(sqrtf(16.0), 4.0)
        self.assertAlmostEqual(sqrtf(2.0), math.sqrt(2.0), places=6)

    def test_int_accepted_for_double(self):
        cos = self.libm.bind("double cos(double x)")
        self.assertEqual(cos(0), 1.0)

    def test_float_protocol_accepted(self):
        class F:
            def __float__(self):
                return 0.0
        cos = self.libm.bind("double cos(double x)")
        self.assertEqual(cos(F()), 1.0)

    def test_str_rejected_for_double_names_parameter(self):
        cos = self.libm.bind("double cos(double x)")
        with self.assertRaises(TypeError) as cm:
            cos("1")
        self.assertEqual(str(cm.exception), "cos() argument 'x' (double) must be float, not str")


class Introspection(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.libm = sigbind.load("m")
        cls.cos = cls.libm.bind("double cos(double x)")

    def test_inspect_signature(self):
        self.assertEqual(str(inspect.signature(self.cos)), "(x)")

    def test_doc_is_the_prototype(self):
        self.assertEqual(self.cos.__doc__, "double cos(double x)")
        self.assertEqual(self.cos.__text_signature__, "(x)")

    def test_name_and_qualname(self):
        self.assertEqual(self.cos.__name__, "cos")
        self.assertTrue(self.cos.__qualname__.endswith("cos"))

    def test_function_object_exposes_signature_and_address(self):
        info = self.cos.__self__
        self.assertIsInstance(info, sigbind.Function)
        self.assertEqual(info.signature, "double cos(double x)")
        self.assertIsInstance(info.address, int)
        self.assertNotEqual(info.address, 0)
        self.assertIs(info.library, self.libm)
        self.assertEqual(info.name, "cos")
        self.assertIn("double cos(double x)", repr(info))

    def test_help_shows_prototype(self):
        import pydoc
        text = pydoc.render_doc(self.cos, renderer=pydoc.plaintext)
        self.assertIn("double cos(double x)", text)
        self.assertIn("cos(x)", text)

    def test_defaults_and_markers_in_signature(self):
        libc = sigbind.load(None)
        f = libc.bind("int open(const char *path, int flags, int mode = 0644)")
        self.assertEqual(str(inspect.signature(f)), "(path, flags, mode=420)")
        g = libc.bind("long strtol(const char *s, char **end, int base = 10)")
        self.assertEqual(str(inspect.signature(g)), "(s, end, base=10)")
        h = libc.bind("int abs(int)")
        self.assertEqual(str(inspect.signature(h)), "(arg0, /)")
        k = libc.bind("int abs(int j, /)")
        self.assertEqual(str(inspect.signature(k)), "(j, /)")
        m = libc.bind("long labs(long j, *, bool flag = true, const char *s = NULL)")
        self.assertEqual(str(inspect.signature(m)), "(j, *, flag=True, s=None)")

    def test_python_keyword_parameter_names_get_an_underscore(self):
        f = sigbind.load("m").bind("double ldexp(double from, int lambda)")
        self.assertEqual(str(inspect.signature(f)), "(from_, lambda_)")
        self.assertEqual(f(from_=1.0, lambda_=3), 8.0)

    def test_a_default_that_spells_the_doc_separator_stays_in_the_text_signature(self):
        # The text signature lives inside the docstring, ended by its first "\n--\n\n": a default's
        # control characters are escaped, so a string default spelling it cannot end it early.
        f = sigbind.load(None).bind('size_t strlen(const char *s = "a\\n--\\n\\nb")')
        self.assertEqual(f.__text_signature__, "(s='a\\x0a--\\x0a\\x0ab')")
        self.assertEqual(inspect.signature(f).parameters["s"].default, "a\n--\n\nb")
        self.assertEqual(f.__doc__, 'size_t strlen(const char *s = "a\\n--\\n\\nb")')
        self.assertEqual(f(), 7)
        self.assertEqual(f("xy"), 2)

    def test_defaults_outlive_the_text_they_were_parsed_from(self):
        # A plan keeps its own copy of everything (one block; the parser's arena is freed): the
        # defaults of many bindings, made from texts that are then dropped, are still right.
        libm, libc = sigbind.load("m"), sigbind.load(None)
        fns = []
        for i in range(200):
            fns.append((libm.bind("double ldexp(double x = %d.5, int e = -%d)" % (i, i % 3)),
                        (i + 0.5) / 2 ** (i % 3)))
            fns.append((libc.bind('size_t strlen(const char *s = "%s")' % ("\\x01" * (i % 7) + "z" * i)),
                        i % 7 + i))
            fns.append((libm.bind("double fabs(double x = -%d)" % i), float(i)))  # an integer default for a double
        import gc
        gc.collect()
        for f, want in fns:
            self.assertEqual(f(), want)

    def test_unnamed_and_keyword_named_parameters_keep_their_made_names(self):
        f = sigbind.load("m").bind("double ldexp(double, int from)")
        self.assertEqual(f.__text_signature__, "(arg0, /, from_)")
        self.assertEqual(f(1.0, from_=2), 4.0)
        with self.assertRaises(TypeError):
            f(arg0=1.0, from_=2)

    def test_library_dir_lists_declared_functions(self):
        libz = sigbind.load("z", "unsigned long adler32(unsigned long a, const void *b, unsigned int n);")
        self.assertIn("adler32", dir(libz))
        self.assertIn("bind", dir(libz))


class Libz(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.libz = sigbind.load("z", """
            /* from zlib.h */
            unsigned long crc32(unsigned long crc, const void *buf, unsigned int len);
            unsigned long adler32(unsigned long adler, const void *buf, unsigned int len);
            const char *zlibVersion(void);   // version text
        """)

    def test_crc32_matches_zlib(self):
        for data in (b"", b"hello", bytes(range(256)) * 9, b"\x00" * 1000):
            self.assertEqual(self.libz.crc32(0, data, len(data)), zlib.crc32(data))

    def test_adler32_matches_zlib(self):
        for data in (b"", b"hello", bytes(range(256)) * 9):
            self.assertEqual(self.libz.adler32(1, data, len(data)), zlib.adler32(data))

    def test_crc32_of_bytearray_and_memoryview(self):
        data = bytearray(b"sigbind" * 10)
        self.assertEqual(self.libz.crc32(0, data, len(data)), zlib.crc32(data))
        mv = memoryview(bytes(data))
        self.assertEqual(self.libz.crc32(0, mv, len(data)), zlib.crc32(data))

    def test_crc32_of_array(self):
        import array
        a = array.array("I", [1, 2, 3, 4])
        self.assertEqual(self.libz.crc32(0, a, 16), zlib.crc32(a.tobytes()))

    def test_zlib_version(self):
        self.assertEqual(self.libz.zlibVersion(), zlib.ZLIB_RUNTIME_VERSION)

    def test_overflow_names_parameter(self):
        with self.assertRaises(OverflowError) as cm:
            self.libz.crc32(0, b"x", -1)
        self.assertEqual(str(cm.exception),
                         "crc32() argument 'len' (unsigned int) must be in 0..4294967295, not -1")

    def test_keywords_by_parameter_name(self):
        self.assertEqual(self.libz.crc32(crc=0, buf=b"hello", len=5), zlib.crc32(b"hello"))


class Libc(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.libc = sigbind.load(None)

    def test_running_process_library(self):
        self.assertIsNone(self.libc.path)
        self.assertIn("running process", repr(self.libc))

    def test_strlen(self):
        strlen = self.libc.bind("size_t strlen(const char *s)")
        for s in ("", "a", "hello", "ünïcödé", "x" * 10000):
            self.assertEqual(strlen(s), len(s.encode()))
        self.assertEqual(strlen(b"bytes"), 5)

    def test_getpid(self):
        getpid = self.libc.bind("int getpid(void)")
        self.assertEqual(getpid(), os.getpid())

    def test_strtol_with_default_base(self):
        strtol = self.libc.bind("long strtol(const char *s, char **end, int base = 10)")
        self.assertEqual(strtol("1234", None), 1234)
        self.assertEqual(strtol("ff", None, 16), 255)
        self.assertEqual(strtol("-0x10", None, base=0), -16)
        self.assertEqual(strtol(" 077", None, 0), 63)

    def test_strtol_end_as_out_pointer(self):
        strtol = self.libc.bind("long strtol(const char *s, char **end [[out]], int base = 10)")
        value, end = strtol("42abc")
        self.assertEqual(value, 42)
        self.assertEqual(end, "abc")

    def test_open_errno_raises_file_not_found(self):
        open_ = self.libc.bind("int open(const char *path, int flags, int mode = 0) [[errno(-1)]]")
        with self.assertRaises(FileNotFoundError) as cm:
            open_("/nonexistent/sigbind", 0)
        self.assertEqual(cm.exception.errno, 2)
        self.assertEqual(cm.exception.strerror, os.strerror(2))

    def test_open_and_close_succeed(self):
        open_ = self.libc.bind("int open(const char *path, int flags, int mode = 0) [[errno(-1)]]")
        close = self.libc.bind("int close(int fd) [[errno(-1)]]")
        fd = open_("/dev/null", os.O_RDONLY)
        self.assertGreaterEqual(fd, 0)
        self.assertEqual(close(fd), 0)
        with self.assertRaises(OSError) as cm:
            close(fd)
        self.assertEqual(cm.exception.errno, 9)

    def test_embedded_nul_rejected(self):
        strlen = self.libc.bind("size_t strlen(const char *s)")
        with self.assertRaises(ValueError) as cm:
            strlen("a\0b")
        self.assertEqual(str(cm.exception), "strlen() argument 's' (const char *) must not contain NUL characters")

    def test_abs_positional_only(self):
        abs_ = self.libc.bind("int abs(int)")
        self.assertEqual(abs_(-5), 5)
        with self.assertRaises(TypeError) as cm:
            abs_(arg0=1)
        self.assertIn("abs()", str(cm.exception))


class Loading(unittest.TestCase):
    def test_soname_and_path(self):
        a = sigbind.load("libm.so.6")
        b = sigbind.load(a.path)
        self.assertEqual(a.path, b.path)
        self.assertEqual(sigbind.load("libz").path, sigbind.load("z").path)

    def test_missing_library_is_oserror_with_names_tried(self):
        with self.assertRaises(OSError) as cm:
            sigbind.load("sigbind_no_such_lib")
        self.assertIn("sigbind_no_such_lib", str(cm.exception))
        self.assertIn("tried", str(cm.exception))
        with self.assertRaises(OSError) as cm:
            sigbind.load("/nonexistent/libfoo.so")
        self.assertIn("/nonexistent/libfoo.so", str(cm.exception))
        self.assertIn("No such file", str(cm.exception))

    def test_missing_symbol_is_attribute_error_subclass(self):
        libm = sigbind.load("m")
        with self.assertRaises(sigbind.SymbolNotFoundError) as cm:
            libm.bind("double no_such_function(double x)")
        self.assertIsInstance(cm.exception, AttributeError)
        self.assertIn("no_such_function", str(cm.exception))
        self.assertIn("libm.so", str(cm.exception))

    def test_undeclared_attribute(self):
        libm = sigbind.load("m")
        with self.assertRaises(AttributeError) as cm:
            libm.cos
        self.assertIn("'cos'", str(cm.exception))

    def test_declare_adds_attributes(self):
        libm = sigbind.load("m")
        self.assertIsNone(libm.declare("double sin(double x); double cos(double x);"))
        self.assertEqual(libm.cos(0.0), 1.0)
        self.assertEqual(libm.sin(0.0), 0.0)

    def test_declare_error_names_line_and_is_atomic(self):
        libm = sigbind.load("m")
        with self.assertRaises(sigbind.SignatureError) as cm:
            libm.declare("double sin(double x);\n\ndouble cos(double x y);")
        self.assertEqual(cm.exception.line, 3)
        self.assertNotIn("sin", dir(libm))

    def test_library_outlives_its_name(self):
        f = sigbind.load("m").bind("double cos(double x)")
        import gc
        gc.collect()
        self.assertEqual(f(0.0), 1.0)

    def test_load_rejects_bad_types(self):
        with self.assertRaises(TypeError):
            sigbind.load(42)
        with self.assertRaises(TypeError):
            sigbind.load("m", 42)
        with self.assertRaises(ValueError):
            sigbind.load("")

    def test_objects_cannot_be_made_directly(self):
        with self.assertRaises(TypeError):
            sigbind.Library()
        with self.assertRaises(TypeError):
            sigbind.Function()


if __name__ == "__main__":
    unittest.main()
