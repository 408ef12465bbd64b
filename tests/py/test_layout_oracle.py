# test_layout_oracle.py — differential oracle of struct layouts: random struct/union definitions compiled by the C compiler and declared to sigbind must agree on sizeof, alignof, offsetof and the bytes every bit-field occupies.
"""Generates random definitions (nested structs and unions, named and anonymous,
arrays, bit-fields including unnamed and `: 0` ones, packed via `[[packed]]`,
`[[gnu::packed]]` and `__attribute__((packed))`, pointers and function pointers,
mixed scalar types), compiles them with `cc` into a program that prints each
one's sizeof/alignof/offsetof and, for each bit-field, the struct's bytes after
setting that field to all ones in a zeroed value, and compares with sigbind
(`lib.sizeof`, `lib.alignof`, `lib.offsetof`, and the same write through
`lib.new("struct sN[1]")` + `sigbind.buffer`).

In the suite: SB_ORACLE_SEED (default 20261211) and SB_ORACLE_N (default 2000)
layouts. By hand, more: `SB_ORACLE_N=50000 SB_ORACLE_SEED=7 PYTHONPATH=build/python
python3 -m unittest tests/py/test_layout_oracle.py` (tests/fuzz/README.md).
Skipped without a C compiler, and off x86-64 (sigbind lays bit-fields out as GCC
does there).
"""
import hashlib
import os
import platform
import random
import shutil
import subprocess
import tempfile
import unittest

import sigbind

SEED = int(os.environ.get("SB_ORACLE_SEED", "20261211"))
COUNT = int(os.environ.get("SB_ORACLE_N", "2000"))
CC = os.environ.get("CC", "cc")

# (spelling, bits, kind): kind 's' signed, 'u' unsigned, 'b' bool, 'f' floating, 'p' pointer
SCALARS = [
    ("char", 8, "s"), ("signed char", 8, "s"), ("unsigned char", 8, "u"), ("short", 16, "s"),
    ("unsigned short", 16, "u"), ("int", 32, "s"), ("unsigned int", 32, "u"), ("unsigned", 32, "u"),
    ("long", 64, "s"), ("unsigned long", 64, "u"), ("long long", 64, "s"), ("unsigned long long", 64, "u"),
    ("int8_t", 8, "s"), ("uint8_t", 8, "u"), ("int16_t", 16, "s"), ("uint16_t", 16, "u"), ("int32_t", 32, "s"),
    ("uint32_t", 32, "u"), ("int64_t", 64, "s"), ("uint64_t", 64, "u"), ("size_t", 64, "u"), ("bool", 1, "b"),
    ("float", 32, "f"), ("double", 64, "f"), ("void *", 64, "p"), ("const char *", 64, "p"),
]
INTEGERS = [t for t in SCALARS if t[2] in "sub"]
PACKED_SB = ["[[packed]]", "[[gnu::packed]]", "__attribute__((packed))"]


class Gen:
    """One random definition: its C text, its sigbind text, and what to check."""

    def __init__(self, rng, index, earlier):
        self.rng = rng
        self.index = index
        self.earlier = earlier  # tags of earlier top-level definitions: (tag, is_union)
        self.names = 0
        self.members = []  # (name, is_bitfield, kind, width) of members reachable as v.name
        self.c = []
        self.s = []

    def name(self):
        self.names += 1
        return "m%d" % self.names

    def emit(self, c, s=None):
        self.c.append(c)
        self.s.append(c if s is None else s)

    def body(self, depth, packed, top):
        """Members of one body; top: its members are reachable from the outermost value."""
        rng = self.rng
        named = 0
        for _ in range(rng.randint(1, 7)):
            r = rng.random()
            if r < 0.12 and depth < 3:
                named += self.inline(depth, top)
            elif r < 0.42:
                named += self.bitfield(packed, top)
            elif r < 0.50 and self.earlier:
                tag, u = rng.choice(self.earlier)
                n = self.name()
                dims = self.dims()
                self.emit("%s %s %s%s;" % ("union" if u else "struct", tag, n, dims))
                if top:
                    self.members.append((n, False, "", 0))
                named += 1
            elif r < 0.53:
                n = self.name()
                self.emit("int (*%s)(int, double);" % n)
                if top:
                    self.members.append((n, False, "", 0))
                named += 1
            else:
                t = rng.choice(SCALARS)[0]
                n = self.name()
                self.emit("%s %s%s;" % (t, n, self.dims()))
                if top:
                    self.members.append((n, False, "", 0))
                named += 1
        if not named:
            n = self.name()
            self.emit("%s %s;" % (rng.choice(SCALARS)[0], n))
            if top:
                self.members.append((n, False, "", 0))

    def dims(self):
        r = self.rng.random()
        if r < 0.75:
            return ""
        if r < 0.95:
            return "[%d]" % self.rng.randint(1, 5)
        return "[%d][%d]" % (self.rng.randint(1, 3), self.rng.randint(1, 3))

    def bitfield(self, packed, top):
        rng = self.rng
        t, bits, kind = rng.choice(INTEGERS)
        if rng.random() < 0.12:
            self.emit("%s : 0;" % t)
            return 0
        hi = 1 if kind == "b" else min(bits, 57 if packed else bits)
        w = rng.randint(1, hi) if rng.random() < 0.8 else rng.choice([1, hi])
        if rng.random() < 0.12:
            self.emit("%s : %d;" % (t, w))
            return 0
        n = self.name()
        self.emit("%s %s : %d;" % (t, n, w))
        if top:
            self.members.append((n, True, kind, w))
        return 1

    def inline(self, depth, top):
        """An inline struct/union: anonymous (members promoted) or a named member."""
        rng = self.rng
        u = rng.random() < 0.35
        packed = rng.random() < 0.3
        anon = rng.random() < 0.5
        kw = "union" if u else "struct"
        if packed:
            self.emit("%s __attribute__((packed)) {" % kw, "%s %s {" % (kw, rng.choice(PACKED_SB)))
        else:
            self.emit("%s {" % kw)
        self.body(depth + 1, packed, top and anon)
        if anon:
            self.emit("};")
            return 1
        n = self.name()
        self.emit("} %s%s;" % (n, self.dims()))
        if top:
            self.members.append((n, False, "", 0))
        return 1

    def make(self):
        rng = self.rng
        u = rng.random() < 0.2
        packed = rng.random() < 0.3
        kw = "union" if u else "struct"
        tag = "s%d" % self.index
        if packed:
            self.emit("%s __attribute__((packed)) %s {" % (kw, tag), "%s %s %s {" % (kw, rng.choice(PACKED_SB), tag))
        else:
            self.emit("%s %s {" % (kw, tag))
        self.body(0, packed, True)
        self.emit("};")
        return kw + " " + tag, u


def generate(seed, count):
    rng = random.Random(seed)
    earlier, defs = [], []
    for i in range(count):
        g = Gen(rng, i, earlier[-20:])
        full, u = g.make()
        earlier.append(("s%d" % i, u))
        defs.append((full, "\n".join(g.c), "\n".join(g.s), g.members))
    return defs


def c_program(defs):
    out = ["#include <stdbool.h>", "#include <stddef.h>", "#include <stdint.h>", "#include <stdio.h>",
           "#include <string.h>",
           "static void dump(const char *what, const void *p, size_t n) {",
           "  const unsigned char *b = p; printf(\"%s\", what);",
           "  for (size_t i = 0; i < n; i++) printf(\"%02x\", b[i]); printf(\"\\n\"); }"]
    for _, c, _, _ in defs:
        out.append(c)
    for i, (full, _, _, members) in enumerate(defs):
        out.append("static void show%d(void) {" % i)
        out.append('  printf("%s size %%zu align %%zu\\n", sizeof(%s), _Alignof(%s));' % (full, full, full))
        for n, bit, kind, _ in members:
            if bit:
                out.append("  { %s v; memset(&v, 0, sizeof v); v.%s = %s; dump(\"%s %s bits \", &v, sizeof v); }"
                           % (full, n, "1" if kind == "b" else "-1", full, n))
            else:
                out.append('  printf("%s %s offset %%zu\\n", offsetof(%s, %s));' % (full, n, full, n))
        out.append("}")
    out.append("int main(void) {")
    out.extend("  show%d();" % i for i in range(len(defs)))
    out.append("  return 0; }")
    return "\n".join(out) + "\n"


def sigbind_lines(lib, defs):
    lines = []
    for full, _, _, members in defs:
        lines.append("%s size %d align %d" % (full, lib.sizeof(full), lib.alignof(full)))
        for n, bit, kind, w in members:
            if bit:
                mem = lib.new(full + "[1]")
                setattr(mem[0], n, True if kind == "b" else -1 if kind == "s" else (1 << w) - 1)
                lines.append("%s %s bits %s" % (full, n, bytes(sigbind.buffer(mem)).hex()))
            else:
                lines.append("%s %s offset %d" % (full, n, lib.offsetof(full, n)))
    return lines


def compiler_says(program):
    """The program's output; cached by its text's hash (every interpreter of the suite asks for the same one)."""
    key = hashlib.sha256((CC + "\0" + program).encode()).hexdigest()[:24]
    cache = os.path.join(tempfile.gettempdir(), "sigbind-layout-oracle-%s.txt" % key)
    try:
        with open(cache) as f:
            return f.read()
    except OSError:
        pass
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "oracle.c"), os.path.join(d, "oracle")
        with open(src, "w") as f:
            f.write(program)
        r = subprocess.run([CC, "-std=c11", "-w", "-O0", "-o", exe, src], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        if r.returncode:
            raise AssertionError("the C compiler refused the generated definitions (seed %d):\n%s"
                                 % (SEED, r.stderr[-3000:]))
        out = subprocess.run([exe], stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    tmp = "%s.%d" % (cache, os.getpid())
    with open(tmp, "w") as f:
        f.write(out)
    os.replace(tmp, cache)
    return out


@unittest.skipUnless(platform.machine() in ("x86_64", "AMD64") and shutil.which(CC),
                     "needs a C compiler on x86-64 (layouts follow GCC's x86-64 rules)")
class LayoutOracle(unittest.TestCase):
    def test_random_layouts_agree_with_the_c_compiler(self):
        defs = generate(SEED, COUNT)
        want = compiler_says(c_program(defs)).split("\n")
        lib = sigbind.load(None, "")
        bad = []
        for full, _, s, _ in defs:
            try:
                lib.declare(s)
            except sigbind.SignatureError as e:
                bad.append("sigbind refused %s: %s\n%s" % (full, e.reason, s))
        if bad:
            self.fail("sigbind refused %d of %d definitions (seed %d); first ones:\n\n%s"
                      % (len(bad), COUNT, SEED, "\n\n".join(bad[:5])))
        got = sigbind_lines(lib, defs)
        self.assertEqual(len(got), len(want) - 1)
        for g, w in zip(got, want):
            if g != w:
                full = w.split(" ")[0] + " " + w.split(" ")[1]
                text = next(s for f, _, s, _ in defs if f == full)
                bad.append("sigbind: %s\n    cc: %s\n%s" % (g, w, text))
        if bad:
            self.fail("%d of %d layout facts differ (seed %d, %d layouts); first ones:\n\n%s"
                      % (len(bad), len(got), SEED, COUNT, "\n\n".join(bad[:5])))


if __name__ == "__main__":
    unittest.main()
