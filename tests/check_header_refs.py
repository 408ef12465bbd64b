#!/usr/bin/env python3
"""check_header_refs.py — the public headers refer only to files and sections that exist.

A header names files of the tree (`abi3/python3_stub.py`, `bench/cface_cost.py`, `README.md`)
and sections of a markdown file as  README.md "Section title"  (the title of a heading, any
level, as written in the file). Each file must exist (relative to the source root), each quoted
section must be a heading of that file, and a numbered reference (`§4`) is an error: name the
section by its title. Comment line breaks (` * `) inside a title are read as spaces.

Usage: check_header_refs.py [--root DIR] [HEADER ...]   (default: include/sigbind.h include/sigbind_cc.h)
       check_header_refs.py --selftest
Exit 0 when every reference resolves, 1 with the list otherwise.
"""
import argparse
import os
import re
import sys
import tempfile

EXT = r"(?:c|h|S|py|md|cmake|txt|toml|tsv|sh|json)"
PATH_RE = re.compile(r"(?<![\w./<-])((?:[\w.-]+/)+[\w.-]+\.%s)(?![\w/])" % EXT)
TOP_FILE_RE = re.compile(r"(?<![\w./-])([A-Z][A-Za-z_]*\.md)(?![\w/])")
SECTION_RE = re.compile(r"([\w./-]+\.md) \"([^\"]+)\"")
NUMBERED_RE = re.compile(r"§\s*\d+")
HEADING_RE = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def headings(path):
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"```.*?```", "", f.read(), flags=re.S)  # not the '#' lines of code blocks
    return {m.group(1).strip() for m in HEADING_RE.finditer(text)}


def check(header, root):
    with open(header, encoding="utf-8") as f:
        text = f.read()
    flat = re.sub(r"\s*\n\s*\*\s?", " ", text)  # join comment lines
    problems = []
    name = os.path.relpath(header, root)
    for m in PATH_RE.finditer(text):
        if not os.path.exists(os.path.join(root, m.group(1))):
            problems.append("%s: refers to %s, which does not exist" % (name, m.group(1)))
    for m in TOP_FILE_RE.finditer(text):
        if not os.path.exists(os.path.join(root, m.group(1))):
            problems.append("%s: refers to %s, which does not exist" % (name, m.group(1)))
    for m in SECTION_RE.finditer(flat):
        path = os.path.join(root, m.group(1))
        if os.path.exists(path) and m.group(2) not in headings(path):
            problems.append('%s: refers to section "%s" of %s, which has no such heading'
                            % (name, m.group(2), m.group(1)))
    for m in NUMBERED_RE.finditer(text):
        problems.append("%s: numbered reference %r: name the section by its title instead" % (name, m.group(0)))
    return problems


def selftest():
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "abi3"))
        open(os.path.join(root, "abi3", "stub.py"), "w").close()
        with open(os.path.join(root, "README.md"), "w") as f:
            f.write("# T\n\n## Classes: a C struct\n\n```sh\n# Not a heading\n```\n")
        good = os.path.join(root, "good.h")
        with open(good, "w") as f:
            f.write('/* see abi3/stub.py and README.md "Classes: a C\n * struct"; <stdio.h>, sigbind_cc.h */\n')
        bad = os.path.join(root, "bad.h")
        with open(bad, "w") as f:
            f.write('/* tests/pycall/stub.py, DESIGN.md, (DESIGN §4), README.md "Not a heading",\n'
                    ' * README.md "Classes" */\n')
        assert check(good, root) == [], check(good, root)
        got = check(bad, root)
        want = ["tests/pycall/stub.py", "DESIGN.md", '"Not a heading"', '"Classes"', "§"]
        assert len(got) == len(want) and all(w in g for w, g in zip(want, got)), got
    print("check_header_refs selftest: ok")
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--selftest", action="store_true")
    parser.add_argument("headers", nargs="*")
    args = parser.parse_args()
    if args.selftest:
        return selftest()
    headers = args.headers or [os.path.join(args.root, "include", h) for h in ("sigbind.h", "sigbind_cc.h")]
    problems = []
    for h in headers:
        problems += check(h, args.root)
    for p in problems:
        print(p)
    print("check_header_refs: %d header(s), %d problem(s)" % (len(headers), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
