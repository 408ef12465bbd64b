# test_cface_safety.py — the C face under hostile Python: descriptors that outlive what Python can delete, instances whose constructor never ran, pickling, sb_raise without the GIL.
"""Each hostile case runs in a child interpreter (a crash there fails one test,
not the suite), with PYTHONMALLOC=malloc_debug so that a read after free
crashes, or is reported by AddressSanitizer when the suite runs with the
sanitizer runtimes preloaded (LD_PRELOAD is inherited). The test module's
Guard class aborts the process whenever its C code is handed a struct its
__init__ did not make. Correct behaviour: a clear Python exception or the right
value; never a crash.
"""
import copy
import os
import pickle
import sys
import unittest

import cface_classes as m
from support import child_env as support_child_env, run_probe

PRELUDE = """\
import gc, pickle, sys, threading
import cface_classes as m
NEW = sys.version_info >= (3, 10)   # classes are immutable types
def churn():
    # reuse freed memory, so that a dangling pointer reads someone else's data
    junk = [bytearray(n) for n in (16, 32, 48, 64, 96, 128, 256, 512) for _ in range(200)]
    gc.collect()
    return len(junk)
def raises(exc, fn, *args, text=None):
    try:
        fn(*args)
    except exc as e:
        if text is not None:
            assert text in str(e), (text, str(e))
        return e
    raise AssertionError("%r did not raise %s" % (fn, exc.__name__))
"""


def child_env():
    return support_child_env(os.path.dirname(os.path.abspath(m.__file__)))


class Probe(unittest.TestCase):
    """Runs code in a child interpreter; it must exit 0 having printed END."""

    def probe(self, body, timeout=120):
        return run_probe(self, PRELUDE, body, timeout, env=child_env())


# ---------------------------------------------------------------------------
# 1. Descriptors own what they use


class DescriptorsOwnWhatTheyUse(Probe):
    def test_deleting_the_keep_attribute_frees_nothing(self):
        # The issue: method descriptors and properties point into Functions
        # kept only by Cls._sigbind_keep; deleting it freed them (use after
        # free from pure Python). From 3.10 the class is immutable (TypeError);
        # before, the module state still keeps them.
        self.probe("""
            g = m.Guard(5)
            changed = []
            for cls in (m.Guard, m.Vec, m.Shape, m.Seq):
                try:
                    del cls._sigbind_keep
                    changed.append(cls)
                except TypeError as e:
                    assert NEW and "immutable" in str(e), e
            churn()
            for _ in range(3):
                assert g.get() == 5 and g.doubled == 10 and g.slow(1) == 6
                assert m.Guard(7).get() == 7 and m.Guard.destroyed() >= 1
                v = m.Vec(3, 4)
                assert abs(v) == 25.0 and (v + v).x == 6.0 and repr(v) == "Vec(3, 4)"
                assert list(m.Seq(3)) and m.Shape(4).sides() == 4
                churn()
            assert not (NEW and changed), "3.10+: the classes are immutable"
        """)

    def test_replacing_keep_and_init_attributes_frees_nothing(self):
        self.probe("""
            changed = []
            for name, value in (("_sigbind_keep", None), ("_sigbind_keep", ()), ("get", None)):
                try:
                    setattr(m.Guard, name, value)
                    changed.append(name)
                except TypeError as e:
                    assert NEW and "immutable" in str(e), e
            churn()
            g = m.Guard(3)
            assert g.doubled == 6 and g.slow(2) == 5
            assert ("get" in changed) or g.get() == 3
            churn()
            assert not (NEW and changed), "3.10+: the class is immutable"
            if NEW:   # the hidden constructor cannot be replaced either
                raises(TypeError, setattr, m.Guard, "_sigbind_init", lambda self, *a: None, text="immutable")
        """)

    def test_class_outlives_its_module(self):
        # Only an instance left: the module object, its entry in sys.modules and
        # every other reference are gone; its methods still work.
        self.probe("""
            g = m.Guard(9)
            v = m.Vec(1, 2)
            del sys.modules["cface_classes"], m
            gc.collect(); churn()
            assert g.get() == 9 and g.doubled == 18 and g.slow(1) == 10
            assert (v + v).y == 4.0 and type(g)(2).get() == 2
            del g, v
            gc.collect(); churn()
        """)


class ImmutableClasses(unittest.TestCase):
    @unittest.skipIf(sys.version_info < (3, 10), "Py_TPFLAGS_IMMUTABLETYPE exists from 3.10")
    def test_classes_are_immutable_and_python_subclasses_are_not(self):
        for cls in (m.Vec, m.Guard, m.Shape, m.Square):
            with self.assertRaises(TypeError):
                cls.extra = 1
            with self.assertRaises(TypeError):
                del cls._sigbind_keep

        class Sub(m.Shape):
            pass

        Sub.extra = 1
        self.assertEqual(Sub.extra, 1)
        self.assertEqual(Sub(3).sides(), 3)

    @unittest.skipIf(sys.version_info < (3, 10), "Py_TPFLAGS_IMMUTABLETYPE exists from 3.10")
    def test_instances_cannot_change_class(self):
        # __class__ assignment between two C-face classes would hand one
        # class's C code the other's struct.
        v = m.Vec(1, 2)
        with self.assertRaises(TypeError):
            v.__class__ = m.Point


# ---------------------------------------------------------------------------
# 2. Instances whose constructor never ran


class UnbuiltInstances(Probe):
    MSG = "instance was not initialised: call"

    def test_new_without_init_raises_instead_of_handing_c_a_zero_struct(self):
        self.probe("""
            before = m.Guard.destroyed()
            g = m.Guard.__new__(m.Guard)
            msg = "Guard instance was not initialised: call Guard.__init__"
            raises(TypeError, g.get, text=msg)
            raises(TypeError, lambda: g.doubled, text=msg)
            raises(TypeError, g.slow, 1, text=msg)
            raises(TypeError, m.Guard.get, g, text=msg)
            del g
            gc.collect()
            assert m.Guard.destroyed() == before, "destroy must not run on an unbuilt instance"
            # __init__ builds it (and may run again)
            g = m.Guard.__new__(m.Guard)
            (getattr(m.Guard, "_sigbind_init", None) or m.Guard.__init__)(g, 4)
            assert g.get() == 4
            g.__init__(6)
            assert g.get() == 6
            del g
            gc.collect()
            assert m.Guard.destroyed() == before + 1
        """)

    def test_python_subclass_skipping_super_init(self):
        self.probe("""
            class Sub(m.Guard):
                def __init__(self):
                    pass          # never calls super().__init__()
            s = Sub()
            raises(TypeError, s.get, text="Sub instance was not initialised")
            raises(TypeError, lambda: s.doubled)
            m.Guard.__init__(s, 8)   # any time later
            assert s.get() == 8 and s.doubled == 16
            class Fine(m.Guard):
                def __init__(self):
                    super().__init__(2)
            assert Fine().get() == 2
            del s; gc.collect(); churn()
        """)

    def test_every_way_c_code_meets_an_unbuilt_instance(self):
        self.probe("""
            v = m.Vec.__new__(m.Vec)
            assert (v.x, v.y) == (0.0, 0.0)      # fields are the runtime's: zeros are fine
            for op in (abs, repr, str, hash, lambda v: v + m.Vec(1, 1), lambda v: m.Vec(1, 1) + v,
                       lambda v: v == m.Vec(), lambda v: -v):
                raises(TypeError, op, v, text="not initialised")
            sq = m.Square.__new__(m.Square)      # its base's constructor counts
            raises(TypeError, m.total_area, sq, m.Square(1), text="Square instance was not initialised")
            raises(TypeError, sq.sides)
            seq = m.Seq.__new__(m.Seq)
            for op in (len, list, lambda s: s[0], lambda s: 1 in s):
                raises(TypeError, op, seq, text="Seq instance was not initialised")
            r = m.Resource.__new__(m.Resource)
            raises(TypeError, r.__enter__)
            samples = m.Samples.__new__(m.Samples)
            raises(TypeError, samples.sum)
            if sys.version_info >= (3, 11):
                raises(TypeError, memoryview, samples, text="not initialised")
            p = m.Point.__new__(m.Point)         # no constructor: zero-filled is its start
            assert type(p).__name__ == "Point"
            gc.collect(); churn()
        """)


class UnbuiltInProcess(unittest.TestCase):
    def test_no_constructor_means_built(self):
        n = m.Node.__new__(m.Node)  # no __init__: usable as made
        n.next = 3
        self.assertEqual(n.next, 3)
        self.assertIsInstance(repr(m.Point.__new__(m.Point)), str)

    def test_error_message(self):
        g = m.Guard.__new__(m.Guard)
        with self.assertRaises(TypeError) as cm:
            g.get()
        self.assertEqual(str(cm.exception), "Guard instance was not initialised: call Guard.__init__ "
                                            "(a subclass's __init__ must call super().__init__())")


# ---------------------------------------------------------------------------
# 3. Pickling


class Pickling(unittest.TestCase):
    PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)

    def test_refused_at_every_protocol_without_a_say(self):
        # The issue: protocols 0 and 1 silently made a pickle without the C data.
        for obj in (m.Vec(1, 2), m.Guard(1), m.Shape(3), m.Square(2), m.Point(), m.Seq(2)):
            for proto in self.PROTOCOLS:
                with self.subTest(type(obj).__name__, proto=proto):
                    with self.assertRaises(TypeError) as cm:
                        pickle.dumps(obj, proto)
                    self.assertEqual(str(cm.exception), "cannot pickle '%s' object" % type(obj).__name__)
        with self.assertRaises(TypeError):
            copy.copy(m.Vec(1, 2))
        with self.assertRaises(TypeError):
            copy.deepcopy(m.Guard(1))

    def test_getstate_setstate_in_the_table(self):
        # __setstate__ is a constructor: unpickling makes the instance with
        # cls.__new__ (unbuilt) and __setstate__ builds it.
        for proto in self.PROTOCOLS:
            with self.subTest(proto=proto):
                s = pickle.loads(pickle.dumps(m.Stateful(42), proto))
                self.assertEqual(s.get(), 42)
                t = pickle.loads(pickle.dumps(m.Tagged(5), proto))  # base Shape refuses; Tagged says how
                self.assertEqual(t.sides(), 5)
        self.assertEqual(copy.copy(m.Stateful(7)).get(), 7)

    def test_python_subclass_may_say_how(self):
        for proto in self.PROTOCOLS:
            with self.subTest(proto=proto):
                s = pickle.loads(pickle.dumps(PicklableShape(6), proto))
                self.assertEqual(s.sides(), 6)


class PicklableShape(m.Shape):
    def __reduce__(self):
        return (PicklableShape, (self.sides(),))


# ---------------------------------------------------------------------------
# 4. sb_raise inside a [[nogil]] function


class RaiseWithoutTheGil(Probe):
    def test_nogil_function_raises_once_the_call_returns(self):
        # The issue: sb_raise without the GIL set the exception on no thread
        # state at all (a segfault).
        self.probe("""
            assert m.nogil_check(3) == 6
            raises(ValueError, m.nogil_check, -2, text="nogil_check(): n must be >= 0, not -2")
            e = raises(m.SafetyError, m.nogil_own, 7, text="the module's own exception, n=7")
            assert isinstance(e, RuntimeError)
            assert m.Guard(1).slow(2) == 3
            raises(ValueError, m.Guard(1).slow, -1, text="Guard.slow(): n must be >= 0")
            assert m.nogil_text(3) == "n=3"
            raises(ValueError, m.nogil_text, -1, text="negative")
        """)

    def test_error_functions_without_the_gil(self):
        self.probe("""
            assert m.nogil_sequence(0) == 0                  # raised, checked, cleared: nothing escapes
            raises(ValueError, m.nogil_sequence, 1, text="third wins")
            e = raises(ValueError, m.nogil_sequence, 2, text="chained from the KeyError")
            assert isinstance(e.__cause__, KeyError), repr(e.__cause__)
            assert m.nogil_with_gil(2) == 2
            raises(ValueError, m.nogil_with_gil, -1, text="raised holding sb_gil_acquire")
            assert m.allow_threads_raise(4) == 4
            raises(ValueError, m.allow_threads_raise, -1, text="raised inside sb_allow_threads")
        """)

    def test_many_threads_raising_without_the_gil(self):
        self.probe("""
            errors = []
            def work():
                try:
                    for i in range(300):
                        raises(ValueError, m.nogil_check, -1)
                        assert m.nogil_check(i) == 2 * i
                        raises(ValueError, m.nogil_sequence, 1)
                        raises(ValueError, m.nogil_with_gil, -1)
                except BaseException as e:
                    errors.append(e)
            ts = [threading.Thread(target=work) for _ in range(4)]
            for t in ts: t.start()
            work()
            for t in ts: t.join()
            assert not errors, errors
        """)


if __name__ == "__main__":
    unittest.main()
