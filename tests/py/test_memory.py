# test_memory.py — typed memory: sigbind.new/cast/sizeof/alignof/string_at/buffer/from_buffer and Pointer access.
import array
import gc
import os
import struct
import sys
import unittest

import sigbind
from support import assert_flat, testlib

libc = sigbind.load(None, """
    void *memset(void *s, int c, size_t n);
    void *memcpy(void *dest, const void *src, size_t n);
    size_t strlen(const char *s);
""")


class New(unittest.TestCase):
    def test_array_zero_filled(self):
        p = sigbind.new("int[10]")
        self.assertIsInstance(p, sigbind.Pointer)
        self.assertEqual(p.type, "int *")
        self.assertEqual(len(p), 10)
        self.assertEqual(list(p), [0] * 10)
        self.assertEqual(sigbind.sizeof(p), 10 * struct.calcsize("i"))
        self.assertTrue(p)

    def test_init_iterable(self):
        p = sigbind.new("int[5]", [1, 2, 3])
        self.assertEqual(p[:], [1, 2, 3, 0, 0])
        p = sigbind.new("double[3]", (x / 2 for x in range(3)))
        self.assertEqual(list(p), [0.0, 0.5, 1.0])

    def test_open_length_from_init(self):
        p = sigbind.new("int[]", [1, 2, 3])
        self.assertEqual(len(p), 3)
        self.assertEqual(list(p), [1, 2, 3])
        c = sigbind.new("char[]", b"abc")
        self.assertEqual(len(c), 4)                      # with the NUL, as in C
        self.assertEqual(c[:], b"abc\0")
        self.assertEqual(sigbind.string_at(c), b"abc")
        s = sigbind.new("char[]", "h\u00e9")            # str: UTF-8
        self.assertEqual(sigbind.string_at(s), "h\u00e9".encode())
        self.assertEqual(libc.strlen(s), 3)

    def test_char_fixed(self):
        c = sigbind.new("char[8]", b"hi")
        self.assertEqual(c[:], b"hi\0\0\0\0\0\0")
        self.assertEqual(sigbind.new("char[2]", b"hi")[:], b"hi")   # no room for the NUL: allowed, as in C
        with self.assertRaisesRegex(ValueError, "more than 'char\\[2\\]' holds"):
            sigbind.new("char[2]", b"abc")

    def test_one_value(self):
        d = sigbind.new("double", 2.5)
        self.assertEqual(d.type, "double *")
        self.assertEqual(d.value, 2.5)
        self.assertEqual(d[0], 2.5)
        d.value = -1
        self.assertEqual(d[0], -1.0)
        self.assertEqual(len(d), 1)
        self.assertEqual(sigbind.new("uint16_t").value, 0)
        self.assertEqual(sigbind.new("bool", True).value, True)

    def test_pointer_arrays(self):
        a = sigbind.new("char *[3]")
        self.assertEqual(a.type, "char **")
        self.assertEqual(list(a), [None, None, None])
        s = sigbind.new("char[]", b"text")
        a[0] = s
        self.assertEqual(a[0], s)
        self.assertEqual(a[0].type, "char *")
        self.assertEqual(sigbind.string_at(a[0]), b"text")
        a[1] = int(s)
        self.assertEqual(a[1], s)
        a[1] = None
        self.assertIsNone(a[1])
        with self.assertRaisesRegex(TypeError, r"\(char \*\) must be a sigbind.Pointer, int address or None, not bytes"):
            a[2] = b"would dangle"
        with self.assertRaises(OverflowError):
            a[2] = -1

    def test_bad_types_and_lengths(self):
        with self.assertRaisesRegex(sigbind.SignatureError, "must not be negative"):
            sigbind.new("int[-1]")
        with self.assertRaisesRegex(sigbind.SignatureError, "too large"):
            sigbind.new("int[99999999999999999999999]")
        with self.assertRaisesRegex(OverflowError, "too large"):
            sigbind.new("double[9223372036854775807]")
        if not os.environ.get("SIGBIND_SANITIZED"):     # ASan aborts on absurd malloc sizes
            with self.assertRaises(MemoryError):
                sigbind.new("char[%d]" % (sys.maxsize // 2))
        with self.assertRaisesRegex(TypeError, "needs init"):
            sigbind.new("int[]")
        with self.assertRaisesRegex(TypeError, "'void' has no size"):
            sigbind.new("void")
        with self.assertRaisesRegex(TypeError, "PyObject"):
            sigbind.new("PyObject *[2]")
        with self.assertRaises(sigbind.SignatureError):
            sigbind.new("int[2][3]")
        with self.assertRaises(sigbind.SignatureError):
            sigbind.new("no_such_type[2]")
        with self.assertRaisesRegex(TypeError, "must be a str"):
            sigbind.new(4)
        with self.assertRaisesRegex(ValueError, "init has 3 items, more than 'int\\[2\\]' holds"):
            sigbind.new("int[2]", [1, 2, 3])
        with self.assertRaisesRegex(OverflowError, r"new\(\) argument 'init\[1\]' \(uint8_t\) must be in 0..255, not 256"):
            sigbind.new("uint8_t[]", [1, 256])
        with self.assertRaisesRegex(TypeError, r"argument 'init\[0\]' \(int\) must be int, not str"):
            sigbind.new("int[]", ["1"])
        with self.assertRaisesRegex(TypeError, "iterable"):
            sigbind.new("int[3]", 5)

    def test_zero_length(self):
        p = sigbind.new("int[0]")
        self.assertEqual(len(p), 0)
        self.assertEqual(list(p), [])
        self.assertEqual(p[:], [])
        with self.assertRaises(IndexError):
            p[0]


class Access(unittest.TestCase):
    def test_index_and_negative(self):
        p = sigbind.new("int[]", range(10))
        self.assertEqual(p[3], 3)
        self.assertEqual(p[-1], 9)
        p[-2] = 80
        self.assertEqual(p[8], 80)
        for bad in (10, -11, 2**70):
            with self.assertRaises(IndexError):
                p[bad]
        with self.assertRaisesRegex(IndexError, "index 10 out of range for a Pointer \\(int \\*\\) to 10 items"):
            p[10] = 1
        with self.assertRaises(TypeError):
            p["x"]
        with self.assertRaises(TypeError):
            del p[0]

    def test_conversions_like_arguments(self):
        p = sigbind.new("int8_t[2]")
        with self.assertRaisesRegex(OverflowError, r"\(int8_t\) must be in -128..127, not 128"):
            p[0] = 128
        with self.assertRaisesRegex(TypeError, r"\(int8_t\) must be int, not float"):
            p[0] = 1.5
        f = sigbind.new("float[1]")
        f[0] = 0.5
        self.assertEqual(f[0], 0.5)
        with self.assertRaises(OverflowError):
            f[0] = 1e300
        b = sigbind.new("bool[2]")
        b[1] = 1
        self.assertEqual(b[:], [False, True])
        with self.assertRaises(TypeError):
            b[0] = "yes"
        u = sigbind.new("uint64_t[1]", [2**64 - 1])
        self.assertEqual(u[0], 2**64 - 1)

    def test_char_elements_are_bytes(self):
        c = sigbind.new("char[4]", b"ab")
        self.assertEqual(c[0], b"a")
        c[1] = b"z"
        c[2] = ord("!")                                   # an int in char's range works too
        self.assertEqual(c[:3], b"az!")
        self.assertEqual(list(c), [b"a", b"z", b"!", b"\0"])
        with self.assertRaisesRegex(ValueError, "one byte"):
            c[0] = b"xy"
        u = sigbind.new("unsigned char[]", b"ab")       # other byte types are numbers
        self.assertEqual(list(u), [97, 98])

    def test_const_elements_read_only(self):
        p = sigbind.new("const int[2]", [1, 2])          # initial values are allowed
        self.assertEqual(p.type, "const int *")
        self.assertEqual(list(p), [1, 2])
        with self.assertRaisesRegex(TypeError, "cannot assign to a 'const int' element"):
            p[0] = 3

    def test_slices(self):
        p = sigbind.new("int[]", range(10))
        self.assertEqual(p[2:5], [2, 3, 4])
        self.assertEqual(p[::3], [0, 3, 6, 9])
        self.assertEqual(p[-3:], [7, 8, 9])
        self.assertEqual(p[::-1], list(range(9, -1, -1)))
        self.assertEqual(p[5:2], [])
        p[0:3] = [7, 7, 7]
        self.assertEqual(p[:4], [7, 7, 7, 3])
        p[::2] = [0] * 5
        self.assertEqual(p[:4], [0, 7, 0, 3])
        with self.assertRaisesRegex(ValueError, "has 2 items, and 3 were given"):
            p[0:2] = [1, 2, 3]
        with self.assertRaises(OverflowError):
            p[0:2] = [1, 2**40]
        self.assertEqual(p[:2], [0, 7])                  # all or nothing

    def test_void_pointer_needs_cast(self):
        v = sigbind.cast("void *", sigbind.new("int[2]"))
        with self.assertRaisesRegex(TypeError, "cast it first"):
            v[0]
        with self.assertRaisesRegex(TypeError, "cast it first"):
            v + 1
        with self.assertRaisesRegex(TypeError, "cast it first"):
            len(v)

    def test_null_pointer(self):
        for t in ("int *", "char *", "double **"):
            self.assertIsNone(sigbind.Pointer(0, t))  # NULL is None
            n = sigbind.Pointer(8, t)  # an address in the NULL page
            with self.assertRaisesRegex(ValueError, "NULL"):
                n[0]
            with self.assertRaisesRegex(ValueError, "NULL"):
                n[0] = None if t.endswith("**") else 1
            with self.assertRaisesRegex(ValueError, "NULL"):
                n.value
        self.assertIsNone(sigbind.cast("int *", 0))
        self.assertIsNone(sigbind.cast("int *", None))
        n = sigbind.cast("int *", 4)
        self.assertTrue(n)
        with self.assertRaisesRegex(ValueError, "NULL"):
            (n + 1)[0]
        with self.assertRaisesRegex(ValueError, "NULL"):
            sigbind.string_at(n)
        with self.assertRaisesRegex(ValueError, "NULL"):
            sigbind.buffer(0, 4)

    def test_foreign_pointer_unbounded(self):
        lib = testlib()
        names = lib.bind("const char **t_names(void)")()
        self.assertEqual(names.type, "const char **")
        with self.assertRaisesRegex(TypeError, "no known length"):
            len(names)
        with self.assertRaisesRegex(TypeError, "not iterable"):
            iter(names)
        with self.assertRaisesRegex(IndexError, "negative index"):
            names[-1]
        with self.assertRaisesRegex(IndexError, "explicit start and stop"):
            names[:]
        first = names[0]
        self.assertEqual(first.type, "const char *")
        self.assertEqual(sigbind.string_at(first), b"alpha")
        self.assertEqual(first[0], b"a")
        self.assertEqual([sigbind.string_at(s) for s in names[0:3]], [b"alpha", b"beta", b"gamma"])
        self.assertIsNone(names[3])
        self.assertEqual(sigbind.string_at(names[1], 2), b"be")
        self.assertEqual(sigbind.string_at((names + 2)[0] + 1), b"amma")


class Arithmetic(unittest.TestCase):
    def test_add_sub(self):
        p = sigbind.new("int[]", range(10))
        q = p + 3
        self.assertEqual(q[0], 3)
        self.assertEqual(int(q) - int(p), 3 * sigbind.sizeof("int"))
        self.assertEqual(len(q), 7)
        self.assertEqual(q[-1], 9)
        self.assertEqual((3 + p)[0], 3)
        self.assertEqual((q - 1)[0], 2)
        self.assertEqual(q - p, 3)
        self.assertEqual(p - q, -3)
        end = p + 10                                     # one past the end, as in C
        self.assertEqual(len(end), 0)
        with self.assertRaises(IndexError):
            end[0]
        with self.assertRaisesRegex(IndexError, "leaves its memory"):
            p + 11
        with self.assertRaisesRegex(IndexError, "leaves its memory"):
            p - 1
        with self.assertRaises(TypeError):
            p + 1.0
        far = sigbind.Pointer(2**63, "int64_t *")        # from C: no region, but no wrap-around either
        self.assertEqual(int(far + 2**59), 2**63 + 2**62)
        with self.assertRaisesRegex(OverflowError, "leaves the address space"):
            far + 2**60
        with self.assertRaisesRegex(OverflowError, "leaves the address space"):
            far - 2**61
        with self.assertRaises(OverflowError):
            far + 2**64
        with self.assertRaises(TypeError):
            p + p
        with self.assertRaisesRegex(TypeError, "the types differ"):
            p - sigbind.cast("char *", p)
        with self.assertRaisesRegex(ValueError, "not a multiple"):
            p - sigbind.cast("int *", sigbind.cast("char *", p) + 1)

    def test_owner_kept_alive(self):
        p = sigbind.new("int[]", [10, 20, 30])
        q = p + 1
        u = sigbind.cast("uint8_t *", p)
        del p
        gc.collect()
        for _ in range(3):                               # reuse freed memory if it was freed
            sigbind.new("int[3]", [-1, -1, -1])
        self.assertEqual(q[:], [20, 30])
        self.assertEqual(u[4], 20)
        w = q + 1
        del q, u
        gc.collect()
        self.assertEqual(w[0], 30)
        self.assertEqual((w - 2)[0], 10)

    def test_passing_to_c(self):
        lib = testlib()
        iota = lib.bind("void t_iota(int *p, size_t n, int start)")
        total = lib.bind("long long t_sum_ints(const int *p, size_t n)")
        p = sigbind.new("int[100]")
        iota(p, len(p), 1)
        self.assertEqual(p[:3], [1, 2, 3])
        self.assertEqual(total(p, 100), 5050)
        self.assertEqual(total(p + 50, 50), sum(range(51, 101)))
        d = sigbind.new("double[]", [0.5, 1.5])
        self.assertEqual(lib.bind("double t_sum_doubles(const double *p, size_t n)")(d, 2), 2.0)
        libc.memset(p, 0, sigbind.sizeof(p))
        self.assertEqual(total(p, 100), 0)
        # Owned memory passed as a temporary lives through the call.
        self.assertEqual(total(sigbind.new("int[]", [1, 2, 3]), 3), 6)
        # [[out]] parameters still work next to typed memory.
        divmod_ = lib.bind("void t_divmod(int a, int b, int *q [[out]], int *r [[out]])")
        self.assertEqual(divmod_(7, 2), (3, 1))
        incr = lib.bind("void t_incr(int *x)")
        incr(p + 5)
        self.assertEqual(p[5], 1)


class CastSizes(unittest.TestCase):
    def test_cast(self):
        p = sigbind.new("uint32_t[2]", [0x01020304, 0])
        b = sigbind.cast("uint8_t *", p)
        self.assertEqual(b.type, "uint8_t *")
        self.assertEqual(int(b), int(p))
        self.assertEqual(len(b), 8)
        self.assertEqual(b[:4], list(struct.pack("=I", 0x01020304)))
        c = sigbind.cast("const char *", int(p))         # an int address: C's memory, no length
        self.assertEqual(c.type, "const char *")
        with self.assertRaises(TypeError):
            len(c)
        self.assertIsNone(sigbind.cast("int *", None))
        with self.assertRaisesRegex(TypeError, "pointer type"):
            sigbind.cast("int", p)
        with self.assertRaisesRegex(TypeError, "pointer type"):
            sigbind.cast("int[2]", p)
        with self.assertRaisesRegex(TypeError, "from_buffer"):
            sigbind.cast("char *", bytearray(3))
        with self.assertRaises(OverflowError):
            sigbind.cast("char *", -1)

    def test_sizeof_alignof(self):
        self.assertEqual(sigbind.sizeof("int[10]"), 10 * struct.calcsize("i"))
        self.assertEqual(sigbind.sizeof("double"), 8)
        self.assertEqual(sigbind.sizeof("char *"), struct.calcsize("P"))
        self.assertEqual(sigbind.sizeof("void *[3]"), 3 * struct.calcsize("P"))
        self.assertEqual(sigbind.sizeof("PyObject *"), struct.calcsize("P"))
        self.assertEqual(sigbind.sizeof("unsigned long long"), 8)
        self.assertEqual(sigbind.alignof("double"), struct.calcsize("bd") - 8 if False else sigbind.alignof("int64_t"))
        self.assertEqual(sigbind.alignof("char"), 1)
        self.assertEqual(sigbind.alignof("int16_t[5]"), 2)
        self.assertEqual(sigbind.alignof("void *"), struct.calcsize("P"))
        with self.assertRaisesRegex(TypeError, "has no size"):
            sigbind.sizeof("int[]")
        with self.assertRaisesRegex(TypeError, "'void' has no size"):
            sigbind.sizeof("void")
        with self.assertRaisesRegex(TypeError, "does not know the size"):
            sigbind.sizeof(sigbind.Pointer(8, "int *"))
        self.assertEqual(sigbind.sizeof(sigbind.new("int[4]") + 1), 3 * struct.calcsize("i"))
        with self.assertRaises(TypeError):
            sigbind.sizeof(3)

    def test_type_texts_answer_the_same_when_parsed_again(self):
        # Parsed type texts are remembered by the str object (8 at a time):
        # cycling through more texts than that, repeated texts, equal texts
        # in new str objects and failing texts all give what a fresh parse does.
        expected = [("int8_t", 1), ("int16_t", 2), ("int32_t", 4), ("int64_t", 8), ("uint8_t", 1),
                    ("double", 8), ("char *", struct.calcsize("P")), ("int32_t[3]", 12), ("float", 4),
                    ("uint16_t[7]", 14), ("void *[2]", 2 * struct.calcsize("P"))]
        for _ in range(3):
            for text, size in expected:
                self.assertEqual(sigbind.sizeof(text), size, text)
                self.assertEqual(sigbind.sizeof("".join(list(text))), size, text)
                array = text if "[" in text else text + "[1]"
                self.assertEqual(sigbind.new(array).type, sigbind.new("".join(list(array))).type, array)
        p = sigbind.new("int32_t[2]", [1, 2])
        for text in ("int8_t *", "int16_t *", "int32_t *", "int64_t *") * 4:
            self.assertEqual(sigbind.cast(text, p).type, text)
        for _ in range(3):
            with self.assertRaisesRegex(sigbind.SignatureError, "sizeof.. argument 'type'"):
                sigbind.sizeof("int x y")

    def test_many_distinct_type_texts_stay_flat(self):
        def churn():
            for i in range(20000):
                sigbind.sizeof("int[%d]" % i)
        assert_flat(self, churn)

    def test_offsetof_needs_struct(self):
        with self.assertRaisesRegex(TypeError, "not a struct or union type"):
            sigbind.offsetof("int", "x")


class Bytes(unittest.TestCase):
    def test_string_at(self):
        s = sigbind.new("char[]", b"hello")
        self.assertEqual(sigbind.string_at(s), b"hello")
        self.assertEqual(sigbind.string_at(s, 2), b"he")
        self.assertEqual(sigbind.string_at(s + 1, n=3), b"ell")
        self.assertEqual(sigbind.string_at(int(s)), b"hello")
        self.assertEqual(sigbind.string_at(s, 0), b"")
        with self.assertRaisesRegex(IndexError, "7 bytes asked"):
            sigbind.string_at(s, 7)
        full = sigbind.new("char[3]", b"abc")            # no NUL inside its memory: no overread
        with self.assertRaisesRegex(ValueError, "no NUL"):
            sigbind.string_at(full)
        with self.assertRaises(ValueError):
            sigbind.string_at(s, -2)
        with self.assertRaises(TypeError):
            sigbind.string_at(b"abc")

    def test_buffer_zero_copy(self):
        p = sigbind.new("int[4]", [1, 2, 3, 4])
        m = sigbind.buffer(p, 8)
        self.assertIsInstance(m, memoryview)
        self.assertEqual(len(m), 8)
        self.assertFalse(m.readonly)
        self.assertEqual(m.tobytes(), struct.pack("=ii", 1, 2))
        m[0:4] = struct.pack("=i", 100)
        self.assertEqual(p[0], 100)
        p[1] = 200
        self.assertEqual(m.cast("i")[1], 200)
        self.assertEqual(len(sigbind.buffer(p)), 16)     # n defaults to the rest of owned memory
        self.assertEqual(sigbind.buffer(p + 3).tobytes(), struct.pack("=i", 4))
        with self.assertRaisesRegex(IndexError, "17 bytes asked"):
            sigbind.buffer(p, 17)
        with self.assertRaises(ValueError):
            sigbind.buffer(p, -1)

    def test_buffer_keeps_memory_alive(self):
        p = sigbind.new("char[]", b"keep me")
        m = sigbind.buffer(p + 5, 2)
        del p
        gc.collect()
        for _ in range(5):
            sigbind.new("char[8]", b"XXXXXXXX")
        self.assertEqual(m.tobytes(), b"me")
        sub = m[1:]
        del m
        gc.collect()
        self.assertEqual(sub.tobytes(), b"e")

    def test_buffer_of_c_memory(self):
        lib = testlib()
        raw = lib.bind("void *t_alloc(size_t n)")(16)
        try:
            m = sigbind.buffer(raw, 16)
            m[:] = b"x" * 16
            self.assertEqual(sigbind.string_at(raw, 16), b"x" * 16)
            with self.assertRaisesRegex(TypeError, "give n"):
                sigbind.buffer(raw)
            m.release()
        finally:
            libc_free = sigbind.load(None).bind("void free(void *p)")
            libc_free(raw)
        self.assertTrue(sigbind.buffer(sigbind.new("const char[]", b"ro")).readonly or sys.version_info < (3, 8))

    def test_from_buffer(self):
        ba = bytearray(b"hello")
        p = sigbind.from_buffer("char[]", ba)
        self.assertEqual(p.type, "char *")
        self.assertEqual(len(p), 5)
        p[0] = b"J"
        self.assertEqual(ba, bytearray(b"Jello"))
        libc.memset(p + 1, ord("a"), 4)
        self.assertEqual(ba, bytearray(b"Jaaaa"))
        with self.assertRaises(BufferError):             # the Pointer pins the bytearray
            ba.extend(b"!")
        a = array.array("i", [1, 2, 3])
        q = sigbind.from_buffer("int[]", a)
        q[2] = 30
        self.assertEqual(a.tolist(), [1, 2, 30])
        self.assertEqual(len(sigbind.from_buffer("int[2]", a)), 2)
        self.assertEqual(len(sigbind.from_buffer("int16_t[]", bytearray(5))), 2)
        r = sigbind.from_buffer("const char[]", b"bytes")
        self.assertEqual(r[:], b"bytes")
        with self.assertRaisesRegex(TypeError, "writable"):
            sigbind.from_buffer("char[]", b"bytes")
        with self.assertRaisesRegex(ValueError, "needs 16 bytes"):
            sigbind.from_buffer("int[4]", bytearray(8))
        with self.assertRaisesRegex(TypeError, "array type"):
            sigbind.from_buffer("char", bytearray(8))
        with self.assertRaisesRegex(TypeError, "buffer protocol"):
            sigbind.from_buffer("char[]", [1, 2])
        with self.assertRaisesRegex(TypeError, "contiguous"):
            sigbind.from_buffer("char[]", memoryview(bytearray(8))[::2])

    def test_from_buffer_keeps_owner(self):
        p = sigbind.from_buffer("char[]", bytearray(b"temporary"))
        gc.collect()
        self.assertEqual(sigbind.string_at(p, 9), b"temporary")
        m = sigbind.buffer(p + 4, 5)
        del p
        gc.collect()
        self.assertEqual(m.tobytes(), b"orary")


class Ownership(unittest.TestCase):
    def test_refcounts_flat(self):
        p = sigbind.new("int[4]")
        before = sys.getrefcount(p)
        for _ in range(1000):
            q = p + 1
            sigbind.cast("char *", q)
            p[0:2]
            list(p)
        del q
        self.assertEqual(sys.getrefcount(p), before)

    def test_many_allocations_freed(self):
        def churn(n):
            for i in range(n):
                p = sigbind.new("int[]", [i, i + 1, i + 2])
                q = sigbind.cast("uint8_t *", p + 1)
                sigbind.buffer(q, 4)
                sigbind.from_buffer("char[]", bytearray(16))
                sigbind.new("char[]", b"x" * 100)
                del p, q
        assert_flat(self, lambda: churn(20000))

    @unittest.skipIf(os.environ.get("SIGBIND_SANITIZED"), "ASan's quarantine keeps freed memory")
    def test_large_allocations_freed(self):
        def vm_kib():
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        sigbind.new("char[1048576]")
        start = vm_kib()
        for _ in range(300):                             # 300 MiB if leaked
            p = sigbind.new("char[1048576]")
            libc.memset(p, 1, 1048576)
            del p
        self.assertLess(vm_kib() - start, 100 * 1024)


if __name__ == "__main__":
    unittest.main()
