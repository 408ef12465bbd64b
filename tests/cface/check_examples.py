#!/usr/bin/env python3
"""check_examples.py — the examples' C sources use sigbind.h only: no Python.h, no CPython API call.

Usage: check_examples.py <examples dir>. Comments and string literals are removed, then any
`Py...(` call or `Py_...` macro other than the type name PyObject (and PyInit_, which SB_MODULE
defines) is reported with file and line. Exit 0 when none is found."""
import os
import re
import sys

API = re.compile(r"\b(Py[A-Z][A-Za-z0-9]*_?[A-Za-z0-9_]*\s*\(|Py_[A-Za-z]\w*|_Py\w+)")
ALLOWED = {"PyObject"}


def strip(text):
    # Comments and literals become spaces (newlines kept, so line numbers stay right).
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def main():
    root = sys.argv[1]
    problems = []
    files = 0
    for d, _, names in os.walk(root):
        for n in sorted(names):
            if not n.endswith((".c", ".h")):
                continue
            files += 1
            path = os.path.join(d, n)
            raw = open(path, encoding="utf-8").read()
            if re.search(r"#\s*include\s*[<\"]Python\.h[>\"]", raw):
                problems.append("%s: includes Python.h" % path)
            for i, line in enumerate(strip(raw).split("\n"), 1):
                for m in API.finditer(line):
                    name = m.group(0).rstrip("( \t")
                    if name not in ALLOWED:
                        problems.append("%s:%d: CPython API '%s'" % (path, i, name))
    for p in problems:
        print(p)
    print("%d example sources, %d CPython API uses" % (files, len(problems)))
    return 1 if problems or not files else 0


if __name__ == "__main__":
    sys.exit(main())
