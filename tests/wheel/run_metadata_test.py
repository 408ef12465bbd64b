# run_metadata_test.py — builds tests/wheel/meta_project (every PEP 621 field, a Python package with the extension inside) with the backend, installs it into a venv of every CPython >= 3.7 and reads the metadata back with importlib.metadata.
"""Usage: run_metadata_test.py --root SRC --build-dir BUILD [--python PY] [--min N] [--keep]

1. `cmake --install BUILD --component Development` into a temporary prefix: the SDK, found through
   $SIGBIND_ROOT (so the sigbind wheel need not be built here; run_wheel_test.py covers that path).
2. The backend (abi3/sigbind_build.py of SRC) builds meta_project's sdist, then its wheel FROM THE
   UNPACKED SDIST (so the sdist holds everything the wheel needs), with no network.
3. The sdist's and the wheel's file lists are checked; then, for every CPython >= 3.7, a venv gets
   the wheel (`pip install --no-deps --no-index`) and CHECK runs there: every METADATA field as
   importlib.metadata reads it, entry points, the console script, the package, its data file, and
   meta_pkg._native inside the package. Then `pip install -e` of the project into a venv of the
   newest CPython: the package from the source tree, the extension from the build directory
   (the backend's import finder), an edit of the source visible at once. Standard library only.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from venvs import clean_env, interpreters, make_venv, run  # noqa: E402

CHECK = r'''
import os, subprocess, sys
try:
    from importlib import metadata
except ImportError:  # 3.7
    metadata = None
if metadata is None:
    # 3.7 has no importlib.metadata: read the same METADATA with the email parser it is built on.
    import email, glob
    d = glob.glob(os.path.join(sys.prefix, "lib", "python3.7", "site-packages", "meta_pkg-2.3.4.dist-info"))[0]
    with open(os.path.join(d, "METADATA"), encoding="utf-8") as f:
        md = email.message_from_string(f.read())
    body = md.get_payload()
    with open(os.path.join(d, "entry_points.txt"), encoding="utf-8") as f:
        eps_text = f.read()
    import configparser
    cp = configparser.ConfigParser(delimiters=("=",))
    cp.optionxform = str
    cp.read_string(eps_text)
    eps = {(g, n): v for g in cp.sections() for n, v in cp.items(g)}
    requires = md.get_all("Requires-Dist")
    files = None
else:
    dist = metadata.distribution("meta-pkg")
    md = dist.metadata
    body = md.get_payload()
    eps = {(e.group, e.name): e.value for e in dist.entry_points}
    requires = dist.requires
    files = [str(f) for f in dist.files]
def eq(a, b):
    assert a == b, (a, b)
eq(md["Name"], "meta-pkg")
eq(md["Version"], "2.3.4")
eq(md["Summary"], "sigbind's metadata round-trip test project")
eq(md["Requires-Python"], ">=3.7")
eq(md["License"], "MIT")
eq(sorted(md.get_all("License-File")), ["LICENSE", "licenses/NOTICE.txt"])
eq(md["Author"], "Bo Nameonly")
eq(md["Author-email"], "Ada Author <ada@example.org>, only-email@example.org")
eq(md["Maintainer-email"], "Mai Tainer <mai@example.org>")
eq(md["Maintainer"], None)
eq(md["Keywords"], "ffi,abi3,c-extension")
eq(md.get_all("Classifier"), ["License :: OSI Approved :: MIT License", "Programming Language :: C",
                              "Programming Language :: Python :: 3 :: Only"])
eq(md.get_all("Project-URL"), ["Homepage, https://example.org/meta-pkg",
                               "Bug Tracker, https://example.org/meta-pkg/issues"])
eq(md.get_all("Provides-Extra"), ["fast", "test"])
eq(requires, ["sigbind>=0.1", "typing-extensions; python_version < '3.8'", 'numpy>=1.17; extra == "fast"',
              "pytest>=7; (python_version >= '3.8') and extra == \"test\"", 'coverage; extra == "test"'])
eq(md["Description-Content-Type"], "text/markdown")
assert "The long description: **markdown**, several lines." in body and "- two" in body, body
eq(eps, {("console_scripts", "meta-hello"): "meta_pkg.cli:main", ("gui_scripts", "meta-gui"): "meta_pkg.cli:gui",
         ("meta_pkg.plugins", "double"): "meta_pkg:double"})
import meta_pkg, meta_pkg._native
assert meta_pkg.__file__.startswith(sys.prefix) and meta_pkg._native.__file__.endswith(
    os.path.join("meta_pkg", "_native.abi3.so")), (meta_pkg.__file__, meta_pkg._native.__file__)
eq(meta_pkg.add(2), 3)
eq(meta_pkg.double(21), 42)
eq(meta_pkg.greeting(), "hello from meta_pkg data")
here = os.path.dirname(meta_pkg.__file__)
for f in ("_native.pyi", "py.typed", "cli.py", os.path.join("data", "greeting.txt")):
    assert os.path.isfile(os.path.join(here, f)), f
if metadata is not None:
    (ep,) = [e for e in dist.entry_points if e.group == "meta_pkg.plugins"]
    eq(ep.load()(5), 10)
    assert "meta_pkg/_native.abi3.so" in files and "meta_pkg/data/greeting.txt" in files, files
script = os.path.join(os.path.dirname(sys.executable), "meta-hello")
out = subprocess.run([script], stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
eq(out.strip(), "hello from meta_pkg data 42")
assert os.path.isfile(os.path.join(os.path.dirname(sys.executable), "meta-gui"))
print("%d.%d.%d: metadata, entry points, console script, package + data + meta_pkg._native ok (%s)"
      % (sys.version_info[:3] + ("importlib.metadata" if metadata else "email parser, 3.7",)))
'''

SDIST_NEEDS = ("pyproject.toml", "PKG-INFO", "README.md", "LICENSE", "licenses/NOTICE.txt", "CMakeLists.txt",
               "csrc/native.c", "src/meta_pkg/__init__.py", "src/meta_pkg/cli.py",
               "src/meta_pkg/data/greeting.txt")
WHEEL_NEEDS = ("meta_pkg/__init__.py", "meta_pkg/cli.py", "meta_pkg/data/greeting.txt", "meta_pkg/_native.abi3.so",
               "meta_pkg/_native.pyi", "meta_pkg/py.typed", "meta_pkg-2.3.4.dist-info/METADATA",
               "meta_pkg-2.3.4.dist-info/entry_points.txt", "meta_pkg-2.3.4.dist-info/licenses/LICENSE",
               "meta_pkg-2.3.4.dist-info/licenses/licenses/NOTICE.txt")


def backend(root, project_dir, hook, out, env):
    code = "import sys; sys.path.insert(0, %r); import sigbind_build; print(sigbind_build.%s(%r))" % (
        os.path.join(root, "abi3"), hook, out)
    p = run([sys.executable, "-c", code], cwd=project_dir, env=env)
    if p.returncode != 0:
        raise RuntimeError("%s failed:\n%s" % (hook, p.stdout))
    return os.path.join(out, p.stdout.strip().splitlines()[-1])


EDITABLE_CHECK = r'''
import os, sys
import meta_pkg, meta_pkg._native
src = sys.argv[1]
assert meta_pkg.__file__ == os.path.join(src, "meta_pkg", "__init__.py"), meta_pkg.__file__
assert meta_pkg._native.add(2) == 3
assert meta_pkg._native.__file__.startswith(sys.argv[2]), meta_pkg._native.__file__
print(getattr(meta_pkg, "EDITED", "not edited"))
'''


def editable(root, project, work, job, prefix):
    """pip install -e of the project (packages + meta_pkg._native) into a venv of the newest CPython:
    the package loads from the source tree, the extension from the build directory, and an edit
    of the source shows without reinstalling. 0 pass, 1 fail."""
    python, ver = job
    vpython = make_venv(python, ver, work, "meta-editable")
    build = os.path.join(work, "editable-build")
    env = clean_env(SIGBIND_ROOT=prefix, SIGBIND_BUILD_DIR=build, PYTHONPATH=os.path.join(root, "abi3"))
    src = os.path.join(project, "src")
    steps = [[vpython, "-m", "pip", "install", "--no-deps", "--no-index", "--no-cache-dir", "--no-build-isolation",
              "-e", project], [vpython, "-c", EDITABLE_CHECK, src, build]]
    for command in steps:
        p = run(command, cwd=work, env=env if "pip" in command else clean_env())
        if p.returncode != 0:
            print("FAIL editable install (CPython %d.%d.%d):\n%s" % (ver + (p.stdout,)))
            return 1
    with open(os.path.join(src, "meta_pkg", "__init__.py"), "a", encoding="utf-8") as f:
        f.write("\nEDITED = 'edited in the source tree'\n")
    p = run([vpython, "-c", EDITABLE_CHECK, src, build], cwd=work, env=clean_env())
    ok = p.returncode == 0 and p.stdout.strip().endswith("edited in the source tree")
    print("%s editable install (CPython %d.%d.%d): package from %s, meta_pkg._native from %s; %s"
          % (("ok  " if ok else "FAIL",) + ver + (src, build, p.stdout.strip().splitlines()[-1] if ok else p.stdout)))
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--cmake", default="cmake")
    parser.add_argument("--python", default=None)
    parser.add_argument("--min", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    work = tempfile.mkdtemp(prefix="sigbind-meta-test-")
    try:
        prefix = os.path.join(work, "prefix")
        subprocess.check_call([args.cmake, "--install", args.build_dir, "--prefix", prefix,
                               "--component", "Development"], stdout=subprocess.DEVNULL)
        env = clean_env(SIGBIND_ROOT=prefix)
        project = os.path.join(work, "meta_project")
        shutil.copytree(os.path.join(root, "tests", "wheel", "meta_project"), project)
        sdist = backend(root, project, "build_sdist", os.path.join(work, "sdist"), env)
        with tarfile.open(sdist) as tar:
            in_sdist = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
            missing = [n for n in SDIST_NEEDS if n not in in_sdist]
            if missing:
                print("FAIL: the sdist lacks %s (has %s)" % (missing, sorted(in_sdist)))
                return 1
            tar.extractall(os.path.join(work, "unpacked"))
        unpacked = glob.glob(os.path.join(work, "unpacked", "*"))[0]
        wheel = backend(root, unpacked, "build_wheel", os.path.join(work, "dist"), env)
        with zipfile.ZipFile(wheel) as zf:
            names = set(zf.namelist())
        missing = [n for n in WHEEL_NEEDS if n not in names]
        print("sdist %s: %d files; wheel %s (built from the unpacked sdist): %d files"
              % (os.path.basename(sdist), len(in_sdist), os.path.basename(wheel), len(names)))
        if missing:
            print("FAIL: the wheel lacks %s (has %s)" % (missing, sorted(names)))
            return 1
        jobs = interpreters(args.python)
        failed = 0
        for python, ver in jobs:
            vpython = make_venv(python, ver, work, "meta")
            steps = [[vpython, "-m", "pip", "install", "--no-deps", "--no-index", "--no-cache-dir", wheel],
                     [vpython, "-c", CHECK]]
            for command in steps:
                p = run(command, cwd=work, env=clean_env())
                if p.returncode != 0:
                    break
            ok = p.returncode == 0
            failed += not ok
            print("%s CPython %d.%d.%d: %s" % (("ok  " if ok else "FAIL",) + ver
                                             + (p.stdout.strip().splitlines()[-1] if ok else p.stdout,)), flush=True)
        failed += editable(root, project, work, max(jobs, key=lambda j: j[1]), prefix)
        print("metadata round trip: %d interpreter(s), %d failed" % (len(jobs), failed))
        return 1 if failed or len(jobs) < args.min else 0
    finally:
        if args.keep:
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
