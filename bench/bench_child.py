# bench/bench_child.py: a separate process that binds one binding's shapes, then reports what bound or calls each shape N times.
"""Run by run.py (--check, to probe a binding that might crash before loading it in-process) and by
callgrind.py (under valgrind, to count), always with -S:

    python -S bench_child.py BINDING OUTDIR SIGBIND_DIR --check
        print JSON {"unavailable": reason|null, "shapes": [...], "errors": {shape: reason}}
    python -S bench_child.py BINDING OUTDIR SIGBIND_DIR SHAPE=N[,SHAPE=N...]
        call each listed shape N times ("empty" is a loop with no call in it)

Everything but the counts is identical from one run to the next, so the difference of two runs'
instruction totals divided by the difference of one shape's count is that shape's cost per call.
Stdlib only; runs on CPython 3.7+.
"""
import gc
import itertools
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if sys.flags.no_site:
    # Started with -S: site's .pth hooks cost ~100M instructions of start-up per run
    # under callgrind.  The site-packages directories themselves are still wanted (cffi lives there).
    import sysconfig
    for _dir in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]):
        if _dir not in sys.path:
            sys.path.append(_dir)

import bench_bindings  # noqa: E402


def loop_function(args_src):
    """def loop(f, n): for _ in repeat(None, n): f(<args>) -- or an empty body when args_src is None.

    Iterating over itertools.repeat (as timeit does) allocates nothing per iteration, unlike range()
    past the small-int cache, so the loop itself stays a small, constant part of each iteration.
    """
    body = "pass" if args_src is None else "f(%s)" % args_src
    namespace = {"repeat": itertools.repeat}
    exec("def loop(f, n):\n    for _ in repeat(None, n):\n        %s\n" % body, namespace)
    return namespace["loop"]


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    binding, outdir, sigbind_dir, what = argv
    try:
        funcs, errors = bench_bindings.make(binding, outdir, sigbind_dir)
    except bench_bindings.Unavailable as e:
        if what == "--check":
            import json
            print(json.dumps({"unavailable": str(e), "shapes": [], "errors": {}}))
            return 0
        sys.stderr.write("bench_child: %s unavailable: %s\n" % (binding, e))
        return 1
    if what == "--check":
        import json
        print(json.dumps({"unavailable": None, "errors": errors,
                          "shapes": [s for s in bench_bindings.SHAPE_NAMES if s in funcs]}))
        return 0

    counts = []
    for item in what.split(","):
        shape, n = item.split("=")
        if shape != "empty" and shape not in funcs:
            sys.stderr.write("bench_child: %s cannot call %s: %s\n" % (binding, shape, errors.get(shape)))
            return 1
        counts.append((shape, int(n)))
    loops = [(loop_function(None if shape == "empty" else bench_bindings.args_source(binding, shape)),
              funcs.get(shape), n) for shape, n in counts]
    gc.disable()  # as timeit does
    for loop, f, n in loops:
        loop(f, n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
