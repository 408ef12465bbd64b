#!/usr/bin/env python3
"""block_scaling.py — how the time of one declaration block grows with its size (structs, typedefs, functions).

Prints CPU seconds (this process; the machine may be shared) and wall seconds for blocks of N groups (a struct naming the previous group's typedef, its typedef,
an opaque pointer typedef, an enum, a prototype naming the typedef: 5 statements) at
N = 10k, 20k, 40k and the ratio t(40k)/t(10k): about 4 when linear, about 16 when quadratic.
Reports only; nothing here passes or fails.

    PYTHONPATH=build/python python3 bench/headers/block_scaling.py [--sizes 10000,20000,40000] [--include]
"""
import argparse
import os
import sys
import time

import sigbind


def block(n):
    parts = []
    for i in range(n):
        parts.append("struct s%d { int a; %s *prev; };" % (i, "t%d" % (i - 1) if i else "void"))
        parts.append("typedef struct s%d t%d;" % (i, i))
        parts.append("typedef struct h%d *hp%d;" % (i, i))
        parts.append("enum e%d { E%d = %d };" % (i, i, i))
        parts.append("size_t strlen(const t%d *s);" % i)  # a prototype naming the types (libc's strlen)
    return "\n".join(parts)


def run(n):
    text = block(n)
    lib = sigbind.load(None)
    t0, c0 = time.perf_counter(), time.process_time()
    lib.declare(text)
    return time.process_time() - c0, time.perf_counter() - t0


def run_include(n):
    """The same statements as a header file through lib.include(): sigbind's CPU seconds (cc -E, a child
    process, not counted) and the wall seconds with it."""
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".h", delete=False) as f:
        f.write(block(n).replace("size_t strlen", "unsigned long strlen"))
    try:
        lib = sigbind.load(None)
        t0, c0 = time.perf_counter(), time.process_time()
        counts = lib.include(f.name)
        assert counts["skipped"] == 0, lib.skipped[:3]
        return time.process_time() - c0, time.perf_counter() - t0
    finally:
        os.unlink(f.name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,20000,40000")
    ap.add_argument("--include", action="store_true", help="also time the statements as a header through include()")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("python %s, sigbind from %s" % (sys.version.split()[0], os.path.dirname(sigbind.__file__)))
    print("| groups N (x5 statements) | CPU s | wall s | statements/s (CPU) |")
    print("|---:|---:|---:|---:|")
    times = {}
    for n in sizes:
        t, wall = run(n)
        times[n] = t
        print("| %d | %.3f | %.3f | %.0f |" % (n, t, wall, 5 * n / t))
    if len(sizes) > 1:
        a, b = sizes[0], sizes[-1]
        print("ratio t(%d)/t(%d) = %.2f (linear: %.0f, quadratic: %.0f)"
              % (b, a, times[b] / times[a], b / a, (b / a) ** 2))
    if args.include:
        print()
        print("The same as a header through lib.include() (one block per statement):")
        print()
        print("| groups N (x5 statements) | sigbind CPU s | wall s (cc -E included) | statements/s (CPU) |")
        print("|---:|---:|---:|---:|")
        for n in sizes:
            cpu, wall = run_include(n)
            print("| %d | %.3f | %.3f | %.0f |" % (n, cpu, wall, 5 * n / cpu))


if __name__ == "__main__":
    main()
