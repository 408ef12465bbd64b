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


if __name__ == "__main__":
    unittest.main()
