# run_install_test.py — installs the build into a temporary prefix and builds/imports examples/sum_as_string against it, via find_package and via pkg-config.
"""Usage: run_install_test.py --cmake CMAKE --build-dir DIR --work-dir DIR --consumer DIR
                              --example-source FILE [--config CFG] [--generator G]
                              [--c-compiler CC] [--version X.Y.Z]

1. `cmake --install <build> --prefix <work>/prefix` (the work directory is wiped first), and
   checks the files the install must put there.
2. Configures tests/install/consumer (its own project: find_package(sigbind CONFIG REQUIRED),
   sigbind_add_module(rust2py ...)) in <work>/consumer-build with
   -DCMAKE_PREFIX_PATH=<work>/prefix, builds it, and checks the compile command (installed
   include dir, recorded Python headers, Py_LIMITED_API) and that the module needs no libffi
   or libpython at run time.
3. Imports the module with /usr/bin/python3 and every pyenv CPython >= 3.7 found (newest
   patch of each minor; a missing interpreter is skipped), checking
   rust2py.sum_as_string(5, 20) == "25"; also imports the installed sigbind.abi3.so.
4. Checks that SIGBIND_PYTHON_INCLUDE overrides the recorded Python headers (a directory
   without Python.h makes find_package fail with a message naming it).
5. `pkg-config --cflags --libs sigbind` with PKG_CONFIG_PATH=<prefix>/.../pkgconfig, and a
   module compiled by hand with those flags, imported with /usr/bin/python3 (skipped with a
   message when pkg-config is missing).
Standard library only.
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

CHECK = r"""
import sys
import rust2py
got = rust2py.sum_as_string(5, 20)
assert got == "25", repr(got)
assert rust2py.__doc__ == "This module is implemented in C.", repr(rust2py.__doc__)
print("  CPython %d.%d.%d: rust2py.sum_as_string(5, 20) == %r  (%s)"
      % (sys.version_info[:3] + (got, rust2py.__file__)))
"""

CHECK_SIGBIND = r"""
import sys
import sigbind
cos = sigbind.load("m").bind("double cos(double x)")
assert cos(0.0) == 1.0
print("  CPython %d.%d.%d: installed sigbind imports and binds cos (%s)" % (sys.version_info[:3] + (sigbind.__file__,)))
"""

failures = []


def fail(msg):
    print("FAIL: " + msg, flush=True)
    failures.append(msg)


def run(cmd, show=None, **kw):
    print("$ " + (show or " ".join(shlex.quote(str(c)) for c in cmd)), flush=True)
    return subprocess.run([str(c) for c in cmd], **kw)


def must(cmd, **kw):
    r = run(cmd, **kw)
    if r.returncode != 0:
        raise SystemExit("FAIL: exit status %d from %s" % (r.returncode, cmd[0]))
    return r


def version_of(exe):
    try:
        out = subprocess.check_output([exe, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                                      stderr=subprocess.DEVNULL, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return tuple(int(x) for x in out.decode().split("."))


def pyenv_roots():
    roots = []
    if os.environ.get("PYENV_ROOT"):
        roots.append(os.environ["PYENV_ROOT"])
    pyenv = shutil.which("pyenv")
    if pyenv:
        try:
            roots.append(subprocess.check_output([pyenv, "root"], stderr=subprocess.DEVNULL,
                                                 timeout=60).decode().strip())
        except (OSError, subprocess.SubprocessError):
            pass
    roots += [os.path.expanduser("~/.pyenv"), "/root/.pyenv"]
    seen, out = set(), []
    for r in roots:
        real = os.path.realpath(r)
        if r and real not in seen and os.path.isdir(os.path.join(r, "versions")):
            seen.add(real)
            out.append(r)
    return out


def interpreters():
    """[(version, exe)]: /usr/bin/python3, then the newest pyenv CPython of each minor >= 3.7."""
    found = []
    if os.path.exists("/usr/bin/python3"):
        v = version_of("/usr/bin/python3")
        if v and v >= (3, 7):
            found.append((v, "/usr/bin/python3"))
        else:
            print("skip: /usr/bin/python3 is not a CPython >= 3.7")
    else:
        print("skip: /usr/bin/python3 is missing")
    newest = {}
    for root in pyenv_roots():
        for exe in glob.glob(os.path.join(root, "versions", "3.*", "bin", "python3")):
            v = version_of(exe)
            if v is None or v < (3, 7):
                continue
            if v[:2] not in newest or v > newest[v[:2]][0]:
                newest[v[:2]] = (v, exe)
    if not newest:
        print("skip: no pyenv CPython >= 3.7 found (roots tried: %s)" % (pyenv_roots() or "none"))
    for minor in sorted(newest):
        found.append(newest[minor])
    return found


def import_check(interps, module_dir, script, what):
    env = dict(os.environ, PYTHONPATH=module_dir, PYTHONDONTWRITEBYTECODE="1")
    ran = []
    for v, exe in interps:
        r = run([exe, "-c", script], show="PYTHONPATH=%s %s -c '<%s>'" % (module_dir, exe, what), env=env, cwd="/")
        if r.returncode != 0:
            fail("%s with %s (%d.%d.%d)" % ((what, exe) + v))
        else:
            ran.append("%d.%d.%d" % v)
    return ran


def needed_libs(path):
    readelf = shutil.which("readelf")
    if not readelf:
        return None
    out = subprocess.check_output([readelf, "-d", path]).decode()
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def find_one(root, pattern):
    hits = sorted(glob.glob(os.path.join(root, "**", pattern), recursive=True))
    return hits[0] if hits else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmake", default="cmake")
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--config", default="")
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--consumer", required=True)
    ap.add_argument("--example-source", required=True)
    ap.add_argument("--generator", default="")
    ap.add_argument("--c-compiler", default="")
    ap.add_argument("--version", default="")
    args = ap.parse_args()

    work = os.path.abspath(args.work_dir)
    prefix = os.path.join(work, "prefix")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    # ---------------------------------------------------------------- 1. install
    print("=== 1. cmake --install into %s" % prefix, flush=True)
    cmd = [args.cmake, "--install", args.build_dir, "--prefix", prefix]
    if args.config:
        cmd += ["--config", args.config]
    must(cmd)
    expected = ["include/sigbind.h", "include/sigbind_cc.h", "libsigbind.a", "cmake/sigbind/sigbindConfig.cmake",
                "cmake/sigbind/sigbindConfigVersion.cmake", "cmake/sigbind/sigbindTargets.cmake",
                "cmake/sigbind/SigbindModule.cmake", "pkgconfig/sigbind.pc", "python/sigbind.abi3.so",
                "include/sigbind/python/Python.h", "cmake/sigbind/SigbindEmbed.cmake", "pkgconfig/sigbind-embed.pc"]
    files = sorted(os.path.relpath(os.path.join(d, f), prefix) for d, _, fs in os.walk(prefix) for f in fs)
    print("installed tree: %d files (include/sigbind/python: the CPython headers)" % len(files))
    print("  " + "\n  ".join(f for f in files if "/sigbind/python/" not in f))
    for want in expected:
        if not any(f == want or f.endswith("/" + want) for f in files):
            fail("the install has no %s" % want)
    if failures:
        return 1
    # Nothing from the install may point back into the build or source tree.
    for f in files:
        if f.endswith((".cmake", ".pc")):
            text = open(os.path.join(prefix, f)).read()
            for tree in (os.path.realpath(args.build_dir),
                         os.path.realpath(os.path.join(args.consumer, "..", "..", ".."))):
                if tree in text:
                    fail("%s mentions %s" % (f, tree))

    # ---------------------------------------------------------------- 2. the consumer project
    print("\n=== 2. examples/sum_as_string as a separate project, find_package(sigbind CONFIG)", flush=True)
    cbuild = os.path.join(work, "consumer-build")

    def configure(build_dir, *extra):
        cmd = [args.cmake, "-S", args.consumer, "-B", build_dir, "-DCMAKE_PREFIX_PATH=" + prefix,
               "-DSUM_AS_STRING_SOURCE=" + os.path.abspath(args.example_source),
               "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"]
        if args.generator:
            cmd += ["-G", args.generator]
        if args.c_compiler:
            cmd += ["-DCMAKE_C_COMPILER=" + args.c_compiler]
        return cmd + list(extra)

    must(configure(cbuild))
    must([args.cmake, "--build", cbuild, "--verbose"])
    module = find_one(cbuild, "rust2py.abi3.so")
    if not module:
        fail("the consumer build produced no rust2py.abi3.so")
        return 1
    print("built " + module)
    try:
        commands = json.load(open(os.path.join(cbuild, "compile_commands.json")))
        compile_cmd = next(c["command"] for c in commands if c["file"].endswith("sum_as_string.c"))
    except (OSError, ValueError, StopIteration, KeyError) as e:
        fail("no compile command for sum_as_string.c in compile_commands.json: %s" % e)
        compile_cmd = ""
    if compile_cmd:
        cache = open(os.path.join(cbuild, "CMakeCache.txt")).read()
        pyinc = re.search(r"^SIGBIND_PYTHON_INCLUDE:PATH=(.*)$", cache, re.M)
        for want in ["-DPy_LIMITED_API=0x03070000", os.path.join(prefix, "include"),
                     pyinc.group(1) if pyinc else "<SIGBIND_PYTHON_INCLUDE in the consumer cache>"]:
            if want not in compile_cmd:
                fail("the consumer compile command lacks %s: %s" % (want, compile_cmd))
        print("compile command has the installed include dir, the recorded Python headers (%s) and Py_LIMITED_API"
              % (pyinc.group(1) if pyinc else "?"))
    needed = needed_libs(module)
    if needed is None:
        print("skip: readelf missing, not checking the module's NEEDED entries")
    else:
        print("rust2py.abi3.so needs: %s" % ", ".join(needed))
        bad = [n for n in needed if n.startswith(("libffi", "libpython", "libsigbind"))]
        if bad:
            fail("the module needs %s at run time (the runtime and libffi must be linked statically)" % bad)

    # ---------------------------------------------------------------- 3. imports
    print("\n=== 3. import rust2py (and the installed sigbind) under each CPython", flush=True)
    interps = interpreters()
    if not interps:
        fail("no CPython >= 3.7 interpreter found to import the module with")
        return 1
    ran = import_check(interps, os.path.dirname(module), CHECK, "import rust2py")
    pydir = os.path.dirname(find_one(prefix, "sigbind.abi3.so"))
    ran_sigbind = import_check(interps, pydir, CHECK_SIGBIND, "import the installed sigbind")

    # ---------------------------------------------------------------- 4. SIGBIND_PYTHON_INCLUDE override
    print("\n=== 4. SIGBIND_PYTHON_INCLUDE overrides the recorded headers", flush=True)
    bogus = os.path.join(work, "no-python-headers")
    os.makedirs(bogus)
    r = run(configure(os.path.join(work, "consumer-override"), "-DSIGBIND_PYTHON_INCLUDE=" + bogus),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = r.stdout.decode(errors="replace")
    if r.returncode == 0 or bogus not in out or "Python.h" not in out:
        fail("configuring with SIGBIND_PYTHON_INCLUDE=%s should fail naming it (status %d):\n%s"
             % (bogus, r.returncode, out))
    else:
        print("find_package(sigbind) refused SIGBIND_PYTHON_INCLUDE=%s, as it should" % bogus)
    # Other real headers (any CPython >= 3.7 will do: the 3.7 limited API is compiled either way).
    recorded = pyinc.group(1) if compile_cmd and pyinc else None
    other = None
    for v, exe in reversed(interps):
        try:
            inc = subprocess.check_output([exe, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"],
                                          timeout=60).decode().strip()
        except (OSError, subprocess.SubprocessError):
            continue
        if inc != recorded and os.path.exists(os.path.join(inc, "Python.h")):
            other = (v, exe, inc)
            break
    if not other:
        print("skip: no second set of Python headers to override with")
    else:
        v, exe, inc = other
        obuild = os.path.join(work, "consumer-other-headers")
        must(configure(obuild, "-DSIGBIND_PYTHON_INCLUDE=" + inc))
        must([args.cmake, "--build", obuild])
        commands = json.load(open(os.path.join(obuild, "compile_commands.json")))
        cmd = " ".join(c["command"] for c in commands)
        if inc not in cmd or (recorded and recorded in cmd):
            fail("SIGBIND_PYTHON_INCLUDE=%s did not replace the recorded headers: %s" % (inc, cmd))
        else:
            print("compiled against %s instead of the recorded headers" % inc)
        ran_other = import_check([(v, exe)], os.path.dirname(find_one(obuild, "rust2py.abi3.so")), CHECK,
                                 "import rust2py")
        if not ran_other:
            fail("the module built against %s does not import" % inc)

    # ---------------------------------------------------------------- 5. pkg-config
    print("\n=== 5. pkg-config", flush=True)
    pkg_config = shutil.which("pkg-config") or shutil.which("pkgconf")
    pc_ok = False
    if not pkg_config:
        print("skip: pkg-config is not installed; the pkg-config checks did not run")
    else:
        pc = find_one(prefix, "sigbind.pc")
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pc))
        r = must([pkg_config, "--cflags", "--libs", "sigbind"], env=env, stdout=subprocess.PIPE)
        flags = r.stdout.decode().split()
        print("pkg-config --cflags --libs sigbind: " + " ".join(flags))
        for want in ["-DPy_LIMITED_API=0x03070000", "-lsigbind"]:
            if want not in flags:
                fail("pkg-config flags lack %s" % want)
        # libffi is inside libsigbind.a: no flag names the build machine's libffi_pic.a.
        if any("libffi" in f for f in flags):
            fail("pkg-config flags name libffi (it should be inside libsigbind.a): %s" % flags)
        members = subprocess.run(["ar", "t", find_one(prefix, "libsigbind.a")], stdout=subprocess.PIPE,
                                 universal_newlines=True).stdout.split()
        if not {"prep_cif.o", "closures.o"} <= set(members):
            fail("libsigbind.a lacks libffi's objects (prep_cif.o, closures.o): %s" % members)
        if args.version:
            v = must([pkg_config, "--modversion", "sigbind"], env=env, stdout=subprocess.PIPE).stdout.decode().strip()
            if v != args.version:
                fail("pkg-config --modversion says %s, the project is %s" % (v, args.version))
        cc = args.c_compiler or shutil.which("cc") or "cc"
        pcdir = os.path.join(work, "pkgconfig-build")
        os.makedirs(pcdir)
        pcmod = os.path.join(pcdir, "rust2py.abi3.so")
        must([cc, "-shared", "-fPIC", "-o", pcmod, os.path.abspath(args.example_source)] + flags
             + ["-Wl,--exclude-libs,ALL"])
        exe = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else interps[0][1]
        r = run([exe, "-c", CHECK], show="PYTHONPATH=%s %s -c '<import rust2py>'" % (pcdir, exe),
                env=dict(os.environ, PYTHONPATH=pcdir, PYTHONDONTWRITEBYTECODE="1"), cwd="/")
        if r.returncode != 0:
            fail("the module built with pkg-config's flags does not import")
        else:
            pc_ok = True

    # ---------------------------------------------------------------- 6. relocation
    print("\n=== 6. the installed tree is relocatable: moved, then used again", flush=True)
    moved = os.path.join(work, "moved", "prefix")
    os.makedirs(os.path.dirname(moved))
    os.rename(prefix, moved)
    mbuild = os.path.join(work, "consumer-moved")
    cmd = configure(mbuild)
    cmd[cmd.index("-DCMAKE_PREFIX_PATH=" + prefix)] = "-DCMAKE_PREFIX_PATH=" + moved
    must(cmd)
    must([args.cmake, "--build", mbuild])
    commands = json.load(open(os.path.join(mbuild, "compile_commands.json")))
    if os.path.join(moved, "include") not in " ".join(c["command"] for c in commands):
        fail("after the move, the consumer does not compile against %s" % os.path.join(moved, "include"))
    if not import_check(interps[:1], os.path.dirname(find_one(mbuild, "rust2py.abi3.so")), CHECK, "import rust2py"):
        fail("the module built against the moved prefix does not import")
    if pkg_config:
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(find_one(moved, "sigbind.pc")))
        r = must([pkg_config, "--cflags", "sigbind"], env=env, stdout=subprocess.PIPE)
        if os.path.realpath(moved) not in r.stdout.decode():
            fail("after the move, pkg-config still says %s" % r.stdout.decode().strip())
        else:
            print("pkg-config after the move: " + r.stdout.decode().strip())

    print("\n=== install_and_find_package: prefix %s (moved to %s)" % (prefix, moved))
    print("rust2py (find_package) imported on: %s" % (", ".join(ran) or "none"))
    print("installed sigbind imported on: %s" % (", ".join(ran_sigbind) or "none"))
    print("pkg-config: %s" % ("flags work, module built with them imports" if pc_ok
                              else "skipped (no pkg-config)" if not pkg_config else "FAILED"))
    if failures:
        print("%d failure(s):\n  %s" % (len(failures), "\n  ".join(failures)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
