# test_cface_slots.py — special methods of C-face classes in the type's slots (tests/cface/cface_slots.c): results, Python subclasses, NotImplemented, hash, hostile operands, iteration under mutation, opt-in __dict__/__weakref__.
import gc
import sys
import unittest
import weakref

import cface_slots as m


class SlotResults(unittest.TestCase):
    def test_protocols_give_the_methods_results(self):
        v = m.Vec(5)
        self.assertEqual(len(v), 5)
        self.assertIn(3, v)
        self.assertNotIn(7, v)
        self.assertEqual(v[2], 2)
        self.assertEqual(list(v), [0, 1, 2, 3, 4])
        self.assertEqual(v(3), 8)
        self.assertEqual(v(x=4), 9)
        v[0] = 9
        del v[1]
        self.assertEqual(list(v), [9, 2, 3, 4])

    def test_special_methods_stay_callable_by_name(self):
        v = m.Vec(3)
        self.assertEqual(v.__len__(), 3)
        self.assertEqual(m.Vec.__getitem__(v, 1), 1)
        self.assertTrue(v.__contains__(2))
        self.assertIs(v.__eq__(3), NotImplemented)

    def test_sequence_protocol_sees_the_class(self):
        import operator
        v = m.Vec(4)
        self.assertEqual(operator.getitem(v, 3), 3)
        self.assertEqual(operator.length_hint(v), 4)
        self.assertEqual(sorted(v, reverse=True), [3, 2, 1, 0])

    def test_errors_name_the_method_and_parameter(self):
        v = m.Vec(2)
        with self.assertRaises(TypeError) as cm:
            v["a"]
        self.assertIn("__getitem__", str(cm.exception))
        self.assertIn("'i'", str(cm.exception))
        with self.assertRaises(IndexError):
            v[5]
        with self.assertRaises(TypeError) as cm:
            m.Vec("x")
        self.assertIn("'n'", str(cm.exception))
        with self.assertRaises(ValueError):
            m.Vec(17)
        with self.assertRaises(TypeError):
            v(1, 2)
        with self.assertRaises(TypeError):
            v(y=1)

    def test_repr_str_and_numbers(self):
        n = m.Num(3)
        self.assertEqual(repr(n), "<Num>")
        self.assertEqual(repr(m.Num(0)), "<Num zero>")
        self.assertEqual(str(n), "non-negative")
        self.assertEqual(str(m.Num(-1)), "negative")
        self.assertEqual((n + m.Num(4)).v, 7)
        self.assertEqual((2 + n).v, 5)


class Comparisons(unittest.TestCase):
    def test_eq_and_ne_with_a_foreign_operand(self):
        v = m.Vec(3)
        self.assertTrue(v == m.Vec(3))
        self.assertFalse(v != m.Vec(3))
        self.assertTrue(v != m.Vec(2))
        self.assertFalse(v == 3)
        self.assertTrue(v != "x")
        self.assertTrue(3 != v)

    def test_eq_raising_propagates_through_eq_and_ne(self):
        bad = m.Num(-999)
        with self.assertRaises(ValueError):
            bad == m.Num(1)
        with self.assertRaises(ValueError):
            bad != m.Num(1)
        with self.assertRaises(ValueError):
            [m.Num(1)].index(bad)

    def test_ordering_declared_and_undeclared(self):
        self.assertTrue(m.Num(1) < m.Num(2))
        self.assertFalse(m.Num(2) < m.Num(1))
        self.assertTrue(m.Num(2) > m.Num(1))  # reflected __lt__
        with self.assertRaises(TypeError):
            m.Num(1) <= m.Num(2)
        with self.assertRaises(TypeError):
            m.Num(1) < 3

    def test_eq_without_hash_is_unhashable(self):
        self.assertIsNone(m.Vec.__hash__)
        with self.assertRaises(TypeError):
            hash(m.Vec(1))

    def test_hash_follows_cpython_rules(self):
        self.assertEqual(hash(m.Num(12)), 12)
        self.assertEqual(hash(m.Num(-1)), -2)
        self.assertEqual(len({m.Num(5), m.Num(5), m.Num(6)}), 2)


class PythonSubclasses(unittest.TestCase):
    def test_overriding_special_methods_wins(self):
        class V(m.Vec):
            def __len__(self):
                return 42

            def __getitem__(self, i):
                return ("py", i)

            def __eq__(self, other):
                return "eq"

            def __call__(self, *a):
                return "called"

            def __iter__(self):
                return iter("ab")

        v = V(3)
        self.assertEqual(len(v), 42)
        self.assertEqual(v[1], ("py", 1))
        self.assertEqual(v == 1, "eq")
        self.assertEqual(v(), "called")
        self.assertEqual(list(v), ["a", "b"])
        self.assertIn(2, v)  # inherited __contains__ is the C one
        self.assertEqual(m.Vec.__len__(v), 3)

    def test_inherited_slots_reach_the_base_methods(self):
        class V(m.Vec):
            pass

        v = V(4)
        self.assertEqual((len(v), v[3], list(v), v(1)), (4, 3, [0, 1, 2, 3], 5))
        self.assertTrue(v == m.Vec(4))

    def test_len_override_returning_non_int_or_negative(self):
        class S(m.Vec):
            def __len__(self):
                return "x"

        class N(m.Vec):
            def __len__(self):
                return -1

        with self.assertRaises(TypeError):
            len(S(1))
        with self.assertRaises(ValueError):
            len(N(1))

    def test_subclass_init_calls_super(self):
        class V(m.Vec):
            def __init__(self, n, tag):
                super().__init__(n)
                self.tag = tag

        v = V(2, "t")
        self.assertEqual((list(v), v.tag), ([0, 1], "t"))

    def test_subclass_without_super_init_is_unbuilt(self):
        class V(m.Vec):
            def __init__(self):
                pass

        with self.assertRaises(TypeError) as cm:
            len(V())
        self.assertIn("not initialised", str(cm.exception))


class Hostile(unittest.TestCase):
    def test_iterating_while_the_container_shrinks(self):
        v = m.Vec(6)
        seen = []
        for x in v:
            seen.append(x)
            if len(v) > 2:
                del v[len(v) - 1]
        self.assertEqual(seen, [0, 1, 2])

    def test_container_dropped_mid_iteration(self):
        v = m.Vec(4)
        it = iter(v)
        self.assertEqual(next(it), 0)
        ref = it.vec
        del v, ref
        gc.collect()
        self.assertEqual(list(it), [1, 2, 3])
        self.assertEqual(list(it), [])

    def test_index_that_drops_and_mutates_the_container(self):
        holder = [m.Vec(5)]

        class Evil:
            def __index__(self):
                v = holder.pop()
                del v[0]
                del v[0]
                return 4

        v = holder[0]
        with self.assertRaises(IndexError):
            v[Evil()]
        self.assertEqual(len(v), 3)

    def test_key_argument_freed_during_setitem(self):
        v = m.Vec(3)

        class Evil:
            def __index__(self):
                gc.collect()
                return 1

        v[Evil()] = 7
        self.assertEqual(v[1], 7)

    def test_eq_against_an_object_whose_eq_raises(self):
        class Boom:
            def __eq__(self, other):
                raise RuntimeError("boom")

        with self.assertRaises(RuntimeError):
            Boom() == m.Vec(1)
        with self.assertRaises(RuntimeError):
            m.Vec(1) == Boom()  # Vec says NotImplemented, then Boom's reflected __eq__ runs

    def test_call_keywords_hold_their_values(self):
        v = m.Vec(2)
        self.assertEqual(v(**{"x": 5}), 7)
        with self.assertRaises(TypeError):
            v(**{"x": 1, "y": 2})


OFFSETS = sys.version_info >= (3, 9)  # __dictoffset__/__weaklistoffset__ in PyType_FromSpec



class NumberSlots(unittest.TestCase):
    def test_each_operator_reaches_its_method(self):
        z = m.Z(5)
        self.assertEqual((z + 1, z - 1, z * 3, z / 2, z // 2, z % 3), (6, 4, 15, 2.5, 2, 2))
        self.assertEqual((z ** 2, z << 1, z >> 1, z & 4, z | 2, z ^ 1, z @ 3), (27, 10, 2, 4, 7, 4, 503))
        self.assertEqual((divmod(z, 2), divmod(3, z)), (52, 35))
        self.assertEqual((-z, +z, abs(m.Z(-4)), ~z), (-5, 6, 4, -6))
        self.assertEqual((int(z), float(z), list(range(10))[z]), (10, 2.5, 5))
        self.assertTrue(z)
        self.assertFalse(m.Z(7))

    def test_instance_on_either_side(self):
        z = m.Z(5)
        self.assertEqual(z + 1, 6)        # __add__
        self.assertEqual(1 + z, 1005)     # int declines, then __radd__ with the instance second
        self.assertEqual(10 - z, 5)       # __rsub__
        with self.assertRaises(TypeError):
            3 * z                         # no __rmul__: the shared slot answers NotImplemented
        self.assertIs(m.Z.__radd__(z, "x"), NotImplemented)
        self.assertEqual(m.Z.__radd__(z, 2), 2005)

    def test_operands_that_do_not_convert_get_notimplemented(self):
        z = m.Z(5)
        for bad in ("a", None, 1.5, m.Num(1)):
            with self.subTest(bad=bad):
                with self.assertRaises(TypeError) as cm:
                    z + bad
                self.assertIn("unsupported operand", str(cm.exception))
        self.assertIs(z.__add__("a"), NotImplemented)
        with self.assertRaises(TypeError):
            m.Z(1) + m.Z(2)               # one type: __radd__ is not tried, as in Python

    def test_inplace_forms_and_fallback(self):
        z = m.Z(1)
        same = z
        z += 3                            # __iadd__ returns self
        self.assertIs(z, same)
        self.assertEqual(z.v, 7)
        z |= 8
        self.assertIs(z, same)
        self.assertEqual(z.v, 15)
        y = m.Z(4)
        y -= 1                            # no __isub__: falls back to __sub__
        self.assertEqual(y, 3)
        w = m.Z(1)
        with self.assertRaises(TypeError):
            w += "a"                      # __iadd__ and __add__ both decline

    def test_pow_with_modulus_passes_it_to_pow(self):
        with self.assertRaises(TypeError) as cm:
            pow(m.Z(2), 2, 5)
        self.assertIn("__pow__", str(cm.exception))

    def test_c_subclass_reflected_method_goes_first(self):
        self.assertEqual(m.Z(2) + m.ZSub(3), -3002)   # ZSub.__radd__ before Z.__add__
        self.assertEqual(m.ZSub(3) + 1, 4)             # inherited __add__
        with self.assertRaises(TypeError):
            1 + m.ZSub(3)                              # its own __radd__ takes a Z only

    def test_python_subclass_overriding_add(self):
        class S(m.Z):
            def __add__(self, o):
                return ("S", super().__add__(o))
        self.assertEqual(S(2) + 1, ("S", 3))
        self.assertEqual(1 + S(2), 1002)               # the inherited __radd__
        self.assertEqual(m.Z.__add__(S(2), 1), 3)

        class R(m.Z):
            def __radd__(self, o):
                return ("R", super().__radd__(o))
        self.assertEqual(R(2) + 1, 3)
        self.assertEqual(1 + R(2), ("R", 1002))
        self.assertEqual(m.Z(1) + R(2), ("R", NotImplemented))  # the subclass's reflected method first

        class P(m.Z):
            pass
        self.assertEqual((P(2) + 1, 1 + P(2), -P(2), bool(P(7))), (3, 1002, -2, False))

    def test_bool_returning_an_int_is_refused(self):
        with self.assertRaises(TypeError) as cm:
            bool(m.ZIntBool())
        self.assertIn("__bool__ should return bool, returned int", str(cm.exception))
        with self.assertRaises(TypeError):
            if m.ZIntBool():
                pass

    def test_index_that_raises_propagates(self):
        with self.assertRaises(ValueError) as cm:
            [1, 2][m.Z(-1)]
        self.assertIn("Z(-1) has no index", str(cm.exception))
        import operator
        with self.assertRaises(ValueError):
            operator.index(m.Z(-1))


class NumberHostile(unittest.TestCase):
    def test_operand_whose_index_raises_is_not_converted(self):
        class Bad:
            def __index__(self):
                raise RuntimeError("index called")
        with self.assertRaises(TypeError) as cm:
            m.Z(1) + Bad()                 # NotImplemented: the operand is no int, __index__ never runs
        self.assertIn("unsupported operand", str(cm.exception))
        with self.assertRaises(TypeError):
            Bad() - m.Z(1)

    def test_operand_whose_radd_wins(self):
        class W:
            def __radd__(self, o):
                return ("W", o.v)
            def __rmatmul__(self, o):
                return "W@"
        self.assertEqual(m.Z(4) + W(), ("W", 4))
        self.assertEqual(m.Z(4) @ W(), "W@")

    def test_operand_whose_radd_raises(self):
        class E:
            def __radd__(self, o):
                raise KeyError("radd")
        with self.assertRaises(KeyError):
            m.Z(4) + E()

    def test_int_subclass_operand_converts(self):
        class I(int):
            def __index__(self):
                raise RuntimeError("not used for an int")
        self.assertEqual(m.Z(4) + I(3), 7)
        self.assertEqual(I(3) + m.Z(4), 3004)  # int declines a Z, then Z.__radd__ converts the int subclass


class GetattrSlot(unittest.TestCase):
    def test_getattr_runs_only_when_lookup_fails(self):
        n = m.Num(3)
        self.assertEqual(n.abc, 3)
        self.assertEqual(n.v, 3)                       # a field: no __getattr__ call
        self.assertEqual(n.getattr_calls, 1)
        with self.assertRaises(AttributeError) as cm:
            n.missing
        self.assertIn("missing", str(cm.exception))
        self.assertFalse(hasattr(n, "missing"))
        self.assertEqual(m.Num.__getattr__(n, "xy"), 2)  # still callable by name

    def test_python_subclass_getattr_wins_and_reaches_super(self):
        class S(m.Num):
            def __getattr__(self, name):
                if name == "mine":
                    return "S"
                return ("up", super().__getattr__(name))
        s = S(1)
        self.assertEqual(s.mine, "S")
        self.assertEqual(s.abcd, ("up", 4))
        self.assertEqual(s.getattr_calls, 1)            # the base's ran once, through super()

    def test_python_subclass_getattribute_then_the_base_getattr(self):
        class G(m.Num):
            def __getattribute__(self, name):
                if name == "zz":
                    return "G"
                return super().__getattribute__(name)
        g = G(1)
        self.assertEqual((g.zz, g.abc, g.v), ("G", 3, 1))
        self.assertEqual(g.getattr_calls, 1)

    def test_getattr_is_the_types_own_slot_not_cpythons_hook(self):
        # tp_getattro (PyTypeObject offset 144 on 3.7-3.13) is class.c's entry, in the module's text;
        # a Python subclass gets CPython's slot_tp_getattr_hook (libpython), which calls it as
        # __getattribute__ and then the __getattr__ its MRO gives, once
        import ctypes

        def in_module(cls):
            addr = ctypes.c_void_p.from_address(id(cls) + 144).value
            with open("/proc/self/maps") as f:
                for line in f:
                    parts = line.split()
                    lo, hi = (int(x, 16) for x in parts[0].split("-"))
                    if lo <= addr < hi:
                        return parts[-1] == m.__file__
            return False
        self.assertTrue(in_module(m.Num))
        self.assertEqual(type(m.Num.__dict__["__getattr__"]).__name__, "method_descriptor")

        class T(m.Num):
            pass
        self.assertFalse(in_module(T))
        t = T(2)
        self.assertEqual((t.abcd, t.v), (4, 2))
        self.assertEqual(t.getattr_calls, 1)  # once: the hook's __getattribute__ leaves it to __getattr__
        n = m.Num(2)
        self.assertEqual(m.Num.__getattribute__(n, "abcde"), 5)  # the slot's wrapper: lookup, then __getattr__

    def test_getattr_error_other_than_attributeerror_propagates(self):
        n = m.Num(1)
        with self.assertRaises(ValueError):
            getattr(n, "\udc80", None)  # getattr's default only swallows AttributeError

    def test_getattr_with_a_name_that_does_not_convert(self):
        n = m.Num(1)
        with self.assertRaises(ValueError) as cm:       # not UTF-8: the const char * conversion refuses it
            getattr(n, "\udc80")
        self.assertIn("'name'", str(cm.exception))

class InstanceSlots(unittest.TestCase):
    def test_plain_class_has_no_dict_or_weakref(self):
        p = m.Plain()
        p.a = 3
        self.assertEqual(p.a, 3)
        self.assertFalse(hasattr(p, "__dict__"))
        with self.assertRaises(AttributeError):
            p.other = 1
        with self.assertRaises(TypeError):
            weakref.ref(p)
        self.assertNotIn("__weakref__", dir(m.Plain))

    def test_plain_instance_is_two_words_smaller_than_open(self):
        if not OFFSETS:
            self.skipTest("SB_DICT/SB_WEAKREF are ignored before CPython 3.9")
        self.assertEqual(m.Open.__basicsize__ - m.Plain.__basicsize__, 2 * 8 if sys.maxsize > 2**32 else 8)
        self.assertLessEqual(m.Plain.__basicsize__, 48)

    def test_open_class_has_both(self):
        if not OFFSETS:
            self.skipTest("SB_DICT/SB_WEAKREF are ignored before CPython 3.9")
        o = m.Open()
        o.a = 5
        o.extra = [1]
        self.assertEqual(o.__dict__, {"extra": [1]})
        self.assertEqual(o.a, 5)  # the field is not in the dict, and the dict does not overlap the struct
        r = weakref.ref(o)
        self.assertIs(r(), o)
        del o
        gc.collect()
        self.assertIsNone(r())

    def test_dict_cycle_is_collected(self):
        if not OFFSETS:
            self.skipTest("SB_DICT/SB_WEAKREF are ignored before CPython 3.9")
        o = m.Open()
        o.me = o
        r = weakref.ref(o)
        del o
        gc.collect()
        self.assertIsNone(r())

    def test_c_subclass_struct_does_not_overlap_the_base_dict(self):
        o = m.OpenSub()
        o.a, o.b, o.c = 1, 2, 3
        if OFFSETS:
            o.x = "y"
            r = weakref.ref(o)
            self.assertEqual(o.__dict__, {"x": "y"})
            self.assertIs(r(), o)
        self.assertEqual((o.a, o.b, o.c), (1, 2, 3))
        del o
        gc.collect()

    def test_python_subclass_of_plain_gets_its_own_dict_and_weakref(self):
        class P(m.Plain):
            pass

        p = P()
        p.a = 7
        p.x = "y"
        self.assertEqual((p.a, p.__dict__), (7, {"x": "y"}))
        self.assertIs(weakref.ref(p)(), p)


class FreeList(unittest.TestCase):
    def test_dead_instance_is_reused_fully_reinitialised(self):
        p = m.Pooled(5)
        p.obj = [1, 2]
        addr = p.addr()
        del p
        q = m.Pooled.__new__(m.Pooled)  # not yet built: the struct is zero and refused to C code
        self.assertEqual((q.a, q.obj), (0, None))
        with self.assertRaises(TypeError):
            q.addr()
        q.__init__(1)
        self.assertEqual(q.addr(), addr)
        self.assertEqual((q.a, q.obj), (1, None))

    def test_reuse_is_bounded_and_types_stay_referenced(self):
        before = sys.getrefcount(m.Pooled)
        made = [m.Pooled(i) for i in range(10)]
        addrs = {p.addr() for p in made}
        del made
        again = [m.Pooled(i) for i in range(10)]
        self.assertGreaterEqual(len(addrs & {p.addr() for p in again}), 4)
        self.assertEqual([p.a for p in again], list(range(10)))
        del again
        self.assertEqual(sys.getrefcount(m.Pooled), before)

    def test_cycles_through_kept_instances_are_collected(self):
        p = m.Pooled(1)
        p.obj = p
        r = m.Pooled(2)
        del p
        gc.collect()
        q = m.Pooled(3)
        self.assertEqual((q.a, q.obj, r.a), (3, None, 2))

    def test_subclass_instances_are_not_kept(self):
        class P(m.Pooled):
            pass

        for _ in range(3):
            p = P(4)
            p.x = 1
            del p
        self.assertEqual(P(2).a, 2)


# Expressions whose outcome (result or exception type and message) must not depend on whether the
# slots are typed entries (class.c "Typed entries") or the generic way (SIGBIND_GENERIC_SLOTS=1).
ORACLE = r"""
import json, sys
import cface_slots as m
class I(int):
    pass
class Idx:
    def __index__(self):
        t.v = 9
        return 3
class S(m.Ty):
    pass
t = m.Ty(3)
w = m.TyWide()
def wv(v):
    w.v = v
    return w
sp = m.TySpec(3)
class SS(m.TySpec):
    pass
class IdxS:  # hostile: changes the instance being indexed, then gives an index
    def __init__(self, s):
        self.s = s
    def __index__(self):
        self.s.v = 9
        return 2
def unbuilt():
    return m.TySpec.__new__(m.TySpec)
e = m.TyErr()
def ev(v):
    e.v = v
    return e
out = []
for e in sys.argv[1:]:
    try:
        r = eval(e)
        out.append(["ok", repr(r)])
    except Exception as x:
        out.append([type(x).__name__, str(x)])
print(json.dumps(out))
"""

ORACLE_EXPRS = [
    "len(m.Ty(5))", "len(m.Ty(-1))", "len(m.Ty(1000))", "len(wv(2**63 - 1))", "len(wv(2**64 - 1))",
    "3 in t", "4 in t", "2**31 in t", "-2**31 - 1 in t", "2**70 in t", "'3' in t", "3.0 in t", "None in t",
    "True in t", "1000 in t", "I(3) in t", "Idx() in t",
    "t[1]", "t['k']", "t[None]", "t[b'x']", "wv(0)[5]", "wv(0)[255]", "wv(0)[256]", "wv(0)[-1]", "wv(0)['x']", "wv(0)[I(3)]",
    "list(m.Ty(4))", "list(wv(3))", "next(m.Ty(500))",
    "t == m.Ty(3)", "t == m.Ty(4)", "t != m.Ty(3)", "t == 3", "t == 'x'", "t == wv(1)", "t == S(3)", "S(3) == t",
    "t == m.Ty(1000)", "t != m.Ty(1000)", "t != m.Ty(4)", "t != 3", "t != S(3)", "m.Ty.__new__(m.Ty) != t",
    "t != m.Ty.__new__(m.Ty)", "t < 4", "t < 'x'", "t.__lt__(2**70)",
    "hash(m.Ty(5))", "hash(m.Ty(-1))", "hash(wv(2**64 - 1))", "hash(wv(2**63))", "hash(wv(7))",
    "t(True)", "t(False)", "t(1)", "t(None)", "t()", "t(True, False)", "t(neg=True)", "t(x=True)", "wv(1)()",
    "wv(2)()", "wv(1)(1)",
    "m.Ty(3).v", "m.Ty(v=4).v", "m.Ty('3')", "m.Ty(2**64)", "m.Ty()", "m.Ty(99)", "m.Ty(I(5)).v",
    "len(m.Ty.__new__(m.Ty))", "m.Ty.__new__(m.Ty) == t", "t == m.Ty.__new__(m.Ty)",
    "len(e)", "len(ev(-3))", "3 in ev(3)", "2 in ev(3)", "-1 in ev(3)", "ev(3)[0]", "ev(3)[2]", "ev(3)[7]",
    "ev(3)[-1]", "e(5)", "e(None)", "m.Vec(3)[5]", "m.Vec(17)", "list(m.Vec(3))",
    # the specialised entries (SB_ERRVALUE TySpec, TySpecIt) and everything they hand on
    "len(m.TySpec(5))", "len(m.TySpec(0))", "len(m.TySpec(1000))", "len(m.TySpec(-1))", "len(m.TySpec(-5))",
    "len(m.TySpec(2**62))", "len(SS(4))", "len(unbuilt())",
    "3 in sp", "2 in sp", "0 in m.TySpec(0)", "-1 in sp", "2**30 - 1 in m.TySpec(2**30 - 1)", "2**30 in m.TySpec(2**30)",
    "-2**30 in sp", "2**31 - 1 in m.TySpec(2**31 - 1)", "2**31 in sp", "-2**31 - 1 in sp", "2**70 in sp",
    "True in m.TySpec(1)", "I(3) in sp", "'3' in sp", "3.0 in sp", "None in sp", "3 in SS(3)", "3 in unbuilt()",
    "(lambda s: (IdxS(s) in s, s.v))(m.TySpec(3))",
    "sp[0]", "sp[2]", "sp[7]", "sp[-1]", "sp[-2**30 + 1]", "sp[2**30 - 1]", "sp[2**30]", "sp[-2**30]", "sp[2**40]",
    "sp[2**63]", "sp[-2**40]", "sp[-2**63 - 1]", "sp[True]", "sp[I(2)]", "sp['x']", "sp[None]", "sp[2.0]",
    "SS(3)[2]", "unbuilt()[1]", "(lambda s: (s[IdxS(s)], s.v))(m.TySpec(3))",
    "list(m.TySpec(4))", "list(m.TySpec(0))", "list(m.TySpec(1))", "next(m.TySpec(500))", "list(SS(3))",
    "next(unbuilt())", "list(m.TySpecIt(3))", "next(m.TySpecIt(500))", "next(m.TySpecIt(0))",
    "next(m.TySpecIt.__new__(m.TySpecIt))",
    "sp == m.TySpec(3)", "sp == m.TySpec(4)", "sp == m.TySpec(1000)", "sp != m.TySpec(3)", "sp != m.TySpec(4)",
    "sp == 3", "sp == None", "sp == SS(3)", "SS(3) == sp", "SS(3) == SS(3)", "sp == unbuilt()", "unbuilt() == sp",
    "sp < m.TySpec(4)", "sp < m.TySpec(2)", "sp > m.TySpec(1)", "sp < 3", "sp <= m.TySpec(3)", "sp == t",
    "sp + 1", "sp + 0", "sp + 7", "sp + -5", "sp + 2**30", "sp + 2**63", "sp + True", "sp + I(2)", "sp + 1.5",
    "sp + None", "1 + sp", "sp - 1", "sp - -2**30", "sp - 2**31", "SS(3) + 1", "unbuilt() + 1",
    "(lambda s: (s + IdxS(s), s.v))(m.TySpec(3))", "m.Vec(3) + 4", "m.Vec(3) + 2**40",
]


def outcomes(generic):
    import json
    import os
    import subprocess
    env = dict(os.environ)
    env.pop("SIGBIND_GENERIC_SLOTS", None)
    if generic:
        env["SIGBIND_GENERIC_SLOTS"] = "1"
    out = subprocess.check_output([sys.executable, "-c", ORACLE] + ORACLE_EXPRS, env=env)
    return json.loads(out.decode())


class TypedEntries(unittest.TestCase):
    """Slots whose method is self plus at most one int/bool/PyObject */instance argument are called
    straight from the slot (class.c "Typed entries"): same results and errors as the generic way."""

    def test_every_outcome_is_the_generic_ones(self):
        typed, generic = outcomes(False), outcomes(True)
        for expr, a, b in zip(ORACLE_EXPRS, typed, generic):
            self.assertEqual(a, b, expr)
        self.assertEqual(len(typed), len(ORACLE_EXPRS))

    def test_errvalue_classes_report_errors_returned_with_the_error_value(self):
        e = m.TyErr()
        e.v = 3
        self.assertEqual(len(e), 3)
        self.assertIn(3, e)
        self.assertNotIn(2, e)
        self.assertEqual(e[0], -1)  # the error value without an exception is a result
        self.assertEqual(e[2], 6)
        self.assertIs(e(e), e)
        e.v = -3
        with self.assertRaisesRegex(RuntimeError, r"len of TyErr\(-3\)"):
            len(e)
        with self.assertRaisesRegex(RuntimeError, "negative in TyErr"):
            -1 in e
        with self.assertRaisesRegex(IndexError, "TyErr index 7"):
            e[7]
        with self.assertRaisesRegex(TypeError, r"TyErr\(None\)"):
            e(None)

    def test_len_gives_the_length_and_refuses_negative_and_too_large(self):
        self.assertEqual(len(m.Ty(5)), 5)
        self.assertEqual(len(m.Ty(0)), 0)
        with self.assertRaisesRegex(ValueError, r"__len__\(\) should return >= 0"):
            len(m.Ty(-1))
        w = m.TyWide()
        w.v = 2**63 - 1
        self.assertEqual(len(w), 2**63 - 1)
        w.v = 2**64 - 1
        with self.assertRaisesRegex(OverflowError, "cannot fit 'int' into an index-sized integer"):
            len(w)

        class P:  # CPython's own wording for the same results
            def __init__(self, n):
                self.n = n

            def __len__(self):
                return self.n

        for n in (-1, 2**64 - 1):
            with self.assertRaises(Exception) as mine:
                len(m.Ty(n) if n < 0 else w)
            with self.assertRaises(Exception) as theirs:
                len(P(n))
            self.assertEqual((type(mine.exception), str(mine.exception)),
                             (type(theirs.exception), str(theirs.exception)))

    def test_an_exception_raised_in_c_wins_over_any_result(self):
        with self.assertRaisesRegex(RuntimeError, r"len of Ty\(1000\)"):
            len(m.Ty(1000))
        with self.assertRaisesRegex(RuntimeError, "1000 in Ty"):
            1000 in m.Ty(1)
        with self.assertRaisesRegex(RuntimeError, r"Ty\(1000\) compared"):
            m.Ty(1) == m.Ty(1000)
        with self.assertRaisesRegex(KeyError, "None or bytes"):
            m.Ty(1)[None]
        t = m.Ty(500)
        with self.assertRaisesRegex(RuntimeError, r"next of Ty\(500\)"):
            next(t)
        self.assertEqual(list(t), [])
        with self.assertRaisesRegex(ValueError, r"Ty\(99\) refused"):
            m.Ty(99)

    def test_contains_converts_like_the_function(self):
        t = m.Ty(3)
        self.assertIn(3, t)
        self.assertNotIn(4, t)
        with self.assertRaises(OverflowError):
            2**31 in t
        with self.assertRaises(TypeError):
            "3" in t

    def test_getitem_of_any_object_returns_it_and_drops_the_result_of_a_failed_call(self):
        t = m.Ty(1)
        key = object()
        before = sys.getrefcount(key)
        self.assertIs(t[key], key)
        self.assertEqual(sys.getrefcount(key), before)
        boom = b"boom"
        before = sys.getrefcount(boom)
        for _ in range(100):
            with self.assertRaises(KeyError):
                t[boom]
        self.assertEqual(sys.getrefcount(boom), before)
        with self.assertRaises(KeyError):
            t[None]

    def test_narrow_results_keep_their_width_and_sign(self):
        w = m.TyWide()
        self.assertEqual(w[5], -5)
        self.assertEqual(w[0], 0)
        self.assertEqual(w[255], -127)
        with self.assertRaises(OverflowError):
            w[256]
        w.v = 1
        self.assertEqual(w(), 0)  # (1 + 65535) as uint16_t
        w.v = 2
        self.assertEqual(w(), 1)
        t = m.Ty(7)
        self.assertEqual(t(False), 7)
        self.assertEqual(t(True), -7)
        t.v = 2**32 + 5
        self.assertEqual(t(False), 5)  # int32_t of the value
        self.assertEqual(t(True), -5)

    def test_iteration_ends_on_stop_iteration_and_on_a_null_result(self):
        self.assertEqual(list(m.Ty(4)), [4, 3, 2, 1])
        w = m.TyWide()
        w.v = 3
        self.assertEqual(list(w), [2, 1, 0])
        self.assertEqual(list(w), [])

    def test_eq_of_another_type_is_not_implemented(self):
        a, b = m.Ty(2), m.Ty(2)
        self.assertTrue(a == b)
        self.assertFalse(a != b)
        self.assertFalse(a == m.Ty(3))
        self.assertIs(a.__eq__(2), NotImplemented)
        self.assertIs(a.__eq__(m.TyWide()), NotImplemented)
        self.assertFalse(a == "2")
        self.assertTrue(a != None)  # noqa: E711 - the operator is the point
        self.assertTrue(a < 3)
        self.assertIs(a.__lt__("3"), NotImplemented)
        with self.assertRaises(TypeError):
            a < "3"

    def test_eq_with_a_subclass_instance_takes_the_generic_way_with_the_same_result(self):
        class S(m.Ty):
            pass

        a, s = m.Ty(2), S(2)
        self.assertTrue(a == s)
        self.assertTrue(s == a)
        self.assertFalse(a == S(1))
        self.assertEqual(len(S(3)), 3)
        self.assertEqual(list(S(2)), [2, 1])

    def test_hash_minus_one_is_minus_two_and_wide_hashes_are_the_ints(self):
        self.assertEqual(hash(m.Ty(5)), 5)
        self.assertEqual(hash(m.Ty(-1)), -2)
        self.assertEqual(hash(m.Ty(-2)), -2)
        w = m.TyWide()
        w.v = 2**64 - 1
        self.assertEqual(hash(w), hash(2**64 - 1))
        w.v = 2**63
        self.assertEqual(hash(w), hash(2**63))
        w.v = 12
        self.assertEqual(hash(w), 12)

    def test_call_binds_like_the_function(self):
        t = m.Ty(4)
        with self.assertRaises(TypeError):
            t()
        with self.assertRaises(TypeError):
            t(True, False)
        self.assertEqual(t(neg=True), -4)
        with self.assertRaises(TypeError):
            t(x=True)
        w = m.TyWide()
        with self.assertRaises(TypeError):
            w(1)

    def test_init_converts_and_marks_the_instance_built(self):
        self.assertEqual(m.Ty(3).v, 3)
        self.assertEqual(m.Ty(v=4).v, 4)
        with self.assertRaises(TypeError):
            m.Ty("3")
        with self.assertRaises(OverflowError):
            m.Ty(2**64)
        with self.assertRaises(TypeError):
            m.Ty()
        t = m.Ty.__new__(m.Ty)
        with self.assertRaisesRegex(TypeError, "not initialised"):
            len(t)
        with self.assertRaisesRegex(TypeError, "not initialised"):
            t == m.Ty(1)
        with self.assertRaisesRegex(TypeError, "not initialised"):
            m.Ty(1) == t
        t.__init__(6)
        self.assertEqual(len(t), 6)
        self.assertTrue(t == m.Ty(6))

    def test_hostile_index_and_int_subclasses_convert_through_the_generic_way(self):
        class I(int):
            pass

        class Idx:
            def __init__(self):
                self.calls = 0

            def __index__(self):
                self.calls += 1
                t.v = 9  # mutates the container during the conversion
                return 9

        t = m.Ty(3)
        self.assertIn(I(3), t)
        ix = Idx()
        self.assertIn(ix, t)  # converted first, then the method sees the mutated container
        self.assertEqual(t.v, 9)
        self.assertEqual(ix.calls, 1)
        w = m.TyWide()
        self.assertEqual(w[I(3)], -3)

    def test_instances_survive_class_reassignment_and_threads(self):
        import threading

        class S(m.Ty):
            def __len__(self):
                return 42

        t = S(2)
        self.assertEqual(len(t), 42)

        class S2(m.Ty):
            pass

        u = m.Ty(2)
        self.assertEqual(len(u), 2)
        v = S2(3)
        self.assertEqual(len(v), 3)
        try:
            v.__class__ = S
        except TypeError:
            pass
        else:
            self.assertEqual(len(v), 42)
        errors = []

        def work():
            try:
                for i in range(2000):
                    x = m.Ty(i % 50)
                    if len(x) != i % 50 or (i % 50) not in x or x != m.Ty(i % 50) or hash(x) != (i % 50):
                        errors.append(i)
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        self.assertEqual(errors, [])




def _outcome(fn, *a, **k):
    try:
        return ("ok", repr(fn(*a, **k)))
    except Exception as x:
        return (type(x).__name__, str(x))


HAVE_VECTORCALL = sys.version_info >= (3, 12)
VECTORCALL_FLAG = 1 << 11  # Py_TPFLAGS_HAVE_VECTORCALL


class SpecialisedEntries(unittest.TestCase):
    """SB_ERRVALUE classes: the commonest slot signatures have an entry of their own in front of the
    typed one (class.c "Specialised entries"); everything they do not take goes on to it. Their
    outcomes against the generic way: TypedEntries.test_every_outcome_is_the_generic_ones."""

    def test_len_results_and_errors(self):
        self.assertEqual(len(m.TySpec(5)), 5)
        self.assertEqual(len(m.TySpec(0)), 0)
        self.assertEqual(len(m.TySpec(2**62)), 2**62)
        with self.assertRaisesRegex(RuntimeError, r"len of TySpec\(1000\)"):
            len(m.TySpec(1000))
        for v in (-1, -5):  # a size_t past PY_SSIZE_T_MAX, the error value among them, without an exception
            with self.assertRaisesRegex(OverflowError, "cannot fit 'int' into an index-sized integer"):
                len(m.TySpec(v))

    def test_contains_takes_one_digit_ints_and_hands_the_rest_on(self):
        s = m.TySpec(3)
        self.assertIn(3, s)
        self.assertNotIn(2, s)
        self.assertIn(2**30 - 1, m.TySpec(2**30 - 1))  # the largest one-digit int
        self.assertIn(2**30, m.TySpec(2**30))  # two digits: the typed entry converts it
        self.assertIn(2**31 - 1, m.TySpec(2**31 - 1))
        with self.assertRaisesRegex(RuntimeError, "negative in TySpec"):
            -1 in s
        with self.assertRaises(OverflowError):
            2**31 in s
        with self.assertRaises(TypeError):
            "3" in s

        class I(int):
            pass
        self.assertIn(I(3), s)

    def test_getitem_of_one_digit_ints_either_sign_and_of_wider_ones(self):
        s = m.TySpec(3)
        self.assertEqual(s[2], 6)
        self.assertEqual(s[0], -1)  # the error value without an exception is a result
        self.assertEqual(s[-(2**30 - 1)], -3 * (2**30 - 1))
        self.assertEqual(s[2**30], 3 * 2**30)
        self.assertEqual(s[-(2**30)], -3 * 2**30)
        self.assertEqual(s[2**40], 3 * 2**40)
        with self.assertRaisesRegex(IndexError, "TyErr index 7"):  # TyErr's __getitem__
            s[7]
        with self.assertRaises(OverflowError):
            s[2**63]

        class Idx:  # hostile: changes the instance being indexed
            def __index__(self):
                s.v = 9
                return 2
        self.assertEqual(s[Idx()], 18)

    def test_iteration_by_int_and_object_results(self):
        self.assertEqual(list(m.TySpec(4)), [4, 3, 2, -1])  # 1 comes back as the error value, a result
        self.assertEqual(list(m.TySpec(0)), [])
        with self.assertRaisesRegex(RuntimeError, r"next of TySpec\(500\)"):
            next(m.TySpec(500))
        self.assertEqual(list(m.TySpecIt(3)), [2, 1, 0])
        with self.assertRaisesRegex(RuntimeError, r"next of TySpecIt\(500\)"):
            next(m.TySpecIt(500))
        with self.assertRaises(StopIteration):
            next(m.TySpecIt(0))

    def test_comparisons_of_exactly_the_class_and_of_others(self):
        s = m.TySpec(3)
        self.assertIs(s == m.TySpec(3), True)
        self.assertIs(s == m.TySpec(4), False)
        self.assertIs(s != m.TySpec(4), True)
        self.assertIs(s < m.TySpec(4), True)
        self.assertIs(s == 3, False)
        with self.assertRaisesRegex(RuntimeError, r"TySpec\(1000\) compared"):
            s == m.TySpec(1000)

        class S(m.TySpec):
            pass
        self.assertEqual(len(S(4)), 4)
        self.assertIn(4, S(4))
        self.assertEqual(S(3)[2], 6)
        self.assertEqual(list(S(2)), [2, -1])

    def test_binary_number_methods_with_an_int_on_the_right(self):
        s = m.TySpec(3)
        self.assertEqual(s + 1, 4)
        self.assertEqual(s + 0, -1)  # the error value without an exception is a result
        self.assertEqual(s + 2**40, 3 + 2**40)  # wider than one digit: the general way
        self.assertEqual(s - 2**30, 3 - 2**30)
        with self.assertRaisesRegex(ValueError, r"TySpec \+ 7"):
            s + 7
        with self.assertRaises(OverflowError):
            s - 2**31
        with self.assertRaises(TypeError):
            s + 1.5
        with self.assertRaises(TypeError):
            1 + s

        class S(m.TySpec):
            def __radd__(self, other):
                return "radd"
        self.assertEqual(S(3) + 1, 4)
        self.assertEqual(1 + S(3), "radd")
        self.assertEqual(m.Vec(3) + 4, 7)

    def test_unbuilt_instances_are_refused_as_by_the_generic_way(self):
        u = m.TySpec.__new__(m.TySpec)
        for f in (len, lambda u: 3 in u, lambda u: u[1], next, lambda u: u == m.TySpec(3),
                  lambda u: m.TySpec(3) == u):
            with self.assertRaises(Exception):
                f(u)

    def test_a_changed_int_layout_is_not_relied_on(self):
        # the in-place read is checked once per process against ints made for the purpose
        # (compat.c int_layout_check); big, negative and subclass ints all come out right
        s = m.TySpec(1)
        for k in (0, 1, -1, 2**30 - 1, -(2**30 - 1), 2**30, -(2**30), 2**45, -(2**45), 2**62):
            self.assertEqual(s[k], -1 if k == 0 else k)


class VectorcallCall(unittest.TestCase):
    """obj(...) of a class with __call__: through vectorcall on 3.12+ (class.c sp_vcall), tp_call
    below; the outcome is always that of the type's tp_call (reached as Cls.__call__(obj, ...),
    CPython's slot wrapper)."""

    def test_classes_with_call_are_vectorcall_from_312_only(self):
        for cls in (m.Vec, m.Ty, m.TyWide, m.TyErr, m.Pooled):
            self.assertEqual(bool(cls.__flags__ & VECTORCALL_FLAG), HAVE_VECTORCALL, cls)
            self.assertEqual(hasattr(cls, "__vectorcalloffset__"), HAVE_VECTORCALL, cls)
        self.assertFalse(m.Plain.__flags__ & VECTORCALL_FLAG)  # no __call__: no word, no flag

    def test_results_and_errors_equal_the_tp_call_ones(self):
        class I(int):
            pass
        cases = [(), (True,), (False,), (1,), (0,), (None,), ("a",), (2**70,), (-2**63,), (I(4),),
                 (True, False), (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)]
        kwcases = [{"neg": True}, {"x": 3}, {"arg": 1}, {"x": True, "y": 1}, {"neg": None}]
        w = m.TyWide()
        w.v = 2
        e = m.TyErr()
        for obj in (m.Vec(5), m.Ty(3), m.Ty(-7), w, e, m.Pooled(4), m.Ty.__new__(m.Ty), m.Vec.__new__(m.Vec)):
            call = type(obj).__call__
            for a in cases:
                self.assertEqual(_outcome(obj, *a), _outcome(call, obj, *a), (obj, a))
            for k in kwcases:
                self.assertEqual(_outcome(obj, **k), _outcome(call, obj, **k), (obj, k))
                self.assertEqual(_outcome(obj, 1, **k), _outcome(call, obj, 1, **k), (obj, k))

    def test_keyword_arguments(self):
        self.assertEqual(m.Vec(5)(x=3), 8)
        self.assertEqual(m.Ty(3)(neg=True), -3)
        self.assertEqual(m.Pooled(2)(x=40), 42)
        with self.assertRaisesRegex(TypeError, r"__call__\(\).*'y'"):
            m.Vec(5)(y=3)
        with self.assertRaisesRegex(TypeError, r"__call__\(\).*'x'"):
            m.Vec(5)(3, x=3)

    def test_wrong_arity_messages(self):
        with self.assertRaisesRegex(TypeError, r"__call__\(\) missing required argument 'x'"):
            m.Vec(5)()
        with self.assertRaisesRegex(TypeError, r"__call__\(\) takes at most 2 positional arguments \(3 given\)"):
            m.Vec(5)(1, 2)
        with self.assertRaisesRegex(TypeError, r"__call__\(\) argument 'x' \(int64_t\) must be int, not str"):
            m.Vec(5)("a")

    def test_exception_raised_from_c(self):
        e = m.TyErr()
        with self.assertRaisesRegex(TypeError, r"TyErr\(None\)"):
            e(None)
        with self.assertRaisesRegex(TypeError, r"TyErr\(None\)"):
            e(arg=None)
        self.assertIs(e(e), e)

    def test_python_subclass_override_wins(self):
        class S(m.Vec):
            def __call__(self, x):
                return ("S", x)
        s = S(5)
        for _ in range(3):  # past any warm-up of the call sites
            self.assertEqual(s(3), ("S", 3))
            self.assertEqual(s(x=3), ("S", 3))

    def test_assigning_call_on_a_python_subclass_wins(self):
        class T(m.Vec):
            pass
        t = T(5)
        for _ in range(3):
            self.assertEqual(t(3), 8)
        T.__call__ = lambda self, x: ("T", x)
        for _ in range(3):
            self.assertEqual(t(3), ("T", 3))
            self.assertEqual(T(1)(2), ("T", 2))
        del T.__call__
        self.assertEqual(t(3), 8)
        self.assertEqual(m.Vec(5)(3), 8)  # the base is untouched

    def test_class_assignment_leaves_no_stale_entry(self):
        class S(m.Vec):
            __slots__ = ()
            def __call__(self, x):
                return ("S", x)
        class U(m.Vec):
            __slots__ = ()
        v = m.Vec(5)
        self.assertEqual(v(3), 8)
        try:
            v.__class__ = S
        except TypeError:
            self.assertIs(type(v), m.Vec)  # immutable type (3.10+): refused, the entry stays right
            self.assertEqual(v(3), 8)
        else:
            self.assertEqual(v(3), ("S", 3))
        u = U(5)
        self.assertEqual(u(3), 8)
        u.__class__ = S
        self.assertEqual(u(3), ("S", 3))
        u.__class__ = U
        self.assertEqual(u(3), 8)

    def test_free_list_reuse_resets_the_entry(self):
        for round in range(3):
            made = [m.Pooled(i) for i in range(10)]
            self.assertEqual([p(100) for p in made], [100 + i for i in range(10)])
            del made
        class P(m.Pooled):
            def __call__(self, x):
                return ("P", x)
        p = m.Pooled(1)
        del p
        q = P(2)  # a subclass's instance is never a kept one
        self.assertEqual(q(1), ("P", 1))
        r = m.Pooled(3)
        self.assertEqual(r(1), 4)
        self.assertEqual(m.Pooled.__new__(m.Pooled).__class__, m.Pooled)
        with self.assertRaises(Exception):  # unbuilt: refused, as through tp_call
            m.Pooled.__new__(m.Pooled)(1)

    def test_threads_calling_one_instance(self):
        import threading
        v = m.Vec(5)
        errors = []
        def work(k):
            try:
                for i in range(2000):
                    if v(i) != 5 + i or v(x=k) != 5 + k:
                        errors.append((k, i))
                        return
            except Exception as x:
                errors.append(x)
        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])


if __name__ == "__main__":
    unittest.main()


class InstanceEntries(unittest.TestCase):
    """A class's tp_dealloc, tp_traverse, tp_clear and bf_getbuffer are entries bound to its record:
    a stub of the callback stub pool where there is one (x86-64), else a libffi closure
    (SIGBIND_CLOSURE_ENTRIES=1 forces the closures): both give the same behaviour."""

    def entry_in_module_text(self, cls, offset):
        """Whether the type's slot at `offset` (a PyTypeObject field, same on 3.7-3.13) points into
        cface_slots' own mapped file (the stubs are text there) rather than anonymous memory."""
        import ctypes
        addr = ctypes.c_void_p.from_address(id(cls) + offset).value
        so = m.__file__
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                if lo <= addr < hi:
                    return len(parts) >= 6 and parts[5] == so
        return False

    @unittest.skipUnless(sys.platform.startswith("linux") and __import__("platform").machine() == "x86_64",
                         "the stub pool is x86-64 System V only")
    def test_dealloc_and_gc_entries_are_pool_stubs_not_closures(self):
        tp_dealloc, tp_traverse, tp_clear = 48, 184, 192  # offsets in PyTypeObject (stable from 3.7 to 3.13)
        self.assertTrue(self.entry_in_module_text(m.Vec, tp_dealloc))
        self.assertTrue(self.entry_in_module_text(m.VecIter, tp_traverse))
        self.assertTrue(self.entry_in_module_text(m.VecIter, tp_clear))

    def test_closure_entries_pass_the_class_suites(self):
        import os
        import subprocess
        env = dict(os.environ, SIGBIND_CLOSURE_ENTRIES="1")
        here = os.path.dirname(os.path.abspath(__file__))
        probe = ("import cface_slots as m, ctypes, sys; "
                 "a = ctypes.c_void_p.from_address(id(m.Vec) + 48).value; "
                 "print(any(l.split()[-1] == m.__file__ for l in open('/proc/self/maps') "
                 "if int(l.split()[0].split('-')[0], 16) <= a < int(l.split()[0].split('-')[1], 16)))")
        out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=here, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        self.assertEqual(out.stdout.decode().strip(), "False")  # a closure: anonymous memory
        r = subprocess.run([sys.executable, "-m", "unittest", "test_classes", "test_cface_slots.InstanceSlots",
                            "test_cface_slots.FreeList", "test_cface_slots.PythonSubclasses",
                            "test_cface_slots.Hostile"],
                           env=env, cwd=here, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertEqual(r.returncode, 0, r.stdout.decode()[-3000:])
        self.assertIn("OK", r.stdout.decode())


SOLE_CHILD = r'''
import importlib.util, sys
import cface_slots as m1
m2 = None
def who(f):
    try:
        f()
        return "none"
    except Exception as e:
        if type(e) is m1.SlotError:
            return "m1"
        if m2 is not None and type(e) is m2.SlotError:
            return "m2"
        return type(e).__name__
a = m1.TySpec(5)
out = [who(lambda: a + 99), who(lambda: m1.apply(lambda: a + 99)), a + 1, len(a), 5 in a]
if sys.argv[1] == "second":
    spec = importlib.util.find_spec("cface_slots")
    m2 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m2)
    b = m2.TySpec(6)
    out += [who(lambda: a + 99), who(lambda: b + 99), who(lambda: m2.apply(lambda: a + 99)),
            who(lambda: m1.apply(lambda: b + 99)), a + 1, b + 1, len(a), len(b), 6 in b]
    del m2, b
    import gc
    gc.collect()
    m2 = None
    out += [who(lambda: a + 99), who(lambda: m1.apply(lambda: a + 99))]
if sys.argv[1] == "sub":
    ii = None
    for name in ("_interpreters", "_xxsubinterpreters"):
        try:
            ii = importlib.import_module(name)
            break
        except ImportError:
            pass
    if ii is not None:
        iid = ii.create()
        r = ii.run_string(iid, "import cface_slots as s\nt = s.TySpec(2)\n"
                               "try:\n    t + 99\nexcept s.SlotError:\n    pass\nelse:\n    raise AssertionError\n"
                               "assert s.apply(lambda: t + 1) == 3 and len(t) == 2\n")
        assert r is None, r
        ii.destroy(iid)
    out += [who(lambda: a + 99), who(lambda: m2 or m1.apply(lambda: a + 99))]
print(out)
'''


class SoleModule(unittest.TestCase):
    """Specialised entries leave sb__current_module unset; they exist only for the classes of the
    runtime's sole module in the main interpreter, where C code that runs without it set finds
    that module (cface/module.c): a module's own exception raised by name from such a slot is that
    module's, with or without an outer call, and after a second module of the same extension is
    made (whose calls set the variable) the first module's slots still raise its own."""

    def run_child(self, mode):
        import os
        import subprocess
        here = os.path.dirname(os.path.abspath(__file__))
        r = subprocess.run([sys.executable, "-c", SOLE_CHILD, mode], cwd=here, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        self.assertEqual(r.returncode, 0, r.stdout.decode()[-3000:])
        return eval(r.stdout.decode().strip().splitlines()[-1])

    def test_sole_module_slots_raise_its_own_exception(self):
        self.assertEqual(self.run_child("one"), ["m1", "m1", 6, 5, True])

    def test_second_module_keeps_each_modules_exceptions_apart(self):
        self.assertEqual(self.run_child("second"),
                         ["m1", "m1", 6, 5, True,
                          "m1", "m2", "m1", "m2", 6, 7, 5, 6, True,
                          "m1", "m1"])

    def test_subinterpreter_module_leaves_the_main_ones_slots_alone(self):
        self.assertEqual(self.run_child("sub"), ["m1", "m1", 6, 5, True, "m1", "m1"])
