#!/usr/bin/env python3
"""check_layers.py — the layer rule of src/: every include and every call points down (or stays in its layer).

The layers, bottom to top (src/README.md):

    core      plain C: signature language, types, layouts, plans (never Python.h)
    runtime   conversions, the call path and its stubs, version gates, module state
    objects   Pointer, typed memory, Struct, Callback
    pyface    the `sigbind` module and Library          } peers: neither uses the other
    cface     C-face modules, classes, exceptions, ...  }

Checked here:
  1. includes: a file of layer L includes only headers of L or a lower layer; the
     public include/sigbind.h only in cface; no file of core reaches <Python.h>;
  2. calls and data: with --build, every object file compiled from src/ is read
     with `nm`: a symbol one file uses and another defines must be defined in the
     same layer or a lower one (so no cycle crosses layers);
  3. size: no function of core is longer than MAX_CORE_FUNCTION lines.

Usage: check_layers.py [--src DIR] [--build DIR] [--nm NM]. Exit 0 when all hold, 1 with a list otherwise.
"""
import argparse
import os
import re
import subprocess
import sys

LAYERS = {"core": 0, "runtime": 1, "objects": 2, "pyface": 3, "cface": 3}
PUBLIC_HEADERS = {"sigbind_cc.h": None, "sigbind.h": {"cface"}}  # None: any layer
MAX_CORE_FUNCTION = 150
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def may_use(user, used):
    """May a file of layer `user` use something of layer `used`?"""
    return user == used or LAYERS[used] < LAYERS[user]


def layer_of(path, src):
    rel = os.path.relpath(path, src).split(os.sep)
    return rel[0] if len(rel) > 1 and rel[0] in LAYERS else None


def source_files(src):
    for layer in LAYERS:
        d = os.path.join(src, layer)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h", ".S")):
                yield layer, os.path.join(d, name)


def resolve_include(name, including, src, include_dir):
    for base in (os.path.dirname(including), src, include_dir):
        p = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(p):
            return p
    return None


def check_includes(src, include_dir, problems):
    reaches_python = {}

    def python_reached(path, seen=()):
        if path in reaches_python:
            return reaches_python[path]
        text = open(path, encoding="utf-8").read()
        found = None
        for kind, name in INCLUDE_RE.findall(text):
            if kind == "<" and name == "Python.h":
                found = [path]
                break
            if kind == '"':
                p = resolve_include(name, path, src, include_dir)
                if p and p not in seen:
                    chain = python_reached(p, seen + (path,))
                    if chain:
                        found = [path] + chain
                        break
        reaches_python[path] = found
        return found

    for layer, path in source_files(src):
        rel = os.path.relpath(path, src)
        text = open(path, encoding="utf-8").read()
        for kind, name in INCLUDE_RE.findall(text):
            if kind != '"':
                continue
            target = resolve_include(name, path, src, include_dir)
            if target is None:
                problems.append("%s: includes \"%s\", which is not in src/ or include/" % (rel, name))
                continue
            if os.path.dirname(target) == os.path.normpath(include_dir):
                allowed = PUBLIC_HEADERS.get(os.path.basename(target), set())
                if allowed is not None and layer not in allowed:
                    problems.append("%s: includes the public %s, which only %s may include"
                                    % (rel, name, ", ".join(sorted(allowed)) or "no layer"))
                continue
            used = layer_of(target, src)
            if used is None:
                problems.append("%s: includes %s, which belongs to no layer" % (rel, os.path.relpath(target, src)))
            elif not may_use(layer, used):
                problems.append("%s (%s) includes %s (%s): a layer may include only its own headers and those "
                                "below it" % (rel, layer, os.path.relpath(target, src), used))
        if layer == "core":
            chain = python_reached(path)
            if chain:
                problems.append("%s (core) reaches <Python.h>: %s" % (rel, " -> ".join(os.path.relpath(p, src)
                                                                                       for p in chain)))


def object_files(build, src):
    """(layer, source path relative to src, object path) for every object compiled from src/<layer>/."""
    found = {}
    for root, _dirs, files in os.walk(build):
        if "CMakeFiles" not in root:
            continue
        for name in files:
            if not name.endswith(".o"):
                continue
            parts = os.path.join(root, name).split(os.sep)
            if "src" not in parts:
                continue
            i = len(parts) - 1 - parts[::-1].index("src")
            rel = parts[i + 1:]
            if len(rel) < 2 or rel[0] not in LAYERS:
                continue
            source = "/".join(rel)[: -len(".o")]
            if not os.path.exists(os.path.join(src, source)):
                continue  # left over from a file that moved away
            found.setdefault(source, os.path.join(root, name))  # the same source in several targets: one is enough
    return [(s.split("/")[0], s, o) for s, o in sorted(found.items())]


def check_symbols(build, src, nm, problems):
    objs = object_files(build, src)
    if not objs:
        problems.append("no object files compiled from src/<layer>/ under %s (build first)" % build)
        return 0
    defined, used = {}, {}
    for layer, source, obj in objs:
        out = subprocess.run([nm, obj], check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "TDBRCGSV":
                defined.setdefault(f[2], (layer, source))
            elif len(f) == 2 and f[0] == "U":
                used.setdefault((layer, source), set()).add(f[1])
    edges = 0
    for (layer, source), syms in sorted(used.items()):
        for sym in sorted(syms):
            if sym not in defined:
                continue
            dlayer, dsource = defined[sym]
            if dsource == source:
                continue
            edges += 1
            if not may_use(layer, dlayer):
                problems.append("%s (%s) uses %s, defined in %s (%s): calls must point down"
                                % (source, layer, sym, dsource, dlayer))
    return edges


def function_lengths(path):
    """(lines, name) of each function whose body opens with '{' in column 0 (the project's style)."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, start = [], None
    for i, line in enumerate(lines):
        if line.startswith("{") and start is None:
            j = i - 1
            while j >= 0 and "(" not in lines[j]:
                j -= 1
            k = j
            while k > 0 and lines[k - 1].strip() and not lines[k - 1].rstrip().endswith((";", "}", "*/")) \
                    and not lines[k - 1].startswith("#"):
                k -= 1
            m = re.search(r"(\w+)\s*\(", " ".join(lines[k:j + 1]))
            start, name = k, (m.group(1) if m else "?")
        elif line.startswith("}") and start is not None:
            out.append((i - start + 1, name))
            start = None
    return out


def check_sizes(src, problems):
    for layer, path in source_files(src):
        if layer != "core" or not path.endswith(".c"):
            continue
        for n, name in function_lengths(path):
            if n > MAX_CORE_FUNCTION:
                problems.append("%s: %s() is %d lines (core functions stay within %d)"
                                % (os.path.relpath(path, src), name, n, MAX_CORE_FUNCTION))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default=os.path.join(here, "..", "src"))
    ap.add_argument("--include", default=os.path.join(here, "..", "include"))
    ap.add_argument("--build", help="a build directory: also check the symbols of its object files")
    ap.add_argument("--nm", default="nm")
    a = ap.parse_args()
    src, include_dir = os.path.normpath(a.src), os.path.normpath(a.include)
    problems = []
    stray = [n for n in os.listdir(src) if n.endswith((".c", ".h", ".S"))]
    problems += ["src/%s: every source belongs to a layer folder" % n for n in sorted(stray)]
    check_includes(src, include_dir, problems)
    edges = check_symbols(a.build, src, a.nm, problems) if a.build else 0
    check_sizes(src, problems)
    files = sum(1 for _ in source_files(src))
    if problems:
        print("check_layers: %d problem(s):" % len(problems))
        for p in problems:
            print("  " + p)
        return 1
    print("check_layers: %d files in %d layers; includes%s point down; core functions <= %d lines"
          % (files, len(LAYERS), " and %d cross-file symbol uses" % edges if a.build else "", MAX_CORE_FUNCTION))
    return 0


if __name__ == "__main__":
    sys.exit(main())
