# run_source_installs.py — sigbind installed from source with each CPython's own pip, offline: `pip install -e .` (PEP 660) and `pip install sigbind-<ver>.tar.gz` (the sdist).
"""Usage: run_source_installs.py --mode editable|sdist --root SRC [--python PY] [--min N] [--keep]

editable: for /usr/bin/python3 and every pyenv CPython >= 3.7, one after the other:
  `python -m venv`, then the venv's pip runs `pip install -e <root> --no-build-isolation --no-index`
  with SIGBIND_BUILD_DIR=<tmp>/editable-build (one build directory for all: after the first
  build CMake has nothing to do). A venv whose pip predates PEP 660 (pip < 21.3) is skipped with
  that reason printed. Then, from another directory: sigbind comes from the build directory (via
  the wheel's __editable__.sigbind-<ver>.pth), binds and calls cos, its stub is installed; after
  `pip uninstall -y sigbind` it no longer imports.
sdist: the sdist is made once with the backend's build_sdist hook (what `python -m build --sdist`
  calls; pip cannot make sdists), its contents are checked (pyproject.toml, PKG-INFO, LICENSE,
  CMakeLists.txt, src/, include/, abi3/; no build directories). Then, for every CPython >= 3.7,
  two at a time: `python -m venv`, `pip install --no-index --no-cache-dir <sdist>` WITH build
  isolation (requires = [] so nothing is downloaded; each install builds the module with CMake),
  a smoke test and tests/py/test_core.py against the installed package.
Prints one line per version; fails if any fails or fewer than --min (2) ran. Standard library only.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from venvs import PEP660_PIP, clean_env, interpreters, make_venv, pip_version, run  # noqa: E402

CHECK = r"""
import os, sys
import sigbind
where = os.path.realpath(sigbind.__file__)
assert where.startswith(os.path.realpath(sys.argv[1])), (where, sys.argv[1])
assert sigbind.load('m').bind('double cos(double x)')(0.0) == 1.0
import sysconfig
site = sysconfig.get_paths()['platlib']
for stub in ('sigbind.pyi', 'sigbind-stubs/__init__.pyi', 'sigbind-stubs/py.typed'):
    assert os.path.isfile(os.path.join(site, stub)), stub
print('%d.%d.%d' % sys.version_info[:3], sigbind.__version__, where)
"""


def run_steps(steps, cwd, env, log):
    """Runs (what, command) steps in order, logging each; returns ({what: stdout}, None)
    or (outputs so far, "<what> failed (exit N)") at the first failing step."""
    out = {}
    for what, command in steps:
        p = run(command, cwd=cwd, env=env)
        log.append("$ " + " ".join(command) + "\n" + p.stdout)
        if p.returncode != 0:
            return out, "%s failed (exit %d)" % (what, p.returncode)
        out[what] = p.stdout
    return out, None


def editable_one(python, ver, root, work, build_dir):
    vpython = make_venv(python, ver, work, "editable")
    pv = pip_version(vpython)
    if pv is None or pv < PEP660_PIP:
        return None, "skipped: the venv's pip %s predates PEP 660 editable installs (pip >= %d.%d)" % (
            "%d.%d" % pv if pv else "?", PEP660_PIP[0], PEP660_PIP[1]), ""
    env = clean_env(SIGBIND_BUILD_DIR=build_dir)
    cwd = os.path.join(work, "cwd-editable-%d.%d" % ver[:2])
    os.makedirs(cwd, exist_ok=True)
    log = []
    steps = [
        ("pip install -e", [vpython, "-m", "pip", "install", "-e", root, "--no-build-isolation", "--no-index"]),
        ("import", [vpython, "-c", CHECK, build_dir]),
        ("pip uninstall", [vpython, "-m", "pip", "uninstall", "-y", "sigbind"]),
    ]
    out, failure = run_steps(steps, cwd, env, log)
    if failure:
        return False, failure, "\n".join(log)
    p = run([vpython, "-c", "import sigbind"], cwd=cwd, env=env)
    if p.returncode == 0:
        return False, "sigbind still imports after pip uninstall", "\n".join(log)
    return True, "pip %d.%d: %s; uninstalled" % (pv + (out["import"].strip().splitlines()[-1],)), "\n".join(log)


def make_sdist(root, outdir):
    """Calls the PEP 517 build_sdist hook like a frontend: in the source tree, backend-path on sys.path."""
    code = ("import sys; sys.path.insert(0, 'abi3'); import sigbind_build; "
            "print(sigbind_build.build_sdist(sys.argv[1]))")
    p = run(["/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable, "-c", code, outdir],
            cwd=root, env=clean_env())
    if p.returncode != 0:
        raise RuntimeError("build_sdist failed:\n" + p.stdout)
    return os.path.join(outdir, p.stdout.strip().splitlines()[-1])


def check_sdist(sdist, version):
    base = "sigbind-%s/" % version
    with tarfile.open(sdist) as tar:
        names = set(tar.getnames())
        pkg_info = tar.extractfile(base + "PKG-INFO").read().decode()
    problems = ["missing " + n for n in ("pyproject.toml", "PKG-INFO", "LICENSE", "README.md", "CMakeLists.txt",
                                         "src/pyface/sigbind_module.c", "include/sigbind.h", "abi3/sigbind_build.py",
                                         "abi3/audit.py", "abi3/sigbind.pyi", "cmake/SigbindModule.cmake")
                if base + n not in names]
    bad = [n for n in names if any(part.startswith("build") or part in ("__pycache__", ".git", "dist")
                                   for part in n[len(base):].split("/")[:-1])]
    if bad:
        problems.append("build output in the sdist: %s" % bad[:5])
    for field in ("Name: sigbind", "Version: " + version, "License: MIT", "License-File: LICENSE"):
        if field + "\n" not in pkg_info:
            problems.append("PKG-INFO lacks %r" % field)
    print("sdist: %s, %d files" % (os.path.basename(sdist), len(names)))
    return problems


def sdist_one(python, ver, root, work, sdist):
    vpython = make_venv(python, ver, work, "sdist")
    pv = pip_version(vpython)
    env = clean_env()
    cwd = os.path.dirname(os.path.dirname(vpython)) + "-cwd"
    os.makedirs(cwd, exist_ok=True)
    log = []
    steps = [
        ("pip install sdist", [vpython, "-m", "pip", "install", "--no-index", "--no-cache-dir", sdist]),
        ("import", [vpython, "-c", CHECK, os.path.dirname(os.path.dirname(vpython))]),
        ("test_core", [vpython, "-m", "unittest", "discover", "-s", os.path.join(root, "tests", "py"),
                       "-p", "test_core.py"]),
    ]
    out, failure = run_steps(steps, cwd, env, log)
    if failure:
        return False, failure, "\n".join(log)
    ran = re.search(r"Ran (\d+) tests?", out["test_core"])
    return True, "pip %d.%d: built from the sdist, %s; test_core: %s tests OK" % (
        pv + (out["import"].strip().splitlines()[-1], ran.group(1) if ran else "?")), "\n".join(log)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", required=True, choices=("editable", "sdist"))
    parser.add_argument("--root", required=True, help="the sigbind source tree")
    parser.add_argument("--python", default=None, help="test only this interpreter")
    parser.add_argument("--min", type=int, default=2, help="fail when fewer interpreters ran")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        version = re.search(r"project\(\s*sigbind\s+VERSION\s+([0-9.]+)", f.read()).group(1)
    work = tempfile.mkdtemp(prefix="sigbind-%s-test-" % args.mode)
    results = []
    try:
        jobs = interpreters(args.python)
        if args.mode == "editable":
            build_dir = os.path.join(work, "editable-build")
            for python, ver in jobs:  # one build directory: one at a time
                results.append((python, ver) + editable_one(python, ver, root, work, build_dir))
        else:
            sdist = make_sdist(root, os.path.join(work, "sdist"))
            problems = check_sdist(sdist, version)
            if problems:
                print("FAIL: the sdist is wrong:\n  " + "\n  ".join(problems))
                return 1
            with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
                futures = [pool.submit(sdist_one, python, ver, root, work, sdist) for python, ver in jobs]
                for (python, ver), future in zip(jobs, futures):
                    results.append((python, ver) + future.result())
        failed = ran = 0
        for python, ver, ok, summary, log in results:
            label = "skip" if ok is None else "ok  " if ok else "FAIL"
            print("%s CPython %d.%d.%d (%s): %s" % ((label,) + ver + (python, summary)), flush=True)
            if ok is False:
                failed += 1
                print("    " + log.replace("\n", "\n    "))
            if ok:
                ran += 1
        print("%s install: %d interpreter(s) passed, %d failed, %d skipped"
              % (args.mode, ran, failed, len(results) - ran - failed))
        if failed:
            return 1
        if ran < args.min:
            print("FAIL: only %d interpreter(s) ran, need %d" % (ran, args.min))
            return 1
        return 0
    finally:
        if args.keep:
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
