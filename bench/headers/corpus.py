#!/usr/bin/env python3
"""corpus.py — real headers through sigbind and cffi, three ways, and sigbind's header entry point.

For each library of the corpus (its Debian -dev package is installed with apt-get when its header
is missing and --install is given), the header is fed

  1. declaration by declaration ("per decl"): the cleaned header's own top-level declarations (cc -E
     with __attribute__, __extension__, __restrict, __inline, __asm__, _Noreturn defined away, as cffi
     users do; those whose line markers name the library's files; integer #defines too), one
     statement at a time into one Library / one FFI, so earlier ones give later ones their types;
  2. the same cleaned header as one block ("clean block": one declare() / one cdef());
  3. the raw `gcc -E` output as one block ("raw block"), and its statements one by one ("raw per decl").

through sigbind (`Library.declare` on the library itself) and cffi (`FFI.cdef`, when importable: the pyenv 3.11 here),
and prints a markdown table of accepted declarations and whole-header loads, then the time of
sigbind's header entry point (`sigbind.load(lib, header=...)`, preprocessor included) per header.
It reports; nothing passes or fails.

    PYTHONPATH=build/python ~/.pyenv/versions/3.11*/bin/python3 bench/headers/corpus.py [--install] [--only z,uv]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import sigbind

try:
    import cffi
except ImportError:  # the table says n/a
    cffi = None

# (short name for load(), headers to include in order, the library's own header files, Debian package)
CORPUS = [
    ("z", ["zlib.h"], ["zlib.h", "zconf.h"], "zlib1g-dev"),
    ("sqlite3", ["sqlite3.h"], ["sqlite3.h"], "libsqlite3-dev"),
    ("bz2", ["bzlib.h"], ["bzlib.h"], "libbz2-dev"),
    ("lzma", ["lzma.h"], ["lzma.h", "lzma/"], "liblzma-dev"),
    ("expat", ["expat.h"], ["expat.h", "expat_external.h", "expat_config.h"], "libexpat1-dev"),
    ("png16", ["png.h"], ["png.h", "pngconf.h", "pnglibconf.h"], "libpng-dev"),
    ("jpeg", ["stdio.h", "jpeglib.h"], ["jpeglib.h", "jconfig.h", "jmorecfg.h"], "libjpeg-dev"),
    ("uv", ["uv.h"], ["uv.h", "uv/"], "libuv1-dev"),
    ("yaml-0", ["yaml.h"], ["yaml.h"], "libyaml-dev"),
    ("curl", ["curl/curl.h"], ["curl/"], "libcurl4-openssl-dev"),
    ("crypto", ["openssl/sha.h"], ["openssl/sha.h", "openssl/e_os2.h", "openssl/opensslconf.h",
                                   "openssl/configuration.h", "openssl/macros.h", "openssl/opensslv.h"],
     "libssl-dev"),
    ("ffi", ["ffi.h"], ["ffi.h", "ffitarget.h"], "libffi-dev"),
    ("zstd", ["zstd.h"], ["zstd.h"], "libzstd-dev"),
    ("lz4", ["lz4.h"], ["lz4.h"], "liblz4-dev"),
]


def cc():
    for name in (os.environ.get("CC", "").split() or [None])[:1] + ["cc", "gcc", "clang"]:
        if name and shutil.which(name):
            return shutil.which(name)
    sys.exit("corpus.py: no C compiler (cc, gcc, clang) to preprocess the headers")


# The "cleaned" header: GNU noise defined away, as cffi users do before cdef().
CLEAN = ["-D__attribute__(x)=", "-D__extension__=", "-D__restrict=", "-D__restrict__=", "-D__inline=",
         "-D__inline__=", "-D__asm__(x)=", "-D__asm(x)=", "-D_Noreturn="]


def preprocess(headers, defines, clean=False):
    src = "".join("#include <%s>\n" % h for h in headers)
    argv = [cc(), "-E", "-xc", "-std=gnu11"] + (["-dD"] if defines else []) + (CLEAN if clean else []) + ["-"]
    r = subprocess.run(argv, input=src.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode:
        raise OSError(r.stderr.decode(errors="replace").strip())
    return r.stdout.decode(errors="replace")


def header_found(headers):
    try:
        preprocess(headers, False)
        return True
    except OSError:
        return False


def install(pkgs):
    """apt-get install the packages not installed yet (root only)."""
    missing = [p for p in pkgs if subprocess.run(["dpkg", "-s", p], stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL).returncode]
    if not missing:
        return
    print("installing: %s" % " ".join(missing), flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env)
    for p in missing:  # one by one: a package this release lacks does not stop the others
        subprocess.run(["apt-get", "install", "-y", "-qq", p], env=env, stdout=subprocess.DEVNULL)


MARKER = re.compile(r'^#\s*(\d+)\s+"([^"]*)"')


def split(text):
    """Top-level statements of preprocessed text: (file, kind, text), kind 'decl', 'define' or 'body'
    (a function definition). Same rules as sigbind's include() (src/pyface/header.c)."""
    out, cur, file, depth, body = [], [], "", 0, False
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            line = text[i:j]
            m = MARKER.match(line)
            if m:
                file = m.group(2)
            elif line.startswith("#define ") and not cur:
                out.append((file, "define", line))
            i = j
            continue
        at_line_start = c == "\n"
        if not cur and c.isspace():
            i += 1
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        cur.append(c)
        if c in "([{":
            if c == "{" and depth == 0 and re.search(r"\)\s*$", re.sub(r"__attribute__\s*\(\(.*?\)\)\s*$", "",
                                                                        "".join(cur[:-1]))):
                body = True
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
            if c == "}" and depth == 0 and body:
                out.append((file, "body", "".join(cur).strip()))
                cur, body = [], False
        elif c == ";" and depth == 0:
            out.append((file, "decl", "".join(cur).strip()))
            cur, body = [], False
        i += 1
    return out


def own(file, owned):
    return any(file.endswith("/" + o) or ("/" + o in file and o.endswith("/")) for o in owned)


def integer_defines(lines):
    """The object-like #defines whose value is an integer constant expression of literals and earlier
    such macros (what a user pastes as constants; both tools take only these)."""
    known, out = set(), []
    for line in lines:
        m = re.match(r"#define\s+([A-Za-z_]\w*)(\(?)\s*(.*)", line)
        if not m or m.group(2) or not m.group(3).strip() or m.group(1).startswith("__"):
            continue
        value = m.group(3).strip()
        words = re.findall(r"[A-Za-z_]\w*", re.sub(r"\b0[xX][0-9a-fA-F]+[uUlL]*|\b\d+[uUlL]*", "", value))
        if re.fullmatch(r"[\w\s()<>|&~+\-*/^]+", value) and all(w in known for w in words):
            known.add(m.group(1))
            out.append(line)
    return set(out)


def sigbind_lib(short):
    """The library itself (its functions resolve, as cffi's cdef never asks), else the running process."""
    try:
        return sigbind.load(short)
    except OSError:
        return sigbind.load(None)


def sigbind_accepts(short, stmts):
    lib = sigbind_lib(short)
    ok = 0
    for s in stmts:
        try:
            lib.declare(s)
            ok += 1
        except Exception:
            pass
    return ok


def sigbind_block(short, text):
    try:
        sigbind_lib(short).declare(text)
        return True, ""
    except Exception as e:
        return False, str(e).splitlines()[0][:90]


def cffi_accepts(stmts):
    ffi = cffi.FFI()
    ok = 0
    for s in stmts:
        try:
            ffi.cdef(s, override=True)
            ok += 1
        except Exception:
            pass
    return ok


def cffi_block(text):
    try:
        cffi.FFI().cdef(text)
        return True, ""
    except Exception as e:
        return False, str(e).splitlines()[0][:90]


def measure(short, headers, owned):
    full = preprocess(headers, True, clean=True)
    raw = preprocess(headers, False)
    stmts = [(f, k, t) for f, k, t in split(full) if own(f, owned)]
    ints = integer_defines([t for f, k, t in stmts if k == "define"])
    clean = [t for f, k, t in stmts if k == "decl" or (k == "define" and t in ints)]
    raw_stmts = [t for f, k, t in split(raw) if k == "decl"]
    row = {"lib": short, "header": headers[-1], "decls": len(clean), "raw decls": len(raw_stmts)}
    clean_text = "\n".join(clean)
    row["sb per decl"] = sigbind_accepts(short, clean)
    row["sb clean block"] = sigbind_block(short, clean_text)
    row["sb raw per decl"] = sigbind_accepts(short, raw_stmts)
    row["sb raw block"] = sigbind_block(short, raw)
    if cffi:
        row["cffi per decl"] = cffi_accepts(clean)
        row["cffi clean block"] = cffi_block(clean_text)
        row["cffi raw per decl"] = cffi_accepts(raw_stmts)
        row["cffi raw block"] = cffi_block(raw)
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        lib = sigbind.load(short, header=headers)
        row["load s"] = time.perf_counter() - t0
        row["cpu s"] = time.process_time() - c0  # this process only: cc -E is a child
        row["skipped"] = len(lib.skipped)
        row["skipped own"] = sum(1 for s in lib.skipped if own(s[1], owned))
    except (OSError, TypeError) as e:  # TypeError: a sigbind without the header entry point
        row["load s"] = None
        row["load error"] = str(e)[:90]
    return row


def pct(a, b):
    return "%d/%d (%.0f%%)" % (a, b, 100.0 * a / b) if b else "0/0"


def yes(v):
    return "yes" if v[0] else "no"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--install", action="store_true", help="apt-get install the -dev packages that are missing")
    ap.add_argument("--only", default="", help="comma-separated short names (z,uv,...)")
    ap.add_argument("--reasons", action="store_true", help="print why each whole-header block failed")
    args = ap.parse_args()
    corpus = [c for c in CORPUS if not args.only or c[0] in args.only.split(",")]
    if args.install:
        install([c[3] for c in corpus if not header_found(c[1])])
    print("python %s, sigbind %s, cffi %s, %s" % (
        sys.version.split()[0], getattr(sigbind, "__version__", "?"), cffi.__version__ if cffi else "n/a",
        subprocess.run([cc(), "--version"], stdout=subprocess.PIPE).stdout.decode().splitlines()[0]))
    rows = []
    for short, headers, owned, pkg in corpus:
        if not header_found(headers):
            print("skipped %s: %s not found (package %s; run with --install)" % (short, headers[-1], pkg))
            continue
        rows.append(measure(short, headers, owned))
        print("measured %s" % short, file=sys.stderr, flush=True)
    tot = {k: sum(r[k] for r in rows) for k in ("decls", "raw decls", "sb per decl", "sb raw per decl")}
    tools = [("sigbind", "sb")] + ([("cffi", "cffi")] if cffi else [])
    print()
    print("| header | decls | " + " | ".join(
        "%s per decl | %s clean block | %s raw per decl | %s raw block" % (t, t, t, t) for t, _ in tools) + " |")
    print("|---|---:|" + "---:|---|---:|---|" * len(tools))
    for r in rows:
        cells = []
        for _, p in tools:
            cells += [pct(r[p + " per decl"], r["decls"]), yes(r[p + " clean block"]),
                      pct(r[p + " raw per decl"], r["raw decls"]), yes(r[p + " raw block"])]
        print("| %s | %d | %s |" % (r["header"], r["decls"], " | ".join(cells)))
    cells = []
    for _, p in tools:
        cells += [pct(sum(r[p + " per decl"] for r in rows), tot["decls"]),
                  "%d/%d" % (sum(r[p + " clean block"][0] for r in rows), len(rows)),
                  pct(sum(r[p + " raw per decl"] for r in rows), tot["raw decls"]),
                  "%d/%d" % (sum(r[p + " raw block"][0] for r in rows), len(rows))]
    print("| **all** | %d | %s |" % (tot["decls"], " | ".join(cells)))
    print()
    print("sigbind.load(lib, header=...): wall time with cc -E, sigbind's own CPU time without it; skipped: all /")
    print("from the library's own files:")
    print()
    print("| header | load s | sigbind CPU s | skipped | skipped own |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        if r.get("load s") is None:
            print("| %s | error: %s | | | |" % (r["header"], r.get("load error")))
        else:
            print("| %s | %.3f | %.3f | %d | %d |" % (r["header"], r["load s"], r["cpu s"], r["skipped"],
                                                   r["skipped own"]))
    if args.reasons:
        print()
        for r in rows:
            for _, p in tools:
                for k in ("clean block", "raw block"):
                    ok, why = r[p + " " + k]
                    if not ok:
                        print("%s %s %s: %s" % (r["header"], p, k, why))


if __name__ == "__main__":
    main()
