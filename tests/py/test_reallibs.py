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


def load_or_skip(name, text):
    try:
        return sigbind.load(name, text)
    except OSError as e:
        raise unittest.SkipTest("lib%s is not installed: %s" % (name, e))


class CorpusLibraries(unittest.TestCase):
    """One real call through each library of the header corpus (bench/headers/corpus.py)."""

    def test_bzip2(self):
        bz = load_or_skip("bz2", "const char *BZ2_bzlibVersion(void);")
        self.assertRegex(bz.BZ2_bzlibVersion(), r"^1\.0\.\d")

    def test_lzma(self):
        xz = load_or_skip("lzma", "uint32_t lzma_version_number(void); const char *lzma_version_string(void);")
        n = xz.lzma_version_number()  # major * 10000000 + minor * 10000 + patch * 10 + stability
        self.assertTrue(xz.lzma_version_string().startswith("%d.%d." % (n // 10000000, n // 10000 % 1000)))

    def test_expat_against_pyexpat(self):
        import pyexpat
        ex = load_or_skip("expat", "const char *XML_ExpatVersion(void);")
        self.assertTrue(ex.XML_ExpatVersion().startswith("expat_2."))
        self.assertEqual(ex.XML_ExpatVersion()[:8], pyexpat.EXPAT_VERSION[:8])

    def test_png(self):
        png = load_or_skip("png16", "typedef unsigned int png_uint_32; png_uint_32 png_access_version_number(void);")
        self.assertEqual(png.png_access_version_number() // 100, 106)  # 1.6.x

    def test_jpeg_error_manager(self):
        jpeg = load_or_skip("jpeg", "void *jpeg_std_error(void *err);")
        err = sigbind.new("char[1024]")  # larger than struct jpeg_error_mgr
        self.assertEqual(int(jpeg.jpeg_std_error(err)), int(err))
        self.assertNotEqual(bytes(sigbind.buffer(err, 8)), bytes(8))  # it filled in the method pointers

    def test_libuv(self):
        uv = load_or_skip("uv", "unsigned int uv_version(void); const char *uv_version_string(void);")
        v = uv.uv_version()
        self.assertEqual(uv.uv_version_string(), "%d.%d.%d" % (v >> 16, (v >> 8) & 255, v & 255))

    def test_libyaml(self):
        y = load_or_skip("yaml-0", "const char *yaml_get_version_string(void);"
                                   "void yaml_get_version(int *major [[out]], int *minor [[out]], int *patch [[out]]);")
        self.assertEqual(y.yaml_get_version_string(), "%d.%d.%d" % y.yaml_get_version())

    def test_curl(self):
        c = load_or_skip("curl", "const char *curl_version(void);")
        self.assertTrue(c.curl_version().startswith("libcurl/"))

    def test_openssl_against_ssl_module(self):
        import ssl
        crypto = load_or_skip("crypto", "const char *OpenSSL_version(int type); unsigned long OpenSSL_version_num(void);")
        self.assertTrue(crypto.OpenSSL_version(0).startswith("OpenSSL "))
        if ssl.OPENSSL_VERSION_NUMBER >> 28 == crypto.OpenSSL_version_num() >> 28:
            self.assertEqual(crypto.OpenSSL_version(0).split()[1][:1], ssl.OPENSSL_VERSION.split()[1][:1])

    def test_libffi_global_types(self):
        ffi = load_or_skip("ffi", """
            struct _ffi_type { size_t size; unsigned short alignment; unsigned short type; void **elements; };
            typedef struct _ffi_type ffi_type;
            extern ffi_type ffi_type_double;
            extern ffi_type ffi_type_uint16;
        """)
        self.assertEqual((ffi.ffi_type_double.size, ffi.ffi_type_double.alignment, ffi.ffi_type_double.type), (8, 8, 3))
        self.assertEqual((ffi.ffi_type_uint16.size, ffi.ffi_type_uint16.type), (2, 7))  # FFI_TYPE_UINT16

    def test_zstd(self):
        z = load_or_skip("zstd", "unsigned ZSTD_versionNumber(void); const char *ZSTD_versionString(void);")
        n = z.ZSTD_versionNumber()
        self.assertEqual(z.ZSTD_versionString(), "%d.%d.%d" % (n // 10000, n // 100 % 100, n % 100))

    def test_lz4(self):
        lz4 = load_or_skip("lz4", "int LZ4_compressBound(int inputSize); int LZ4_versionNumber(void);")
        self.assertEqual(lz4.LZ4_compressBound(1000), 1000 + 1000 // 255 + 16)
        self.assertEqual(lz4.LZ4_versionNumber() // 10000, 1)


if __name__ == "__main__":
    unittest.main()
