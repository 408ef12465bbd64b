# check_exports.py — the built module exports PyInit_sigbind and nothing else (libffi and internals stay hidden).
import subprocess
import sys

path = sys.argv[1]
out = subprocess.check_output(["nm", "-D", "--defined-only", path]).decode()
names = sorted(line.split()[-1] for line in out.splitlines() if line.strip())
extra = [n for n in names if n not in ("PyInit_sigbind", "_init", "_fini")]
print("exports of %s: %s" % (path, ", ".join(names)))
if "PyInit_sigbind" not in names or extra:
    print("check_exports: unexpected exports: %s" % ", ".join(extra) or "PyInit_sigbind missing", file=sys.stderr)
    sys.exit(1)
