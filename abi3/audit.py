# abi3 audit: every Py*/_Py* symbol a built module imports must be stable ABI at or below the floor.
"""Check built extension modules against CPython's stable ABI list.

Usage: python3 abi3/audit.py [--floor 3.7] [--allow abi3/allowlist.tsv] MODULE.so [...]

Exit status: 0 all modules pass, 1 some module uses a symbol that is not
allowed, 2 usage error (missing file, missing nm/objdump, bad allow-list).
Python 3.7+ standard library only.
"""
import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "stable_abi.tsv")
DEFAULT_ALLOW = os.path.join(HERE, "allowlist.tsv")

# Rows of stable_abi.tsv that an installed CPython contradicts (found with
# `nm -D --defined-only` on the pyenv builds 3.7.16 ... 3.13.0):
# symbol -> (newest version that lacks it, explanation).
NOT_EXPORTED = {
    "PyCFunction_New": ("3.9", "listed from 3.4, but CPython 3.9 does not export it "
                               "(only a macro there); call PyCFunction_NewEx"),
}


def version(text):
    """'3.10' -> (3, 10), so versions compare numerically."""
    try:
        parts = tuple(int(p) for p in text.split("."))
    except ValueError:
        parts = ()
    if len(parts) != 2:
        raise argparse.ArgumentTypeError("expected a version like 3.7, got %r" % text)
    return parts


def fail_usage(message):
    print("abi3 audit: error: " + message, file=sys.stderr)
    sys.exit(2)


def read_tsv(path, header):
    """Rows of a tab-separated file, skipping blank and '#' lines and the header."""
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = [(n, l.rstrip("\n")) for n, l in enumerate(f, 1)]
    except OSError as e:
        fail_usage("cannot read %s: %s" % (path, e.strerror))
    lines = [(n, l) for n, l in lines if l.strip() and not l.lstrip().startswith("#")]
    if not lines or lines[0][1].split("\t") != header:
        fail_usage("%s: first row must be the header %s" % (path, "<TAB>".join(header)))
    for n, line in lines[1:]:
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) != len(header) or not fields[0]:
            fail_usage("%s:%d: expected %d tab-separated fields" % (path, n, len(header)))
        rows.append((n, fields))
    return rows


def load_table():
    """name -> (kind, added, ifdef) from stable_abi.tsv."""
    header = ["name", "kind", "added", "abi_only", "ifdef", "struct_abi_kind"]
    return {f[0]: (f[1], f[2], f[4]) for _, f in read_tsv(TABLE, header)}


def load_allow(path):
    """symbol -> gate from the allow-list."""
    allow = {}
    for n, (symbol, gate) in read_tsv(path, ["symbol", "gate"]):
        if not gate:
            fail_usage("%s:%d: %s needs a gate" % (path, n, symbol))
        allow[symbol] = gate
    return allow


def symbol_tool():
    if shutil.which("nm"):
        return ["nm", "-D", "--undefined-only"], None
    if shutil.which("objdump"):
        return ["objdump", "-T"], "*UND*"
    fail_usage("neither nm nor objdump found on PATH (install binutils)")


def undefined_symbols(path, tool):
    command, marker = tool
    proc = subprocess.run(command + [path], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    if proc.returncode != 0:
        fail_usage("%s failed on %s: %s" % (command[0], path, proc.stderr.strip()))
    names = set()
    for line in proc.stdout.splitlines():
        words = line.split()
        if words and (marker is None or marker in words):
            names.add(words[-1].split("@")[0])
    return names


def problem(name, table, floor):
    """Why `name` is not acceptable at `floor`, or None when it is."""
    if name not in table:
        return "not in the stable ABI"
    kind, added, ifdef = table[name]
    if kind not in ("function", "data"):
        return "in the stable ABI only as a %s, not as a linkable symbol" % kind
    if version(added) > floor:
        return "stable ABI only from " + added
    if ifdef:
        return "stable ABI only in builds that define " + ifdef
    if name in NOT_EXPORTED and floor <= version(NOT_EXPORTED[name][0]):
        return NOT_EXPORTED[name][1]
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Check built extension modules against the CPython stable ABI list.")
    parser.add_argument("--floor", default="3.7",
                        help="oldest CPython the modules must load in (default 3.7)")
    parser.add_argument("--allow", default=None,
                        help="allow-list TSV (default: allowlist.tsv next to this script)")
    parser.add_argument("modules", nargs="+", metavar="MODULE.so")
    args = parser.parse_args(argv)
    try:
        floor = version(args.floor)
    except argparse.ArgumentTypeError as e:
        parser.error(str(e))

    missing = [m for m in args.modules if not os.path.isfile(m)]
    if missing:
        fail_usage("no such module file: " + ", ".join(missing))
    table = load_table()
    allow_path = args.allow or DEFAULT_ALLOW
    allow = load_allow(allow_path) if args.allow or os.path.exists(allow_path) else {}
    tool = symbol_tool()

    status = 0
    for module in args.modules:
        names = sorted(n for n in undefined_symbols(module, tool) if n.startswith(("Py", "_Py")))
        bad, allowed = [], []
        for name in names:
            why = problem(name, table, floor)
            if why and name in allow:
                allowed.append(name)
            elif why:
                bad.append((name, why))
        head = "abi3 audit: %s: %d Python symbols" % (module, len(names))
        if bad:
            status = 1
            print("%s, %d not allowed at floor %s:" % (head, len(bad), args.floor))
            for name, why in bad:
                print("  %s: %s" % (name, why))
        else:
            extra = " or allow-listed" if allowed else ""
            print("%s, all stable-ABI <= %s%s" % (head, args.floor, extra))
        for name in allowed:
            print("  allow-listed: %s (gate: %s)" % (name, allow[name]))
    return status


if __name__ == "__main__":
    sys.exit(main())
