# test_cface_helpers.py — the object helpers of sigbind.h (tests/cface/cface_helpers.c): buffers, bytes, instances, iteration, attributes, len, type tests, calls built at run time.
import array
import collections.abc
import gc
import sys
import unittest

import cface_helpers as h


class Buffers(unittest.TestCase):
    def test_buffer_of_doubles_reads_items(self):
        self.assertEqual(h.mean(array.array("d", [1, 2, 3, 6])), 3.0)
        self.assertEqual(h.mean(memoryview(array.array("d", [2.5]))), 2.5)
        self.assertEqual(h.mean(array.array("d")), 0.0)

    def test_format_mismatch_is_type_error_naming_both(self):
        with self.assertRaises(TypeError) as cm:
            h.mean(array.array("i", [1, 2]))
        self.assertIn("expected a buffer of double (format 'd'), not a buffer of format 'i'", str(cm.exception))
        with self.assertRaises(TypeError):
            h.mean(array.array("f", [1.0]))  # float is not double
        with self.assertRaises(TypeError):
            h.mean(b"\0" * 16)  # bytes are 'B'

    def test_not_a_buffer_is_type_error(self):
        for bad in (12345, [1.0, 2.0], "text", None):
            with self.assertRaises(TypeError) as cm:
                h.mean(bad)
            self.assertIn("expected a buffer of double", str(cm.exception))

    def test_writable_buffer_is_written(self):
        a = array.array("i", [0] * 5)
        self.assertEqual(h.fill(a, 7), 5)
        self.assertEqual(list(a), [7] * 5)
        m = memoryview(bytearray(8)).cast("i")
        self.assertEqual(h.fill(m, -1), 2)
        self.assertEqual(m.tolist(), [-1, -1])

    def test_read_only_buffer_refused_for_writing(self):
        with self.assertRaises(TypeError) as cm:
            h.fill(memoryview(array.array("i", [1])).toreadonly() if hasattr(memoryview, "toreadonly")
                   else memoryview(bytes(4)).cast("i"), 1)
        self.assertIn("writable", str(cm.exception))
        with self.assertRaises(TypeError):
            h.fill(bytes(8), 1)

    def test_non_contiguous_buffer_refused(self):
        a = array.array("d", [1, 2, 3, 4])
        with self.assertRaises(TypeError) as cm:
            h.mean(memoryview(a)[::2])
        self.assertIn("C-contiguous", str(cm.exception))

    def test_equivalent_integer_formats_fit(self):
        # 'l' and 'q' are both 8-byte signed where long is 64-bit; int32_t takes 'i' (and 'l' where long is 32-bit).
        self.assertEqual(h.buffer_info(array.array("q", [1, 2]), "int64_t"), (16, 8, 2, "q", False))
        if array.array("l").itemsize == 8:
            self.assertEqual(h.buffer_info(array.array("l", [1]), "int64_t")[2], 1)
        with self.assertRaises(TypeError):
            h.buffer_info(array.array("Q", [1]), "int64_t")  # unsigned is not signed
        self.assertEqual(h.buffer_info(b"abc", "char")[:3], (3, 1, 3))
        self.assertEqual(h.buffer_info(bytearray(b"ab"), "int8_t")[:3], (2, 1, 2))

    def test_any_format_and_void(self):
        self.assertEqual(h.buffer_info(array.array("h", [1, 2, 3])), (6, 2, 3, "h", False))
        self.assertEqual(h.buffer_info(array.array("h", [1, 2, 3]), "void"), (6, 1, 6, "h", False))
        self.assertEqual(h.buffer_info(b"xyz"), (3, 1, 3, "B", True))

    def test_bad_type_name_is_system_error(self):
        with self.assertRaises(SystemError):
            h.buffer_info(b"x", "double *")
        with self.assertRaises(SystemError):
            h.buffer_info(b"x", "not a type")
        with self.assertRaises(SystemError):
            h.buffer_info(b"x", "PyObject")

    def test_open_buffer_pins_a_bytearray(self):
        ba = bytearray(b"\x01\x02\x03")

        def grow(o):
            o.extend(b"\x00" * 100000)  # must not move the memory C is reading

        with self.assertRaises(BufferError):
            h.hold_and_call(ba, grow)
        self.assertEqual(ba, bytearray(b"\x01\x02\x03"))
        ba.extend(b"\x04")  # released afterwards: resizable again
        self.assertEqual(h.hold_and_call(ba, lambda o: None), 10)

    def test_bytes_and_bytearray_of_n_bytes(self):
        self.assertEqual(h.make_bytes(4, start=65), b"ABCD")
        self.assertEqual(h.make_bytes(3, array=True, start=1), bytearray(b"\x01\x02\x03"))
        self.assertEqual(h.make_bytes(5, start=-1), bytes(5))
        self.assertEqual(h.make_bytes(6, array=True, start=-1), bytearray(6))
        self.assertEqual(h.make_bytes(0), b"")
        self.assertIs(type(h.make_bytes(0, array=True)), bytearray)


class Instances(unittest.TestCase):
    def test_struct_of_an_instance(self):
        self.assertEqual(h.counter_total(h.Counter(41)), 41)

        class Sub(h.Counter):
            pass

        self.assertEqual(h.counter_total(Sub(7)), 7)

    def test_wrong_class_is_type_error(self):
        with self.assertRaises(TypeError) as cm:
            h.counter_total(h.Plain())
        self.assertEqual(str(cm.exception), "expected a Counter instance, not Plain")
        with self.assertRaises(TypeError):
            h.counter_total(3)

    def test_class_named_unlike_its_struct(self):
        p = h.Plain()
        p.x_field = 5
        self.assertEqual(p.x, 5)

    def test_unbuilt_instance_is_refused(self):
        c = h.Counter.__new__(h.Counter)
        with self.assertRaises(TypeError) as cm:
            h.counter_total(c)
        self.assertIn("was not initialised", str(cm.exception))

    def test_class_object_and_construction_from_c(self):
        self.assertIs(h.class_object("Counter"), h.Counter)
        c = h.make_counter(12)
        self.assertIsInstance(c, h.Counter)
        self.assertEqual(c.total, 12)
        with self.assertRaises(SystemError) as cm:
            h.class_object("Nope")
        self.assertIn("no class 'Nope'", str(cm.exception))


class Iteration(unittest.TestCase):
    def test_any_iterable(self):
        self.assertEqual(h.sum_iterable([1, 2, 3]), 6)
        self.assertEqual(h.sum_iterable(range(101)), 5050)
        self.assertEqual(h.sum_iterable(x for x in (4, 5)), 9)
        self.assertEqual(h.sum_iterable({7: "a"}), 7)
        self.assertEqual(h.sum_iterable(()), 0)

    def test_errors_propagate(self):
        def gen():
            yield 1
            raise KeyError("midway")

        with self.assertRaises(KeyError):
            h.sum_iterable(gen())
        with self.assertRaises(TypeError):
            h.sum_iterable(5)
        with self.assertRaises(TypeError):
            h.sum_iterable(["x"])  # item conversion fails: iteration stops, references dropped

    def test_next_on_a_non_iterator_is_type_error(self):
        with self.assertRaises(TypeError) as cm:
            h.next_of([1, 2])
        self.assertIn("expected an iterator", str(cm.exception))

    def test_container_mutated_during_iteration(self):
        items = [1, 2, 3]

        class Evil:
            def __iter__(self):
                return self

            def __next__(self):
                if not items:
                    raise StopIteration
                v = items.pop()
                items.clear()
                return v

        self.assertEqual(h.sum_iterable(Evil()), 3)


class Attributes(unittest.TestCase):
    def test_set_get_has_del(self):
        class O:
            pass

        o = O()
        marker = object()
        self.assertEqual(h.attr_round_trip(o, "x", marker), (True, marker, False))
        self.assertFalse(hasattr(o, "x"))

    def test_errors_other_than_attribute_error_propagate(self):
        class Odd:
            def __getattr__(self, name):
                raise RuntimeError("boom")

        with self.assertRaises(RuntimeError):
            h.has_attr(Odd(), "anything")
        self.assertEqual(h.has_attr(Odd, "__name__"), 1)
        with self.assertRaises(AttributeError):
            h.attr_round_trip(object(), "x", 1)  # object() has no __dict__

    def test_len(self):
        self.assertEqual(h.length([1, 2, 3]), 3)
        self.assertEqual(h.length(b""), 0)
        with self.assertRaises(TypeError):
            h.length(5)

        class Bad:
            def __len__(self):
                raise ValueError("no length")

        with self.assertRaises(ValueError):
            h.length(Bad())


class TypeTests(unittest.TestCase):
    def test_isinstance_by_name(self):
        self.assertEqual(h.is_instance(h.Counter(), "Counter"), 1)
        self.assertEqual(h.is_instance(h.Plain(), "Counter"), 0)
        self.assertEqual(h.is_instance(3, "int"), 1)
        self.assertEqual(h.is_instance(True, "int"), 1)
        self.assertEqual(h.is_instance("s", "list"), 0)
        self.assertEqual(h.is_instance({}, "collections.abc.Mapping"), 1)
        self.assertEqual(h.is_instance(KeyError(), "LookupError"), 1)
        self.assertEqual(h.is_instance(h.HelperError(), "HelperError"), 1)
        self.assertEqual(h.is_instance(h.HelperError(), "ValueError"), 1)

    def test_issubclass_by_name(self):
        self.assertEqual(h.is_subclass(h.HelperError, "ValueError"), 1)
        self.assertEqual(h.is_subclass(bool, "int"), 1)
        self.assertEqual(h.is_subclass(int, "Counter"), 0)
        with self.assertRaises(TypeError):
            h.is_subclass(3, "int")  # not a class

    def test_unknown_names_are_system_errors(self):
        for name in ("NoSuchType", "len", "collections.nosuch", "os.path.join"):
            with self.assertRaises((SystemError, ImportError), msg=name):
                h.is_instance(1, name)


class RunTimeCalls(unittest.TestCase):
    def test_args_and_kwargs_built_in_c(self):
        def f(*args, **kwargs):
            return args, kwargs

        self.assertEqual(h.call_with(f, [1, "a"], ["x", "y"]), ((1, "a"), {"x": 0, "y": 1}))
        self.assertEqual(h.call_with(f, (), ()), ((), {}))
        self.assertEqual(h.call_with(f, range(3), iter(["k"])), ((0, 1, 2), {"k": 0}))

    def test_raw_tuple_list_or_none(self):
        self.assertEqual(h.call_raw(max, [3, 9, 4], None), 9)
        self.assertEqual(h.call_raw(sorted, ([3, 1],), {"reverse": True}), [3, 1])
        self.assertEqual(h.call_raw(dict, None, None), {})
        with self.assertRaises(TypeError) as cm:
            h.call_raw(dict, None, [("a", 1)])
        self.assertIn("keyword arguments must be a dict", str(cm.exception))
        with self.assertRaises(TypeError):
            h.call_raw(dict, 5, None)

    def test_callee_cannot_change_the_argument_list(self):
        args = [1, 2]

        def f(*a):
            args.append(3)
            return a

        self.assertEqual(h.call_raw(f, args, None), (1, 2))
        self.assertEqual(args, [1, 2, 3])

    def test_exception_from_callee_propagates(self):
        def f():
            raise h.HelperError("inner")

        with self.assertRaises(h.HelperError):
            h.call_with(f, [], [])

    def test_items(self):
        d = {}
        marker = object()
        self.assertIs(h.set_and_get(d, "k", marker), marker)
        self.assertEqual(d, {"k": marker})
        with self.assertRaises(TypeError):
            h.set_and_get([], "k", 1)

    def test_none(self):
        self.assertEqual(h.none_of(None), "none")
        self.assertIsNone(h.none_of(0))


class NoLeaks(unittest.TestCase):
    def test_helpers_do_not_leak_references(self):
        data = array.array("d", [1.0] * 8)
        marker = object()
        gc.collect()
        before = sys.getrefcount(data), sys.getrefcount(marker)
        for _ in range(1000):
            h.mean(data)
            h.call_with(lambda *a, **k: None, [marker], ["k"])
            h.sum_iterable([1, 2])
            try:
                h.mean(array.array("i"))
            except TypeError:
                pass
        gc.collect()
        self.assertEqual((sys.getrefcount(data), sys.getrefcount(marker)), before)


if __name__ == "__main__":
    unittest.main()
