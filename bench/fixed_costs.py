# bench/fixed_costs.py: the fixed costs of a binding: import time, load time, bind time per prototype and heap per bound function (1,000 distinct prototypes), sigbind vs ctypes vs cffi.
"""Usage: python3 bench/fixed_costs.py [--python PATH ...] [--n 1000] [--json]

For each interpreter (default: this one) and each binding importable there (sigbind from
build/python, ctypes, cffi), separate child processes measure:

  import    `import sigbind` / `import ctypes` / `import cffi` in a fresh process (best of 7), microseconds
  load      `sigbind.load("z")`, `ctypes.CDLL(ctypes.util.find_library("z"))`, `cffi.FFI().dlopen("z")`:
            microseconds per call, the best of 5 batches of 200 calls in one process (the first call is
            made before timing)
  bind      microseconds per prototype for N distinct prototypes (1-4 parameters, types and names
            varied, names from a common vocabulary; all bound to benchlib's sb_bench_ll_ll), made once each:
              sigbind: lib.bind(text)
              ctypes:  f = lib["sb_bench_ll_ll"]; f.argtypes = [...]; f.restype = ...
              cffi:    one FFI per prototype: ffi.cdef(text); ffi.dlopen(benchlib).sb_bench_ll_ll
                       (cffi cannot declare one name twice in an FFI)
  heap      bytes of C heap (malloc) per bound function kept alive, PYTHONMALLOC=malloc so that Python's
            own allocations are counted too: glibc mallinfo2().uordblks after binding N prototypes minus
            before, divided by N (the list holding them subtracted)

Stdlib only (ctypes for mallinfo2); runs on CPython 3.7+.  Numbers are wall clock and move with load.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
THIS = os.path.abspath(__file__)
REPO = os.path.dirname(HERE)
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)

TYPES = (("int64_t", "c_int64"), ("double", "c_double"), ("int", "c_int"), ("const char *", "c_char_p"),
         ("uint8_t", "c_uint8"), ("size_t", "c_size_t"), ("float", "c_float"), ("void *", "c_void_p"))


NAMES = ("a", "b", "c", "n", "x", "y", "len", "buf", "s", "p", "flags", "size")


def prototypes(n):
    """n distinct prototypes: 1-4 parameters of varied types, names from a common vocabulary (as real
    headers have), result types varied; each text differs from every other."""
    import itertools
    out = []
    for k in itertools.count(1):
        for i in range(len(TYPES) ** k):
            if len(out) == n:
                return out
            params = [(TYPES[(i // len(TYPES) ** j) % len(TYPES)], NAMES[(i + j) % len(NAMES)]) for j in range(k)]
            ret = TYPES[i % 3]
            text = "%s sb_bench_ll_ll(%s)" % (ret[0], ", ".join("%s %s" % (t[0], nm) for t, nm in params))
            out.append((text, ret[1], [t[1] for t, _ in params]))


def mallinfo_used():
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                     "fordblks", "keepcost")]
    libc = ctypes.CDLL(None)
    f = libc.mallinfo2
    f.restype = MallInfo2
    f.argtypes = []
    return lambda: f().uordblks + f().hblkhd


def child(argv):
    binding, what, outdir, sigbind_dir, n = argv
    n = int(n)
    if sys.flags.no_site:
        import sysconfig
        for d in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]):
            if d not in sys.path:
                sys.path.append(d)
    sys.path.insert(0, sigbind_dir)
    benchlib = os.path.join(outdir, "benchlib.so")
    t0 = time.perf_counter()
    if binding == "sigbind":
        import sigbind
    elif binding == "ctypes":
        import ctypes
        import ctypes.util
    else:
        import cffi
    t_import = time.perf_counter() - t0
    if what == "import":
        print(json.dumps(t_import * 1e6))
        return 0
    if what == "load":
        if binding == "sigbind":
            def load():
                return sigbind.load("z")
        elif binding == "ctypes":
            def load():
                return ctypes.CDLL(ctypes.util.find_library("z"))
        else:
            def load():
                return cffi.FFI().dlopen("z")
        load()
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(200):
                load()
            best = min(best, (time.perf_counter() - t0) / 200)
        print(json.dumps(best * 1e6))
        return 0
    protos = prototypes(n)
    used = mallinfo_used()
    import gc
    gc.collect()
    gc.disable()
    if binding == "sigbind":
        lib = sigbind.load(benchlib)

        def bind(p):
            return lib.bind(p[0])
    elif binding == "ctypes":
        lib = ctypes.CDLL(benchlib)

        def bind(p):
            f = lib["sb_bench_ll_ll"]
            f.argtypes = [getattr(ctypes, t) for t in p[2]]
            f.restype = getattr(ctypes, p[1])
            return f
    else:
        def bind(p):
            ffi = cffi.FFI()
            ffi.cdef(p[0] + ";")
            return ffi.dlopen(benchlib).sb_bench_ll_ll
    bind(prototypes(1)[0])  # first-use costs (type caches) are not per function
    keep = [None] * n
    before = used()
    t0 = time.perf_counter()
    for i, p in enumerate(protos):
        keep[i] = bind(p)
    dt = time.perf_counter() - t0
    after = used()
    print(json.dumps({"bind_us": dt / n * 1e6, "heap_bytes": (after - before) / float(n)}))
    return 0


def run_child(python, binding, what, outdir, sigbind_dir, n):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if what == "bind":
        env["PYTHONMALLOC"] = "malloc"
    proc = subprocess.run([python, "-S", THIS, "--child", binding, what, outdir, sigbind_dir, str(n)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(lines[-1] if lines else "exit %d" % proc.returncode)
    return json.loads(proc.stdout.decode())


def measure(python, args):
    import bench_artifacts
    outdir, info = bench_artifacts.ensure_built(python)
    rows = {}
    for b in ("sigbind", "ctypes", "cffi"):
        try:
            imp = min(run_child(python, b, "import", outdir, args.sigbind_dir, 0) for _ in range(7))
            load = run_child(python, b, "load", outdir, args.sigbind_dir, 0)
            bind = run_child(python, b, "bind", outdir, args.sigbind_dir, args.n)
            rows[b] = {"import_us": imp, "load_us": load, "bind_us": bind["bind_us"], "heap_bytes": bind["heap_bytes"]}
        except RuntimeError as e:
            rows[b] = {"error": str(e)}
    return info["version"], rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1:])
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--python", action="append", default=[])
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--json", action="store_true")
    p.add_argument("--sigbind-dir", default=os.environ.get("SIGBIND_DIR", os.path.join(REPO, "build", "python")))
    args = p.parse_args(argv)
    out = [measure(py, args) for py in (args.python or [sys.executable])]
    if args.json:
        print(json.dumps(out, indent=1, sort_keys=True))
        return 0
    print("| CPython | binding | import µs | load(\"z\") µs | bind µs/prototype | heap B/function |")
    print("|:--|:--|--:|--:|--:|--:|")
    for version, rows in out:
        for b, r in rows.items():
            if "error" in r:
                print("| %s | %s | n/a: %s | | | |" % (version, b, r["error"][:60]))
            else:
                print("| %s | %s | %.0f | %.1f | %.2f | %.0f |" % (version, b, r["import_us"], r["load_us"],
                                                                  r["bind_us"], r["heap_bytes"]))
    print()
    print("%d distinct prototypes; heap = malloc'd bytes per bound function (PYTHONMALLOC=malloc)." % args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
