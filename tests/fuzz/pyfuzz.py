#!/usr/bin/env python3
"""pyfuzz.py — a structure-aware fuzzer of sigbind's Python face: random prototypes, struct
declarations and argument objects (evil ones included), checked for crashes and wrong values.

Every action only uses what sigbind documents as safe (no raw addresses, no lengths that lie
to C): whatever happens must be a result equal to the C value or a Python exception. A crash,
a sanitizer report or a wrong value is a bug. Run it under the ASan build (the suite does, for
a few seconds) or for as long as wanted:

    SIGBIND_TESTLIB=build/testlib/libsbtest.so PYTHONPATH=build/python \\
        python3 tests/fuzz/pyfuzz.py --seconds 600 --seed 1

It prints the seed and the number of actions; a failure prints the action and re-raises.
"""
import argparse
import gc
import os
import random
import sys
import time

import sigbind

SCALARS = {  # C type -> (min, max) of the integers it holds; floats: None
    "signed char": (-128, 127), "unsigned char": (0, 255), "short": (-2 ** 15, 2 ** 15 - 1),
    "unsigned short": (0, 2 ** 16 - 1), "int": (-2 ** 31, 2 ** 31 - 1), "unsigned int": (0, 2 ** 32 - 1),
    "long": (-2 ** 63, 2 ** 63 - 1), "unsigned long": (0, 2 ** 64 - 1), "long long": (-2 ** 63, 2 ** 63 - 1),
    "int8_t": (-128, 127), "uint8_t": (0, 255), "int16_t": (-2 ** 15, 2 ** 15 - 1), "uint16_t": (0, 2 ** 16 - 1),
    "int32_t": (-2 ** 31, 2 ** 31 - 1), "uint32_t": (0, 2 ** 32 - 1), "int64_t": (-2 ** 63, 2 ** 63 - 1),
    "uint64_t": (0, 2 ** 64 - 1), "size_t": (0, 2 ** 64 - 1), "bool": (0, 1), "float": None, "double": None,
}
IDENT = {  # identity functions of the test library, by C type
    "signed char": "t_schar", "unsigned char": "t_uchar", "short": "t_short", "unsigned short": "t_ushort",
    "int": "t_int", "unsigned int": "t_uint", "long": "t_long", "unsigned long": "t_ulong",
    "long long": "t_llong", "int8_t": "t_i8", "uint8_t": "t_u8", "int16_t": "t_i16", "uint16_t": "t_u16",
    "int32_t": "t_i32", "uint32_t": "t_u32", "int64_t": "t_i64", "uint64_t": "t_u64", "size_t": "t_size",
    "bool": "t_bool", "double": "t_double",
}


class Fuzz:
    def __init__(self, rng, testlib):
        self.r = rng
        self.box = []  # a container evil objects mutate
        self.lib = sigbind.load(testlib)
        self.ident = {t: self.lib.bind("%s %s(%s x)" % (t, f, t)) for t, f in IDENT.items()}
        self.libc = sigbind.load(None, """
            void *memset(void *s, int c, size_t n);
            int abs(int x);
            void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *) [[noescape]]);
        """)
        self.actions = 0

    # -------------------------------------------------------------- values
    def integer(self, lo=None, hi=None):
        r = self.r
        if lo is not None and r.random() < 0.6:
            return r.randint(lo, hi)
        return r.choice([0, 1, -1, 2 ** 7, 2 ** 8, 2 ** 15, 2 ** 16, 2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64,
                         -2 ** 63 - 1, r.getrandbits(r.randint(1, 200)) * r.choice([1, -1])])

    def evil(self, value):
        """An object whose __index__/__float__ runs code that mutates or re-enters, then answers or fails."""
        fuzz, r = self, self.r
        mode = r.randrange(7)

        class Evil:
            def __index__(self):
                if mode == 0:
                    fuzz.box.clear()
                elif mode == 1:
                    fuzz.box.extend([1] * r.randint(1, 50))
                elif mode == 2:
                    fuzz.ident["int"](r.randint(-5, 5))  # re-enters sigbind
                elif mode == 3:
                    raise ValueError("evil")
                elif mode == 4:
                    return "not an int"
                elif mode == 5:
                    gc.collect()
                return value

            def __float__(self):
                self.__index__()
                return float(value)

            def __bool__(self):
                fuzz.box.clear()
                return bool(value)
        return Evil()

    def value(self, ctype):
        r = self.r
        rng = SCALARS.get(ctype)
        k = r.randrange(10)
        if k < 5:
            return self.integer(*(rng or (None, None))) if ctype not in ("float", "double") else r.uniform(-1e9, 1e9)
        if k == 5:
            return self.evil(self.integer(*(rng or (-100, 100))) if ctype not in ("float", "double") else 1)
        return r.choice([None, "x", b"y", 1.5, True, [1], {"a": 1}, object(), sigbind.new("int[2]"), 2 ** 70])

    def values(self, ctype, n):
        vals = [self.value(ctype) for _ in range(n)]
        self.box[:] = vals
        return self.box if self.r.random() < 0.5 else list(vals)

    # -------------------------------------------------------------- checks
    def expect_roundtrip(self, ctype, v, got):
        """A plain value that converted must come back as C holds it."""
        if type(v) is bool or type(v) is int:
            rng = SCALARS[ctype]
            if ctype == "bool":
                assert got == bool(v), (ctype, v, got)
            elif rng and rng[0] <= v <= rng[1]:
                assert got == v, (ctype, v, got)
        elif type(v) is float and ctype == "double":
            assert got == v, (ctype, v, got)

    # -------------------------------------------------------------- actions
    def act_scalar_call(self):
        ctype = self.r.choice(list(IDENT))
        v = self.value(ctype)
        try:
            got = self.ident[ctype](v)
        except (TypeError, ValueError, OverflowError):
            return
        self.expect_roundtrip(ctype, v, got)

    def act_new_array(self):
        ctype = self.r.choice([t for t in SCALARS if t != "bool"])
        n = self.r.randint(0, 12)
        vals = self.values(ctype, self.r.randint(0, n))
        snapshot = list(vals)
        try:
            p = sigbind.new("%s[%d]" % (ctype, n) if n else "%s[]" % ctype, vals)
        except (TypeError, ValueError, OverflowError, IndexError):
            return
        out = list(p)
        assert len(out) == (n or len(snapshot)), (ctype, n, len(out))
        for v, got in zip(snapshot, out):
            self.expect_roundtrip(ctype, v, got)

    def act_slice(self):
        ctype = self.r.choice(["int", "double", "uint8_t", "int64_t", "short"])
        n = self.r.randint(1, 10)
        p = sigbind.new("%s[%d]" % (ctype, n))
        before = list(p)
        a = self.r.randint(0, n)
        b = self.r.randint(a, n)
        vals = self.values(ctype, b - a if self.r.random() < 0.8 else self.r.randint(0, n))
        try:
            p[a:b] = vals
        except (TypeError, ValueError, OverflowError, IndexError):
            assert list(p) == before, "a failed slice assignment wrote"  # all or nothing

    def struct_decl(self, name):
        r = self.r
        members = []
        for i in range(r.randint(1, 6)):
            t = r.choice(["int", "char", "double", "uint8_t", "short", "int64_t", "float", "unsigned int"])
            k = r.randrange(6)
            if k == 0:
                members.append("%s m%d[%d];" % (t, i, r.randint(1, 5)))
            elif k == 1 and t in ("int", "unsigned int", "short", "uint8_t", "char"):
                members.append("%s m%d : %d;" % (t, i, r.randint(1, 8)))
            elif k == 2:
                members.append("struct { int a; %s b; } m%d;" % (t, i))
            else:
                members.append("%s m%d;" % (t, i))
        packed = " [[packed]]" if r.random() < 0.2 else ""
        return "struct %s {%s}%s;" % (name, " ".join(members), packed), len(members)

    def act_struct(self):
        name = "s%d" % self.r.randrange(1000000)
        decl, nmem = self.struct_decl(name)
        try:
            lib = sigbind.load(None, decl)
        except sigbind.SignatureError:
            return
        size = lib.sizeof("struct " + name)
        assert size > 0
        k = self.r.randrange(3)
        if k == 0:
            init = self.values("int", self.r.randint(0, nmem + 1))
        elif k == 1:
            init = {"m%d" % i: self.value("int") for i in range(self.r.randint(0, nmem))}
            if self.r.random() < 0.5:
                init["m0"] = self.evil(1)
        else:
            init = None
        try:
            s = lib.new("struct " + name, init) if init is not None else lib.new("struct " + name)
        except (TypeError, ValueError, OverflowError, IndexError, KeyError, AttributeError):
            return
        for i in range(nmem):
            try:
                setattr(s, "m%d" % i, self.value("int"))
                getattr(s, "m%d" % i)
            except (TypeError, ValueError, OverflowError, IndexError, AttributeError):
                pass
        arr = lib.new("struct %s[3]" % name)
        try:
            arr[1] = s
        except (TypeError, ValueError):
            pass

    def act_signature(self):
        r = self.r
        parts = [r.choice(list(SCALARS) + ["void", "const char *", "void *", "struct nope *"]),
                 "f", "("]
        for i in range(r.randint(0, 5)):
            parts += [r.choice(list(SCALARS) + ["int *", "double (*)(int)", "..."]), "a%d" % i,
                      r.choice(["", " = 1", " = NULL", " [[out]]"]), ","]
        parts += [")", r.choice(["", " [[nogil]]", " [[errno(-1)]]", " [[free]]"])]
        text = " ".join(parts).replace(", )", ")")
        if r.random() < 0.5:  # mutate: drop, repeat or insert a character
            i = r.randrange(len(text) + 1)
            text = text[:i] + r.choice(["", "(", ")", "[[", "*", ",", "\xff", "\0", text[i:i + 3]]) + text[i + 1:]
        try:
            sigbind.signature(text)
        except (sigbind.SignatureError, ValueError):
            pass

    def act_callback(self):
        data = sigbind.new("int[6]", [self.r.randint(-9, 9) for _ in range(6)])
        mode = self.r.randrange(3)

        def cmp(a, b):
            if mode == 1 and self.r.random() < 0.3:
                raise ValueError("cmp")
            if mode == 2:
                gc.collect()
            return sigbind.cast("int *", a)[0] - sigbind.cast("int *", b)[0]
        hook = getattr(sys, "unraisablehook", None)
        if hook:
            sys.unraisablehook = lambda u: None
        try:
            self.libc.qsort(data, 6, 4, sigbind.callback("int (const void *, const void *)", cmp))
        finally:
            if hook:
                sys.unraisablehook = hook
        if mode == 0:
            assert list(data) == sorted(data), list(data)

    def step(self):
        action = self.r.choice([self.act_scalar_call, self.act_new_array, self.act_slice, self.act_struct,
                                self.act_signature, self.act_callback])
        self.last = action.__name__
        action()
        self.actions += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("SB_PYFUZZ_SECONDS", "10")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SB_PYFUZZ_SEED", "0")) or None)
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(2 ** 32)
    testlib = os.environ.get("SIGBIND_TESTLIB")
    if not testlib:
        sys.exit("pyfuzz: set SIGBIND_TESTLIB to the test library (build/testlib/libsbtest.so)")
    fz = Fuzz(random.Random(seed), testlib)
    print("pyfuzz: seed %d, %.0f s, sigbind %s, CPython %s" % (seed, a.seconds, sigbind.__version__,
                                                            sys.version.split()[0]), flush=True)
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        try:
            fz.step()
        except AssertionError:
            print("pyfuzz: wrong value in %s after %d actions (seed %d)" % (fz.last, fz.actions, seed))
            raise
    print("pyfuzz: %d actions, no crash, no wrong value" % fz.actions)


if __name__ == "__main__":
    main()
