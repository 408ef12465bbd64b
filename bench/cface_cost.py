# cface_cost.py — instructions/call of C-face module functions and class methods next to the Python face and plain Python.
"""Usage: python3 bench/cface_cost.py [--python PATH]

Counts instructions with callgrind (N1 and N2 calls; the difference over N2-N1,
minus the empty loop). For int64_t add(int64_t, int64_t):
  cface   cface_test.add (tests/cface/cface_test.c): after every call the runtime
          checks for a raised exception and keeps the module's name table current
  pyface  benchlib's sb_bench_ll_ll bound with sigbind.load().bind()
For classes (examples/classes):
  method    c.method1() on classes.MyClass (int32_t method1(MyClass *self))
  pymethod  the same method on a Python class
  call      c(1, 2): MyClass's int32_t __call__(MyClass *self, *args)
  pycall    the same __call__ on a Python class
  loop      the empty loop
Needs build/python (cface_test, sigbind) and build/bench/<version>/benchlib.so
(python3 bench/run.py builds it).
"""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHILD = r'''
import itertools, sys
sys.path.insert(0, %(pydir)r)
import cface_test, classes, sigbind
class PyClass:
    def __init__(self):
        self.num = 10
    def method1(self):
        return 10
    def __call__(self, *args):
        return self.num
kind, n = sys.argv[1], int(sys.argv[2])
if kind in ("method", "call"):
    f = classes.MyClass()
elif kind in ("pymethod", "pycall"):
    f = PyClass()
elif kind == "cface":
    f = cface_test.add
elif kind == "pyface":
    f = sigbind.load(%(benchlib)r).bind("int64_t sb_bench_ll_ll(int64_t a, int64_t b)")
else:
    f = None
def run():
    if f is None:
        for _ in itertools.repeat(None, n):
            pass
    elif kind.endswith("method"):
        for _ in itertools.repeat(None, n):
            f.method1()
    elif kind.endswith("call"):
        for _ in itertools.repeat(None, n):
            f(3, 4)
    else:
        for _ in itertools.repeat(None, n):
            f(3, 4)
run()
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
    benchlib = os.path.join(ROOT, "build", "bench", ver, "benchlib.so")
    if not os.path.exists(benchlib):
        subprocess.run(["sh", os.path.join(ROOT, "bench", "build.sh"), args.python], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "child.py")
        with open(script, "w") as f:
            f.write(CHILD % {"pydir": os.path.join(ROOT, "build", "python"), "benchlib": benchlib})
        n1, n2 = 2000, 12000
        per = {}
        for kind in ("loop", "pyface", "cface", "method", "pymethod", "call", "pycall"):
            per[kind] = (total_ir(args.python, script, kind, n2, tmp) - total_ir(args.python, script, kind, n1, tmp)) / (n2 - n1)
    print("CPython %s, int64_t add(int64_t, int64_t), instructions/call (empty loop %.0f subtracted):" % (ver, per["loop"]))
    print("  Python face (sigbind.load().bind): %.0f" % (per["pyface"] - per["loop"]))
    print("  C face (module function, raise check): %.0f" % (per["cface"] - per["loop"]))
    print("  cost of the C face's check: %.0f" % (per["cface"] - per["pyface"]))
    print("classes.MyClass (examples/classes) against a Python class, instructions/call:")
    print("  c.method1(): %.0f (Python class: %.0f)" % (per["method"] - per["loop"], per["pymethod"] - per["loop"]))
    print("  c(3, 4), __call__(self, *args): %.0f (Python class: %.0f)" % (per["call"] - per["loop"],
                                                                          per["pycall"] - per["loop"]))


if __name__ == "__main__":
    main()
