#!/usr/bin/env python3
"""run_versions.py — runs one embedding test binary against every libpython3.so (CPython >= 3.7) found, printing each version.

The binary is built once, linked with some libpython3.so (the stable-ABI
library) and no rpath; each run picks an interpreter with
LD_LIBRARY_PATH=<prefix>/lib and PYTHONHOME=<prefix>. With --module-dir, each
interpreter runs the binary twice: without sigbind importable
(SB_PYCALL_EXPECT_SIGBIND=0) and with the built sigbind module on PYTHONPATH
(SB_PYCALL_EXPECT_SIGBIND=1). Fails if any run fails or fewer than --min
interpreters ran. Standard library only (runs on any Python 3).
"""
import argparse
import glob
import os
import re
import subprocess
import sys


def find_prefixes(patterns):
    found = {}
    for pat in patterns:
        for lib in glob.glob(os.path.join(pat, "lib", "libpython3.so")):
            prefix = os.path.dirname(os.path.dirname(os.path.realpath(lib)))
            m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?[^/]*$", prefix)
            if not m:
                continue
            ver = (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
            if ver[0] == 3 and ver[1] >= 7:
                found[prefix] = ver
    return sorted(found.items(), key=lambda kv: kv[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--module-dir", help="directory holding sigbind.abi3.so (adds the run with sigbind importable)")
    ap.add_argument("--prefixes", nargs="*", default=["/root/.pyenv/versions/3.*"],
                    help="glob patterns of installation prefixes (default: pyenv's 3.*)")
    ap.add_argument("--min", type=int, default=2, help="fail if fewer interpreters ran")
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()

    if not os.path.isfile(args.binary):
        print("run_versions: no such binary: %s" % args.binary)
        return 2
    prefixes = find_prefixes(args.prefixes)
    modes = [("without sigbind", None)]
    if args.module_dir:
        modes.append(("with sigbind", os.path.abspath(args.module_dir)))

    results = []
    for prefix, ver in prefixes:
        vtext = "%d.%d.%d" % ver
        ok = True
        for label, moddir in modes:
            env = dict(os.environ)
            for k in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONEXECUTABLE"):
                env.pop(k, None)
            env["LD_LIBRARY_PATH"] = os.path.join(prefix, "lib")
            env["PYTHONHOME"] = prefix
            env["PYTHONNOUSERSITE"] = "1"
            env["SB_PYCALL_EXPECT_SIGBIND"] = "1" if moddir else "0"
            if moddir:
                env["PYTHONPATH"] = moddir
            try:
                p = subprocess.run([args.binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=args.timeout)
                out = p.stdout.decode("utf-8", "replace")
                rc = p.returncode
            except subprocess.TimeoutExpired:
                out, rc = "timed out after %gs\n" % args.timeout, -1
            status = "ok" if rc == 0 else "FAILED (exit status %d)" % rc
            print("=== CPython %s (%s), %s: %s" % (vtext, prefix, label, status))
            sys.stdout.write(out if out.endswith("\n") or not out else out + "\n")
            sys.stdout.flush()
            ok = ok and rc == 0
        results.append((vtext, ok))

    print("run_versions: %s" % ", ".join("%s %s" % (v, "ok" if ok else "FAILED") for v, ok in results))
    if len(results) < args.min:
        print("run_versions: only %d interpreter(s) ran, need at least %d" % (len(results), args.min))
        return 1
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
