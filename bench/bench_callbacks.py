# bench/bench_callbacks.py: cost of callbacks (C calling Python), qsort with a Python comparator and struct-by-value calls: sigbind vs ctypes vs cffi.
"""Usage:
    PYTHONPATH= python3 bench/bench_callbacks.py                 # ns/unit (wall clock), this interpreter
    python3 bench/bench_callbacks.py --callgrind [--python PATH]  # instructions/unit under callgrind
    options: --cases callback,once,qsort,struct (groups or case ids)  --bindings sigbind,ctypes,cffi
             --repeat R  --qsort-n N  --json  --jobs J  --outdir DIR  --sigbind-dir DIR  --rebuild

Stdlib only; runs on CPython 3.7+.  sigbind comes from build/python (--sigbind-dir or $SIGBIND_DIR),
benchlib.so from build/bench/X.Y.Z (built by build.sh when stale, as run.py does); cffi is used when
importable.  The workloads and bindings are in bench_callbacks_cases.py; see bench/README.md.

Wall clock: best of R interleaved batches per case, in this process (gc disabled during a batch).
Callgrind: each case runs in `python -S bench_callbacks.py --child ...` twice, doing N1 and N2 units;
(Ir(N2) - Ir(N1)) / (N2 - N1) is one unit, start-up and binding cancel out, and for Python-loop
cases the empty loop's cost (case "empty", counted the same way) is subtracted.
"""
import argparse
import gc
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if sys.flags.no_site:  # child under callgrind: keep site-packages (cffi) without site's start-up cost
    import sysconfig
    for _dir in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]):
        if _dir not in sys.path:
            sys.path.append(_dir)

import bench_callbacks_cases as cases  # noqa: E402

THIS = os.path.abspath(__file__)
# Units per wall-clock batch and (N1, N2) under callgrind, by case kind.
WALL_UNITS = {"inner": 100000, "loop": 100000, "whole": 1}
CALLGRIND_UNITS = {"inner": (1000, 11000), "loop": (1000, 11000), "whole": (0, 1)}
REFERENCE = {"callback": "callback.ctypes", "once": "once.ctypes", "qsort": "qsort.ctypes",
             "struct": "struct.ctypes"}


def loop_function(empty):
    ns = {"repeat": itertools.repeat}
    exec("def loop(f, a, b, n):\n    for _ in repeat(None, n):\n        %s\n" % ("pass" if empty else "f(a, b)"), ns)
    return ns["loop"]


def runner(case):
    """run(n) doing n units of `case` (None: the empty loop).  The closure keeps `case` (and what
    case.keep holds: cffi's lib must outlive its functions) alive as long as run is."""
    if case is None:
        loop = loop_function(True)
        return lambda n: loop(None, None, None, n)
    if case.kind == "loop":
        loop, f, a, b = loop_function(False), case.f, case.a, case.b
        return lambda n: loop(f, a, b, n) if case else None
    return lambda n: case.run(n)


def child(argv):
    case_id, outdir, sigbind_dir, qsort_n, count = argv
    run = runner(None if case_id == "empty" else cases.make(case_id, outdir, sigbind_dir, int(qsort_n)))
    gc.disable()
    run(int(count))
    return 0


def parse_args(argv):
    p = argparse.ArgumentParser(description="callbacks, qsort and struct-by-value: sigbind vs ctypes vs cffi")
    p.add_argument("--callgrind", action="store_true", help="count instructions under valgrind instead of timing")
    p.add_argument("--python", default=sys.executable, help="interpreter for --callgrind (default: this one)")
    p.add_argument("--cases", default="callback,once,qsort,struct", help="groups and/or case ids")
    p.add_argument("--bindings", default=",".join(cases.BINDINGS))
    p.add_argument("--repeat", type=int, default=5, help="wall-clock batches per case, best kept (default 5)")
    p.add_argument("--qsort-n", type=int, help="ints per qsort (default 100000; 10000 with --callgrind, "
                                                 "where the per-comparison cost is the comparable number)")
    p.add_argument("--jobs", type=int, default=2, help="callgrind runs in parallel (default 2)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--outdir", help="benchlib.so directory (default build/bench/X.Y.Z)")
    p.add_argument("--sigbind-dir", default=os.environ.get("SIGBIND_DIR", cases.SIGBIND_DEFAULT_DIR))
    p.add_argument("--rebuild", action="store_true")
    args = p.parse_args(argv)
    groups = [g[0] for g in cases.GROUPS]
    wanted = [w.strip() for w in args.cases.split(",") if w.strip()]
    for w in wanted:
        if w not in groups and w not in cases.CASE_IDS:
            p.error("unknown case %r (groups: %s; ids: %s)" % (w, ", ".join(groups), ", ".join(cases.CASE_IDS)))
    bindings = [b.strip() for b in args.bindings.split(",")]
    args.case_ids = [c for c in cases.CASE_IDS
                     if (c in wanted or cases.CASE_INFO[c][0] in wanted) and cases.CASE_INFO[c][1] in bindings]
    if args.callgrind and shutil.which("valgrind") is None:
        p.error("valgrind not found")
    if args.qsort_n is None:
        args.qsort_n = 10000 if args.callgrind else cases.QSORT_N
    args.python = shutil.which(args.python) or args.python
    return args


def child_env():
    return dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")


def probe(args, outdir, case_id):
    """Build and check the case in a child process; None if fine, else the reason it is n/a."""
    proc = subprocess.run([args.python, "-S", THIS, "--child", case_id, outdir, args.sigbind_dir,
                           str(args.qsort_n), "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=child_env())
    if proc.returncode == 0:
        return None
    how = "crashed (signal %d)" % -proc.returncode if proc.returncode < 0 else "exit %d" % proc.returncode
    lines = proc.stderr.decode(errors="replace").strip().splitlines()
    return "%s: %s" % (how, lines[-1] if lines else "")


def measure_callgrind(args, outdir, case_ids):
    import callgrind  # bench/callgrind.py: total_ir()
    from concurrent.futures import ThreadPoolExecutor
    tmp = tempfile.mkdtemp(prefix="sigbind-cbgrind-")

    def one(cid, count, tag):
        out = os.path.join(tmp, "%s.%s.out" % (cid, tag))
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, args.python, "-S", THIS,
               "--child", cid, outdir, args.sigbind_dir, str(args.qsort_n), "%010d" % count]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
        if proc.returncode != 0:
            raise RuntimeError("callgrind run failed: %s\n%s" % (" ".join(cmd), proc.stderr.decode()[-2000:]))
        return callgrind.total_ir(out)

    kinds = {}
    runs = []
    for cid in case_ids:
        kinds[cid] = "loop" if cid == "empty" else _kind(cid)
        n1, n2 = CALLGRIND_UNITS[kinds[cid]]
        runs += [(cid, n1, "n1"), (cid, n2, "n2")]
    t0 = time.time()
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            futures = dict(((cid, tag), ex.submit(one, cid, n, tag)) for cid, n, tag in runs)
            ir = dict((k, f.result()) for k, f in futures.items())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.stderr.write("callgrind: %d runs in %.0f s\n" % (len(runs), time.time() - t0))
    per = {}
    for cid in case_ids:
        n1, n2 = CALLGRIND_UNITS[kinds[cid]]
        per[cid] = (ir[(cid, "n2")] - ir[(cid, "n1")]) / float(n2 - n1)
    return per


def _kind(cid):
    group = cases.CASE_INFO[cid][0]
    return {"callback": "inner", "qsort": "whole"}.get(group, "loop")


def measure_wall(args, outdir, case_ids):
    runs = {}
    for cid in case_ids:
        runs[cid] = runner(None if cid == "empty" else cases.make(cid, outdir, args.sigbind_dir, args.qsort_n))
    best = dict((cid, float("inf")) for cid in case_ids)
    for _ in range(args.repeat):
        for cid in case_ids:
            n = WALL_UNITS["loop" if cid == "empty" else _kind(cid)]
            gc.collect()
            gc.disable()
            try:
                t0 = time.perf_counter()
                runs[cid](n)
                dt = time.perf_counter() - t0
            finally:
                gc.enable()
            best[cid] = min(best[cid], dt / n * 1e9)
    return best


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1:])
    args = parse_args(argv)
    import bench_artifacts
    python = args.python if args.callgrind else sys.executable
    outdir, info = bench_artifacts.ensure_built(python, args.outdir, args.rebuild)

    unavailable = {}
    ok = []
    for cid in args.case_ids:
        why = probe(args if args.callgrind else argparse.Namespace(**dict(vars(args), python=sys.executable)),
                    outdir, cid)
        if why:
            unavailable[cid] = why
        else:
            ok.append(cid)
    needs_empty = any(_kind(c) == "loop" for c in ok)
    measured = ok + (["empty"] if needs_empty else [])
    raw = measure_callgrind(args, outdir, measured) if args.callgrind else measure_wall(args, outdir, measured)
    empty = raw.get("empty", 0.0)
    results = dict((c, raw[c] - (empty if _kind(c) == "loop" else 0.0)) for c in ok)
    comparisons = cases.count_comparisons(args.qsort_n) if any(_kind(c) == "whole" for c in ok) else None

    unit = "Ir" if args.callgrind else "ns"
    pyname = "CPython %s" % info["version"]
    if args.json:
        print(json.dumps({"python": pyname, "executable": python, "unit": unit, "results": results,
                          "empty_loop": empty, "qsort_n": args.qsort_n, "qsort_comparisons": comparisons,
                          "unavailable": unavailable, "repeat": None if args.callgrind else args.repeat},
                         indent=1, sort_keys=True))
        return 0
    print("### %s per unit - %s (%s), %s" % (
        "instructions" if args.callgrind else "ns", pyname, platform.machine(),
        "callgrind, (Ir(N2)-Ir(N1))/(N2-N1)" if args.callgrind else "best of %d batches" % args.repeat))
    if needs_empty:
        print()
        print("Empty Python loop: %.1f %s/iteration (subtracted from the `once` and `struct` rows)." % (empty, unit))
    for group, title, unit_name in cases.GROUPS:
        rows = [c for c in args.case_ids if cases.CASE_INFO[c][0] == group]
        if not rows:
            continue
        title = title.replace("QSORT_N", "{:,}".format(args.qsort_n))
        ref = results.get(REFERENCE[group])
        print()
        print("#### %s" % title)
        print()
        extra = group == "qsort" and comparisons
        # A whole sort in ns is a 10-digit number: show ms there (and millions of instructions).
        scale, sunit = (1e6, "ms" if unit == "ns" else "MIr") if group == "qsort" else (1.0, unit)
        head = "| binding | idiom | %s/%s |%s ctypes / this |" % (sunit, unit_name, " %s/comparison |" % unit if extra else "")
        print(head)
        print("|:--|:--|--:|%s--:|" % ("--:|" if extra else ""))
        for c in rows:
            _, binding, idiom = cases.CASE_INFO[c]
            v = results.get(c)
            if v is None:
                cells = ["n/a"] + (["n/a"] if extra else []) + ["n/a"]
            else:
                val = "%.1f" % (v / scale)
                cells = [val] + (["%.1f" % (v / comparisons)] if extra else []) + \
                    (["%.2f" % (ref / v)] if ref else ["n/a"])
            print("| %s | %s | %s |" % (binding, idiom, " | ".join(cells)))
        if extra:
            print()
            print("glibc's qsort calls the comparator %d times for these %d ints." % (comparisons, args.qsort_n))
    for c, why in sorted(unavailable.items()):
        print()
        print("n/a %s: %s" % (c, why))
    return 0


if __name__ == "__main__":
    sys.exit(main())
