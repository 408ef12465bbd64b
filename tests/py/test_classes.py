# test_classes.py — C-face classes: the PyO3 guide's class examples (examples/classes) and every protocol, GC, inheritance and error path (tests/cface/cface_classes.c).
import gc
import importlib.util
import inspect
import pickle
import sys
import unittest
import weakref

import sigbind

import cface_classes as m
import classes as ex
from support import assert_flat

HAVE_DICT_WEAKREF = sys.version_info >= (3, 9)


class Sentinel:
    """A Python object with a weak reference: it dies when the cycle holding it is collected."""


class GuideExamples(unittest.TestCase):
    """The PyO3 guide's class chapter, rebuilt in C (examples/classes/classes.c)."""

    def test_myclass_fields_and_constructor(self):
        c = ex.MyClass()
        self.assertEqual((c.num, c.debug), (10, False))
        c = ex.MyClass(3, debug=True)
        self.assertEqual((c.num, c.debug), (3, True))
        c.num = -7
        c.debug = False
        self.assertEqual((c.num, c.debug), (-7, False))
        self.assertEqual(str(inspect.signature(ex.MyClass)), "(num=10, debug=False)")
        self.assertIn("A class over a C struct.", ex.MyClass.__doc__)

    def test_methods_class_static_and_call(self):
        c = ex.MyClass(5)
        self.assertEqual(c.method1(), 10)
        c.set_method(42)
        self.assertEqual(c.num, 42)
        self.assertEqual(c.method(), 10)
        self.assertEqual(c.method(False, 1, 2, arg2=5, extra=1), -5)
        self.assertEqual(ex.MyClass.cls_method(), 10)
        self.assertEqual(c.cls_method(), 10)
        self.assertEqual(ex.MyClass.static_method(1, "x"), 10)
        self.assertEqual(c(1, 2, 3), 42)
        self.assertEqual(str(inspect.signature(ex.MyClass.method)), "(self, /, arg1=True, *args, arg2=10, **kwargs)")
        self.assertEqual(str(inspect.signature(c.method)), "(arg1=True, *args, arg2=10, **kwargs)")
        self.assertEqual(str(inspect.signature(ex.MyClass.static_method)), "(param1, param2)")

    def test_base_and_subclass(self):
        s = ex.SubClass()
        self.assertEqual((s.val1, s.val2), (10, 10))
        self.assertEqual(s.method(), 10)       # the base's method, inherited
        self.assertEqual(s.method2(), 20)      # calls the base's C function
        self.assertIsInstance(s, ex.BaseClass)
        self.assertTrue(issubclass(ex.SubClass, ex.BaseClass))
        self.assertEqual(ex.SubClass.__mro__[1:], (ex.BaseClass, object))
        with self.assertRaises(AttributeError):
            s.val1 = 3  # read-only field

    def test_properties_prefixed_and_renamed(self):
        p = ex.Props()
        p.num = 5
        self.assertEqual((p.num, p.number), (5, 5))
        p.number = 7
        self.assertEqual(p.num, 7)
        self.assertEqual(type(p).num.__doc__, "num, through a getter.")
        with self.assertRaises(OverflowError):
            p.num = 2**31

    def test_iterators(self):
        self.assertEqual(list(ex.Countdown(3)), [3, 2, 1])
        self.assertEqual(list(ex.MyIterator([1, "a", None])), [1, "a", None])
        it = iter(ex.MyIterator((5,)))
        self.assertEqual(next(it), 5)
        with self.assertRaises(StopIteration):
            next(it)

    def test_class_with_gc_support_cycle_is_collected(self):
        a, b = ex.ClassWithGCSupport(), ex.ClassWithGCSupport()
        s = Sentinel()
        gone = weakref.ref(s)
        a.obj = [b, s]
        b.obj = a
        del a, b, s
        gc.collect()
        self.assertIsNone(gone())
        self.assertTrue(gc.is_tracked(ex.ClassWithGCSupport()))


class Construction(unittest.TestCase):
    def test_instances_start_zeroed_and_final_by_default(self):
        v = m.Vec.__new__(m.Vec)
        self.assertEqual((v.x, v.y), (0.0, 0.0))
        with self.assertRaises(TypeError):
            class Sub(m.Vec):
                pass

    def test_constructor_errors(self):
        with self.assertRaises(ValueError) as cm:
            m.Seq(9)
        self.assertIn("Seq() holds 0..8 items, not 9", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            m.Vec("a")
        self.assertIn("__init__() argument 'x' (double)", str(cm.exception))
        with self.assertRaises(TypeError):
            m.Point(1)  # no __init__: no arguments

    def test_text_signatures_on_class_and_methods(self):
        self.assertEqual(str(inspect.signature(m.Vec)), "(x=0.0, y=0.0)")
        self.assertEqual(str(inspect.signature(m.Square)), "(side=1.0)")
        self.assertEqual(str(inspect.signature(m.Shape.sides)), "(self, /)")
        # 3.10+: __init__ is a slot wrapper and the method is _sigbind_init;
        # up to 3.9 __init__ is the method (inspect reads it there).
        self.assertIn("Makes a shape.", getattr(m.Shape, "_sigbind_init", m.Shape.__init__).__doc__)
        self.assertEqual(str(inspect.signature(m.Vec.__abs__)), "(self, /)")
        self.assertEqual(m.Vec.__module__, "cface_classes")
        self.assertEqual(m.Vec.__qualname__, "Vec")

    def test_help_shows_no_internal_names(self):
        import pydoc
        for obj in [m] + [getattr(m, n) for n in dir(m) if isinstance(getattr(m, n), type)]:
            text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
            for internal in ("sigbind_init", "sigbind_keep"):
                self.assertNotIn(internal, text, "help(%s)" % getattr(obj, "__name__", obj))
        text = pydoc.render_doc(m.Shape, renderer=pydoc.plaintext)
        self.assertIn("sides(self, /)", text)  # the methods are still documented

    def test_destroy_hook_runs_once_per_instance(self):
        before = m.Resource.destroyed()
        for _ in range(100):
            m.Resource()
        self.assertEqual(m.Resource.destroyed(), before + 100)


class Fields(unittest.TestCase):
    def test_range_checked_on_set_with_names(self):
        r = m.Resource()
        r.byte = 255
        with self.assertRaises(OverflowError) as cm:
            r.byte = 256
        self.assertEqual(str(cm.exception), "Resource attribute 'byte' (uint8_t) must be in 0..255, not 256")
        with self.assertRaises(TypeError) as cm:
            r.small = "x"
        self.assertIn("Resource attribute 'small' (int32_t) must be", str(cm.exception))
        self.assertEqual(r.byte, 255)
        r.small = -5
        r.flag = True
        r.ratio = 0.5
        self.assertEqual((r.small, r.flag, r.ratio), (-5, True, 0.5))
        with self.assertRaises(AttributeError):
            del r.small

    def test_read_only_and_const_char_fields(self):
        r = m.Resource()
        self.assertEqual(r.state, "new")
        with self.assertRaises(AttributeError):
            r.state = "x"
        with self.assertRaises(AttributeError):
            r.enters = 3

    def test_pyobject_field_refcounts(self):
        n = m.Node()
        self.assertIsNone(n.next)
        payload = object()
        before = sys.getrefcount(payload)
        n.next = payload
        self.assertIs(n.next, payload)
        self.assertEqual(sys.getrefcount(payload), before + 1)
        del n.next
        self.assertIsNone(n.next)
        self.assertEqual(sys.getrefcount(payload), before)
        n.next = payload
        del n
        self.assertEqual(sys.getrefcount(payload), before)


class Protocols(unittest.TestCase):
    def test_repr_str_bool_hash_index_float(self):
        v = m.Vec(1.5, 2)
        self.assertEqual(repr(v), "Vec(1.5, 2)")
        self.assertEqual(str(v), "(1.5, 2)")
        self.assertTrue(v)
        self.assertFalse(m.Vec())
        self.assertEqual(hash(v), int(1.5 * 1000003 + 2))
        self.assertEqual(float(v), 1.5)
        self.assertEqual([10, 20, 30][m.Vec(2, 0)], 30)  # __index__
        self.assertEqual(abs(m.Vec(3, 4)), 25.0)

    def test_number_ops_reflected_and_inplace(self):
        a, b = m.Vec(1, 2), m.Vec(10, 20)
        self.assertEqual(a + b, m.Vec(11, 22))
        self.assertEqual(b - a, m.Vec(9, 18))
        self.assertEqual(a * 3, m.Vec(3, 6))
        self.assertEqual(3 * a, m.Vec(3, 6))       # __rmul__
        self.assertEqual(-a, m.Vec(-1, -2))
        c = a
        a += b                                      # __iadd__ returns self
        self.assertIs(a, c)
        self.assertEqual(a, m.Vec(11, 22))

    def test_foreign_operands_get_notimplemented(self):
        v = m.Vec(1, 2)
        with self.assertRaises(TypeError):
            v + 1
        with self.assertRaises(TypeError):
            v * None
        self.assertEqual("ab" * m.Vec(2, 0), "abab")  # str * Vec: Vec.__mul__ says NotImplemented, str uses __index__
        self.assertFalse(v == "not a vec")
        self.assertTrue(v != 3)
        self.assertIs(v.__eq__(3), NotImplemented)
        with self.assertRaises(TypeError):
            v < 3
        self.assertTrue(m.Vec(1, 1) < m.Vec(5, 5))
        self.assertTrue(m.Vec(5, 5) > m.Vec(1, 1))  # reflected __lt__

    def test_eq_without_hash_is_unhashable(self):
        self.assertEqual(m.Point(), m.Point())
        with self.assertRaises(TypeError):
            hash(m.Point())

    def test_sequence_protocol(self):
        s = m.Seq(4)
        self.assertEqual(len(s), 4)
        self.assertEqual((s[0], s[3], s[-1]), (0, 30, 30))
        s[1] = 99
        self.assertEqual(list(s), [0, 99, 20, 30])  # iteration through __getitem__ until IndexError
        self.assertIn(99, s)
        self.assertNotIn(5, s)
        del s[0]
        self.assertEqual(list(s), [99, 20, 30])
        with self.assertRaises(IndexError):
            s[10]
        with self.assertRaises(IndexError):
            del s[10]

    def test_attribute_hooks(self):
        b = m.Bag()
        b.color = "red"
        self.assertEqual(b.color, "red")
        self.assertEqual(b.counts(), 100)  # a real method still wins over __getattr__
        del b.color
        self.assertEqual(b.counts(), 101)
        with self.assertRaises(AttributeError):
            b.color
        with self.assertRaises(AttributeError):
            del b.color

    def test_context_manager(self):
        r = m.Resource()
        with r as got:
            self.assertIs(got, r)
            self.assertEqual(r.state, "open")
        self.assertEqual((r.state, r.enters, r.exits), ("closed", 1, 1))
        with r:
            raise ValueError("swallowed by __exit__")
        with self.assertRaises(KeyError):
            with r:
                raise KeyError("not swallowed")
        self.assertEqual(r.exits, 3)

    def test_call_with_args_and_kwargs(self):
        c = m.Counter()
        self.assertEqual(c(1, 2, k=3), (1, (1, 2), {"k": 3}))
        self.assertEqual(c(), (2, (), {}))
        self.assertEqual(c.calls, 2)


class Inheritance(unittest.TestCase):
    def test_c_subclass_uses_base_methods_and_fields(self):
        sq = m.Square(3)
        self.assertEqual(sq.sides(), 4)
        self.assertEqual(sq.base_sides(), 40)
        self.assertEqual(sq.area(), 9.0)
        self.assertEqual(sq.describe(), "shape with 4 sides")
        self.assertIsInstance(sq, m.Shape)
        self.assertEqual(m.total_area(sq, m.Square(2)), 13.0)
        with self.assertRaises(TypeError) as cm:
            m.total_area(sq, m.Shape(3))
        self.assertIn("total_area() argument 'b' (Square *) must be Square, not Shape", str(cm.exception))
        with self.assertRaises(TypeError):
            class Sub(m.Square):  # Square is final
                pass

    def test_python_subclass_overrides_and_super(self):
        class Tri(m.Shape):
            def __init__(self):
                super().__init__(3)
                self.extra = "kept in the subclass's __dict__"

            def describe(self):
                return "triangle, " + super().describe()

        t = Tri()
        self.assertEqual(t.sides(), 3)
        self.assertEqual(t.describe(), "triangle, shape with 3 sides")
        self.assertEqual(t.call_describe(), "triangle, shape with 3 sides")  # C calls through Python
        self.assertIsInstance(t, m.Shape)
        self.assertTrue(issubclass(Tri, m.Shape))
        w = weakref.ref(t)
        del t
        gc.collect()
        self.assertIsNone(w())

    def test_python_subclass_instances_die_cleanly(self):
        class Tri(m.Shape):
            pass

        for _ in range(1000):
            Tri(3)
        ref = sys.getrefcount(Tri)
        objs = [Tri(3) for _ in range(100)]
        self.assertEqual(sys.getrefcount(Tri), ref + 100)
        del objs
        self.assertEqual(sys.getrefcount(Tri), ref)

    def test_method_kind(self):
        # CPython method descriptors over trampoline pool slots (past the pool: EntryPoints)
        kind = type(ex.MyClass.__dict__["method1"]).__name__
        self.assertEqual(kind, "method_descriptor")
        meth = ex.MyClass.__dict__["method1"]
        self.assertEqual((meth.__name__, meth.__qualname__), ("method1", "MyClass.method1"))
        self.assertEqual(meth.__doc__.splitlines()[0], "Always 10.")
        bound = ex.MyClass(1).method1
        self.assertEqual(bound(), 10)
        self.assertEqual(ex.MyClass.method1(ex.MyClass(2)), 10)

    def test_wrong_self_type_is_rejected(self):
        with self.assertRaises(TypeError) as cm:
            m.Square.area(m.Shape(4))
        # CPython's method descriptor checks first, or the call path (3.12+ past the trampoline pool)
        self.assertRegex(str(cm.exception), r"'area'|area\(\) argument 'self' \(Square \*\) must be Square, not Shape")
        with self.assertRaises(TypeError) as cm:
            m.Square.__dict__["base_sides"](m.Vec())
        self.assertIn("Square", str(cm.exception))


class DictAndWeakref(unittest.TestCase):
    @unittest.skipUnless(HAVE_DICT_WEAKREF, "a __dict__ and weak references for C-face classes need CPython >= 3.9")
    def test_dict_and_weakref_on_request(self):
        o = m.Open()
        o.v = 3
        o.anything = [1]
        self.assertEqual(o.__dict__, {"anything": [1]})
        w = weakref.ref(o)
        self.assertIs(w(), o)
        del o
        self.assertIsNone(w())

    @unittest.skipIf(HAVE_DICT_WEAKREF, "3.7 and 3.8 only")
    def test_dict_and_weakref_absent_before_3_9(self):
        o = m.Open()
        with self.assertRaises(AttributeError):
            o.anything = 1
        with self.assertRaises(TypeError):
            weakref.ref(o)

    def test_no_dict_without_request(self):
        with self.assertRaises(AttributeError):
            m.Vec().anything = 1


class BufferExport(unittest.TestCase):
    @unittest.skipUnless(sys.version_info >= (3, 11), "buffer export needs CPython >= 3.11 (stable-ABI buffer slots)")
    def test_memoryview_over_struct_array(self):
        s = m.Samples()
        mv = memoryview(s)
        self.assertEqual((mv.format, mv.itemsize, mv.shape, mv.readonly), ("d", 8, (4,), False))
        self.assertEqual(mv.tolist(), [0.0, 1.5, 3.0, 4.5])
        mv[3] = 10.0  # writes into the struct, no copy
        self.assertEqual(s.sum(), 14.5)
        self.assertEqual(len(bytes(s)), 32)
        del s
        self.assertEqual(mv[1], 1.5)  # the view keeps the instance alive
        mv.release()

    @unittest.skipUnless(sys.version_info >= (3, 11), "buffer export needs CPython >= 3.11 (stable-ABI buffer slots)")
    def test_read_only_buffer(self):
        mv = memoryview(m.Samples(frozen=True))
        self.assertTrue(mv.readonly)
        with self.assertRaises(TypeError):
            mv[0] = 1.0

    @unittest.skipIf(sys.version_info >= (3, 11), "3.7-3.10 only")
    def test_no_buffer_before_3_11(self):
        with self.assertRaises(TypeError):
            memoryview(m.Samples())


class GarbageCollection(unittest.TestCase):
    def test_cycle_through_fields_is_collected(self):
        a, b = m.Node(), m.Node()
        s = Sentinel()
        gone = weakref.ref(s)
        a.next = b
        b.next = (a, s)
        del a, b, s
        gc.collect()
        self.assertIsNone(gone())

    def test_cycle_through_user_traverse_hook_is_collected(self):
        a = m.Node()
        s = Sentinel()
        gone = weakref.ref(s)
        a.hold(a, s)  # references only the hooks know about
        del a, s
        gc.collect()
        self.assertIsNone(gone())

    def test_gc_sees_referents(self):
        n = m.Node()
        x, y, z = object(), object(), object()
        n.next = x
        n.hold(y, z)
        self.assertEqual({id(o) for o in gc.get_referents(n)} & {id(x), id(y), id(z)}, {id(x), id(y), id(z)})


class Leaks(unittest.TestCase):
    def test_instance_creation_is_flat(self):
        def churn():
            for i in range(20000):
                v = m.Vec(i, 1) + m.Vec(1, i)
                v += m.Vec(1, 1)
                n = m.Node()
                n.next = v
                n.hold(v, n)  # a cycle through the hook
                str(v), hash(v), len(m.Seq(3)), list(ex.Countdown(3))
                ex.MyClass(i)(1, 2)

        # A leak of one block per iteration would grow every round by 20000.
        assert_flat(self, churn)


class EntryPoints(unittest.TestCase):
    """Every method descriptor needs a C entry point of its own: a slot of a
    pool of 512 compiled trampolines (src/runtime/trampolines.c). Once the pool is
    used up, instance methods are sigbind's vectorcall Method descriptors on
    3.12+, and libffi closures before (and for class methods)."""

    def fresh_module(self):
        # A new module object from the same definition: its own types and methods.
        mod = importlib.util.module_from_spec(m.__spec__)
        m.__spec__.loader.exec_module(mod)
        return mod

    def test_methods_work_past_the_pool_and_give_their_slots_back(self):
        gc.collect()
        before = m.trampolines_in_use()
        mods = [self.fresh_module() for _ in range(20)]  # 20 x 28 methods: more than 512
        self.assertEqual(m.trampolines_in_use(), 512)
        self.assertEqual(type(mods[0].Shape.__dict__["sides"]).__name__, "method_descriptor")
        # the special methods with a slot entry take no pool slot: CPython's slot wrappers
        self.assertEqual(type(mods[0].Vec.__dict__["__add__"]).__name__, "wrapper_descriptor")
        past = mods[-1].Shape.__dict__["sides"]
        self.assertEqual(type(past).__name__, "Method" if sys.version_info >= (3, 12) else "method_descriptor")
        self.assertEqual((past.__name__, past.__qualname__), ("sides", "Shape.sides"))
        for mod in mods:  # pool slots and closures alike: methods, keywords, binary operators
            v = mod.Vec(1.0, y=2.0)
            self.assertEqual(repr(v + mod.Vec(2, 3)), "Vec(3, 5)")
            self.assertIs(v.__add__(5), NotImplemented)
            self.assertEqual(mod.Shape(4).sides(), 4)
            self.assertEqual(len(mod.Seq(n=5)), 5)
            with self.assertRaises(TypeError):
                v + "x"
        del mods, mod, v
        gc.collect()
        self.assertEqual(m.trampolines_in_use(), before)
        mods = [self.fresh_module() for _ in range(3)]  # freed slots are taken again
        self.assertGreater(m.trampolines_in_use(), before)
        self.assertEqual(repr(mods[2].Vec(1, 1) + mods[2].Vec(1, 1)), "Vec(2, 2)")


class BrokenClassTables(unittest.TestCase):
    def test_import_fails_naming_module_class_and_problem(self):
        import importlib
        for mod, exc, text in [
            ("cface_bad_class1", sigbind.SignatureError, "the first parameter must be a pointer to the class's struct"),
            ("cface_bad_class2", TypeError, "cface_bad_class2: class B: base class 'A' is final"),
            ("cface_bad_class3", TypeError, "cface_bad_class3: class A: field 'int64_t': expected a C type and a name"),
        ]:
            with self.subTest(mod=mod):
                with self.assertRaises(exc) as cm:
                    importlib.import_module(mod)
                self.assertIn(text, str(cm.exception))
                with self.assertRaises(exc):  # and again: nothing half-made was kept
                    importlib.import_module(mod)


class NotPicklableByDefault(unittest.TestCase):
    def test_pickle_fails_cleanly(self):
        with self.assertRaises((TypeError, pickle.PicklingError, AttributeError)):
            pickle.dumps(m.Vec(1, 2))


if __name__ == "__main__":
    unittest.main()
