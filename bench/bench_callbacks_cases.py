# bench/bench_callbacks_cases.py: the callback, qsort and struct-by-value workloads, and how sigbind, ctypes and cffi each express them.
"""Shared by bench_callbacks.py in-process (wall clock) and in its child processes (callgrind).

Stdlib only (plus cffi when importable); runs on CPython 3.7+.  Every case is built from the same
benchlib.so (build.sh) and libc, and checked once for the right result before it is measured.

A case is one (workload, binding, idiom).  make(case_id, ...) returns a Case whose `kind` says how
its cost per unit is measured:

- "inner": `run(n)` does n units inside one C call (n callbacks made by sb_bench_call_n); the
  per-unit cost is the slope over n, so the one call around them cancels out.
- "loop": `f(a, b)` is one unit; the runner calls it n times in a Python loop and subtracts the
  cost of the same loop with an empty body (case "empty").
- "whole": `run(n)` does n whole units (n qsorts of a fresh copy of the same shuffled ints).
"""
import array
import os
import random

GROUPS = (
    ("callback", "one callback: C calls `long f(long)` = `lambda x: x` through a function pointer "
                 "(sb_bench_call_n loops in C)", "callback"),
    ("once", "one C call that makes one callback: `call_n(f, 1)` from a Python loop", "call"),
    ("qsort", "libc `qsort` of QSORT_N shuffled ints with a Python comparator", "sort"),
    ("struct", "`struct point sb_bench_point_add(struct point a, struct point b)` by value", "call"),
)

# case id -> (group, binding, idiom shown in the tables)
CASES = (
    ("callback.sigbind", "callback", "sigbind", "`sigbind.callback(\"long (long x)\", f)` object"),
    ("callback.sigbind_plain", "callback", "sigbind", "plain callable `f` (wrapped for the call)"),
    ("callback.ctypes", "callback", "ctypes", "`CFUNCTYPE(c_long, c_long)(f)`"),
    ("callback.cffi", "callback", "cffi", "`ffi.callback(\"long(long)\", f)`"),
    ("once.sigbind", "once", "sigbind", "`sigbind.callback` object, made once"),
    ("once.sigbind_plain", "once", "sigbind", "plain callable `f`: wrapped on every call"),
    ("once.ctypes", "once", "ctypes", "`CFUNCTYPE` object, made once"),
    ("once.ctypes_wrap", "once", "ctypes", "`CB(f)` made on every call"),
    ("once.cffi", "once", "cffi", "`ffi.callback` object, made once"),
    ("once.cffi_wrap", "once", "cffi", "`ffi.callback(..., f)` made on every call"),
    ("qsort.sigbind_cast", "qsort", "sigbind", "`const void *` args, `sigbind.cast(\"int *\", a)[0]`"),
    ("qsort.sigbind_ctypes", "qsort", "sigbind", "`const void *` args, `c_int.from_address(int(a)).value`"),
    ("qsort.sigbind_typed", "qsort", "sigbind", "`const int *` args, `a[0]`"),
    ("qsort.ctypes", "qsort", "ctypes", "`CFUNCTYPE(c_int, POINTER(c_int), POINTER(c_int))`, `a[0]`"),
    ("qsort.cffi", "qsort", "cffi", "`ffi.callback(\"int(const int *, const int *)\")`, `a[0]`"),
    ("struct.sigbind", "struct", "sigbind", "`Struct` arguments (`lib.new(\"struct point\", ...)`)"),
    ("struct.sigbind_tuple", "struct", "sigbind", "tuple arguments `(1, 2)`, `(3, 4)`"),
    ("struct.ctypes", "struct", "ctypes", "`Structure` arguments"),
    ("struct.cffi", "struct", "cffi", "`struct point` cdata arguments (`ffi.new(\"struct point *\", ...)[0]`)"),
)
CASE_IDS = tuple(c[0] for c in CASES)
CASE_INFO = dict((c[0], c[1:]) for c in CASES)
BINDINGS = ("sigbind", "ctypes", "cffi")

QSORT_N = 100000
SEED = 20261123
SIGBIND_DEFAULT_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "python")

SIGBIND_DECLS = """
    struct point { int x; int y; };
    struct point sb_bench_point_add(struct point a, struct point b);
    long sb_bench_call_n(long (*f)(long x) [[noescape]], long n);
"""


class Unavailable(Exception):
    """The case's binding cannot be used in this interpreter (not importable, not built)."""


class Case(object):
    def __init__(self, kind, run=None, f=None, a=None, b=None):
        self.kind, self.run, self.f, self.a, self.b = kind, run, f, a, b


def _keep(case, *objs):
    """cffi: a function taken from ffi.dlopen()'s lib does not keep the lib (or the library) loaded."""
    case.keep = objs
    return case


def ident(x):
    return x


def qsort_data(n):
    rng = random.Random(SEED)
    return array.array("i", [rng.randrange(-10 ** 9, 10 ** 9) for _ in range(n)])


def _sigbind(sigbind_dir):
    import sys
    if sigbind_dir not in sys.path:
        sys.path.insert(0, sigbind_dir)
    try:
        import sigbind
    except Exception as e:
        raise Unavailable("import sigbind failed (%s: %s)" % (type(e).__name__, e))
    return sigbind


def _cffi():
    try:
        import cffi
    except ImportError as e:
        raise Unavailable("cffi not importable: %s" % e)
    return cffi.FFI()


def _libc_path():
    import ctypes.util
    return ctypes.util.find_library("c") or "libc.so.6"


def _sorter(qsort_n, sort_one):
    """run(n): n sorts, each of a fresh copy of the same shuffled ints, through sort_one(buf)."""
    data = qsort_data(qsort_n)

    def run(n):
        buf = None
        for _ in range(n):
            buf = array.array("i", data)
            sort_one(buf)
        return buf
    return run


def make(case_id, outdir, sigbind_dir=None, qsort_n=QSORT_N):
    """Build one case and check it once.  Raises Unavailable (binding missing) or RuntimeError (wrong result)."""
    case = _build(case_id, os.path.join(outdir, "benchlib.so"), sigbind_dir or SIGBIND_DEFAULT_DIR, qsort_n)
    _check(case_id, case, qsort_n)
    return case


def _build(case_id, benchlib, sigbind_dir, qsort_n):
    group, binding, _ = CASE_INFO[case_id]
    variant = case_id.split(".", 1)[1]
    if binding == "sigbind":
        sigbind = _sigbind(sigbind_dir)
        lib = sigbind.load(benchlib, SIGBIND_DECLS)
        call_n = lib.sb_bench_call_n
        cb = sigbind.callback("long (long x)", ident)
        if case_id == "callback.sigbind":
            return Case("inner", run=lambda n: call_n(cb, n))
        if case_id == "callback.sigbind_plain":
            return Case("inner", run=lambda n: call_n(ident, n))
        if case_id == "once.sigbind":
            return Case("loop", f=call_n, a=cb, b=1)
        if case_id == "once.sigbind_plain":
            return Case("loop", f=call_n, a=ident, b=1)
        if group == "struct":
            if variant == "sigbind_tuple":
                return Case("loop", f=lib.sb_bench_point_add, a=(1, 2), b=(3, 4))
            return Case("loop", f=lib.sb_bench_point_add, a=lib.new("struct point", x=1, y=2),
                        b=lib.new("struct point", x=3, y=4))
        if group == "qsort":
            if variant == "sigbind_typed":
                libc = sigbind.load("c", "void qsort(void *base, size_t n, size_t size, "
                                         "int (*compar)(const int *a, const int *b) [[noescape]]);")

                def compar(a, b):
                    x, y = a[0], b[0]
                    return (x > y) - (x < y)
            else:
                libc = sigbind.load("c", "void qsort(void *base, size_t n, size_t size, "
                                         "int (*compar)(const void *a, const void *b) [[noescape]]);")
                if variant == "sigbind_cast":
                    cast = sigbind.cast

                    def compar(a, b):
                        x, y = cast("int *", a)[0], cast("int *", b)[0]
                        return (x > y) - (x < y)
                else:
                    import ctypes
                    from_address = ctypes.c_int.from_address

                    def compar(a, b):
                        x, y = from_address(int(a)).value, from_address(int(b)).value
                        return (x > y) - (x < y)
            qsort = libc.qsort
            cmp_cb = sigbind.callback("int (const int *a, const int *b)" if variant == "sigbind_typed"
                                      else "int (const void *a, const void *b)", compar)
            return Case("whole", run=_sorter(qsort_n, lambda buf: qsort(buf, len(buf), 4, cmp_cb)))
    elif binding == "ctypes":
        import ctypes
        lib = ctypes.CDLL(benchlib)
        CB = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_long)
        call_n = lib.sb_bench_call_n
        call_n.argtypes, call_n.restype = [CB, ctypes.c_long], ctypes.c_long
        cb = CB(ident)
        if case_id == "callback.ctypes":
            return Case("inner", run=lambda n: call_n(cb, n))
        if case_id == "once.ctypes":
            return Case("loop", f=call_n, a=cb, b=1)
        if case_id == "once.ctypes_wrap":
            return Case("loop", f=lambda f, n: call_n(CB(f), n), a=ident, b=1)
        if group == "struct":
            class Point(ctypes.Structure):
                _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]
            f = lib.sb_bench_point_add
            f.argtypes, f.restype = [Point, Point], Point
            return Case("loop", f=f, a=Point(1, 2), b=Point(3, 4))
        if group == "qsort":
            libc = ctypes.CDLL(_libc_path())
            IP = ctypes.POINTER(ctypes.c_int)
            CMP = ctypes.CFUNCTYPE(ctypes.c_int, IP, IP)
            qsort = libc.qsort
            qsort.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, CMP]
            qsort.restype = None

            def compar(a, b):
                x, y = a[0], b[0]
                return (x > y) - (x < y)
            cmp_cb = CMP(compar)
            IntArray = ctypes.c_int * qsort_n
            return Case("whole", run=_sorter(
                qsort_n, lambda buf: qsort(IntArray.from_buffer(buf), len(buf), 4, cmp_cb)))
    elif binding == "cffi":
        ffi = _cffi()
        ffi.cdef("struct point { int x; int y; };\n"
                 "struct point sb_bench_point_add(struct point a, struct point b);\n"
                 "long sb_bench_call_n(long (*f)(long x), long n);\n"  # C declarations: no sigbind annotations
                 "void qsort(void *base, size_t n, size_t size, int (*compar)(const int *, const int *));\n")
        lib = ffi.dlopen(benchlib)
        call_n = lib.sb_bench_call_n
        cb = ffi.callback("long(long)", ident)
        if case_id == "callback.cffi":
            return _keep(Case("inner", run=lambda n: call_n(cb, n)), ffi, lib)
        if case_id == "once.cffi":
            return _keep(Case("loop", f=call_n, a=cb, b=1), ffi, lib)
        if case_id == "once.cffi_wrap":
            callback = ffi.callback
            return _keep(Case("loop", f=lambda f, n: call_n(callback("long(long)", f), n), a=ident, b=1), ffi, lib)
        if group == "struct":
            # p[0] of a struct pointer does not keep ffi.new's memory alive: the Case keeps pa, pb.
            pa, pb = ffi.new("struct point *", [1, 2]), ffi.new("struct point *", [3, 4])
            return _keep(Case("loop", f=lib.sb_bench_point_add, a=pa[0], b=pb[0]), ffi, lib, pa, pb)
        if group == "qsort":
            libc = ffi.dlopen(_libc_path())
            qsort = libc.qsort

            def compar(a, b):
                x, y = a[0], b[0]
                return (x > y) - (x < y)
            cmp_cb = ffi.callback("int(const int *, const int *)", compar)
            from_buffer = ffi.from_buffer
            return _keep(Case("whole", run=_sorter(
                qsort_n, lambda buf: qsort(from_buffer(buf), len(buf), 4, cmp_cb))), ffi, lib, libc)
    raise KeyError(case_id)


def _check(case_id, case, qsort_n):
    group = CASE_INFO[case_id][0]
    if case.kind == "inner":
        got, want = case.run(100), sum(range(100))
    elif case.kind == "whole":
        got, want = list(case.run(1)), sorted(qsort_data(qsort_n))
    elif group == "struct":
        r = case.f(case.a, case.b)
        got, want = (r.x, r.y), (4, 6)
    else:
        got, want = case.f(case.a, case.b), 0
    if got != want:
        raise RuntimeError("%s: wrong result (%s)" % (case_id, "got %r, expected %r" % (got, want)
                                                       if case.kind != "whole" else "array not sorted"))


def count_comparisons(qsort_n):
    """How many times glibc's qsort calls the comparator for these ints (deterministic), via ctypes."""
    import ctypes
    libc = ctypes.CDLL(_libc_path())
    CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
    n = [0]

    def compar(a, b):
        n[0] += 1
        x, y = ctypes.c_int.from_address(a).value, ctypes.c_int.from_address(b).value
        return (x > y) - (x < y)
    buf = qsort_data(qsort_n)
    libc.qsort.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, CMP]
    libc.qsort((ctypes.c_int * qsort_n).from_buffer(buf), qsort_n, 4, CMP(compar))
    return n[0]
