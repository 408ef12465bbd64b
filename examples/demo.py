# demo.py — the Python face in one page: bind real libm, libz and libc functions by their prototypes, print results and a timing against ctypes.
import ctypes
import ctypes.util
import inspect
import math
import sys
import timeit
import zlib

import sigbind

print("sigbind %s on CPython %s" % (sigbind.__version__, sys.version.split()[0]))

# libm: short names are found like the dynamic linker would.
libm = sigbind.load("m")
cos = libm.bind("double cos(double x)")
frexp = libm.bind("double frexp(double x, int *exp [[out]])")
print("libm:", libm.path)
print("  cos(0.0) =", cos(0.0), "| cos(x=math.pi) =", cos(x=math.pi))
print("  frexp(8.0) =", frexp(8.0), "(out parameter returned)")
print("  inspect.signature(cos) =", inspect.signature(cos), "| cos.__doc__ =", repr(cos.__doc__))

# libz: prototypes pasted from the header.
libz = sigbind.load("z", """
    unsigned long crc32(unsigned long crc, const void *buf, unsigned int len);
    const char *zlibVersion(void);
""")
data = b"hello, sigbind"
print("libz %s: crc32(%r) = %d (zlib says %d)" % (libz.zlibVersion(), data, libz.crc32(0, data, len(data)),
                                                zlib.crc32(data)))

# libc: the running process, with an errno contract.
libc = sigbind.load(None)
open_ = libc.bind("int open(const char *path, int flags, int mode = 0) [[errno(-1)]]")
try:
    open_("/nonexistent/file", 0)
except OSError as e:
    print("libc: open('/nonexistent/file') raised %s: %s" % (type(e).__name__, e))
strlen = libc.bind("size_t strlen(const char *s)")
print("libc: strlen('sigbind') =", strlen("sigbind"))

# Errors name the function, the parameter, the C type and the value.
try:
    libz.crc32(0, data, -1)
except OverflowError as e:
    print("error:", e)
try:
    libm.bind("double cos(double x y)")
except sigbind.SignatureError as e:
    print("error:", str(e).replace("\n", "\n       "))

# Timing: the same libm call through sigbind and ctypes.
cm = ctypes.CDLL(ctypes.util.find_library("m"))
ccos = cm.cos
ccos.argtypes = [ctypes.c_double]
ccos.restype = ctypes.c_double
n = 200000
t_sb = min(timeit.repeat("cos(0.5)", globals={"cos": cos}, number=n, repeat=5)) / n * 1e9
t_ct = min(timeit.repeat("cos(0.5)", globals={"cos": ccos}, number=n, repeat=5)) / n * 1e9
print("timing cos(0.5): sigbind %.0f ns/call, ctypes %.0f ns/call (%.1fx faster)" % (t_sb, t_ct, t_ct / t_sb))
