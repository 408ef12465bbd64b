# manylinux_audit.py — fails when a built module or program needs more of glibc (or of the system's libraries) than a manylinux policy allows.
"""Usage: manylinux_audit.py [--platform manylinux2014] [--allow LIB ...] FILE [FILE ...]

For each ELF file: its DT_NEEDED libraries must be in the policy's allow-list and no symbol
version it requires (GLIBC_, GLIBCXX_, CXXABI_, GCC_) may be newer than the policy's (the same
check the build backend makes before it tags a wheel, sigbind_build.policy_problems); --allow adds
a library to the allow-list (libpython3.so for programs that embed Python). Prints one
line per file; exit 0 when all pass, 1 otherwise. sigbind's wheel ships it in sigbind_sdk/abi3/
for extension authors (`python <site-packages>/sigbind_sdk/abi3/manylinux_audit.py yourmod.abi3.so`).
The ctest abi3_glibc_audit runs it on
sigbind.abi3.so and every module and program of the build that links the runtime.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# abi3/ of the source tree holds the backend; in sigbind's wheel this file is sigbind_sdk/abi3/ and
# the backend sigbind_build.py sits two levels up, in site-packages.
sys.path[:0] = [HERE, os.path.dirname(os.path.dirname(HERE))]
import sigbind_build  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--platform", default=sigbind_build.DEFAULT_POLICY)
    parser.add_argument("--allow", action="append", default=[], help="another allowed DT_NEEDED library")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    policy = dict(sigbind_build.policy_named(args.platform))
    policy["libs"] = tuple(policy["libs"]) + tuple(args.allow)
    failed = 0
    for path in args.files:
        needed, refs = sigbind_build.elf_dynamic_info(path)
        problems = sigbind_build.policy_problems(policy, needed, refs, sigbind_build.versioned_symbols(path))
        need = sigbind_build.requirements(refs)
        summary = ", ".join("%s_%s" % (k, sigbind_build._dotted(v)) for k, v in sorted(need.items()))
        if problems:
            failed += 1
            print("manylinux audit: %s: NOT %s:\n  %s" % (path, args.platform, "\n  ".join(problems)))
        else:
            print("manylinux audit: %s: %s (highest %s; NEEDED %s)" % (path, args.platform, summary, " ".join(needed)))
    print("manylinux audit: %d file(s), %d failed" % (len(args.files), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
