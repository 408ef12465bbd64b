# test_enums.py — enums and integer constants in declaration blocks: enumerators and const/#define values as Library attributes, enum types as integer parameter and result types, constant expressions, errors.
import unittest

import sigbind
from support import TESTLIB

DECLS = """
    enum t_color { T_RED, T_GREEN = 5, T_BLUE };             /* as in testlib.c */
    typedef enum t_color color_t;
    typedef enum { A = 1 << 3, B = A | 1, C = -1, D = 'x', E = 0x10 + 010 - 2 * 3 } ab_t;
    enum t_big { T_BIG = 0x100000000 };                      /* needs more than int: long long */
    static const int Z_OK = 0;
    const long BIG = -5, BIGGER = BIG * 1000;
    #define Z_NO_FLUSH 0
    #define Z_MASK (0xff << 8 | Z_NO_FLUSH)  /* a comment */
    #define ULL_MAX 0xffffffffffffffff
    #define LONGER \\
        (T_BLUE + 1)
    enum t_color t_next_color(enum t_color c);
    color_t t_int(color_t x);
    long long t_big_plus(enum t_big b, int x);
"""


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class Enums(unittest.TestCase):
    def setUp(self):
        self.lib = sigbind.load(TESTLIB, DECLS)

    def test_constants(self):
        lib = self.lib
        self.assertEqual((lib.T_RED, lib.T_GREEN, lib.T_BLUE), (0, 5, 6))
        self.assertEqual((lib.A, lib.B, lib.C, lib.D, lib.E), (8, 9, -1, ord("x"), 18))
        self.assertEqual((lib.Z_OK, lib.BIG, lib.BIGGER), (0, -5, -5000))
        self.assertEqual((lib.Z_NO_FLUSH, lib.Z_MASK, lib.ULL_MAX, lib.LONGER), (0, 0xff00, 2**64 - 1, 7))
        self.assertEqual(lib.T_BIG, 2**32)
        self.assertIs(type(lib.T_RED), int)
        for name in ("T_RED", "Z_OK", "Z_MASK", "t_next_color"):
            self.assertIn(name, dir(lib))

    def test_enum_types(self):
        lib = self.lib
        self.assertEqual(lib.t_next_color(lib.T_RED), lib.T_GREEN)
        self.assertEqual(lib.t_next_color(lib.T_GREEN), lib.T_BLUE)
        self.assertEqual(lib.t_next_color.__self__.signature, "int t_next_color(int c)")  # an enum is its integer type
        self.assertEqual(lib.t_int(-3), -3)
        with self.assertRaises(OverflowError) as cm:
            lib.t_next_color(2**31)
        self.assertEqual(str(cm.exception), "t_next_color() argument 'c' (int) must be in -2147483648..2147483647, "
                                            "not 2147483648")
        self.assertEqual(lib.t_big_plus(lib.T_BIG, 1), 2**32 + 1)
        self.assertEqual(lib.t_big_plus.__self__.signature, "long long t_big_plus(long long b, int x)")

    def test_redeclaring(self):
        lib = self.lib
        lib.declare("static const int Z_OK = 0; enum t_color { T_RED, T_GREEN = 5, T_BLUE };")   # the same again
        with self.assertRaises(sigbind.SignatureError) as cm:
            lib.declare("static const int Z_OK = 1;")
        self.assertIn("constant 'Z_OK' is already declared with another value", str(cm.exception))
        with self.assertRaises(sigbind.SignatureError):
            lib.declare("enum t_big { OTHER = 1 };")                 # another type for enum t_big
        with self.assertRaises(sigbind.SignatureError):
            lib.declare("static const int t_int = 1;")              # a function's name

    def test_all_or_nothing(self):
        lib = self.lib
        with self.assertRaises(sigbind.SignatureError) as cm:
            lib.declare("#define NEW1 1\nenum { NEW2 = NEW1 + 1 };\nint nosuch(")
        self.assertEqual(cm.exception.line, 3)
        for name in ("NEW1", "NEW2"):
            self.assertFalse(hasattr(lib, name))
        lib.declare("#define NEW1 10")
        self.assertEqual(lib.NEW1, 10)

    def test_errors(self):
        lib = self.lib
        cases = {
            "enum e { X = 1 / 0 };": "division by zero",
            "enum e { X = UNKNOWN };": "'UNKNOWN' is not an integer constant declared before",
            "enum e { X, X };": "'X' is declared twice",
            "enum e { X = 1.5 };": "only integer constants",
            "enum e { X = 1 << 64 };": "shift out of range",
            "enum e { X = 0x7fffffffffffffff + 1 };": "overflows",
            "enum e { X = -1, Y = 0xffffffffffffffff };": "need more than 64 bits",
            "enum e { X 1 };": "expected ',' or '}'",
            "enum e { X } v;": "expected ';' after the enum's '}'",
            "static const unsigned char U = 300;": "U = 300 does not fit unsigned char (0..255)",
            "static const double PI = 3.14;": "only integer constants are supported",
            "static const char *S = 0;": "only integer constants are supported",
            "#define F(x) (x)": "function-like macros are not supported",
            "#define EMPTY": "has no value",
            "#define S \"text\"": "integer constant expression",
            "#include <zlib.h>": "only '#define NAME value' is supported",
            "typedef enum { Q } ;": "the typedef's name",
        }
        for text, msg in cases.items():
            with self.subTest(text=text):
                with self.assertRaises(sigbind.SignatureError) as cm:
                    lib.declare(text)
                self.assertIn(msg, str(cm.exception))

    def test_prototypes_are_not_constants(self):
        lib = sigbind.load(None, "const char *strerror(int errnum); static const int K = 2;")
        self.assertIn("No such file", lib.strerror(2))
        self.assertEqual(lib.K, 2)
        with self.assertRaises(AttributeError) as cm:
            lib.NOPE
        self.assertIn("no function or constant 'NOPE'", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
