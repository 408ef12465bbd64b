# run_wheel_test.py — builds the sigbind wheel and the example_pkg wheel once each, installs both into a fresh venv of every CPython >= 3.7 and runs the Python suite there.
"""Usage: run_wheel_test.py --root SRC --testlib LIBSBTEST --cface-dir DIR [--python PY] [--min N] [--keep]

1. `/usr/bin/python3 -m pip wheel --no-deps --no-build-isolation --no-index -w <tmp> <root>`
   (offline, through the in-tree backend abi3/sigbind_build.py), once.
2. `pip wheel --no-index --find-links <tmp> examples/wheel_project`, once, WITH build isolation:
   pip installs the sigbind wheel into the isolated build environment (`requires = ["sigbind"]`),
   which brings the backend and the CMake SDK the extension builds against. As root this runs in
   a mount namespace (unshare -m) where the source tree, the build machine's Python headers
   (every pyenv include/ directory) and libffi_pic.a are hidden behind empty mounts: the SDK in
   the wheel must be all the build needs. Before that, no file of sigbind's wheel may name the
   source tree, the pyenv directories or libffi_pic.a's location (the SDK is relocatable).
3. Checks both wheels: file name `<dist>-<ver>-cp37-abi3-manylinux_2_17_<arch>.manylinux2014_<arch>.whl`,
   WHEEL's Tag lines the name's two tags, no GLIBC_ symbol version above 2.17 in `objdump -T`,
   every RECORD hash and size right, the stubs (<module>.pyi, <module>-stubs/__init__.pyi,
   <module>-stubs/py.typed) there, and for sigbind the LICENSE (License/License-File in METADATA,
   .dist-info/licenses/LICENSE), the backend and the SDK.
4. For /usr/bin/python3 and every /root/.pyenv/versions/3.*/bin/python3 >= 3.7 (in parallel):
   `python -m venv`, `pip install --no-index` both wheels, a smoke test (sigbind imported from
   the venv, its stub lists exactly the module's public names, license installed), example_pkg's
   functions called, then the suite of tests/py run from outside the source tree without
   PYTHONPATH to sigbind: see SUITE / EXCLUDED below.
5. With --old-glibc-root DIR: a Debian bullseye root filesystem there (glibc 2.31, made once with
   debootstrap, see old_glibc.py); its python3.9 makes a venv, pip 20.3 installs both wheels
   (proof that an older pip accepts the tags) and the smoke test and example_pkg run under chroot.
Prints one line per version; fails if any fails or fewer than --min (2) ran. Standard library only.
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
import shlex
import shutil
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from venvs import clean_env, interpreters, make_venv, run  # noqa: E402
import old_glibc  # noqa: E402

# Every module of tests/py runs against the installed wheel. The test library (testlib.c) comes
# from the build tree through SIGBIND_TESTLIB, as in run_all.py. test_cface and test_word_count
# import C-face modules (cface_test, cface_bad, rust2py, mymodule, word_count) that are not part of
# the wheel: they are built by the test build and copied ALONE into a directory put on PYTHONPATH
# (the build tree's python/ directory also holds a sigbind.abi3.so, which must not shadow the
# installed one). Each links the runtime statically, so they test the same C face the wheel's users
# get. SIGBIND_LEAK_CALLS is lowered from 1e6 to 2e5 to keep nine venvs in budget (the full count
# runs in python_all_versions).
SUITE = ["test_core", "test_types", "test_errors", "test_hardening", "test_interpreters", "test_leaks",
         "test_cface", "test_word_count"]
EXCLUDED = {}  # name -> reason; nothing is excluded at present (run_all.py's discover covers the same files)

SMOKE = r"""
import ast, glob, os, sys
import sigbind
assert sigbind.load('m').bind('double cos(double x)')(0.0) == 1.0
here = os.path.dirname(os.path.realpath(sigbind.__file__))
assert os.path.realpath(sigbind.__file__).startswith(os.path.realpath(sys.prefix)), sigbind.__file__
for stub in ('sigbind.pyi', 'sigbind-stubs/__init__.pyi'):
    path = os.path.join(here, stub)
    tree = ast.parse(open(path).read(), path)
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
    public = {n for n in dir(sigbind) if not n.startswith('_')} | {'__version__'}
    assert names == public, (stub, sorted(names ^ public))
assert os.path.isfile(os.path.join(here, 'sigbind-stubs', 'py.typed'))
lic = glob.glob(os.path.join(here, 'sigbind-*.dist-info', 'licenses', 'LICENSE'))
assert lic and 'MIT License' in open(lic[0]).read(), lic
import sigbind_build
assert os.path.isfile(os.path.join(here, 'sigbind_sdk', 'lib', 'cmake', 'sigbind', 'sigbindConfig.cmake'))
print('%d.%d.%d' % sys.version_info[:3], sigbind.__version__, sigbind.__file__)
"""

EXAMPLE = r"""
import array, inspect, sys
import example_pkg as e
assert e.factorial(10) == 3628800 and e.gcd(12, -18) == 6
assert e.shout('hi') == 'HI!' and e.shout('a', suffix='?') == 'A?'
assert str(inspect.signature(e.shout)) == "(text, suffix='!')", inspect.signature(e.shout)
assert e.mean(array.array('d', [1.0, 2.0, 6.0]), 3) == 3.0
try:
    e.mean(array.array('d'), 0)
    raise AssertionError('no EmptyError')
except e.EmptyError as exc:
    assert isinstance(exc, ValueError) and str(exc) == 'mean() of no values'
try:
    e.factorial(21)
    raise AssertionError('no ValueError')
except ValueError:
    pass
assert e.MAX_FACTORIAL == 20 and e.GREETING == 'hello from C'
st = e.Stats()
st.add(1.0)
st.add(x=5.0)
assert (st.count, st.mean()) == (2, 3.0), (st.count, st.mean())
try:
    e.Stats().mean()
    raise AssertionError('no EmptyError from Stats.mean')
except e.EmptyError:
    pass
print('example_pkg: factorial, gcd, shout, mean, EmptyError, constants, class Stats ok (%s)' % e.__file__)
"""


def project_version(root):
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(\s*sigbind\s+VERSION\s+([0-9.]+)", f.read()).group(1)


def glibc_max(so_path):
    out = run(["objdump", "-T", so_path]).stdout
    minors = [int(m) for m in re.findall(r"\bGLIBC_2\.(\d+)", out)]
    return max(minors) if minors else 0


TAG_RE = r"cp37-abi3-manylinux_2_17_(?P<arch>\w+)\.manylinux2014_(?P=arch)"


def check_wheel(wheel, dist, module, version, extra_files=(), metadata_fields=()):
    """Returns a list of problems with the wheel file (empty when it is right)."""
    problems = []
    name = os.path.basename(wheel)
    m = re.match(r"^%s-(?P<ver>[^-]+)-(?P<tag>%s)\.whl$" % (dist, TAG_RE), name)
    if not m:
        return ["wheel file name %r is not %s-<ver>-cp37-abi3-manylinux_2_17_<arch>.manylinux2014_<arch>.whl"
                % (name, dist)]
    if m.group("ver") != version:
        problems.append("wheel version %s, the project says %s" % (m.group("ver"), version))
    dist_info = "%s-%s.dist-info" % (dist, m.group("ver"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for need in (module + ".abi3.so", module + ".pyi", module + "-stubs/__init__.pyi", module + "-stubs/py.typed",
                     dist_info + "/METADATA", dist_info + "/WHEEL", dist_info + "/RECORD") + tuple(extra_files):
            if need.format(dist_info=dist_info) not in names:
                problems.append("missing " + need.format(dist_info=dist_info))
        if problems:
            return problems
        if dist == "example_pkg":  # the stub sigbind_add_module generated from example_pkg.c's tables
            stub = zf.read(module + ".pyi").decode()
            for line in ("def factorial(n: int) -> int: ...", "class EmptyError(ValueError): ...",
                         "def shout(text: str | bytes | None, suffix: str | bytes | None = ...) -> str | None: ...",
                         "    @property\n    def count(self) -> int: ...", "MAX_FACTORIAL: int"):
                if line not in stub:
                    problems.append("%s.pyi lacks %r (generated from the tables)" % (module, line))
        wheel_meta = zf.read(dist_info + "/WHEEL").decode()
        arch = m.group("arch")
        tags = [line[5:] for line in wheel_meta.splitlines() if line.startswith("Tag: ")]
        want_tags = ["cp37-abi3-manylinux_2_17_" + arch, "cp37-abi3-manylinux2014_" + arch]
        if tags != want_tags:
            problems.append("WHEEL's tags are %s, not %s" % (tags, want_tags))
        if "Root-Is-Purelib: false" not in wheel_meta:
            problems.append("WHEEL lacks Root-Is-Purelib: false")
        meta = zf.read(dist_info + "/METADATA").decode()
        for field in ("Metadata-Version: 2.1", "Name: " + dist, "Version: " + version,
                      "Requires-Python: >=3.7") + tuple(metadata_fields):
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
            so = zf.extract(module + ".abi3.so", tmp)
            x = glibc_max(so)
            if x > 17:
                problems.append("tag says manylinux_2_17, objdump -T says the binary needs GLIBC_2.%d" % x)
            needed = re.findall(r"NEEDED\s+(\S+)", run(["objdump", "-p", so]).stdout)
            print("wheel: %s\n  tag %s (highest GLIBC_2.%d in objdump -T), NEEDED %s, %d files"
                  % (name, m.group("tag"), x, " ".join(needed), len(names)))
    return problems


def test_one(python, ver, wheels, work, root, testlib, cface_dir):
    """(ok, summary, log) for one interpreter."""
    log = []
    try:
        vpython = make_venv(python, ver, work, "venv")
    except RuntimeError as e:
        return False, "venv failed", str(e)
    cwd = os.path.join(os.path.dirname(os.path.dirname(vpython)), "cwd")
    os.makedirs(cwd)
    env = clean_env(SIGBIND_TESTLIB=testlib, SIGBIND_UNSANITIZED="1", SIGBIND_LEAK_CALLS="200000")
    suite_env = dict(env, PYTHONPATH=os.pathsep.join([cface_dir, os.path.join(root, "tests", "py")]))
    steps = [
        ("pip install", [vpython, "-m", "pip", "install", "--no-index", "--no-cache-dir"] + wheels, env),
        ("smoke", [vpython, "-c", SMOKE], env),
        ("example_pkg", [vpython, "-c", EXAMPLE], env),
        ("suite", [vpython, "-m", "unittest", "-v"] + SUITE, suite_env),
    ]
    outputs = {}
    for what, command, step_env in steps:
        p = run(command, cwd=cwd, env=step_env)
        log.append("$ " + " ".join(command) + "\n" + p.stdout)
        if p.returncode != 0:
            return False, "%s failed (exit %d)" % (what, p.returncode), "\n".join(log)
        outputs[what] = p.stdout
    ran = re.search(r"Ran (\d+) tests?", outputs["suite"])
    skipped = re.search(r"skipped=(\d+)", outputs["suite"])
    smoke_line = outputs["smoke"].strip().splitlines()[-1]
    module_version = smoke_line.split()[1]
    project = project_version(root)
    if module_version != project:
        return False, "sigbind.__version__ is %s, the project is %s" % (module_version, project), "\n".join(log)
    # The suite must have imported sigbind from the venv, not from a build tree.
    return True, "%s; example_pkg ok; %s: %s tests OK%s" % (
        smoke_line, "+".join(SUITE), ran.group(1) if ran else "?",
        " (%s skipped)" % skipped.group(1) if skipped else ""), "\n".join(log)


OLD_SMOKE = r"""
import array, ctypes, sys
import sigbind, example_pkg
libc = sigbind.load("c", "void qsort(void *base, size_t n, size_t size, int (*compar)(const void *a, const void *b));")
def compar(a, b):
    x, y = ctypes.c_int.from_address(int(a)).value, ctypes.c_int.from_address(int(b)).value
    return (x > y) - (x < y)
data = array.array("i", [5, 3, 9, 1])
cb = sigbind.callback("int (const void *a, const void *b)", compar, error_result=0)  # a libffi closure
libc.qsort(data, len(data), data.itemsize, cb)
assert list(data) == [1, 3, 5, 9], data
assert sigbind.load("m").bind("double cos(double x)")(0.0) == 1.0
assert sigbind.__file__.startswith(sys.prefix) and example_pkg.__file__.startswith(sys.prefix)
print("%d.%d.%d" % sys.version_info[:3], sigbind.__file__, example_pkg.__file__)
"""


def test_old_glibc(root_dir, wheels):
    """(ok, summary, log): both wheels installed with pip into a venv of an older-glibc root filesystem."""
    why = old_glibc.ensure_root(root_dir)
    if why and old_glibc.mirror_failed(why):  # no older release from the mirror: said, not failed
        return True, "NOT RUN (the symbol audit stands alone): " + why.splitlines()[0], ""
    if why:
        return False, "no older-glibc root filesystem at %s: %s" % (root_dir, why), ""
    inside = "/sigbind-wheel-test"
    host = os.path.join(root_dir, inside.lstrip("/"))
    shutil.rmtree(host, ignore_errors=True)
    os.makedirs(host)
    try:
        for w in wheels:
            shutil.copy2(w, host)
        names = [inside + "/" + os.path.basename(w) for w in wheels]
        with open(os.path.join(host, "smoke.py"), "w") as f:
            f.write(OLD_SMOKE + "\n" + EXAMPLE)
        log = []
        p = None
        for what, command in (
                ("venv", ["python3", "-m", "venv", inside + "/venv"]),
                ("pip install", [inside + "/venv/bin/pip", "install", "--no-index", "--no-cache-dir"] + names),
                ("smoke + example_pkg", [inside + "/venv/bin/python", inside + "/smoke.py"])):
            p = old_glibc.run_in_root(root_dir, command)
            log.append("$ chroot %s %s\n%s" % (root_dir, " ".join(command), p.stdout))
            if p.returncode != 0:
                return False, "%s failed (exit %d)" % (what, p.returncode), "\n".join(log)
        lines = p.stdout.strip().splitlines()
        return True, "%s; %s" % (old_glibc.glibc_version(root_dir), "; ".join(lines)), "\n".join(log)
    finally:
        shutil.rmtree(host, ignore_errors=True)


def build_paths(root):
    """Absolute paths of this build machine that nothing in sigbind's wheel may name."""
    paths = [os.path.realpath(root)] + sorted(glob.glob("/root/.pyenv/versions/*/include"))
    paths += [p for p in glob.glob("/usr/lib/*/libffi_pic.a") + glob.glob("/usr/lib/libffi_pic.a")]
    return paths


def absolute_paths_in_wheel(wheel, paths):
    """[(file, path)] for every file of the wheel that contains one of `paths`."""
    found = []
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            for p in paths:
                if p.encode() in data:
                    found.append((name, p))
    return found


def hidden(command, paths):
    """`command` run in a new mount namespace where each of `paths` is hidden (root only)."""
    mounts = []
    for p in paths:
        if os.path.isdir(p):
            mounts.append("mount -t tmpfs sigbind-hidden %s" % shlex.quote(p))
        elif os.path.exists(p):
            mounts.append("mount --bind /dev/null %s" % shlex.quote(p))
    script = " && ".join(mounts + ['exec "$@"'])
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"] + list(command)


def build_wheels(args, root, work):
    """[(wheel path, dist, module, version, extra files, metadata fields)] or None (reported)."""
    env = clean_env()
    out_sigbind = os.path.join(work, "dist")
    p = run([args.builder, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
             "-w", out_sigbind, root], env=env, cwd=work)
    wheels = glob.glob(os.path.join(out_sigbind, "*.whl"))
    if p.returncode != 0 or len(wheels) != 1:
        print(p.stdout)
        print("FAIL: pip wheel of sigbind (exit %d) made %s" % (p.returncode, wheels))
        return None
    leaks = absolute_paths_in_wheel(wheels[0], build_paths(root))
    if leaks:
        print("FAIL: sigbind's wheel names paths of the build machine:\n  %s"
              % "\n  ".join("%s: %s" % leak for leak in leaks))
        return None
    print("sigbind wheel: no file names %s" % ", ".join(build_paths(root)))
    # The extension project is copied out of the tree first, as a third-party repository would be.
    project = os.path.join(work, "wheel_project")
    shutil.copytree(os.path.join(root, "examples", "wheel_project"), project,
                    ignore=shutil.ignore_patterns("build*", "__pycache__"))
    out_example = os.path.join(work, "dist-example")
    command = [args.builder, "-m", "pip", "wheel", "--no-deps", "--no-index", "--no-cache-dir", "--find-links",
               out_sigbind, "-w", out_example, project]
    if os.geteuid() == 0 and shutil.which("unshare"):
        command = hidden(command, build_paths(root))
        print("example_pkg built with %s hidden" % ", ".join(build_paths(root)))
    else:
        print("example_pkg built WITHOUT hiding the build machine's paths (needs root and unshare)")
    p = run(command, env=env, cwd=work)
    examples = glob.glob(os.path.join(out_example, "*.whl"))
    if p.returncode != 0 or len(examples) != 1:
        print(p.stdout)
        print("FAIL: pip wheel of examples/wheel_project (exit %d) made %s" % (p.returncode, examples))
        return None
    version = project_version(root)
    return [(wheels[0], "sigbind", "sigbind", version,
             ("{dist_info}/licenses/LICENSE", "sigbind_build.py", "sigbind_sdk/include/sigbind.h",
              "sigbind_sdk/lib/libsigbind.a", "sigbind_sdk/lib/cmake/sigbind/sigbindConfig.cmake",
              "sigbind_sdk/abi3/audit.py",
              "sigbind_sdk/abi3/manylinux_audit.py", "sigbind_stubgen.py"),
             ("License: MIT", "License-File: LICENSE")),
            (examples[0], "example_pkg", "example_pkg", "1.0.0", (), ("License: MIT",))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True, help="the sigbind source tree")
    parser.add_argument("--testlib", required=True, help="libsbtest.so (tests/py/testlib.c) of the test build")
    parser.add_argument("--cface-dir", required=True, help="where the test build put cface_test.abi3.so & co.")
    parser.add_argument("--builder", default="/usr/bin/python3", help="the Python whose pip builds the wheels")
    parser.add_argument("--python", default=None, help="test only this interpreter")
    parser.add_argument("--min", type=int, default=2, help="fail when fewer interpreters ran")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--old-glibc-root", default=None,
                        help="also install into a Debian bullseye root filesystem here (made once; needs root)")
    args = parser.parse_args()
    root = os.path.abspath(args.root)

    work = tempfile.mkdtemp(prefix="sigbind-wheel-test-")
    try:
        built = build_wheels(args, root, work)
        if built is None:
            return 1
        for wheel, dist, module, version, extra, fields in built:
            problems = check_wheel(wheel, dist, module, version, extra, fields)
            if problems:
                print("FAIL: %s is wrong:\n  %s" % (os.path.basename(wheel), "\n  ".join(problems)))
                return 1
        wheels = [w[0] for w in built]
        cface_dir = os.path.join(work, "cface-modules")
        os.makedirs(cface_dir)
        # Every C-face module of the test build (cface_test, cface_bad, rust2py, mymodule, word_count, ...),
        # never its sigbind.abi3.so.
        copied = []
        for so in sorted(glob.glob(os.path.join(args.cface_dir, "*.abi3.so"))):
            if os.path.basename(so) != "sigbind.abi3.so":
                shutil.copy2(so, cface_dir)
                copied.append(os.path.basename(so)[:-len(".abi3.so")])
        print("C-face modules from the test build on PYTHONPATH: %s" % " ".join(copied))
        print("suite against the installed wheel: %s" % " ".join(SUITE))
        for name, why in sorted(EXCLUDED.items()):
            print("  not run: %s: %s" % (name, why))
        jobs = interpreters(args.python)
        failed = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(4, max(1, len(jobs)))) as pool:
            old = pool.submit(test_old_glibc, args.old_glibc_root, wheels) if args.old_glibc_root else None
            futures = [pool.submit(test_one, python, ver, wheels, work, root, os.path.abspath(args.testlib),
                                   cface_dir) for python, ver in jobs]
            if old:
                ok, summary, log = old.result()
                print("%s older glibc (chroot %s): %s" % ("ok  " if ok else "FAIL", args.old_glibc_root, summary),
                      flush=True)
                if not ok:
                    failed += 1
                    print("    " + log.replace("\n", "\n    "))
            for (python, ver), future in zip(jobs, futures):
                ok, summary, log = future.result()
                print("%s CPython %d.%d.%d (%s): %s" % (("ok  " if ok else "FAIL",) + ver + (python, summary)),
                      flush=True)
                if not ok:
                    failed += 1
                    print("    " + log.replace("\n", "\n    "))
        print("wheels %s installed and tested in %d venv(s), %d failed"
              % (" + ".join(os.path.basename(w) for w in wheels), len(jobs), failed))
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
