# lenbuf_cost.py — instructions/call of [[len(n)]] buffer parameters (both faces) next to a pointer plus an explicit length.
"""Usage: python3 bench/lenbuf_cost.py [--python PATH]

Counts instructions with callgrind (N1 and N2 calls; the difference over N2-N1,
minus the empty loop) of the mean of an array('d') of 16 items:
  pyface_len   testlib's len_mean bound as "double len_mean(const double *xs [[len(n)]], size_t n)"
  pyface_ptr   the same function bound as "double len_mean(const double *xs, size_t n)", called (a, 16)
  cface_len    cface_helpers.mean_of, "double mean_of(const double *xs [[len(n)]], size_t n)"
  cface_get    cface_helpers.mean, a PyObject * parameter opened with sb_buffer_get(obj, "double", ...)
Needs build/python (sigbind, cface_helpers) and build/testlib/libsbtest.so (the default build).
From 3.11 the buffer API is used directly; before, a memoryview and the old stable buffer calls.
"""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHILD = r'''
import array, itertools, sys
sys.path.insert(0, %(pydir)r)
import sigbind, cface_helpers
lib = sigbind.load(%(testlib)r)
kind, n = sys.argv[1], int(sys.argv[2])
a = array.array("d", [1.0] * 16)
f = {"pyface_len": lib.bind("double len_mean(const double *xs [[len(n)]], size_t n)"),
     "pyface_ptr": lib.bind("double len_mean(const double *xs, size_t n)"),
     "cface_len": cface_helpers.mean_of, "cface_get": cface_helpers.mean}.get(kind)
if f is None:
    for _ in itertools.repeat(None, n):
        pass
elif kind == "pyface_ptr":
    for _ in itertools.repeat(None, n):
        f(a, 16)
else:
    for _ in itertools.repeat(None, n):
        f(a)
'''


def total_ir(python, script, kind, n, tmp):
    out = os.path.join(tmp, "cg.%s.%d" % (kind, n))
    env = dict(os.environ, PYTHONHASHSEED="0")
    subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, python, "-S", script, kind,
                    str(n)], check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError("no totals in " + out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args()
    ver = subprocess.check_output([args.python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]).decode().strip()
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "child.py")
        with open(script, "w") as f:
            f.write(CHILD % {"pydir": os.path.join(ROOT, "build", "python"),
                             "testlib": os.path.join(ROOT, "build", "testlib", "libsbtest.so")})
        n1, n2 = 2000, 12000
        per = {}
        for kind in ("loop", "pyface_ptr", "pyface_len", "cface_len", "cface_get"):
            per[kind] = (total_ir(args.python, script, kind, n2, tmp) - total_ir(args.python, script, kind, n1, tmp)) / (n2 - n1)
    print("CPython %s, mean of array('d', 16 items), instructions/call (empty loop %.0f subtracted):" % (ver, per["loop"]))
    print("  Python face, const double *xs, size_t n: f(a, 16)      %6.0f" % (per["pyface_ptr"] - per["loop"]))
    print("  Python face, const double *xs [[len(n)]]: f(a)          %6.0f" % (per["pyface_len"] - per["loop"]))
    print("  C face,      const double *xs [[len(n)]]: f(a)          %6.0f" % (per["cface_len"] - per["loop"]))
    print("  C face,      PyObject * + sb_buffer_get(obj, \"double\")  %6.0f" % (per["cface_get"] - per["loop"]))


if __name__ == "__main__":
    main()
