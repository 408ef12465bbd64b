#!/usr/bin/env python3
"""check_wrong.py — each module of tests/cface/wrong/ must fail to build, and say why.

Usage: check_wrong.py <cmake> <build dir> [<clang> <include dir>...]. Builds each target (excluded from `all`) with
`cmake --build`, expects a failure whose output holds every pattern listed for it below:
the checker's _Static_assert message (entry, expected type, signature) and the compiler's
own line naming the C function's actual type, or sigbind-sigcheck's signature error
(file:line, entry, text, column). With a clang, each generated check file is also compiled
by it (-fsyntax-only; the build itself used CMAKE_C_COMPILER) and must fail with the checker's
messages. Exit 0 when every case fails as expected."""
import os
import re
import subprocess
import sys

CASES = {
    "wrong_return": [
        r"wrong_return\.c:9:.*SB_FUNCTION\(half\): the C function must have type int64_t \(\*\)\(int64_t\), "
        r"as its signature `int64_t half\(int64_t x\)` says",
        r"double \(\*\)\(double\)",  # the compiler names the actual type
    ],
    "wrong_param": [
        r"wrong_param\.c:10:.*SB_FUNCTION\(add\): the C function must have type int64_t \(\*\)\(int64_t, int64_t\)",
        r"int64_t \(\*\)\(int64_t,\s*int32_t\)",
        r"wrong_param\.c:11:.*SB_FUNCTION\(length\): the C function must have type int64_t \(\*\)\(PyObject \*\)",
    ],
    "wrong_arity": [
        r"wrong_arity\.c:14:.*SB_FUNCTION\(scale\): the C function must have type int64_t \(\*\)\(int64_t\)",
        r"wrong_arity\.c:18:.*SB_METHOD\(box_get\): the C function must have type int64_t \(\*\)\(Box \*\), "
        r"as its signature `int64_t get\(Box \*self\)` says",
    ],
    "wrong_field": [
        r"wrong_field\.c:13:.*SB_FIELD\(Counter, count, `int64_t count`\): the member must have type int64_t",
        r"wrong_field\.c:13:.*SB_FIELD\(Counter, count, `int64_t count`\): the member must be 8 bytes, as int64_t",
        r"int32_t \*",  # the compiler names the member's actual type
    ],
    "wrong_out": [
        r"wrong_out\.c:15:.*SB_FUNCTION\(split\): the C function must have type double \(\*\)\(double, long \*\)",
        r"double \(\*\)\(double,\s*int \*\)",
        r"wrong_out\.c:19:.*SB_GETTER\(temp_get_kelvin\): the C function must have type double \(\*\)\(Temp \*\)",
    ],
    "sig_typo": [
        r"sig_typo\.c:10: error: SB_FUNCTION\(twice, \"int64_t twice\(int64_t x\"\): signature error at column 24: "
        r"expected",
        r"sig_typo\.c:11: error: SB_FUNCTION\(thrice, \"int64_t thrice\(int64 x\)\"\): signature error at column \d+: "
        r".*int64",
    ],
}
# Entries that are right must not be reported (wrong_field's `rate`, wrong_out's nothing else).
ABSENT = {"wrong_field": [r"SB_FIELD\(Counter, rate"]}


def main():
    cmake, build = sys.argv[1], sys.argv[2]
    clang, incs = (sys.argv[3], sys.argv[4:]) if len(sys.argv) > 3 and sys.argv[3] else (None, [])
    failures = []
    for target, patterns in CASES.items():
        r = subprocess.run([cmake, "--build", build, "--target", target], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True)
        out = r.stdout
        if r.returncode == 0:
            failures.append("%s: built, but its tables disagree with their signatures" % target)
            continue
        for pat in patterns:
            if not re.search(pat, out):
                failures.append("%s: no match for %r in:\n%s" % (target, pat, out[-3000:]))
        for pat in ABSENT.get(target, []):
            if re.search(pat, out):
                failures.append("%s: reported a right entry (%r)" % (target, pat))
        print("%s: failed to build, as it must" % target)
        if clang and target != "sig_typo":
            gen = os.path.join(build, "tests", "cface", target + ".sigcheck", target + ".sigcheck.c")
            r = subprocess.run([clang, "-std=c11", "-Wall", "-Wextra", "-Werror", "-Werror=incompatible-pointer-types",
                                "-DPy_LIMITED_API=0x03070000", "-fsyntax-only"] + ["-I" + d for d in incs] + [gen],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
            if r.returncode == 0:
                failures.append("%s: clang compiled its check file" % target)
            for pat in patterns:
                if "must" in pat and not re.search(pat, r.stdout):
                    failures.append("%s (clang): no match for %r in:\n%s" % (target, pat, r.stdout[-3000:]))
            print("%s: clang refuses it too" % target)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
