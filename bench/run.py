# bench/run.py: wall-clock ns/call of the five shapes through handext, sigbind, ctypes and cffi, in the running interpreter.
"""Usage: python3 bench/run.py [--json] [--loops N] [--repeat R] [--bindings a,b] [--raw]

Stdlib only; runs on CPython 3.7+.  Builds benchlib.so and sb_handext for this interpreter with
build.sh when they are missing or older than their sources.  Each number is the best of R timeit
batches of N calls, minus the cost of an empty timeit loop iteration (unless --raw); rounds of
batches are interleaved across bindings and shapes so that a noisy moment hits everyone alike.
"""
import argparse
import os
import platform
import sys
import timeit

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_artifacts  # noqa: E402
import bench_bindings  # noqa: E402
import bench_report  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description="ns/call: sigbind vs ctypes vs cffi vs a hand-written extension")
    p.add_argument("--json", action="store_true", help="print machine-readable results instead of the table")
    p.add_argument("--loops", type=int, default=200000, help="calls per timeit batch (default 200000)")
    p.add_argument("--repeat", type=int, default=7, help="batches per (binding, shape); best is kept (default 7)")
    p.add_argument("--bindings", default=",".join(bench_bindings.BINDINGS),
                   help="comma-separated subset of %s" % ",".join(bench_bindings.BINDINGS))
    p.add_argument("--raw", action="store_true", help="do not subtract the empty-loop cost")
    p.add_argument("--outdir", help="where build.sh puts benchlib.so and sb_handext (default build/bench/X.Y.Z)")
    p.add_argument("--sigbind-dir", default=os.environ.get("SIGBIND_DIR", bench_bindings.SIGBIND_DEFAULT_DIR),
                   help="directory holding sigbind.abi3.so (default $SIGBIND_DIR or build/python)")
    p.add_argument("--rebuild", action="store_true", help="run build.sh even if the outputs look fresh")
    args = p.parse_args(argv)
    args.bindings = bench_report.parse_bindings(p, args.bindings, bench_bindings.BINDINGS)
    if args.loops < 1 or args.repeat < 1:
        p.error("--loops and --repeat must be positive")
    return args


def _timer(f, args_src):
    # `f` is a local of timeit's inner function (assigned in setup), so each call is LOAD_FAST + call.
    stmt = "f(%s)" % args_src if f is not None else "pass"
    return timeit.Timer(stmt, setup="f = _f", globals={"_f": f})


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    outdir, info = bench_artifacts.ensure_built(sys.executable, args.outdir, args.rebuild)

    unavailable, errors, timers = {}, {}, {}
    child = os.path.join(bench_artifacts.BENCH_DIR, "bench_child.py")
    for b in args.bindings:
        if b != bench_report.REFERENCE:
            status = bench_artifacts.probe(sys.executable, child, b, outdir, args.sigbind_dir)
            if status["unavailable"]:
                unavailable[b] = status["unavailable"]
                continue
        try:
            funcs, errs = bench_bindings.make(b, outdir, args.sigbind_dir)
        except bench_bindings.Unavailable as e:
            unavailable[b] = str(e)
            continue
        if errs:
            errors[b] = errs
        for shape, f in funcs.items():
            timers[(b, shape)] = _timer(f, bench_bindings.args_source(b, shape))
    if bench_report.REFERENCE in unavailable:
        raise SystemExit("bench: the reference is unavailable: %s" % unavailable[bench_report.REFERENCE])

    empty = _timer(None, "")
    best = dict((key, float("inf")) for key in timers)
    best_empty = float("inf")
    for _ in range(args.repeat):
        best_empty = min(best_empty, empty.timeit(args.loops))
        for shape in bench_bindings.SHAPE_NAMES:
            for b in args.bindings:
                t = timers.get((b, shape))
                if t is not None:
                    best[(b, shape)] = min(best[(b, shape)], t.timeit(args.loops))
    loop_ns = best_empty / args.loops * 1e9
    subtract = 0.0 if args.raw else loop_ns

    results = {}
    for b in args.bindings:
        results[b] = {}
        for shape in bench_bindings.SHAPE_NAMES:
            key = (b, shape)
            results[b][shape] = (best[key] / args.loops * 1e9 - subtract) if key in best else None

    python = "%s %s" % (platform.python_implementation(), info["version"])
    if args.json:
        print(bench_report.as_json(
            results, args.bindings, "ns/call", tool="run.py", python=python, executable=sys.executable,
            machine=platform.machine(), loops=args.loops, repeat=args.repeat,
            loop_overhead_ns=loop_ns, loop_overhead_subtracted=not args.raw,
            unavailable=unavailable, errors=errors))
        return 0

    print("### ns/call - %s (%s), best of %d x %d calls" % (python, platform.machine(), args.repeat, args.loops))
    print()
    print("Empty timeit loop: %.1f ns/iteration (%s)." % (loop_ns, "not subtracted" if args.raw else "subtracted"))
    bench_report.print_report(results, args.bindings, "ns", unavailable, errors, bench_bindings.BYTES_STR_BINDINGS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
