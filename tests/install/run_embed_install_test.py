# run_embed_install_test.py — builds examples/hello from an install prefix in a temporary directory (find_package and pkg-config) and runs it against every libpython3.so.
"""Usage: run_embed_install_test.py --cmake CMAKE --build-dir DIR --source-dir SRC [--generator G]
                                     [--c-compiler CC] [--min N]

1. `cmake --install <build> --prefix <tmp>/prefix --component Development` and checks that
   the prefix holds SigbindEmbed.cmake, the libpython3.so stand-in (lib/sigbind/link-only/) and
   sigbind-embed.pc;
2. configures tests/install/embed_consumer (find_package(sigbind), sigbind_add_executable(hello))
   with -DCMAKE_PREFIX_PATH=<tmp>/prefix, the source copied out of the tree, and builds it;
3. compiles the same hello.c by hand with `pkg-config --cflags --libs sigbind-embed`;
4. runs both with tests/embed/run_embedded.py --hello (every CPython >= 3.7 with a
   libpython3.so: the output must be what that interpreter computes) and checks both with
   abi3/manylinux_audit.py (manylinux2014, libpython3.so allowed).
Standard library only.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile


def run(command, **kw):
    print("$ " + " ".join(shlex.quote(c) for c in command), flush=True)
    p = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, **kw)
    if p.returncode != 0:
        print(p.stdout)
        raise SystemExit("FAIL: exit %d" % p.returncode)
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmake", default="cmake")
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--generator", default="Ninja")
    ap.add_argument("--c-compiler", default="cc")
    ap.add_argument("--min", type=int, default=2)
    args = ap.parse_args()
    src = os.path.abspath(args.source_dir)
    work = tempfile.mkdtemp(prefix="sigbind-embed-install-")
    try:
        prefix = os.path.join(work, "prefix")
        run([args.cmake, "--install", args.build_dir, "--prefix", prefix, "--component", "Development"])
        for rel in ("lib/cmake/sigbind/SigbindEmbed.cmake", "lib/sigbind/link-only/libpython3.so",
                    "lib/pkgconfig/sigbind-embed.pc", "lib/libsigbind.a", "include/sigbind.h"):
            if not os.path.exists(os.path.join(prefix, rel)):
                raise SystemExit("FAIL: the install lacks %s" % rel)
        # The program's source and the consumer project, out of the tree.
        consumer = os.path.join(work, "consumer")
        shutil.copytree(os.path.join(src, "tests", "install", "embed_consumer"), consumer)
        hello_c = os.path.join(consumer, "hello.c")
        shutil.copy2(os.path.join(src, "examples", "hello", "hello.c"), hello_c)
        build = os.path.join(work, "consumer-build")
        run([args.cmake, "-S", consumer, "-B", build, "-G", args.generator, "-DCMAKE_C_COMPILER=" + args.c_compiler,
             "-DCMAKE_PREFIX_PATH=" + prefix, "-DHELLO_SOURCE=" + hello_c])
        run([args.cmake, "--build", build])
        programs = [os.path.join(build, "hello")]
        if shutil.which("pkg-config"):
            env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, "lib", "pkgconfig"))
            flags = run(["pkg-config", "--cflags", "--libs", "sigbind-embed"], env=env).split()
            out = os.path.join(work, "hello_pkgconfig")
            run([args.c_compiler, hello_c, "-o", out] + flags)
            programs.append(out)
        else:
            raise SystemExit("FAIL: pkg-config is not installed (scripts/setup.sh)")
        audit = os.path.join(src, "abi3", "manylinux_audit.py")
        print(run([sys.executable, audit, "--platform", "manylinux2014", "--allow", "libpython3.so"] + programs))
        for program in programs:
            print(run([sys.executable, os.path.join(src, "tests", "embed", "run_embedded.py"), "--hello",
                       "--binary", program, "--min", str(args.min)]))
        print("examples/hello built from the install prefix (find_package and pkg-config) and run: ok")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
