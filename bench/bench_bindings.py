# bench/bench_bindings.py: the five call shapes and how each binding (handext, sigbind, ctypes, cffi) binds them.
"""Shared by run.py (in-process timing) and bench_child.py (the process callgrind counts).

Stdlib only; runs on CPython 3.7+.  Every binding gets the same benchlib.so (built by build.sh) and
each callable it produces is checked once against the expected result before it is measured.
"""
import os

BINDINGS = ("handext", "sigbind", "ctypes", "cffi")

# name, C prototype (the exact text sigbind binds and cffi cdefs), Python call arguments as source.
SHAPES = (
    ("d_d", "double sb_bench_d_d(double x)", "1.5"),
    ("ll_ll", "int64_t sb_bench_ll_ll(int64_t a, int64_t b)", "3, 4"),
    ("str", "int sb_bench_str(const char *s)", "'hello world'"),
    ("void", "void sb_bench_void(void)", ""),
    ("d6", "double sb_bench_d6(double a, double b, double c, double d, double e, double f)",
     "1., 2., 3., 4., 5., 6."),
)
SHAPE_NAMES = tuple(s[0] for s in SHAPES)
PROTOTYPES = dict((s[0], s[1]) for s in SHAPES)
EXPECTED = {"d_d": 1.75, "ll_ll": 7, "str": 11, "void": None, "d6": 21.0}

# ctypes' c_char_p and cffi's `const char *` accept only bytes, so they get the already-encoded
# text; handext and sigbind take the str and encode it themselves (as their users would).
BYTES_STR_BINDINGS = ("ctypes", "cffi")

SIGBIND_DEFAULT_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "python")


class Unavailable(Exception):
    """The binding cannot be used in this interpreter (not importable, not built)."""


def args_source(binding, shape):
    """The argument list, as Python source, that `binding` is called with for `shape`."""
    src = dict((s[0], s[2]) for s in SHAPES)[shape]
    if shape == "str" and binding in BYTES_STR_BINDINGS:
        src = "b" + src
    return src


def args_value(binding, shape):
    """The same arguments as a tuple."""
    src = args_source(binding, shape)
    return eval("(%s,)" % src) if src else ()


def _handext(outdir, sigbind_dir):
    import sys
    if outdir not in sys.path:
        sys.path.insert(0, outdir)
    try:
        import sb_handext
    except ImportError as e:
        raise Unavailable("sb_handext not importable from %s: %s" % (outdir, e))
    return dict((name, getattr(sb_handext, name)) for name in SHAPE_NAMES)


def _sigbind(outdir, sigbind_dir):
    import sys
    if sigbind_dir not in sys.path:
        sys.path.insert(0, sigbind_dir)
    try:
        import sigbind
    except Exception as e:  # ImportError, or anything a half-built module raises at import
        raise Unavailable("import sigbind failed (%s: %s)" % (type(e).__name__, e))
    try:
        lib = sigbind.load(os.path.join(outdir, "benchlib.so"))
    except Exception as e:
        raise Unavailable("sigbind.load(benchlib.so) failed (%s: %s)" % (type(e).__name__, e))
    return dict((name, (lambda proto: lambda: lib.bind(proto))(PROTOTYPES[name]))
                for name in SHAPE_NAMES)


def _ctypes(outdir, sigbind_dir):
    try:
        import ctypes
    except ImportError as e:
        raise Unavailable("ctypes not importable: %s" % e)
    lib = ctypes.CDLL(os.path.join(outdir, "benchlib.so"))
    d = ctypes.c_double
    types = {
        "d_d": ([d], d),
        "ll_ll": ([ctypes.c_int64, ctypes.c_int64], ctypes.c_int64),
        "str": ([ctypes.c_char_p], ctypes.c_int),
        "void": ([], None),
        "d6": ([d] * 6, d),
    }
    funcs = {}
    for name in SHAPE_NAMES:
        f = getattr(lib, "sb_bench_" + name)
        f.argtypes, f.restype = types[name]
        funcs[name] = f
    return funcs


def _cffi(outdir, sigbind_dir):
    try:
        import cffi
    except ImportError as e:
        raise Unavailable("cffi not importable: %s" % e)
    ffi = cffi.FFI()
    ffi.cdef("".join(PROTOTYPES[name] + ";\n" for name in SHAPE_NAMES))
    lib = ffi.dlopen(os.path.join(outdir, "benchlib.so"))
    # Fetch each function once: lib.name is an attribute lookup per call otherwise.
    return dict((name, getattr(lib, "sb_bench_" + name)) for name in SHAPE_NAMES)


def _handabi3(outdir, sigbind_dir):
    import sys
    if outdir not in sys.path:
        sys.path.insert(0, outdir)
    try:
        import sb_handext_abi3
    except ImportError as e:
        raise Unavailable("sb_handext_abi3 not importable from %s: %s" % (outdir, e))
    return dict((name, getattr(sb_handext_abi3, name)) for name in SHAPE_NAMES)


_MAKERS = {"handext": _handext, "handabi3": _handabi3, "sigbind": _sigbind, "ctypes": _ctypes, "cffi": _cffi}


def make(binding, outdir, sigbind_dir=None):
    """Bind the five shapes through `binding`.

    Returns (funcs, errors): funcs maps shape -> callable that returned the expected value once;
    errors maps shape -> why that shape is not measured.  Raises Unavailable if the binding as a
    whole cannot be used.
    """
    made = _MAKERS[binding](outdir, sigbind_dir or SIGBIND_DEFAULT_DIR)
    funcs, errors = {}, {}
    for name in SHAPE_NAMES:
        f = made[name]
        try:
            if binding == "sigbind":  # bound lazily: one bad signature must not hide the others
                f = f()
            got = f(*args_value(binding, name))
        except Exception as e:
            errors[name] = "%s: %s" % (type(e).__name__, e)
            continue
        if got != EXPECTED[name] or type(got) is not type(EXPECTED[name]):
            errors[name] = "returned %r, expected %r" % (got, EXPECTED[name])
            continue
        funcs[name] = f
    return funcs, errors
