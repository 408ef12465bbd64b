# run_wheel_test.py — builds the sigbind wheel once with pip, then installs it into a fresh venv of every CPython >= 3.7 and runs the core tests there.
"""Usage: run_wheel_test.py --root SRC [--python PY] [--min N] [--keep]

1. `/usr/bin/python3 -m pip wheel --no-deps --no-build-isolation --no-index -w <tmp> <root>`
   (offline, through the in-tree backend abi3/sigbind_build.py), once.
2. Checks the wheel: file name `sigbind-<ver>-cp37-abi3-manylinux_2_X_<arch>.whl` with <ver>
   from CMakeLists.txt, WHEEL's Tag equal to the name's, X equal to the highest GLIBC_2.X
   that `objdump -T` lists for the binary, every RECORD hash and size right, the stubs there.
3. For /usr/bin/python3 and every /root/.pyenv/versions/3.*/bin/python3 >= 3.7:
   `python -m venv <tmp>/venv-X.Y`, `venv/bin/python -m pip install --no-index <wheel>`,
   a libm smoke test, sigbind imported from the venv's site-packages, the stub parses under
   that version, and `python -m unittest discover -s tests/py -p test_core.py` run from a
   directory outside the build tree without PYTHONPATH.
Prints one line per version; fails if any fails or fewer than --min (2) ran.
Standard library only. The venvs are made in parallel.
"""
import argparse
import base64
import concurrent.futures
import csv
import glob
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

SMOKE = ("import sigbind, sys, os; "
         "assert sigbind.load('m').bind('double cos(double x)')(0.0) == 1.0; "
         "assert os.path.realpath(sigbind.__file__).startswith(os.path.realpath(sys.prefix)), sigbind.__file__; "
         "import ast, glob; "
         "stubs = glob.glob(os.path.join(os.path.dirname(sigbind.__file__), 'sigbind.pyi')); "
         "assert stubs, 'sigbind.pyi not installed'; "
         "ast.parse(open(stubs[0]).read(), stubs[0]); "
         "print('%d.%d.%d' % sys.version_info[:3], sigbind.__version__, sigbind.__file__)")


def run(command, **kw):
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, **kw)


def project_version(root):
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(\s*sigbind\s+VERSION\s+([0-9.]+)", f.read()).group(1)


def glibc_max(so_path):
    out = run(["objdump", "-T", so_path]).stdout
    minors = [int(m) for m in re.findall(r"\bGLIBC_2\.(\d+)", out)]
    return max(minors) if minors else 0


def check_wheel(wheel, version):
    """Returns a list of problems with the wheel file (empty when it is right)."""
    problems = []
    name = os.path.basename(wheel)
    m = re.match(r"^sigbind-(?P<ver>[^-]+)-(?P<tag>cp37-abi3-manylinux_2_(?P<x>\d+)_(?P<arch>\w+))\.whl$", name)
    if not m:
        return ["wheel file name %r is not sigbind-<ver>-cp37-abi3-manylinux_2_X_<arch>.whl" % name]
    if m.group("ver") != version:
        problems.append("wheel version %s, CMakeLists.txt says %s" % (m.group("ver"), version))
    dist_info = "sigbind-%s.dist-info" % m.group("ver")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for need in ("sigbind.abi3.so", "sigbind.pyi", "sigbind-stubs/__init__.pyi",
                     dist_info + "/METADATA", dist_info + "/WHEEL", dist_info + "/RECORD"):
            if need not in names:
                problems.append("missing " + need)
        if problems:
            return problems
        wheel_meta = zf.read(dist_info + "/WHEEL").decode()
        if "Tag: %s\n" % m.group("tag") not in wheel_meta:
            problems.append("WHEEL has no 'Tag: %s':\n%s" % (m.group("tag"), wheel_meta))
        if "Root-Is-Purelib: false" not in wheel_meta:
            problems.append("WHEEL lacks Root-Is-Purelib: false")
        meta = zf.read(dist_info + "/METADATA").decode()
        for field in ("Metadata-Version: 2.1", "Name: sigbind", "Version: " + version, "Requires-Python: >=3.7"):
            if field + "\n" not in meta:
                problems.append("METADATA lacks %r" % field)
        recorded = set()
        for row in csv.reader(io.StringIO(zf.read(dist_info + "/RECORD").decode())):
            if not row:
                continue
            path, digest, size = row
            recorded.add(path)
            if path == dist_info + "/RECORD":
                continue
            data = zf.read(path)
            want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            if digest != want or int(size) != len(data):
                problems.append("RECORD row for %s does not match the file" % path)
        if recorded != names:
            problems.append("RECORD lists %s, the wheel holds %s" % (sorted(recorded), sorted(names)))
        with tempfile.TemporaryDirectory() as tmp:
            so = zf.extract("sigbind.abi3.so", tmp)
            x = glibc_max(so)
            if int(m.group("x")) != max(x, 5):
                problems.append("tag says manylinux_2_%s, objdump -T says the binary needs GLIBC_2.%d"
                                % (m.group("x"), x))
            needed = re.findall(r"NEEDED\s+(\S+)", run(["objdump", "-p", so]).stdout)
            print("wheel: %s\n  tag %s (highest GLIBC_2.%d in objdump -T), NEEDED %s"
                  % (name, m.group("tag"), x, " ".join(needed)))
    return problems


def interpreters(only):
    if only:
        return [only]
    found = ["/usr/bin/python3"] if os.path.exists("/usr/bin/python3") else []
    found += sorted(glob.glob("/root/.pyenv/versions/3.*/bin/python3"))
    return found


def python_version(python):
    p = run([python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
    if p.returncode != 0:
        return None
    return tuple(int(x) for x in p.stdout.strip().split("."))


def test_one(python, ver, wheel, work, root):
    """(ok, log) for one interpreter."""
    label = "%d.%d" % ver[:2]
    venv = os.path.join(work, "venv-%s-%s" % (label, hashlib.sha1(python.encode()).hexdigest()[:6]))
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1", PYTHONDONTWRITEBYTECODE="1")
    cwd = os.path.join(work, "cwd-" + os.path.basename(venv))
    os.makedirs(cwd)
    log = []
    steps = [
        ("venv", [python, "-m", "venv", venv]),
        ("pip install", [os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--no-index",
                         "--no-cache-dir", wheel]),
        ("smoke", [os.path.join(venv, "bin", "python"), "-c", SMOKE]),
        ("test_core", [os.path.join(venv, "bin", "python"), "-m", "unittest", "discover",
                       "-s", os.path.join(root, "tests", "py"), "-p", "test_core.py"]),
    ]
    for what, command in steps:
        p = run(command, cwd=cwd, env=env)
        log.append("$ " + " ".join(command) + "\n" + p.stdout)
        if p.returncode != 0:
            return False, "%s failed (exit %d)" % (what, p.returncode), "\n".join(log)
        if what == "smoke":
            smoke_line = p.stdout.strip().splitlines()[-1]
        if what == "test_core":
            ran = re.search(r"Ran (\d+) tests?", p.stdout)
            if not ran or int(ran.group(1)) == 0:
                return False, "test_core ran no tests", "\n".join(log)
            summary = "test_core: %s tests OK" % ran.group(1)
    # The module's __version__ and the wheel's come from the same place (CMakeLists.txt).
    module_version = smoke_line.split()[1]
    project = project_version(root)
    if module_version != project:
        return False, "sigbind.__version__ is %s, the project is %s" % (module_version, project), "\n".join(log)
    return True, "%s; %s" % (smoke_line, summary), "\n".join(log)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True, help="the sigbind source tree")
    parser.add_argument("--builder", default="/usr/bin/python3", help="the Python whose pip builds the wheel")
    parser.add_argument("--python", default=None, help="test only this interpreter")
    parser.add_argument("--min", type=int, default=2, help="fail when fewer interpreters ran")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    version = project_version(root)

    work = tempfile.mkdtemp(prefix="sigbind-wheel-test-")
    try:
        # 1. Build once.
        outdir = os.path.join(work, "dist")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        p = run([args.builder, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                 "-w", outdir, root], env=env, cwd=work)
        wheels = glob.glob(os.path.join(outdir, "*.whl"))
        if p.returncode != 0 or len(wheels) != 1:
            print(p.stdout)
            print("FAIL: pip wheel (exit %d) made %s" % (p.returncode, wheels))
            return 1
        wheel = wheels[0]
        # 2. Check it.
        problems = check_wheel(wheel, version)
        if problems:
            print("FAIL: the wheel is wrong:\n  " + "\n  ".join(problems))
            return 1
        # 3. Every interpreter, in parallel.
        jobs = []
        for python in interpreters(args.python):
            ver = python_version(python)
            if ver is None:
                print("skip %s: does not run" % python)
            elif ver < (3, 7):
                print("skip %s: CPython %d.%d.%d < 3.7" % ((python,) + ver))
            else:
                jobs.append((python, ver))
        failed = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, max(1, len(jobs)))) as pool:
            futures = [pool.submit(test_one, python, ver, wheel, work, root) for python, ver in jobs]
            for (python, ver), future in zip(jobs, futures):
                ok, summary, log = future.result()
                print("%s CPython %d.%d.%d (%s): %s" % (("ok  " if ok else "FAIL",) + ver + (python, summary)))
                if not ok:
                    failed += 1
                    print("    " + log.replace("\n", "\n    "))
        print("wheel %s installed and tested in %d venv(s), %d failed"
              % (os.path.basename(wheel), len(jobs), failed))
        if failed:
            return 1
        if len(jobs) < args.min:
            print("FAIL: only %d interpreter(s) ran, need %d" % (len(jobs), args.min))
            return 1
        return 0
    finally:
        if args.keep:
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
