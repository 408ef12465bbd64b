# run_all.py — runs the Python test suite with the same built sigbind.abi3.so under every CPython >= 3.7 found.
"""Usage: run_all.py --module-dir DIR --testlib PATH [--min 2] [--python EXE ...] [unittest args]

Finds interpreters (pyenv's versions, python3.X on PATH, /usr/bin/python3),
keeps one per distinct version, runs `python -m unittest discover` in
tests/py with PYTHONPATH=DIR for each, prints which ran, and fails if any
failed or fewer than --min ran.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def candidates():
    found = []
    for root in ("/root/.pyenv/versions", os.path.expanduser("~/.pyenv/versions")):
        found += sorted(glob.glob(os.path.join(root, "3.*", "bin", "python3")))
    for minor in range(7, 20):
        exe = shutil.which("python3.%d" % minor)
        if exe:
            found.append(exe)
    for exe in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(exe):
            found.append(exe)
    return found


def version_of(exe):
    try:
        out = subprocess.check_output([exe, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                                      stderr=subprocess.DEVNULL, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return tuple(int(x) for x in out.decode().strip().split("."))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--module-dir", required=True)
    ap.add_argument("--testlib", required=True)
    ap.add_argument("--min", type=int, default=2, help="fail if fewer interpreters ran")
    ap.add_argument("--python", action="append", help="run only these interpreters")
    ap.add_argument("rest", nargs="*", help="extra unittest arguments (e.g. -k pattern)")
    args = ap.parse_args()

    exes = args.python or candidates()
    chosen = {}
    for exe in exes:
        real = os.path.realpath(exe)
        v = version_of(real)
        if v is None or v < (3, 7):
            continue
        # One run per distinct interpreter build (pyenv 3.11.7 and Debian 3.11.2 both run).
        chosen.setdefault((v, real), exe)
    if not chosen:
        print("run_all: no CPython >= 3.7 found", file=sys.stderr)
        return 1
    seen_versions = set()
    results = []
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.abspath(args.module_dir)
    env["SIGBIND_TESTLIB"] = os.path.abspath(args.testlib)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for (v, real), exe in sorted(chosen.items()):
        if (v, real) in seen_versions:
            continue
        seen_versions.add((v, real))
        label = "%d.%d.%d (%s)" % (v + (exe,))
        print("=== CPython %s" % label, flush=True)
        t0 = time.time()
        cmd = [exe, "-m", "unittest", "discover", "-s", HERE, "-p", "test_*.py"] + list(args.rest)
        rc = subprocess.call(cmd, env=env, cwd=HERE)
        results.append((label, rc, time.time() - t0))
    print("\n=== sigbind Python suite, one binary: %s" % os.path.join(args.module_dir, "sigbind.abi3.so"))
    for label, rc, dt in results:
        print("  %-55s %s  (%.1f s)" % (label, "ok" if rc == 0 else "FAILED (rc=%d)" % rc, dt))
    ran = len(results)
    failed = [r for r in results if r[1] != 0]
    print("  %d interpreter(s) ran, %d failed" % (ran, len(failed)))
    if ran < args.min:
        print("run_all: fewer than %d interpreters ran" % args.min, file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
