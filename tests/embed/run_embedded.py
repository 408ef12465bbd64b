#!/usr/bin/env python3
"""run_embedded.py — runs one embedding program against every libpython3.so (CPython >= 3.7) found, printing each version.

The program is built once, linked for libpython3.so (the stable-ABI library)
with no rpath; each run picks an interpreter with LD_LIBRARY_PATH=<prefix>/lib
and PYTHONHOME=<prefix>. By default a run passes when the program exits 0.
With --hello the program is examples/hello, and its output must be exactly
what that interpreter itself computes:

    Hello <os.getenv('USER') or os.getenv('USERNAME')>, I'm Python <sys.version>

(when neither variable is set, USER is set to the login name for the runs).
With --module-dir (tests/pycall), each interpreter runs the program twice:
without sigbind importable (SB_PYCALL_EXPECT_SIGBIND=0) and with that
directory on PYTHONPATH (SB_PYCALL_EXPECT_SIGBIND=1).
Fails if any run fails or fewer than --min interpreters ran. Standard library
only (runs on any Python 3).
"""
import argparse
import glob
import os
import pwd
import re
import subprocess
import sys

EXPECTED = ("import os, sys\n"
            "sys.stdout.buffer.write(('Hello %s, I\\'m Python %s\\n' % ("
            "os.getenv('USER') or os.getenv('USERNAME'), sys.version)).encode('utf-8', 'surrogateescape'))\n")


def find_prefixes(patterns):
    """{prefix: (major, minor, micro)} of the installations with lib/libpython3.so, >= 3.7, oldest first."""
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


def interpreter(prefix, ver):
    for name in ("python%d.%d" % ver[:2], "python3", "python"):
        path = os.path.join(prefix, "bin", name)
        if os.access(path, os.X_OK):
            return path
    return None


def run(cmd, env, timeout):
    """(exit status, stdout bytes, stderr bytes); -1 on timeout."""
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return -1, e.stdout or b"", (e.stderr or b"") + (b"\ntimed out after %gs\n" % timeout)


def show(data):
    text = data.decode("utf-8", "replace")
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True, help="the embedding program")
    ap.add_argument("--hello", action="store_true",
                    help="the program is examples/hello: compare its output with the interpreter's own")
    ap.add_argument("--prefixes", nargs="*", default=["/root/.pyenv/versions/3.*"],
                    help="glob patterns of installation prefixes (default: pyenv's 3.*)")
    ap.add_argument("--module-dir", help="directory holding sigbind.abi3.so: also run with sigbind importable")
    ap.add_argument("--min", type=int, default=2, help="fail if fewer interpreters ran")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()

    if not os.path.isfile(args.binary):
        print("run_embedded: no such program: %s" % args.binary)
        return 2
    base_env = dict(os.environ)
    for k in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONEXECUTABLE", "PYTHONHOME"):
        base_env.pop(k, None)
    base_env["PYTHONNOUSERSITE"] = "1"
    if args.hello and not (base_env.get("USER") or base_env.get("USERNAME")):
        base_env["USER"] = pwd.getpwuid(os.getuid()).pw_name
        print("run_embedded: neither USER nor USERNAME is set; using USER=%s" % base_env["USER"])

    prefixes = find_prefixes(args.prefixes)
    if not prefixes:
        print("run_embedded: no libpython3.so of CPython >= 3.7 under %s" % " ".join(args.prefixes))
    results = []
    modes = [("", None)]
    if args.module_dir:
        modes = [(", without sigbind", None), (", with sigbind", os.path.abspath(args.module_dir))]
    for prefix, ver in prefixes:
        vtext = "%d.%d.%d" % ver
        all_ok = True
        for label, moddir in modes:
            env = dict(base_env)
            env["LD_LIBRARY_PATH"] = os.path.join(prefix, "lib")
            env["PYTHONHOME"] = prefix
            if args.module_dir:
                env["SB_PYCALL_EXPECT_SIGBIND"] = "1" if moddir else "0"
            if moddir:
                env["PYTHONPATH"] = moddir
            rc, out, err = run([args.binary], env, args.timeout)
            ok, why = rc == 0, "exit status %d" % rc
            if ok and args.hello:
                python = interpreter(prefix, ver)
                if python is None:
                    ok, why = False, "no python executable in %s/bin to compute the expected output" % prefix
                else:
                    prc, expected, perr = run([python, "-c", EXPECTED], env, args.timeout)
                    if prc != 0:
                        ok, why = False, "%s failed computing the expected output: %s" % (
                            python, perr.decode("utf-8", "replace"))
                    elif out != expected:
                        ok, why = False, "output differs from %s's:\n  expected %r\n  got      %r" % (
                            python, expected, out)
                    elif err:
                        ok, why = False, "unexpected output on stderr"
            print("=== CPython %s (%s)%s: %s" % (vtext, prefix, label, "ok" if ok else "FAILED (%s)" % why))
            show(out)
            show(err)
            sys.stdout.flush()
            all_ok = all_ok and ok
        results.append((vtext, all_ok))

    print("run_embedded: %s: %s" % (os.path.basename(args.binary),
                                    ", ".join("%s %s" % (v, "ok" if ok else "FAILED") for v, ok in results)))
    if len(results) < args.min:
        print("run_embedded: only %d interpreter(s) ran, need at least %d" % (len(results), args.min))
        return 1
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
