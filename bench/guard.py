# bench/guard.py: the regression guard: callgrind instructions per call of every measured path, for every CPython found, with ratios.
"""Usage: python3 bench/guard.py [--quick] [--pythons 3.8,3.13 | --python PATH ...] [--bindings ...]
                                [--no-callbacks] [--jobs 2] [--n1 1000] [--n2 6000] [--json] [--curve]

For each CPython 3.7+ under ~/.pyenv/versions (or given with --python), counts with
`valgrind --tool=callgrind` the instructions of one call of
  - the five headline shapes (bench_bindings.SHAPES) through handext (the hand-written full-API
    METH_FASTCALL reference), handabi3 (the same C under the stable ABI: Py_LIMITED_API=0x030a0000 on
    3.10+; on 3.7-3.9 Py_LIMITED_API=0x03070000 with METH_VARARGS entries, see build.sh),
    sigbind, ctypes and cffi (where importable);
  - the off-headline shapes of issue 15 (guard_cases.OFF: an [[errno]] contract, an omitted default,
    uint8_t/float, [[out]], a keyword argument, [[nogil]], a bytes buffer, a struct result, 12
    arguments) through handext, sigbind and ctypes;
  - one callback, one qsort comparison and one struct-by-value call (bench_callbacks.py --callgrind)
    through sigbind, ctypes and cffi;
and prints one table per interpreter with the ratios, then a summary line per interpreter.
--curve measures instead the argument-count curve: `int64_t f(n x int64_t)` and `double f(n x double)`
for n = 0..16 (benchlib's sb_bench_cl<n>/sb_bench_cd<n>) through handext, sigbind and ctypes.
Each count is (Ir(N2) - Ir(N1)) / (N2 - N1) of two runs of a child that loops over one call,
minus the same for an empty loop: start-up, imports and binding cancel out.  PYTHONHASHSEED=0 and
same-length command lines make the counts deterministic.  No test asserts any of these numbers.

--quick: handext and sigbind only, no callbacks, N1/N2 = 500/2500 (about a minute per interpreter
on 2 cores).  Stdlib only; runs on CPython 3.7+.
"""
import argparse
import glob
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
THIS = os.path.abspath(__file__)

import bench_artifacts  # noqa: E402
import bench_bindings  # noqa: E402
import guard_cases  # noqa: E402

CALLBACK_CASES = ("callback.sigbind", "callback.ctypes", "callback.cffi", "qsort.sigbind_typed", "qsort.ctypes",
                  "qsort.cffi", "struct.sigbind", "struct.ctypes", "struct.cffi")


def loop_function(body, ns):
    """def loop(n): the body n times, every name it uses a local (a default argument), as timeit does."""
    import itertools
    names = sorted(k for k in ns if not k.startswith("__"))
    src = "def loop(n, repeat=repeat%s):\n    for _ in repeat(None, n):\n        %s\n" % (
        "".join(", %s=%s" % (k, k) for k in names), body)
    ns = dict(ns, repeat=itertools.repeat)
    exec(src, ns)
    return ns["loop"]


def child(argv):
    """--child BINDING OUTDIR SIGBIND_DIR CASE=N[,CASE=N...]: make the cases, then run each loop N times."""
    import gc
    if sys.flags.no_site:  # cffi lives in site-packages; -S skips site's .pth start-up cost
        import sysconfig
        for d in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]):
            if d not in sys.path:
                sys.path.append(d)
    binding, outdir, sigbind_dir, what = argv
    loops = []
    for item in what.split(","):
        case_id, n = item.split("=")
        if case_id == "empty":
            loops.append((loop_function("pass", {}), int(n)))
        else:
            body, ns = guard_cases.make(case_id, binding, outdir, sigbind_dir)
            loops.append((loop_function(body, ns), int(n)))
    gc.disable()
    for loop, n in loops:
        loop(n)
    return 0


def find_pythons(wanted):
    found = []
    for exe in sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3"))):
        ver = os.path.basename(os.path.dirname(os.path.dirname(exe)))
        parts = ver.split(".")
        if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) < 7:
            continue
        if wanted and not any(ver == w or ver.startswith(w + ".") for w in wanted):
            continue
        found.append(exe)
    found.sort(key=lambda e: [int(x) for x in os.path.basename(os.path.dirname(os.path.dirname(e))).split(".")])
    return found


def total_ir(path):
    import callgrind
    return callgrind.total_ir(path)


def env():
    return dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")


def measure_python(args, python):
    from concurrent.futures import ThreadPoolExecutor
    outdir, info = bench_artifacts.ensure_built(python)
    tmp = tempfile.mkdtemp(prefix="sigbind-guard-")
    errors = {}

    def one(binding, counts, tag):
        out = os.path.join(tmp, "%s.%s.out" % (binding, tag))
        what = ",".join("%s=%010d" % kv for kv in counts)  # same-length command lines
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, python, "-S", THIS, "--child",
               binding, outdir, args.sigbind_dir, what]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env())
        if proc.returncode != 0:
            lines = [l for l in proc.stderr.decode(errors="replace").strip().splitlines() if not l.startswith("==")]
            errors["%s/%s" % (binding, tag)] = lines[-1] if lines else "exit %d" % proc.returncode
            return None
        return total_ir(out)

    # Which cases each binding can run: probed once in a child (a case that fails is n/a, with why).
    plan = {}
    for b in args.bindings:
        cases = [c for c in guard_cases.CASE_IDS
                 if guard_cases.has(c, b) and (b != "cffi" or c in guard_cases.HEADLINE)]
        ok = []
        for c in cases:
            proc = subprocess.run([python, "-S", THIS, "--child", b, outdir, args.sigbind_dir, c + "=1"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env())
            if proc.returncode == 0:
                ok.append(c)
            else:
                lines = proc.stderr.decode(errors="replace").strip().splitlines()
                errors["%s/%s" % (b, c)] = lines[-1] if lines else "exit %d" % proc.returncode
                if b == "cffi" and "No module named" in (lines[-1] if lines else ""):
                    break
        if ok:
            plan[b] = ok + ["empty"]
    # One run per binding with every case N1 times, then one per case with that case N2 times.
    runs = []
    for b, cases in plan.items():
        runs.append((b, "base", [(c, args.n1) for c in cases]))
        for c in cases:
            runs.append((b, c, [(x, args.n2 if x == c else args.n1) for x in cases]))
    t0 = time.time()
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            fut = dict(((b, tag), ex.submit(one, b, counts, tag)) for b, tag, counts in runs)
            ir = dict((k, f.result()) for k, f in fut.items())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results, empty = {}, {}
    for b, cases in plan.items():
        base = ir[(b, "base")]
        per = dict((c, None if base is None or ir[(b, c)] is None else (ir[(b, c)] - base) / float(args.n2 - args.n1))
                   for c in cases)
        empty[b] = per.pop("empty")
        for c, v in per.items():
            results.setdefault(c, {})[b] = None if v is None or empty[b] is None else v - empty[b]
    sys.stderr.write("guard: %s: %d callgrind runs in %.0f s\n" % (info["version"], len(runs), time.time() - t0))
    cb = None
    if not args.no_callbacks:
        bl = [b for b in ("sigbind", "ctypes", "cffi") if b in args.bindings]
        cases = [c for c in CALLBACK_CASES if c.split(".")[1].split("_")[0] in bl]
        proc = subprocess.run([sys.executable, os.path.join(HERE, "bench_callbacks.py"), "--callgrind", "--json",
                               "--python", python, "--bindings", ",".join(bl), "--qsort-n", "2000",
                               "--jobs", str(args.jobs), "--sigbind-dir", args.sigbind_dir, "--cases",
                               ",".join(cases)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode == 0:
            cb = json.loads(proc.stdout.decode())
        else:
            errors["callbacks"] = proc.stderr.decode(errors="replace").strip()[-300:]
    return {"python": info["version"], "executable": python, "empty_loop": empty, "results": results,
            "callbacks": cb, "errors": errors}


def geomean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def fmt(v, ratio=False):
    if v is None:
        return "n/a"
    return "%.2f" % v if ratio else "%.0f" % v


def report(args, m):
    res = m["results"]
    bl = [b for b in guard_cases.BINDINGS if b in args.bindings]
    print("### CPython %s: instructions/call (callgrind), empty loop subtracted (%s Ir)" % (
        m["python"], ", ".join("%s %s" % (b, fmt(v)) for b, v in sorted(m["empty_loop"].items()))))
    print()
    others = [b for b in bl if b not in ("handext", "handabi3", "sigbind")]
    head = ["case"] + ["%s Ir" % b for b in bl] + ["sigbind/handext"] + \
        (["sigbind/handabi3"] if "handabi3" in bl else []) + ["%s/sigbind" % b for b in others]
    print("| " + " | ".join(head) + " |")
    print("|:--" + "|--:" * (len(head) - 1) + "|")
    ratios = {}
    for cid in guard_cases.CASE_IDS:
        row = res.get(cid, {})
        sb, hx = row.get("sigbind"), row.get("handext")
        ratios[cid] = sb / hx if sb and hx else None
        ha = row.get("handabi3")
        cells = [guard_cases.TITLES[cid]] + [fmt(row.get(b)) for b in bl] + [fmt(ratios[cid], True)] + \
            ([fmt(sb / ha if sb and ha else None, True)] if "handabi3" in bl else []) + \
            [fmt(row.get(b) / sb if row.get(b) and sb else None, True) for b in others]
        print("| " + " | ".join(cells) + " |")
    g5 = geomean([ratios[c] for c in guard_cases.HEADLINE])
    goff = geomean([ratios[c] for c in guard_cases.OFF_IDS])
    print()
    print("sigbind/handext geometric mean: five shapes %s, off-headline shapes %s" % (fmt(g5, True), fmt(goff, True)))
    notes = ["%s: %s" % (c, n) for c, n in sorted(guard_cases.NOTES.items()) if n]
    print("Notes: " + "; ".join(notes) + ".")
    cb = m["callbacks"]
    if cb:
        r = cb["results"]
        print()
        print("| unit | sigbind Ir | ctypes Ir | cffi Ir | ctypes/sigbind |")
        print("|:--|--:|--:|--:|--:|")
        for unit, s, c, f, scale in (("one callback (C loop)", "callback.sigbind", "callback.ctypes", "callback.cffi", 1),
                                     ("one qsort comparison (typed `a[0]`)", "qsort.sigbind_typed", "qsort.ctypes",
                                      "qsort.cffi", cb.get("qsort_comparisons")),
                                     ("struct by value `point_add(a, b)`", "struct.sigbind", "struct.ctypes",
                                      "struct.cffi", 1)):
            k = float(scale or 1)
            sv, cv, fv = [r.get(x) / k if r.get(x) is not None else None for x in (s, c, f)]
            print("| %s | %s | %s | %s | %s |" % (unit, fmt(sv), fmt(cv), fmt(fv),
                                                  fmt(cv / sv if sv and cv else None, True)))
    if m["errors"]:
        print()
        for k, v in sorted(m["errors"].items()):
            print("n/a %s: %s" % (k, v))
    print()
    return g5, ratios.get("str"), goff


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1:])
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--python", action="append", default=[], help="an interpreter (repeatable)")
    p.add_argument("--pythons", default="", help="versions under ~/.pyenv/versions, e.g. 3.7,3.13 (default: all >= 3.7)")
    p.add_argument("--bindings", default="handext,handabi3,sigbind,ctypes,cffi")
    p.add_argument("--quick", action="store_true", help="handext and sigbind only, no callbacks, fewer calls")
    p.add_argument("--no-callbacks", action="store_true")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--n1", type=int, default=1000)
    p.add_argument("--n2", type=int, default=6000)
    p.add_argument("--json", action="store_true")
    p.add_argument("--curve", action="store_true",
                   help="the argument-count curve instead: f(n x int64_t) and f(n x double), n = 0..16")
    p.add_argument("--sigbind-dir", default=os.environ.get("SIGBIND_DIR", bench_bindings.SIGBIND_DEFAULT_DIR))
    args = p.parse_args(argv)
    if args.curve:
        guard_cases.use_curve()
        args.no_callbacks = True
    args.bindings = [b.strip() for b in args.bindings.split(",") if b.strip()]
    if args.quick:
        args.bindings = [b for b in args.bindings if b in ("handext", "handabi3", "sigbind")]
        args.no_callbacks = True
        args.n1, args.n2 = 500, 2500
    if "handext" not in args.bindings:
        args.bindings.insert(0, "handext")  # the reference
    if shutil.which("valgrind") is None:
        p.error("valgrind not found")
    pythons = args.python or find_pythons([w.strip() for w in args.pythons.split(",") if w.strip()])
    if not pythons:
        p.error("no CPython 3.7+ found")
    if args.json:
        print(json.dumps([measure_python(args, py) for py in pythons], indent=1, sort_keys=True))
        return 0
    print("guard.py on %s, sigbind from %s, N1=%d N2=%d" % (platform.machine(), args.sigbind_dir, args.n1, args.n2))
    print()
    summary = []
    for py in pythons:  # each table as soon as its interpreter is measured
        m = measure_python(args, py)
        summary.append((m["python"],) + report(args, m))
        sys.stdout.flush()
    print("### Summary: sigbind / hand-written full-API extension")
    print()
    print("| CPython | five shapes (geomean) | `str` | off-headline (geomean) |")
    print("|:--|--:|--:|--:|")
    for v, g5, s, goff in summary:
        print("| %s | %s | %s | %s |" % (v, fmt(g5, True), fmt(s, True), fmt(goff, True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
