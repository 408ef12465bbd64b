# test_reallibs.py — real C libraries through the Python face: zlib compress2/uncompress with [[inout]] lengths against the zlib module, libc strtol with a char ** out pointer, snprintf, qsort.
import array
import ctypes
import unittest
import zlib

import sigbind


class Zlib(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.z = sigbind.load("z", """
            #define Z_OK 0
            #define Z_BEST_COMPRESSION 9
            typedef unsigned long uLong;
            typedef uLong uLongf;
            typedef unsigned char Bytef;
            int compress2(Bytef *dest, uLongf *destLen [[inout]], const Bytef *source, uLong sourceLen, int level);
            int uncompress(Bytef *dest, uLongf *destLen [[inout]], const Bytef *source, uLong sourceLen);
            uLong compressBound(uLong sourceLen);
            const char *zError(int err);
        """)

    def test_round_trip_against_the_zlib_module(self):
        z = self.z
        data = b"sigbind " * 1000 + bytes(range(256))
        dest = bytearray(z.compressBound(len(data)))
        rc, n = z.compress2(dest, len(dest), data, len(data), z.Z_BEST_COMPRESSION)
        self.assertEqual(rc, z.Z_OK)
        self.assertEqual(zlib.decompress(bytes(dest[:n])), data)  # zlib reads what libz wrote
        packed = zlib.compress(data, 6)
        out = bytearray(len(data))
        rc, m = z.uncompress(out, len(out), packed, len(packed))
        self.assertEqual((rc, m, bytes(out)), (0, len(data), data))
        rc, _ = z.uncompress(out, 10, packed, len(packed))
        self.assertEqual(z.zError(rc), "buffer error")


class Libc(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = sigbind.load("c", """
            long strtol(const char *nptr, char **endptr [[out]], int base);
            int snprintf(char *buf, size_t n, const char *fmt, ...);
            void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *) [[noescape]]);
        """)

    def test_strtol_with_an_out_pointer(self):
        value, rest = self.c.strtol("  1234xyz", 10)  # a char * out value reads as text
        self.assertEqual((value, rest), (1234, "xyz"))
        # For the address instead: declare the out pointer as void **.
        strtol = sigbind.load("c").bind("long strtol(const char *nptr, void **endptr [[out]], int base)")
        text = sigbind.new("char[]", b"  1234xyz")
        value, end = strtol(text, 16)
        self.assertEqual((value, int(end) - int(text)), (0x1234, 6))
        self.assertEqual(sigbind.string_at(end), b"xyz")

    def test_snprintf(self):
        buf = bytearray(32)
        n = self.c.snprintf(buf, len(buf), "%s|%5d|%.1f", "ab", 42, 2.25)
        self.assertEqual(bytes(buf[:n]), b"ab|   42|2.2")

    def test_qsort_ints_with_a_python_comparator(self):
        import random
        values = [random.randrange(-10**6, 10**6) for _ in range(2000)]
        data = array.array("i", values)
        self.c.qsort(data, len(data), data.itemsize,
                     lambda a, b: (lambda x, y: (x > y) - (x < y))(ctypes.c_int.from_address(int(a)).value,
                                                                  ctypes.c_int.from_address(int(b)).value))
        self.assertEqual(list(data), sorted(values))


if __name__ == "__main__":
    unittest.main()
