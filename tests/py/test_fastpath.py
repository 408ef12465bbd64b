# test_fastpath.py — the compiled call paths give the same results and errors as the general path on every version: str arguments encoded without a temporary (3.7-3.9), keyword calls of METH_FASTCALL functions.
import errno
import functools
import sys
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


class Kernels(unittest.TestCase):
    """The call kernels prepared at bind time (kernels.c) give the general path's results and errors: every
    argument class, defaults and keywords, error contracts, [[out]], [[nogil]], many arguments, and hostile
    values that are not of the exact type (those go to the general path, which names what is wrong)."""

    @classmethod
    def setUpClass(cls):
        lib = cls.lib = testlib()
        cls.sum8 = lib.bind("int64_t t_sum8(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, "
                            "int64_t g = 7, int64_t h = 8)")
        cls.many = lib.bind("int t_many(int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8, "
                            "int a9, int a10, int a11)")
        cls.sumd10 = lib.bind("double t_sumd10(double a, double b, double c, double d, double e, double f, "
                              "double g, double h, double i, double j = 10.0)")
        cls.mix = lib.bind("double t_mix(int8_t a, double b, uint16_t c, float d, int64_t e, double f)")
        cls.u8 = lib.bind("uint8_t t_u8(uint8_t x)")
        cls.fadd = lib.bind("float t_fadd(float a, float b = 0.5)")
        cls.fail_errno = lib.bind("int t_fail_errno(int e) [[errno(-1)]]")
        cls.null_errno = lib.bind("void *t_null_errno(int e) [[errno(NULL)]]")
        cls.errno_u = lib.bind("unsigned int t_errno_u(int e) [[errno(== 4294967295)]]")
        cls.status = lib.bind("int t_status(int s) [[status(!= 0)]]")
        cls.status_lt = lib.bind("int t_status(int s) [[status(< 0)]]")
        cls.divmod = lib.bind("void t_divmod(int a, int b, int *q [[out]], int *r [[out]])")
        cls.split = lib.bind("int t_split(double x, double *ipart [[out]])")
        cls.status_out = lib.bind("int t_status_out(int s, int *value [[out]]) [[status(!= 0)]]")
        cls.nogil = lib.bind("double t_double(double x) [[nogil]]")
        cls.nogil_errno = lib.bind("int t_fail_errno(int e) [[errno(-1), nogil]]")

    def test_kernel_results_match_the_arithmetic(self):
        self.assertEqual(self.sum8(1, 2, 3, 4, 5, 6, 7, 8), 204)
        self.assertEqual(self.many(*range(12)), 66)
        self.assertEqual(self.sumd10(*[1.0] * 10), 55.0)
        self.assertEqual(self.mix(-3, 0.5, 65535, 0.25, -(2 ** 40), 1.25), -3 + 0.5 + 65535 + 0.25 - 2 ** 40 + 1.25)
        self.assertEqual(self.u8(255), 255)
        self.assertEqual(self.fadd(1.5, 2.25), 3.75)

    def test_kernel_defaults_and_keywords_bind_like_python(self):
        self.assertEqual(self.sum8(1, 2, 3, 4, 5, 6), 204)
        self.assertEqual(self.sum8(1, 2, 3, 4, 5, 6, h=0), 140)
        self.assertEqual(self.sum8(h=1, g=1, f=1, e=1, d=1, c=1, b=1, a=1), 36)
        self.assertEqual(self.sumd10(*[1.0] * 9), 45.0 + 100.0)
        self.assertEqual(self.fadd(1.0), 1.5)
        self.assertEqual(self.fadd(b=1.0, a=2.0), 3.0)
        self.assertEqual(self.fadd(1.0, **{}), 1.5)

    def test_first_call_of_any_form_makes_the_kernel(self):
        # A kernel is made by a function's first call (a bound function never called keeps none):
        # whatever form that first call takes -- keywords, an omitted default, a conversion error, a
        # failing contract, a GIL-releasing call -- it and every later call give the same results.
        lib = self.lib
        protos = {
            "kw": "float t_fadd(float a, float b = 0.5)",
            "default": "int64_t t_sum8(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, "
                       "int64_t g = 7, int64_t h = 8)",
            "error": "double t_sumd10(double a, double b, double c, double d, double e, double f, "
                     "double g, double h, double i, double j = 10.0)",
            "contract": "int t_fail_errno(int e) [[errno(-1)]]",
            "nogil": "double t_double(double x) [[nogil]]",
        }
        for _ in range(2):
            fadd = lib.bind(protos["kw"])
            self.assertEqual(fadd(b=1.0, a=2.0), 3.0)
            self.assertEqual(fadd(1.0), 1.5)
            self.assertEqual(fadd(1.0, 2.0), 3.0)
            sum8 = lib.bind(protos["default"])
            self.assertEqual(sum8(1, 2, 3, 4, 5, 6), 204)  # as test_kernel_defaults_and_keywords_bind_like_python
            self.assertEqual(sum8(1, 2, 3, 4, 5, 6, h=0), 140)
            self.assertEqual(sum8(1, 2, 3, 4, 5, 6, 7, 8), 204)
            sumd10 = lib.bind(protos["error"])
            with self.assertRaises(TypeError) as cm:
                sumd10("x", *[1.0] * 8)
            self.assertIn("t_sumd10() argument 'a' (double)", str(cm.exception))
            self.assertEqual(sumd10(*[1.0] * 9), 45.0 + 100.0)
            fail = lib.bind(protos["contract"])
            with self.assertRaises(OSError) as cm:
                fail(errno.ENOENT)
            self.assertEqual(cm.exception.errno, errno.ENOENT)
            self.assertEqual(fail(0), 7)
            nogil = lib.bind(protos["nogil"])
            self.assertEqual(nogil(2.5), nogil(2.5))
            f2 = lib.bind(protos["kw"])  # a second binding's first call by position
            self.assertEqual(f2(1.0, 2.0), 3.0)
            self.assertEqual(f2(a=1.0), 1.5)

    def test_kernel_binding_errors_are_the_general_paths(self):
        with self.assertRaises(TypeError) as cm:
            self.sum8(1, 2, 3, 4, 5, 6, 7, 8, 9)
        self.assertIn("t_sum8() takes at most 8 positional arguments (9 given)", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            self.sum8(1, 2, 3, 4, 5, 6, a=1)
        self.assertIn("multiple values for argument 'a'", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            self.sum8(1, 2, 3)
        self.assertIn("t_sum8() missing required argument 'd' (pos 4)", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            self.fadd(1.0, c=2.0)
        self.assertIn("unexpected keyword argument 'c'", str(cm.exception))

    def test_kernel_conversion_errors_name_function_parameter_and_type(self):
        cases = ((self.u8, (256,), OverflowError, "t_u8() argument 'x' (uint8_t)"),
                 (self.u8, (-1,), OverflowError, "t_u8() argument 'x' (uint8_t)"),
                 (self.u8, ("1",), TypeError, "t_u8() argument 'x' (uint8_t)"),
                 (self.many, tuple(range(11)) + (2 ** 31,), OverflowError, "t_many() argument 'a11' (int)"),
                 (self.mix, (128, 0.5, 1, 1.0, 1, 1.0), OverflowError, "t_mix() argument 'a' (int8_t)"),
                 (self.mix, (1, 0.5, 65536, 1.0, 1, 1.0), OverflowError, "t_mix() argument 'c' (uint16_t)"),
                 (self.mix, (1, 0.5, 1, 1e300, 1, 1.0), OverflowError, "t_mix() argument 'd' (float)"),
                 (self.sum8, (1, 2, 3, 4, 5, 6, 2 ** 63), OverflowError, "t_sum8() argument 'g' (int64_t)"),
                 (self.sumd10, (1.0,) * 9 + ("x",), TypeError, "t_sumd10() argument 'j' (double)"),
                 (self.fail_errno, (None,), TypeError, "t_fail_errno() argument 'e' (int)"))
        for f, args, exc, head in cases:
            with self.subTest(f=f, args=args):
                with self.assertRaises(exc) as cm:
                    f(*args)
                self.assertIn(head, str(cm.exception))

    def test_kernel_subclasses_and_index_convert_through_the_general_path(self):
        class I(int):
            pass

        class Idx:
            def __index__(self):
                return 5

        class F(float):
            pass

        self.assertEqual(self.u8(I(7)), 7)
        self.assertEqual(self.u8(Idx()), 5)
        self.assertEqual(self.fadd(F(1.0), F(2.0)), 3.0)
        self.assertEqual(self.many(*([Idx()] * 12)), 60)
        self.assertEqual(self.sum8(True, 0, 0, 0, 0, 0, 0, 0), 1)

    def test_kernel_hostile_index_mutating_and_freeing_arguments(self):
        victims = [[1] * 4 for _ in range(12)]
        args = []

        class Evil:
            def __index__(self):
                victims.clear()    # frees the lists the other arguments referenced
                args.clear()
                return 3

        args.extend([Evil()] + [Idx2(v) for v in victims[1:12]])
        self.assertEqual(self.many(*args), 3 + 11 * 4)
        self.assertEqual(self.sum8(Evil(), 1, 1, 1, 1, 1, g=Evil()), 3 + 2 + 3 + 4 + 5 + 6 + 21 + 64)

    def test_kernel_error_contracts(self):
        self.assertEqual(self.fail_errno(0), 7)
        with self.assertRaises(OSError) as cm:
            self.fail_errno(errno.ENOENT)
        self.assertEqual(cm.exception.errno, errno.ENOENT)
        self.assertIsNotNone(self.null_errno(0))
        with self.assertRaises(OSError) as cm:
            self.null_errno(errno.EACCES)
        self.assertEqual(cm.exception.errno, errno.EACCES)
        self.assertEqual(self.errno_u(0), 5)
        with self.assertRaises(OSError) as cm:
            self.errno_u(errno.EINVAL)
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIsNone(self.status(0))
        with self.assertRaises(sigbind.StatusError) as cm:
            self.status(-2)
        self.assertEqual(cm.exception.status, -2)
        self.assertIsNone(self.status_lt(5))
        with self.assertRaises(sigbind.StatusError):
            self.status_lt(-1)

    def test_kernel_out_parameters(self):
        self.assertEqual(self.divmod(17, 5), (3, 2))
        self.assertEqual(self.divmod(b=4, a=-9), (-2, -1))
        self.assertEqual(self.split(-2.5), (-1, -2.0))
        self.assertEqual(self.status_out(0), 99)
        with self.assertRaises(sigbind.StatusError):
            self.status_out(1)

    def test_kernel_nogil_calls_from_threads(self):
        import threading
        errors = []

        def worker(k):
            try:
                for i in range(2000):
                    x = float(i + k)
                    if self.nogil(x) != x:
                        errors.append((k, i))
                    try:
                        self.nogil_errno(errno.EAGAIN)
                    except OSError as e:
                        if e.errno != errno.EAGAIN:
                            errors.append(e)
                    else:
                        errors.append("no OSError")
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(self.nogil_errno(0), 7)


class KernelBinding(unittest.TestCase):
    """Keywords and omitted defaults on the kernels' own binding (kernels.c sb__kbind, shapes.c): keyword names
    matched once per call site (the keyword tuple kept), by identity or by an equal str made at run time;
    omitted defaults taken from the cells the general path uses; unrolled scalar and double kernels; and
    the same errors as the general path, also from hostile objects in the middle."""

    @classmethod
    def setUpClass(cls):
        lib = cls.lib = testlib()
        cls.u8f = lib.bind("double t_u8f(uint8_t alpha, float beta = 0.25)")  # a scalar kernel, unrolled
        cls.scal4 = lib.bind("double t_scal4(int8_t a, uint64_t b, uint16_t c = 7, float d = 0.5)")
        cls.sumd6 = lib.bind("double t_sumd6(double a, double b, double c, double d, double e = 5.0, double f = 6.0)")
        cls.i64 = lib.bind("int64_t t_i64(int64_t value = -9223372036854775807)")  # a shape kernel
        cls.pow_ = sigbind.load("m").bind("double pow(double base, double exponent = 2.0)")  # a shape kernel

    def test_kernel_binding_results_positional_keyword_and_defaults(self):
        weighted = lambda *v: sum((i + 1) * x for i, x in enumerate(v))
        for _ in range(3):  # the first call makes the kernel, later ones reuse the kept keyword tuple
            self.assertEqual(self.u8f(3, 1.5), 4.5)
            self.assertEqual(self.u8f(3), 3.25)
            self.assertEqual(self.u8f(alpha=255), 255.25)
            self.assertEqual(self.u8f(beta=2.0, alpha=1), 3.0)
            self.assertEqual(self.u8f(1, beta=-1.0), 0.0)
            self.assertEqual(self.scal4(-128, 2 ** 63 - 1, 65535, 1.0), -128 + float(2 ** 63 - 1) + 65535 + 1.0)
            self.assertEqual(self.scal4(1, 2), 1 + 2 + 7 + 0.5)
            self.assertEqual(self.scal4(1, 2, d=0.0), 10.0)
            self.assertEqual(self.scal4(d=0.0, c=0, b=0, a=127), 127.0)
            self.assertEqual(self.sumd6(1.0, 2.0, 3.0, 4.0, 5.0, 6.0), weighted(1, 2, 3, 4, 5, 6))
            self.assertEqual(self.sumd6(1.0, 1.0, 1.0, 1.0), weighted(1, 1, 1, 1, 5, 6))
            self.assertEqual(self.sumd6(1.0, 1.0, 1.0, 1.0, f=0.0), weighted(1, 1, 1, 1, 5, 0))
            self.assertEqual(self.i64(), -9223372036854775807)
            self.assertEqual(self.i64(value=5), 5)
            self.assertEqual(self.pow_(3.0), 9.0)
            self.assertEqual(self.pow_(exponent=3.0, base=2.0), 8.0)

    def test_kernel_keyword_tuples_alternating_at_one_call_site(self):
        # One call site, keyword tuples of other names and orders in turn: each binds by its own names.
        calls = [({"alpha": 1, "beta": 2.0}, 3.0), ({"beta": 0.5, "alpha": 2}, 2.5), ({"alpha": 4}, 4.25),
                 ({"beta": 1.0}, None)]
        for _ in range(3):
            for kw, expect in calls:
                if expect is None:
                    with self.assertRaises(TypeError) as cm:
                        self.u8f(**kw)
                    self.assertIn("t_u8f() missing required argument 'alpha'", str(cm.exception))
                else:
                    self.assertEqual(self.u8f(**kw), expect)

    def test_kernel_failed_keyword_call_leaves_the_kept_names_intact(self):
        # Each call site below passes its own keyword tuple; the failing one (an unknown name after a
        # known one) must not disturb what the kept tuple binds to.
        g = self.lib.bind("double t_sumd6(double a, double b, double c, double d, double e = 5.0, double f = 6.0)")
        expect = 1 + 2 * 2 + 3 * 3 + 4 * 4.0 + 5 * 5 + 6 * 0.5
        for _ in range(3):
            self.assertEqual(g(1.0, 2.0, 3.0, f=0.5, d=4.0), expect)
            with self.assertRaises(TypeError) as cm:
                g(1.0, 2.0, 3.0, 4.0, e=1.0, zzz=1.0)
            self.assertIn("t_sumd6() got an unexpected keyword argument 'zzz'", str(cm.exception))
            self.assertEqual(g(1.0, 2.0, 3.0, f=0.5, d=4.0), expect)

    def test_kernel_keywords_not_interned_bind_by_equal_str(self):
        interned = sys.intern("alpha")
        name = "".join(["al", "pha"])  # equal, another object, not interned
        self.assertIsNot(name, interned)
        other = "".join(["be", "ta"])
        for f in (self.u8f, self.lib.bind("double t_u8f(uint8_t alpha, float beta = 0.25)")):  # made by this call
            for _ in range(3):
                self.assertEqual(f(**{name: 2}), 2.25)
                self.assertEqual(f(1, **{other: 3.0}), 4.0)
                self.assertEqual(f(**{other: 1.0, name: 1}), 2.0)
        base = "".join(["ba", "se"])
        self.assertEqual(self.pow_(**{base: 5.0}), 25.0)
        i64 = self.lib.bind("int64_t t_i64(int64_t value = 1)")
        self.assertEqual(i64(**{"".join(["val", "ue"]): 9}), 9)

    def test_kernel_keyword_str_subclass_binds_without_running_its_eq(self):
        ran = []

        class S(str):
            def __eq__(self, other):
                ran.append(other)
                return False

            __hash__ = str.__hash__

        self.assertEqual(self.u8f(**{S("alpha"): 6}), 6.25)
        self.assertEqual(self.pow_(2.0, **{S("exponent"): 3.0}), 8.0)
        self.assertEqual(ran, [])

    def test_kernel_binding_errors_are_the_general_paths(self):
        name = "".join(["al", "pha"])
        cases = ((lambda: self.u8f(1, alpha=2), TypeError, "t_u8f() got multiple values for argument 'alpha'"),
                 (lambda: self.u8f(1, **{name: 2}), TypeError, "t_u8f() got multiple values for argument 'alpha'"),
                 (lambda: self.u8f(1, gamma=2), TypeError, "t_u8f() got an unexpected keyword argument 'gamma'"),
                 (lambda: self.u8f(), TypeError, "t_u8f() missing required argument 'alpha'"),
                 (lambda: self.u8f(1, 2.0, 3), TypeError, "t_u8f() takes at most 2 positional arguments (3 given)"),
                 (lambda: self.u8f(alpha=256), OverflowError, "t_u8f() argument 'alpha' (uint8_t)"),
                 (lambda: self.u8f(1, beta=1e300), OverflowError, "t_u8f() argument 'beta' (float)"),
                 (lambda: self.scal4(1, 2, c=-1), OverflowError, "t_scal4() argument 'c' (uint16_t)"),
                 (lambda: self.sumd6(1.0, 1.0, 1.0, d="x"), TypeError, "t_sumd6() argument 'd' (double)"),
                 (lambda: self.sumd6(1.0, 1.0, 1.0), TypeError, "t_sumd6() missing required argument 'd'"),
                 (lambda: self.i64(value=2 ** 63), OverflowError, "t_i64() argument 'value' (int64_t)"),
                 (lambda: self.pow_(2.0, exponent=None), TypeError, "pow() argument 'exponent' (double)"),
                 (lambda: self.pow_(exponent=1.0), TypeError, "pow() missing required argument 'base'"))
        for _ in range(2):
            for call, exc, text in cases:
                with self.subTest(text=text):
                    with self.assertRaises(exc) as cm:
                        call()
                    self.assertIn(text, str(cm.exception))
        posonly = self.lib.bind("double t_u8f(uint8_t alpha, /, float beta = 0.25)")
        self.assertEqual(posonly(1, beta=1.0), 2.0)
        with self.assertRaises(TypeError) as cm:
            posonly(**{name: 1})
        self.assertIn("positional-only arguments passed as keyword arguments: 'alpha'", str(cm.exception))

    def test_kernel_integer_ranges_at_their_edges(self):
        for a, ok in ((-128, True), (127, True), (-129, False), (128, False)):
            with self.subTest(a=a):
                if ok:
                    self.assertEqual(self.scal4(a, 0, 0, 0.0), float(a))
                else:
                    self.assertRaises(OverflowError, self.scal4, a, 0, 0, 0.0)
        for b, ok in ((0, True), (2 ** 63 - 1, True), (2 ** 63, True), (2 ** 64 - 1, True), (-1, False),
                      (2 ** 64, False)):
            with self.subTest(b=b):
                if ok:
                    self.assertEqual(self.scal4(0, b, 0, 0.0), float(b))
                else:
                    self.assertRaises(OverflowError, self.scal4, 0, b, 0, 0.0)
        for a, ok in ((0, True), (255, True), (-1, False), (256, False), (-2 ** 63, False), (2 ** 63 - 1, False)):
            with self.subTest(alpha=a):
                if ok:
                    self.assertEqual(self.u8f(a, 0.0), float(a))
                    self.assertEqual(self.u8f(alpha=a), a + 0.25)
                else:
                    self.assertRaises(OverflowError, self.u8f, a, 0.0)
                    self.assertRaises(OverflowError, lambda: self.u8f(alpha=a))

    def test_kernel_hostile_index_and_float_with_keywords_and_defaults(self):
        f = self.u8f

        class Reenter:
            """__index__ calls the same function with other keywords (the kept keyword tuple changes)."""

            def __index__(self):
                self.inner = (f(beta=1.0, alpha=1), f(**{"".join(["al", "pha"]): 2}), f(3))
                return 9

        class EvilFloat:
            def __init__(self, victims):
                self.victims = victims

            def __float__(self):
                self.victims.clear()
                raise ValueError("no float today")

        r = Reenter()
        self.assertEqual(f(alpha=r, beta=0.5), 9.5)
        self.assertEqual(r.inner, (2.0, 2.25, 3.25))
        self.assertEqual(f(beta=0.5, alpha=r), 9.5)
        victims = [1, 2, 3]
        with self.assertRaises(ValueError):
            f(alpha=1, beta=EvilFloat(victims))
        self.assertEqual(victims, [])
        with self.assertRaises(ValueError):
            self.sumd6(1.0, 1.0, 1.0, d=EvilFloat([1]))
        self.assertEqual(self.sumd6(1.0, 1.0, 1.0, d=Idx2([1, 2])), 1 + 2 + 3 + 8 + 25 + 36)
        self.assertEqual(f(3, beta=Idx2([0] * 4)), 7.0)
        self.assertEqual(f(3), 3.25)  # the default after all of that


class Idx2:
    """An __index__ that reads a list another argument's conversion may free."""

    def __init__(self, lst):
        self.lst = lst

    def __index__(self):
        return len(self.lst)


if __name__ == "__main__":
    unittest.main()
