# slots.py — cost of a class's special methods: a sigbind C-face class vs the same class hand-written in limited-API C vs Python.
"""Usage: python3 bench/slots.py [--pythons 3.8,3.11,3.13] [--no-callgrind] [--n1 N] [--n2 N] [--json]
                             [--sigbind-dir DIR]

Per operation, for three implementations of one class (a Vec of up to 16
int64 items with __init__(n), __len__, __contains__, __getitem__, __iter__
over a VecIter, __eq__, __call__(x) and __add__(k) (obj + 1)):
  sigbind  tests/cface/cface_slots.c (build/python/cface_slots.abi3.so)
  hand     bench/slots_hand.c: Py_LIMITED_API 3.7 heap types (PyType_FromSpec),
           built here with gcc -O2 for each interpreter (build/bench/<X.Y.Z>/)
  python   the same class in Python
it prints ns per operation (timeit, best of 5) and instructions per operation
(callgrind: one process per implementation and operation at N1 and at N2
loop iterations, (Ir(N2) - Ir(N1)) / (N2 - N1), minus the same for an empty
loop). `iter/item` is (for-loop over Vec(16) - over Vec(0)) / 16. Ratios are
sigbind / hand. Nothing here passes or fails.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))

OPS = [  # (name, setup, statement)
    ("len", "v = M.Vec(5)", "len(v)"),
    ("in", "v = M.Vec(5)", "3 in v"),
    ("getitem", "v = M.Vec(5)", "v[2]"),
    ("iter16", "v = M.Vec(16)", "for x in v: pass"),
    ("iter0", "v = M.Vec(0)", "for x in v: pass"),
    ("eq", "v = M.Vec(5); w = M.Vec(5)", "v == w"),
    ("call", "v = M.Vec(5)", "v(3)"),
    ("add", "v = M.Vec(5)", "v + 1"),
    ("new", "C = M.Vec", "C(3)"),
]
SHOWN = ["len", "in", "getitem", "iter/item", "eq", "call", "add", "new"]

PYCLASS = r'''
class Vec:
    def __init__(self, n):
        if n < 0 or n > 16:
            raise ValueError("Vec size must be in 0..16")
        self.n = n
        self.items = list(range(n))
    def __len__(self):
        return self.n
    def __contains__(self, v):
        return v in self.items
    def __getitem__(self, i):
        if i < 0 or i >= self.n:
            raise IndexError("Vec index out of range")
        return self.items[i]
    def __eq__(self, other):
        if not isinstance(other, Vec):
            return NotImplemented
        return self.items == other.items
    __hash__ = None
    def __call__(self, x):
        return self.n + x
    def __add__(self, k):
        if not isinstance(k, int):
            return NotImplemented
        return self.n + k
    def __iter__(self):
        return VecIter(self)
class VecIter:
    def __init__(self, vec):
        self.vec = vec
        self.i = 0
    def __iter__(self):
        return self
    def __next__(self):
        if self.i >= self.vec.n:
            raise StopIteration
        self.i += 1
        return self.vec.items[self.i - 1]
'''

CHILD = r'''
import itertools, sys, types
impl, op, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path[:0] = [%(pydir)r, %(handdir)r]
if impl == "sigbind":
    import cface_slots as M
elif impl == "hand":
    import slots_hand as M
else:
    M = types.ModuleType("pyvec")
    exec(%(pyclass)r, M.__dict__)
OPS = %(ops)r
if op == "loop":
    setup, stmt = "", "pass"
else:
    setup, stmt = [(s, t) for name, s, t in OPS if name == op][0]
ns = {"M": M, "itertools": itertools}
exec(setup, ns)
src = "def run(n, %%s):\n    for _ in itertools.repeat(None, n):\n        %%s\n" %% (
    ", ".join("%%s=%%s" %% (k, k) for k in ns if k != "__builtins__"),
    stmt.replace(": pass", ":\n            pass"))
exec(src, ns)
if n < 0:
    import timeit
    t = timeit.Timer(lambda: ns["run"](-n))
    best = min(t.repeat(5, 1))
    print(best / -n * 1e9)
else:
    ns["run"](n)
'''


def version_of(python):
    return subprocess.check_output([python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]).decode().strip()


def build_hand(python, ver):
    inc = subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"]).decode().strip()
    out = os.path.join(ROOT, "build", "bench", ver)
    os.makedirs(out, exist_ok=True)
    so = os.path.join(out, "slots_hand.abi3.so")
    src = os.path.join(HERE, "slots_hand.c")
    if not os.path.exists(so) or os.path.getmtime(so) < os.path.getmtime(src):
        subprocess.run(["gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared", "-I" + inc, src,
                        "-o", so + ".tmp"], check=True)
        os.replace(so + ".tmp", so)
    return out


def total_ir(python, script, impl, op, n, tmp):
    out = os.path.join(tmp, "cg.%s.%s.%d" % (impl, op, n))
    env = dict(os.environ, PYTHONHASHSEED="0")
    subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, python, "-S", script, impl, op,
                    str(n)], check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError("no totals in " + out)


def per_op(values):
    v = dict(values)
    v["iter/item"] = (v["iter16"] - v["iter0"]) / 16.0
    return {k: v[k] for k in SHOWN}


def measure(python, args, tmp):
    ver = version_of(python)
    handdir = build_hand(python, ver)
    script = os.path.join(tmp, "child_%s.py" % ver)
    with open(script, "w") as f:
        f.write(CHILD % {"pydir": args.sigbind_dir, "handdir": handdir, "pyclass": PYCLASS,
                         "ops": OPS})
    res = {"version": ver, "ns": {}, "ir": {}}
    for impl in ("sigbind", "hand", "python"):
        vals = []
        for name, _, _ in OPS:
            out = subprocess.check_output([python, "-S", script, impl, name, str(-args.ns_n)]).decode()
            vals.append((name, float(out)))
        res["ns"][impl] = per_op(vals)
        if args.callgrind:
            loop = (total_ir(python, script, impl, "loop", args.n2, tmp) -
                    total_ir(python, script, impl, "loop", args.n1, tmp)) / (args.n2 - args.n1)
            vals = []
            for name, _, _ in OPS:
                d = (total_ir(python, script, impl, name, args.n2, tmp) -
                     total_ir(python, script, impl, name, args.n1, tmp)) / (args.n2 - args.n1)
                vals.append((name, d - loop))
            res["ir"][impl] = per_op(vals)
    return res


def table(res, unit):
    data = res[unit]
    lines = ["| %s %s | %s |" % (res["version"], "Ir" if unit == "ir" else "ns", " | ".join(SHOWN)),
             "|:--|" + "--:|" * len(SHOWN)]
    for impl in ("sigbind", "hand", "python"):
        lines.append("| %s | %s |" % (impl, " | ".join("%.0f" % data[impl][k] for k in SHOWN)))
    lines.append("| sigbind / hand | %s |" % " | ".join(
        "%.2f" % (data["sigbind"][k] / data["hand"][k]) if data["hand"][k] > 0 else "-" for k in SHOWN))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pythons", default="3.8,3.11,3.13")
    ap.add_argument("--no-callgrind", dest="callgrind", action="store_false")
    ap.add_argument("--n1", type=int, default=1000)
    ap.add_argument("--n2", type=int, default=4000)
    ap.add_argument("--ns-n", type=int, default=200000)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--sigbind-dir", default=os.environ.get("SIGBIND_DIR", os.path.join(ROOT, "build", "python")),
                    help="where cface_slots.abi3.so is (default build/python, or $SIGBIND_DIR)")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for v in args.pythons.split(","):
            found = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/%s.*/bin/python3" % v)))
            if not found:
                print("no CPython %s under ~/.pyenv/versions" % v, file=sys.stderr)
                continue
            res = measure(found[-1], args, tmp)
            results.append(res)
            if not args.json:
                for unit in (("ir", "ns") if args.callgrind else ("ns",)):
                    print(table(res, unit) + "\n", flush=True)
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
