# old_glibc.py — an older-glibc Debian root filesystem (bullseye: glibc 2.31, python3.9) for installing the wheels into with chroot.
"""ensure_root(path) makes the root filesystem once (debootstrap --variant=minbase bullseye from
Debian's archive, with python3-minimal and python3-venv) and reuses it afterwards; run_in_root()
runs a command inside it. Needs root (chroot) and debootstrap (scripts/setup.sh installs it).

Why bullseye: it is the oldest Debian release the archive still serves from the ordinary
mirror (buster's suite is gone from it), and its glibc 2.31 predates every symbol version the
wheels used to require (GLIBC_2.33 fstat64, GLIBC_2.34 dlopen/pthread_once). glibc 2.17 itself
(CentOS 7) cannot be bootstrapped from Debian's packages; the symbol audit (ctest
abi3_glibc_audit, and the backend's refusal to tag) covers 2.18-2.31.
"""
import os
import shutil
import subprocess

SUITE = "bullseye"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = "python3-minimal,python3-venv"


def ensure_root(path):
    """Returns None when `path` holds a usable root filesystem (made now if missing), else why not."""
    marker = os.path.join(path, ".sigbind-ready")
    if os.path.isfile(marker):
        return None
    if os.geteuid() != 0:
        return "chroot needs root"
    debootstrap = shutil.which("debootstrap") or "/usr/sbin/debootstrap"
    if not os.path.isfile(debootstrap):
        return "debootstrap is not installed (scripts/setup.sh installs it)"
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    p = subprocess.run([debootstrap, "--variant=minbase", "--include=" + PACKAGES, SUITE, path, MIRROR],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    if p.returncode != 0:
        return "debootstrap %s failed (exit %d):\n%s" % (SUITE, p.returncode, p.stdout[-3000:])
    with open(marker, "w") as f:
        f.write(SUITE + "\n")
    return None


def run_in_root(path, command, **kw):
    """subprocess.run of `command` (argv inside the root filesystem) under chroot, output captured."""
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
           "HOME": "/root"}
    return subprocess.run(["chroot", path] + list(command), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, **kw)


def glibc_version(path):
    p = run_in_root(path, ["/usr/bin/ldd", "--version"])
    return p.stdout.splitlines()[0] if p.returncode == 0 and p.stdout else "?"


def run_program(root_dir, program, libdir, args, env_extra):
    """Copies `program` and the libraries of `libdir` into the root filesystem and runs it there."""
    inside = "/sigbind-program-test"
    host = os.path.join(root_dir, inside.lstrip("/"))
    shutil.rmtree(host, ignore_errors=True)
    os.makedirs(os.path.join(host, "lib"))
    try:
        shutil.copy2(program, host)
        for name in os.listdir(libdir):
            if ".so" in name:
                shutil.copy2(os.path.join(libdir, name), os.path.join(host, "lib"))
        command = ["env", "LD_LIBRARY_PATH=%s/lib" % inside] + ["%s=%s" % kv for kv in env_extra.items()]
        return run_in_root(root_dir, command + [inside + "/" + os.path.basename(program)] + list(args))
    finally:
        shutil.rmtree(host, ignore_errors=True)


def main():
    """run_program from the command line: old_glibc.py --root DIR --libdir DIR --expect-status N PROGRAM ARGS..."""
    import argparse
    import sys
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--libdir", required=True, help="libraries the program needs (copied next to it)")
    parser.add_argument("--expect-status", type=int, default=0)
    parser.add_argument("--expect-output", action="append", default=[])
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the program")
    parser.add_argument("program")
    parser.add_argument("args", nargs="*")
    a = parser.parse_args()
    why = ensure_root(a.root)
    if why:
        print("old_glibc: no root filesystem at %s: %s" % (a.root, why))
        return 1
    p = run_program(a.root, a.program, a.libdir, a.args, dict(e.split("=", 1) for e in a.env))
    print("old_glibc: %s in chroot %s (%s): exit %d\n%s" % (a.program, a.root, glibc_version(a.root), p.returncode,
                                                             p.stdout))
    missing = [s for s in a.expect_output if s not in p.stdout]
    if p.returncode != a.expect_status or missing:
        print("old_glibc: FAILED: expected exit %d and output %s" % (a.expect_status, missing or a.expect_output))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
