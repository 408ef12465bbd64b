# run_pyright.py — ctest stubs_pyright: pyright on sigbind's own stub, on the stubs generated for C-face modules and a Library, and on typed client scripts (one clean, one with expected errors).
"""Checks, with pyright (installed by scripts/setup.sh into <build>/tools/node_modules):

1. the stubs themselves type-check with zero errors: abi3/sigbind.pyi; the stubs sigbind-sigcheck
   --stub writes for examples/wheel_project (example_pkg) and tests/wheel/meta_project
   (meta_pkg._native, from their C sources, as sigbind_add_module does when the backend builds
   them) and for the build's C-face modules (classes, cface_test, cface_classes); and the stubs
   Library.stub() writes for tests/py/testlib.c (as tlib.pyi) and for zlib after
   include("zlib.h") (as zlib_binding.pyi: 190 functions of a real header);
2. client_ok.py, typed use of all of them, type-checks with zero errors;
3. client_bad.py gets exactly one error on each line marked `# error: <text>`, containing that
   text, and no other error.
Each under pythonVersion 3.7 and 3.13. Exit 0 pass, 1 fail, 77 skip (no npm, so no pyright).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def find_pyright(build_dir):
    tools = os.path.join(build_dir, "tools")
    exe = os.environ.get("SIGBIND_PYRIGHT") or os.path.join(tools, "node_modules", ".bin", "pyright")
    if os.path.isfile(exe):
        return exe
    if not shutil.which("npm"):
        print("stubs_pyright: SKIP: npm is not installed, so pyright cannot be (scripts/setup.sh installs it)")
        sys.exit(77)
    # As scripts/setup.sh does: project-local, never global.
    os.makedirs(tools, exist_ok=True)
    subprocess.check_call(["npm", "install", "--no-audit", "--no-fund", "--prefix", tools, "pyright"])
    return exe


def generated_stub(args, source, include_dirs, out):
    """sigbind_add_module's two steps for one source: cc -E -DSIGBIND_SCAN, sigbind-sigcheck --stub."""
    scan = out + ".i"
    cmd = [args.c_compiler, "-E", "-DSIGBIND_SCAN"] + ["-I" + d for d in include_dirs] + [source, "-o", scan]
    subprocess.check_call(cmd)
    subprocess.check_call([args.sigcheck, "--stub", out, scan])
    os.remove(scan)


def library_stub(args, out):
    code = ("import sigbind, sys\n"
            "lib = sigbind.load(sys.argv[1], open(sys.argv[2]).read())\n"
            "open(sys.argv[3], 'w').write(lib.stub())\n")
    env = dict(os.environ, PYTHONPATH=args.module_dir)
    subprocess.check_call([sys.executable, "-c", code, args.testlib, os.path.join(HERE, "tlib_decls.h"), out],
                          env=env)


def header_stub(args, out):
    """Library.stub() of a real header: zlib (zlib.h from zlib1g-dev, which scripts/setup.sh installs)."""
    code = ("import sigbind, sys\n"
            "lib = sigbind.load('z')\n"
            "print(lib.include('zlib.h'))\n"
            "open(sys.argv[1], 'w').write(lib.stub())\n")
    env = dict(os.environ, PYTHONPATH=args.module_dir)
    out_text = subprocess.check_output([sys.executable, "-c", code, out], env=env, universal_newlines=True)
    print("zlib.h: %s -> %s" % (out_text.strip(), os.path.basename(out)))


def run(pyright, project_dir, files, version):
    config = {"pythonVersion": version, "typeCheckingMode": "standard", "extraPaths": ["stubs"],
              "reportMissingModuleSource": "none"}
    with open(os.path.join(project_dir, "pyrightconfig.json"), "w") as f:
        json.dump(config, f)
    r = subprocess.run([pyright, "--outputjson", "-p", project_dir] + files, cwd=project_dir,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    try:
        report = json.loads(r.stdout)
    except ValueError:
        raise SystemExit("stubs_pyright: pyright printed no JSON (exit %d):\n%s\n%s" % (r.returncode, r.stdout,
                                                                                       r.stderr))
    return [d for d in report["generalDiagnostics"] if d["severity"] == "error"]


def show(diags):
    return "\n".join("  %s:%d: %s" % (os.path.basename(d["file"]), d["range"]["start"]["line"] + 1,
                                      d["message"].replace("\n", " | ")) for d in diags)


def expected_errors(path):
    """{line number: expected text} of the `# error: text` markers."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if "# error: " in line:
                out[n] = line.split("# error: ", 1)[1].strip()
    return out


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--source-dir", "--build-dir", "--sigcheck", "--c-compiler", "--module-dir", "--testlib"):
        ap.add_argument(opt, required=True)
    args = ap.parse_args()
    pyright = find_pyright(args.build_dir)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="sb-pyright-") as work:
        stubs = os.path.join(work, "stubs")
        os.makedirs(os.path.join(stubs, "meta_pkg"))
        src, inc = args.source_dir, [os.path.join(args.source_dir, "include")]
        shutil.copy(os.path.join(src, "abi3", "sigbind.pyi"), stubs)
        generated_stub(args, os.path.join(src, "examples", "wheel_project", "src", "example_pkg.c"), inc,
                       os.path.join(stubs, "example_pkg.pyi"))
        generated_stub(args, os.path.join(src, "tests", "wheel", "meta_project", "csrc", "native.c"), inc,
                       os.path.join(stubs, "meta_pkg", "_native.pyi"))
        open(os.path.join(stubs, "meta_pkg", "__init__.pyi"), "w").close()
        open(os.path.join(stubs, "meta_pkg", "py.typed"), "w").close()
        for mod in ("classes", "cface_test", "cface_classes"):
            shutil.copy(os.path.join(args.module_dir, mod + ".pyi"), stubs)
        library_stub(args, os.path.join(stubs, "tlib.pyi"))
        header_stub(args, os.path.join(stubs, "zlib_binding.pyi"))
        for client in ("client_ok.py", "client_bad.py"):
            shutil.copy(os.path.join(HERE, client), work)
        stub_files = sorted(os.path.relpath(os.path.join(d, f), work) for d, _, fs in os.walk(stubs) for f in fs
                            if f.endswith(".pyi"))
        want = expected_errors(os.path.join(HERE, "client_bad.py"))
        for version in ("3.7", "3.13"):
            errors = run(pyright, work, stub_files, version)
            print("pyright %s: %d stubs (%s): %d errors" % (version, len(stub_files), ", ".join(stub_files),
                                                           len(errors)))
            if errors:
                print(show(errors))
                failures += 1
            errors = run(pyright, work, ["client_ok.py"], version)
            print("pyright %s: client_ok.py: %d errors" % (version, len(errors)))
            if errors:
                print(show(errors))
                failures += 1
            errors = run(pyright, work, ["client_bad.py"], version)
            got = {}
            for d in errors:
                got.setdefault(d["range"]["start"]["line"] + 1, []).append(d)
            bad = []
            for line, text in sorted(want.items()):
                msgs = [d["message"] for d in got.get(line, [])]
                if len(msgs) != 1 or text not in msgs[0]:
                    bad.append("  line %d: expected one error containing %r, got %r" % (line, text, msgs))
            for line in sorted(set(got) - set(want)):
                bad.append("  line %d: unexpected: %s" % (line, [d["message"] for d in got[line]]))
            print("pyright %s: client_bad.py: %d errors, %d expected, %s" % (
                version, len(errors), len(want), "all as expected" if not bad else "MISMATCH"))
            if bad:
                print("\n".join(bad))
                failures += 1
    print("stubs_pyright: %s" % ("FAIL" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
