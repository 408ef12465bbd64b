# bench_fnptr.py — what calling a C function pointer costs (issue 12 item 3): a bound function vs the same C function reached as a pointer (sigbind.cast, a struct member), ctypes and cffi; prints ns per operation.
"""Usage: python3 bench/bench_fnptr.py [--sigbind-dir DIR] [--number N]

Times libc's abs() reached five ways in the running interpreter (wall clock,
best of 5 timeit repeats). Reports only; nothing passes or fails.
"""
import argparse
import ctypes
import os
import sys
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sigbind-dir", default=os.environ.get("SIGBIND_DIR", os.path.join(HERE, "..", "build", "python")))
    ap.add_argument("--number", type=int, default=200000)
    args = ap.parse_args()
    sys.path.insert(0, args.sigbind_dir)
    import sigbind

    libc = sigbind.load(None, """
        int abs(int x);
        struct ops { int (*unary)(int); };
    """)
    addr = ctypes.cast(ctypes.CDLL(None).abs, ctypes.c_void_p).value
    bound = libc.abs
    via_cast = sigbind.cast("int (*)(int)", addr)
    ops = libc.new("struct ops")
    ops.unary = libc.abs
    via_member = ops.unary
    cases = [
        ("sigbind bound abs(x)", lambda: bound(-5)),
        ("sigbind cast('int (*)(int)', addr)(x)", lambda: via_cast(-5)),
        ("sigbind member callable(x)", lambda: via_member(-5)),
        ("sigbind reading ops.unary (makes the callable)", lambda: ops.unary),
        ("sigbind cast('int (*)(int)', addr) (makes it)", lambda: sigbind.cast("int (*)(int)", addr)),
        ("ctypes CFUNCTYPE(c_int, c_int)(addr)(x)", None),
        ("cffi ffi.cast('int(*)(int)', addr)(x)", None),
    ]
    f = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(addr)
    cases[5] = (cases[5][0], lambda: f(-5))
    try:
        import cffi

        ffi = cffi.FFI()
        g = ffi.cast("int(*)(int)", addr)
        cases[6] = (cases[6][0], lambda: g(-5))
    except ImportError:
        cases[6] = (cases[6][0] + " (cffi not importable here)", None)
    print("Python %s — ns per operation (best of 5 x %d)" % (sys.version.split()[0], args.number))
    for name, fn in cases:
        if fn is None:
            print("  %-52s %8s" % (name, "n/a"))
            continue
        best = min(timeit.repeat(fn, number=args.number, repeat=5)) / args.number * 1e9
        print("  %-52s %8.1f" % (name, best))


if __name__ == "__main__":
    main()
