# bench/callgrind.py: instructions/call of the five shapes through each binding, counted by valgrind's callgrind.
"""Usage: python3 bench/callgrind.py [--python PATH] [--bindings a,b] [--n1 2000] [--n2 12000] [--json] [--raw]

Stdlib only; runs on CPython 3.7+ (and measures any CPython 3.7+ given with --python).  For each
binding, bench_child.py runs under `valgrind --tool=callgrind` once with every shape (and an
empty loop) called N1 times, then once per shape with that shape called N2 times instead.  Total
instructions (Ir) come from the "totals:"/"summary:" line of each --callgrind-out-file, and
(Ir(N2) - Ir(N1)) / (N2 - N1) is the cost of one call plus one loop iteration; the empty loop's
cost is then subtracted (unless --raw).  Setup, import and interpreter start-up cancel out, and
with PYTHONHASHSEED=0 the counts are deterministic.
"""
import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_artifacts  # noqa: E402
import bench_bindings  # noqa: E402
import bench_report  # noqa: E402

CHILD = os.path.join(bench_artifacts.BENCH_DIR, "bench_child.py")


def parse_args(argv):
    p = argparse.ArgumentParser(description="instructions/call under callgrind: sigbind vs ctypes vs cffi "
                                            "vs a hand-written extension")
    p.add_argument("--python", default=sys.executable, help="interpreter to measure (default: this one)")
    p.add_argument("--bindings", default=",".join(bench_bindings.BINDINGS),
                   help="comma-separated subset of %s" % ",".join(bench_bindings.BINDINGS))
    p.add_argument("--n1", type=int, default=2000, help="calls per shape in the base run (default 2000)")
    p.add_argument("--n2", type=int, default=12000, help="calls of the measured shape (default 12000)")
    p.add_argument("--json", action="store_true", help="print machine-readable results instead of the table")
    p.add_argument("--raw", action="store_true", help="do not subtract the empty-loop cost")
    p.add_argument("--outdir", help="where build.sh puts benchlib.so and sb_handext (default build/bench/X.Y.Z)")
    p.add_argument("--sigbind-dir", default=os.environ.get("SIGBIND_DIR", bench_bindings.SIGBIND_DEFAULT_DIR),
                   help="directory holding sigbind.abi3.so (default $SIGBIND_DIR or build/python)")
    p.add_argument("--rebuild", action="store_true", help="run build.sh even if the outputs look fresh")
    p.add_argument("--valgrind", default="valgrind", help="valgrind executable (default: from PATH)")
    p.add_argument("--keep", action="store_true", help="keep the callgrind output files (path printed)")
    args = p.parse_args(argv)
    args.bindings = bench_report.parse_bindings(p, args.bindings, bench_bindings.BINDINGS)
    if not 0 < args.n1 < args.n2:
        p.error("need 0 < --n1 < --n2")
    if shutil.which(args.valgrind) is None:
        p.error("valgrind not found (%s)" % args.valgrind)
    args.python = shutil.which(args.python) or args.python
    return args


def total_ir(path):
    """Total instructions executed, from a callgrind output file ("totals:" else "summary:")."""
    totals = summary = None
    with open(path) as f:
        for line in f:
            if line.startswith("totals:"):
                totals = int(line.split()[1])
            elif line.startswith("summary:"):
                summary = int(line.split()[1])
    if totals is None and summary is None:
        raise RuntimeError("no totals:/summary: line in %s" % path)
    return totals if totals is not None else summary


def child_env():
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"            # same dict/set layouts in every run
    env["PYTHONDONTWRITEBYTECODE"] = "1"   # no run writes a .pyc that the next one reads instead
    return env


class Runner(object):
    def __init__(self, args, outdir, tmpdir):
        self.args, self.outdir, self.tmpdir = args, outdir, tmpdir
        self.env = child_env()
        self.runs = 0

    def child_cmd(self, binding, what):
        return [self.args.python, "-S", CHILD, binding, self.outdir, self.args.sigbind_dir, what]

    def check(self, binding):
        return bench_artifacts.probe(self.args.python, CHILD, binding, self.outdir, self.args.sigbind_dir,
                                     self.env)

    def ir(self, binding, counts):
        self.runs += 1
        out = os.path.join(self.tmpdir, "callgrind.%s.%d.out" % (binding, self.runs))
        # Zero-padded so that every run's command line has the same length: the initial stack
        # layout (and with it a few hundred instructions in start-up) then does not vary.
        what = ",".join("%s=%010d" % kv for kv in counts)
        cmd = [self.args.valgrind, "--tool=callgrind", "--callgrind-out-file=" + out] + \
            self.child_cmd(binding, what)
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
        if proc.returncode != 0:
            raise RuntimeError("callgrind run failed (exit %d): %s\n%s" % (
                proc.returncode, " ".join(cmd), proc.stderr.decode(errors="replace")[-2000:]))
        return total_ir(out)


def measure_binding(runner, binding, shapes, n1, n2):
    """{shape or "empty": Ir per iteration} from one base run plus one run per shape."""
    names = list(shapes) + ["empty"]
    base_counts = [(s, n1) for s in names]
    t0 = time.time()
    base = runner.ir(binding, base_counts)
    per = {}
    for s in names:
        counts = [(name, n2 if name == s else n1) for name in names]
        per[s] = (runner.ir(binding, counts) - base) / float(n2 - n1)
    sys.stderr.write("callgrind: %-8s %d runs in %.0f s\n" % (binding, len(names) + 1, time.time() - t0))
    return per


def valgrind_version(valgrind):
    try:
        out = subprocess.run([valgrind, "--version"], stdout=subprocess.PIPE).stdout.decode().strip()
    except OSError:
        out = ""
    return out or "valgrind"


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    outdir, info = bench_artifacts.ensure_built(args.python, args.outdir, args.rebuild)
    tmpdir = tempfile.mkdtemp(prefix="sigbind-callgrind-")
    runner = Runner(args, outdir, tmpdir)
    unavailable, errors, results, loop_ir = {}, {}, {}, {}
    try:
        for b in args.bindings:
            status = runner.check(b)
            results[b] = dict((s, None) for s in bench_bindings.SHAPE_NAMES)
            if status["unavailable"]:
                unavailable[b] = status["unavailable"]
                continue
            if status["errors"]:
                errors[b] = status["errors"]
            per = measure_binding(runner, b, status["shapes"], args.n1, args.n2)
            loop_ir[b] = per["empty"]
            for s in status["shapes"]:
                results[b][s] = per[s] - (0.0 if args.raw else per["empty"])
    finally:
        if args.keep:
            sys.stderr.write("callgrind: output files kept in %s\n" % tmpdir)
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)
    if bench_report.REFERENCE in unavailable:
        raise SystemExit("bench: the reference is unavailable: %s" % unavailable[bench_report.REFERENCE])

    python = "%s %s" % ("CPython" if info["implementation"] == "cpython" else info["implementation"],
                        info["version"])
    if args.json:
        print(bench_report.as_json(
            results, args.bindings, "instructions/call", tool="callgrind.py", python=python,
            executable=args.python, machine=platform.machine(), valgrind=valgrind_version(args.valgrind),
            n1=args.n1, n2=args.n2, loop_overhead_ir=loop_ir, loop_overhead_subtracted=not args.raw,
            unavailable=unavailable, errors=errors))
        return 0

    print("### instructions/call - %s (%s), callgrind, (Ir(N2)-Ir(N1)) / (N2-N1), N1=%d, N2=%d"
          % (python, platform.machine(), args.n1, args.n2))
    print()
    if loop_ir:
        print("Empty loop: %s instructions/iteration (%s)." % (
            ", ".join("%.1f (%s)" % (v, b) for b, v in sorted(loop_ir.items())),
            "not subtracted" if args.raw else "subtracted"))
    bench_report.print_report(results, args.bindings, "Ir", unavailable, errors, bench_bindings.BYTES_STR_BINDINGS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
