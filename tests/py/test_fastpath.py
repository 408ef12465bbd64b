# test_fastpath.py — the compiled call paths give the same results and errors as the general path on every version: str arguments encoded without a temporary (3.7-3.9), keyword calls of METH_FASTCALL functions.
import functools
import unittest

import sigbind
from support import testlib

# Characters of every UTF-8 length: 1, 2, 3 and 4 bytes.
CHARS = ("a", "\u00e9", "\u20ac", "\U0001F600")


class StrArguments(unittest.TestCase):
    """`const char *` parameters given a str: its UTF-8 reaches C unchanged, whatever its length."""

    @classmethod
    def setUpClass(cls):
        libc = sigbind.load(None)
        cls.strlen = libc.bind("size_t strlen(const char *s)")           # a shape kernel
        cls.strcmp = libc.bind("int strcmp(const char *a, const char *b)")  # the register path
        cls.concat = testlib().bind("char *t_concat(const char *a, const char *b) [[free]]")
        cls.strtol = libc.bind("long strtol(const char *s, char **end, int base = 10)")  # general path

    def test_str_arguments_every_utf8_length_round_trip(self):
        for ch in CHARS:
            for n in (0, 1, 2, 31, 63, 126, 127, 128, 129, 500):
                s = ch * n + "z"
                with self.subTest(ch=ch, n=n):
                    self.assertEqual(self.strlen(s), len(s.encode()))
                    self.assertEqual(self.concat(s, ""), s)
                    self.assertEqual(self.concat("", s), s)

    def test_str_arguments_mixed_text_round_trip(self):
        s = "".join(CHARS) * 20
        for cut in range(0, len(s), 7):
            a, b = s[:cut], s[cut:]
            with self.subTest(cut=cut):
                self.assertEqual(self.concat(a, b), a + b)
                self.assertEqual(self.strcmp(a, a), 0)
                self.assertNotEqual(self.strcmp(a, b), 0)

    def test_str_arguments_two_long_strings_both_reach_c(self):
        a, b = "\u20ac" * 100, "\U0001F600" * 100   # together more than one stack buffer
        self.assertEqual(self.concat(a, b), a + b)
        self.assertEqual(self.strcmp(a, a), 0)

    def test_str_argument_lone_surrogate_names_parameter(self):
        for f, args, head in ((self.strlen, ("x\ud800",), "strlen() argument 's'"),
                              (self.strcmp, ("ok", "\udfff"), "strcmp() argument 'b'"),
                              (self.concat, ("a" * 200 + "\ud800", ""), "t_concat() argument 'a'")):
            with self.subTest(f=f):
                with self.assertRaises(ValueError) as cm:
                    f(*args)
                self.assertTrue(str(cm.exception).startswith(head + " (const char *) must be encodable as UTF-8"),
                                str(cm.exception))

    def test_str_argument_embedded_nul_names_parameter(self):
        with self.assertRaises(ValueError) as cm:
            self.strlen("a\0b")
        self.assertEqual(str(cm.exception), "strlen() argument 's' (const char *) must not contain NUL characters")
        with self.assertRaises(ValueError) as cm:
            self.strcmp("ok", "\u20ac\0")
        self.assertIn("argument 'b'", str(cm.exception))

    def test_str_subclass_takes_the_general_path(self):
        class S(str):
            pass
        self.assertEqual(self.strlen(S("\u00e9t\u00e9")), 5)
        self.assertEqual(self.concat(S("a"), S("\u20ac")), "a\u20ac")

    def test_str_arguments_with_defaults_and_keywords(self):
        self.assertEqual(self.strtol("\u0031\u0032", None), 12)
        self.assertEqual(self.strtol(s="ff", end=None, base=16), 255)


class KeywordCalls(unittest.TestCase):
    """Keywords reach a METH_FASTCALL | METH_KEYWORDS function on every version, however they are passed."""

    @classmethod
    def setUpClass(cls):
        cls.lib = testlib()

    def test_keywords_from_dict_partial_and_positional_mix(self):
        strtol = sigbind.load(None).bind("long strtol(const char *s, char **end, int base = 10)")
        self.assertEqual(strtol(**{"s": "17", "end": None}), 17)
        self.assertEqual(strtol("17", **{"end": None, "base": 8}), 15)
        self.assertEqual(functools.partial(strtol, base=16)("ff", None), 255)
        self.assertEqual(functools.partial(strtol, "11")(None, 2), 3)
        with self.assertRaises(TypeError) as cm:
            strtol("1", None, 10, base=10)
        self.assertIn("multiple values for argument 'base'", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            strtol(**{"s": "1", "end": None, "nope": 1})
        self.assertIn("unexpected keyword argument 'nope'", str(cm.exception))

    def test_omitted_defaults_take_their_values_on_every_type(self):
        libm = sigbind.load("m")
        pow_ = libm.bind("double pow(double x, double y = 2.0)")
        self.assertEqual(pow_(3.0), 9.0)
        self.assertEqual(pow_(2.0, 3.0), 8.0)
        strlen = sigbind.load(None).bind('size_t strlen(const char *s = "hello")')
        self.assertEqual(strlen(), 5)
        self.assertEqual(strlen("ab"), 2)
        strtol = sigbind.load(None).bind("long strtol(const char *s, char **end = NULL, int base = 10)")
        self.assertEqual(strtol("12"), 12)
        self.assertEqual(strtol("12", None), 12)
        self.assertEqual(strtol("12", base=8), 10)

    def test_keywords_in_any_order_and_uninterned_names(self):
        pow_ = sigbind.load("m").bind("double pow(double x, double y = 2.0)")
        self.assertEqual(pow_(y=3.0, x=2.0), 8.0)
        self.assertEqual(pow_(2.0, y=5.0), 32.0)
        self.assertEqual(pow_(x=4.0), 16.0)
        name = "".join(["y", ""]) + "".join([])  # a str equal to 'y' made at run time
        self.assertEqual(pow_(2.0, **{name: 4.0}), 16.0)
        self.assertEqual(pow_(**{"".join(["x"]): 3.0}), 9.0)

    def test_keyword_values_that_need_conversion_and_errors_name_parameters(self):
        class Idx:
            def __index__(self):
                return 8

        strtol = sigbind.load(None).bind("long strtol(const char *s, char **end = NULL, int base = 10)")
        self.assertEqual(strtol("17", base=Idx()), 15)
        with self.assertRaises(TypeError) as cm:
            strtol("17", base=2.5)
        self.assertIn("'base'", str(cm.exception))
        with self.assertRaises(OverflowError) as cm:
            strtol("17", base=2 ** 40)
        self.assertIn("'base'", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            strtol(base=10)
        self.assertIn("missing required argument 's'", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            strtol("1", None, 10, 4)
        self.assertIn("takes at most 3 positional arguments (4 given)", str(cm.exception))

    def test_no_parameter_function_rejects_arguments_in_own_words(self):
        g = self.lib.bind("int t_free_count(void)")
        self.assertIsInstance(g(), int)
        with self.assertRaises(TypeError) as cm:
            g(**{"z": 1})
        self.assertIn("t_free_count() got an unexpected keyword argument 'z'", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            g(*(1, 2))
        self.assertEqual(str(cm.exception), "t_free_count() takes no positional arguments (2 given)")

    def test_one_positional_only_parameter_refuses_keyword_in_own_words(self):
        g = self.lib.bind("int t_int(int x, /)")
        self.assertEqual(g(*[5]), 5)
        with self.assertRaises(TypeError) as cm:
            g(**{"x": 5})
        self.assertEqual(str(cm.exception),
                         "t_int() got some positional-only arguments passed as keyword arguments: 'x'")

    def test_first_call_by_keyword_finds_names_on_every_path(self):
        """The names are looked up at a function's first keyword call (none kept before): a fresh
        function's very first call may be by keyword, wrong keyword, or a renamed keyword."""
        libc = sigbind.load(None)
        proto = "long strtol(const char *s, char **end = NULL, int base = 10)"
        f = libc.bind(proto)  # register path (bind_fast)
        self.assertEqual(f(s="21", base=8), 17)
        f = libc.bind(proto)
        with self.assertRaises(TypeError) as cm:
            f("1", bogus=1)  # the first call: a wrong keyword
        self.assertIn("strtol() got an unexpected keyword argument 'bogus'", str(cm.exception))
        self.assertEqual(f("1", base=2), 1)  # and the names are there afterwards
        g = libc.bind("long strtol(const char *s, char **end, int base) [[nogil]]")
        self.assertEqual(g(**{"".join(["s"]): "z", "end": None, "base": 36}), 35)
        h = libc.bind("long strtol(const char *from, char **end, int base = 10)")  # 'from' is Python's
        with self.assertRaises(TypeError) as cm:
            h(**{"from": "1", "end": None})
        self.assertIn("unexpected keyword argument 'from'", str(cm.exception))
        self.assertEqual(h(from_="7", end=None), 7)
        k = self.lib.bind("int t_int(int x, /)")
        with self.assertRaises(TypeError) as cm:
            k(x=1)  # positional-only, first call by keyword
        self.assertIn("positional-only arguments passed as keyword arguments: 'x'", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
