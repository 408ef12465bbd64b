# bench/guard_cases.py: the calls guard.py counts: the five headline shapes and the off-headline ones of issue 15, per binding.
"""Each case is one loop body per binding: Python statements that call `f` once and leave the result
in `r`, and a check expression over `r` that must be true before the case is measured.  Stdlib only;
runs on CPython 3.7+.

Where a binding has no way to say what sigbind's prototype says (ctypes has no keyword arguments,
no defaults, no error contracts), it makes the same C call its own way; the case's note says so.
"""
import os

import bench_bindings

BINDINGS = ("handext", "handabi3", "sigbind", "ctypes", "cffi")  # handabi3: handext under Py_LIMITED_API (3.10+)

# id, title, note, {binding: (loop statements, check expression)}; `f` is the bound function.
# The five headline shapes come from bench_bindings (the same prototypes and arguments as callgrind.py).
HEADLINE = tuple(s[0] for s in bench_bindings.SHAPES)

OFF = (
    ("errno", "`int f(int x) [[errno(-1)]]`, f(3)", "ctypes: no contract check (use_errno=False)",
     "int sb_bench_errno(int x) [[errno(-1)]]",
     {"handext": ("errno_", "r = f(3)"), "sigbind": (None, "r = f(3)"), "ctypes": (None, "r = f(3)")},
     "r == 3"),
    ("default", "`int64_t f(int64_t a, int64_t b = 4)`, f(3)", "ctypes: f(3, 4) (no defaults)",
     "int64_t sb_bench_ll_ll(int64_t a, int64_t b = 4)",
     {"handext": ("ll_def", "r = f(3)"), "sigbind": (None, "r = f(3)"), "ctypes": ("ll_ll", "r = f(3, 4)")},
     "r == 7"),
    ("small", "`float f(uint8_t a, float b)`, f(3, 1.5)", "",
     "float sb_bench_u8f(uint8_t a, float b)",
     {"handext": ("u8f", "r = f(3, 1.5)"), "sigbind": (None, "r = f(3, 1.5)"), "ctypes": (None, "r = f(3, 1.5)")},
     "r == 4.5"),
    ("out", "`int f(int x, int *y [[out]])`, f(3) -> (0, 4)", "ctypes: `y = c_int(); (f(3, byref(y)), y.value)`",
     "int sb_bench_out(int x, int *y [[out]])",
     {"handext": ("out", "r = f(3)"), "sigbind": (None, "r = f(3)"),
      "ctypes": (None, "y = c_int(); r = (f(3, byref(y)), y.value)")},
     "r == (0, 4)"),
    ("keyword", "`int64_t f(int64_t a, int64_t b)`, f(3, b=4)", "ctypes: f(3, 4) (no keywords)",
     "int64_t sb_bench_ll_ll(int64_t a, int64_t b)",
     {"handext": ("ll_kw", "r = f(3, b=4)"), "sigbind": (None, "r = f(3, b=4)"), "ctypes": ("ll_ll", "r = f(3, 4)")},
     "r == 7"),
    ("nogil", "`double f(double x) [[nogil]]`, f(1.5)", "ctypes releases the GIL around every call",
     "double sb_bench_d_d(double x) [[nogil]]",
     {"handext": ("nogil", "r = f(1.5)"), "sigbind": (None, "r = f(1.5)"), "ctypes": ("d_d", "r = f(1.5)")},
     "r == 1.75"),
    ("bytes", "`int f(const void *p, size_t n)`, f(b'hello world', 11)", "ctypes: c_char_p",
     "int sb_bench_buf(const void *p, size_t n)",
     {"handext": ("buf", "r = f(b'hello world', 11)"), "sigbind": (None, "r = f(b'hello world', 11)"),
      "ctypes": (None, "r = f(b'hello world', 11)")},
     "r == 115"),
    ("struct_ret", "`struct point f(int x, int y)`, f(3, 4)", "handext returns a tuple",
     "struct point sb_bench_point_make(int x, int y)",
     {"handext": ("point_make", "r = f(3, 4)"), "sigbind": (None, "r = f(3, 4)"), "ctypes": (None, "r = f(3, 4)")},
     "tuple(r) == (3, 4) if isinstance(r, tuple) else (r.x, r.y) == (3, 4)"),
    ("args12", "`int64_t f(int64_t x 12)`, f(1, ..., 12)", "",
     "int64_t sb_bench_l12(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, "
     "int64_t g, int64_t h, int64_t i, int64_t j, int64_t k, int64_t l)",
     {"handext": ("l12", "r = f(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)"),
      "sigbind": (None, "r = f(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)"),
      "ctypes": (None, "r = f(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)")},
     "r == 78"),
)
# The argument-count curve (guard.py --curve): n int64_t and n double arguments, 0 <= n <= 16, each the sum.
def _curve_case(kind, n):
    ctype, pyargs = ("int64_t", [str(i + 1) for i in range(n)]) if kind == "l" else \
        ("double", ["%d.5" % i for i in range(n)])
    expect = sum(i + 1 for i in range(n)) if kind == "l" else sum(i + 0.5 for i in range(n))
    proto = "%s sb_bench_c%s%d(%s)" % (ctype, kind, n, ", ".join("%s a%d" % (ctype, i) for i in range(n)) or "void")
    body = "r = f(%s)" % ", ".join(pyargs)
    return ("c%s%d" % (kind, n), "`%s f(%d x %s)`" % (ctype, n, ctype), "", proto,
            {"handext": ("c%s%d" % (kind, n), body), "sigbind": (None, body), "ctypes": (None, body)},
            "r == %r" % expect)


CURVE = tuple(_curve_case(k, n) for k in ("l", "d") for n in range(17))
CURVE_IDS = tuple(c[0] for c in CURVE)
_ALL = dict((c[0], c) for c in OFF + CURVE)
OFF_IDS = tuple(c[0] for c in OFF)
CASE_IDS = HEADLINE + OFF_IDS
TITLES = dict([(s[0], "`%s` %s" % (s[0], s[1])) for s in bench_bindings.SHAPES] + [(c[0], c[1]) for c in OFF + CURVE])
NOTES = dict((c[0], c[2]) for c in OFF)


def use_curve():
    """guard.py --curve: the curve's cases instead of the shapes."""
    global CASE_IDS, HEADLINE, OFF_IDS
    CASE_IDS, HEADLINE, OFF_IDS = CURVE_IDS, (), CURVE_IDS


def has(case_id, binding):
    if case_id in HEADLINE:
        return True
    return ("handext" if binding == "handabi3" else binding) in _ALL[case_id][4]


def _ctypes_fn(outdir, cname):
    import ctypes
    lib = ctypes.CDLL(os.path.join(outdir, "benchlib.so"))
    f = getattr(lib, "sb_bench_" + cname)
    c = ctypes
    types = {
        "errno": ([c.c_int], c.c_int),
        "ll_ll": ([c.c_int64, c.c_int64], c.c_int64),
        "u8f": ([c.c_uint8, c.c_float], c.c_float),
        "out": ([c.c_int, c.POINTER(c.c_int)], c.c_int),
        "d_d": ([c.c_double], c.c_double),
        "buf": ([c.c_char_p, c.c_size_t], c.c_int),
        "l12": ([c.c_int64] * 12, c.c_int64),
    }

    class Point(ctypes.Structure):
        _fields_ = [("x", c.c_int), ("y", c.c_int)]
    types["point_make"] = ([c.c_int, c.c_int], Point)
    for n in range(17):
        types["cl%d" % n] = ([c.c_int64] * n, c.c_int64)
        types["cd%d" % n] = ([c.c_double] * n, c.c_double)
    f.argtypes, f.restype = types[cname]
    return f, {"c_int": c.c_int, "byref": c.byref}


def make(case_id, binding, outdir, sigbind_dir):
    """(loop body, namespace with f) for one case through one binding; checked once (raises if wrong)."""
    if case_id in HEADLINE:
        funcs, errors = bench_bindings.make(binding, outdir, sigbind_dir)
        if case_id not in funcs:
            raise RuntimeError(errors.get(case_id, "not bound"))
        return "r = f(%s)" % bench_bindings.args_source(binding, case_id), {"f": funcs[case_id]}
    case = _ALL[case_id]
    _, _, _, proto, per, check = case
    name, body = per["handext" if binding == "handabi3" else binding]
    cname = proto.split("(")[0].split()[-1][len("sb_bench_"):]
    ns = {}
    if binding in ("handext", "handabi3"):
        import importlib
        import sys
        sys.path.insert(0, outdir)
        ns["f"] = getattr(importlib.import_module("sb_handext" if binding == "handext" else "sb_handext_abi3"), name)
    elif binding == "sigbind":
        import sys
        sys.path.insert(0, sigbind_dir)
        import sigbind
        lib = sigbind.load(os.path.join(outdir, "benchlib.so"))
        lib.declare("struct point { int x; int y; };")
        ns["f"] = lib.bind(proto)
    elif binding == "ctypes":
        ns["f"], extra = _ctypes_fn(outdir, name or cname)
        ns.update(extra)
    else:
        raise RuntimeError("%s has no %s case" % (binding, case_id))
    exec(body, ns)
    if not eval(check, ns):
        raise RuntimeError("%s %s returned %r" % (binding, case_id, ns.get("r")))
    return body, ns
