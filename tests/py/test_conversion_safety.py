# test_conversion_safety.py — Python code running mid-conversion and the owners of memory: snapshots, all-or-nothing stores, held buffer exports, collectable Pointers.
import gc
import struct
import sys
import unittest
import weakref

import sigbind
from support import testlib

libc = sigbind.load(None, """
    void *memset(void *s, int c, size_t n);
    void *memchr(const void *s, int c, size_t n);
    void *memcpy(void *dest, const void *src, size_t n);
""")


class Grows:
    """An int whose __index__ appends to the list it sits in."""

    def __init__(self, target, value=1, by=1000):
        self.target, self.value, self.by = target, value, by

    def __index__(self):
        self.target.extend([7] * self.by)
        return self.value


class Clears:
    """An int whose __index__ empties its container (dropping the last reference to itself), then answers."""

    def __init__(self, target, value=1):
        self.target, self.value = target, value

    def __index__(self):
        self.target.clear()
        return self.value


class Counted:
    calls = 0

    def __init__(self, value):
        self.value = value

    def __index__(self):
        Counted.calls += 1
        return self.value


class FailsSecondTime:
    """Valid the first time it is converted, invalid after: converting twice would write half."""

    def __init__(self):
        self.n = 0

    def __index__(self):
        self.n += 1
        return 5 if self.n == 1 else "not an int"


class NewInitialisers(unittest.TestCase):
    def test_list_grown_by_an_item_converts_the_items_it_had(self):
        lst = [0, 0, 0, 0]
        lst[0] = Grows(lst)
        p = sigbind.new("int[4]", lst)  # 4 items of 4 bytes: never more
        self.assertEqual(list(p), [1, 0, 0, 0])
        self.assertEqual(len(lst), 1004)

    def test_open_array_length_is_the_snapshot_length(self):
        lst = [0, 0]
        lst[1] = Grows(lst, value=9)
        p = sigbind.new("int[]", lst)
        self.assertEqual(list(p), [0, 9])

    def test_item_that_empties_the_list_keeps_itself_alive(self):
        lst = [0, 0, 0]
        lst[1] = Clears(lst, 5)
        p = sigbind.new("long[3]", lst)
        self.assertEqual(list(p), [0, 5, 0])
        self.assertEqual(lst, [])

    def test_item_that_empties_the_list_then_fails_is_named_in_the_error(self):
        lst = [0, 0]

        class Bad:
            def __index__(self):
                lst.clear()
                return "x"  # __index__ returned non-int: the message names the type
        lst[1] = Bad()
        with self.assertRaises(TypeError):
            sigbind.new("int[2]", lst)


class PointerSliceAssignment(unittest.TestCase):
    def test_each_value_is_converted_once(self):
        p = sigbind.new("int[3]")
        Counted.calls = 0
        p[0:3] = [Counted(1), Counted(2), Counted(3)]
        self.assertEqual(list(p), [1, 2, 3])
        self.assertEqual(Counted.calls, 3)

    def test_a_value_that_changes_between_conversions_cannot_half_write(self):
        p = sigbind.new("int[3]", [10, 20, 30])
        p[0:3] = [1, FailsSecondTime(), 3]  # converted once: valid
        self.assertEqual(list(p), [1, 5, 3])

    def test_failure_on_a_later_value_leaves_memory_unchanged(self):
        p = sigbind.new("int[3]", [10, 20, 30])
        with self.assertRaises(OverflowError):
            p[0:3] = [1, 2, 2 ** 40]
        self.assertEqual(list(p), [10, 20, 30])

    def test_list_emptied_by_a_value_converts_the_snapshot(self):
        p = sigbind.new("int[3]")
        vals = [1, 2, 3]
        vals[0] = Clears(vals, 4)
        p[0:3] = vals
        self.assertEqual(list(p), [4, 2, 3])


class StructInitialisers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(None, "struct sc_pair { int a; int b; int arr[3]; };")

    def test_dict_cleared_by_a_member_value(self):
        d = {"a": 1, "b": 2}
        d["a"] = Clears(d, 6)  # drops the dict's (only) reference to the other value too
        s = self.lib.new("struct sc_pair", d)
        self.assertEqual((s.a, s.b), (6, 2))

    def test_tuple_of_list_array_member_grown_mid_conversion(self):
        arr = [0, 0, 0]
        arr[0] = Grows(arr, value=3)
        s = self.lib.new("struct sc_pair", {"arr": arr})
        self.assertEqual(list(s.arr), [3, 0, 0])

    def test_list_initialiser_cleared_mid_conversion(self):
        vals = [0, 8]
        vals[0] = Clears(vals, 1)
        s = self.lib.new("struct sc_pair", vals)
        self.assertEqual((s.a, s.b), (1, 8))


class BuffersHeldDuringCalls(unittest.TestCase):
    def test_bytearray_cannot_be_resized_by_a_later_pointer_argument(self):
        ba = bytearray(4096)  # a malloc'd buffer: a stale address would be freed memory
        src = sigbind.new("char[16]", b"A" * 16)

        class ResizesThenAddress:
            def __index__(self):
                ba.extend(b"x" * 100000)
                return int(src)
        with self.assertRaises(BufferError):
            libc.memcpy(ba, ResizesThenAddress(), 16)
        self.assertEqual(len(ba), 4096)
        self.assertEqual(bytes(ba[:16]), bytes(16))

    def test_scalar_arguments_run_before_any_address_is_taken(self):
        ba = bytearray(4096)

        class Resizes:
            def __index__(self):
                ba.extend(b"x" * 100000)  # before the buffer argument's address is taken
                return 16
        libc.memset(ba, 0x41, Resizes())
        self.assertEqual(len(ba), 104096)
        self.assertEqual(bytes(ba[:17]), b"A" * 16 + b"\0")

    def test_bytearray_is_free_to_resize_after_the_call(self):
        ba = bytearray(8)
        libc.memset(ba, 0x42, 8)
        ba.extend(b"z")
        self.assertEqual(bytes(ba), b"B" * 8 + b"z")

    def test_result_pointing_into_a_buffer_argument_points_into_the_object(self):
        data = bytearray(b"hello world")
        base = sigbind.from_buffer("char[]", data)
        for arg in (data, memoryview(data)):
            r = libc.memchr(arg, ord("w"), len(data))
            self.assertEqual(int(r), int(base) + 6, type(arg).__name__)
            self.assertEqual(sigbind.string_at(r, 5), b"world")

    def test_writable_memoryview_is_written_in_place(self):
        data = bytearray(8)
        libc.memset(memoryview(data)[2:6], 0x43, 4)
        self.assertEqual(bytes(data), b"\0\0CCCC\0\0")


class Owners(unittest.TestCase):
    def test_memory_of_new_cannot_be_resized_through_buffer_obj(self):
        p = sigbind.new("char[4096]")
        owner = sigbind.buffer(p).obj
        with self.assertRaises(BufferError):
            owner.clear()
        with self.assertRaises(BufferError):
            owner.extend(b"x" * 100000)
        p[4095] = b"z"
        self.assertEqual(p[4095], b"z")

    def test_from_buffer_pins_the_callers_bytearray(self):
        ba = bytearray(64)
        p = sigbind.from_buffer("char[]", ba)
        with self.assertRaises(BufferError):
            ba.clear()
        del p
        gc.collect()
        ba.clear()  # free again once the Pointer is gone
        self.assertEqual(len(ba), 0)

    def test_cycle_through_a_pointer_is_collected(self):
        class Holder(bytearray):
            pass
        h = Holder(64)
        h.p = sigbind.from_buffer("char[]", h)  # h -> Pointer -> its pin -> h
        w = weakref.ref(h)
        del h
        gc.collect()
        self.assertIsNone(w())

    def test_derived_pointer_keeps_the_memory(self):
        p = sigbind.new("int[4]", [1, 2, 3, 4])
        q = p + 2
        del p
        gc.collect()
        self.assertEqual(list(q[0:2]), [3, 4])


class FloatConversionErrors(unittest.TestCase):
    """A float parameter given a non-number: the TypeError names the parameter, and no attribute
    lookup runs while the first error is still set (3.13 reported it as 'Exception ignored in
    PyObject_HasAttrString()' and lost it; found by pyfuzz)."""

    def setUp(self):
        self.unraisable = []
        self.old_hook = getattr(sys, "unraisablehook", None)
        if self.old_hook is not None:
            sys.unraisablehook = self.unraisable.append

    def tearDown(self):
        if self.old_hook is not None:
            sys.unraisablehook = self.old_hook

    def test_non_number_for_a_double_names_the_parameter(self):
        lib = sigbind.load(None)
        fabs = lib.bind("double fabs(double x)")
        p = sigbind.new("double[3]")
        for bad in ([1], {}, None, object()):
            with self.assertRaises(TypeError) as cm:
                fabs(bad)
            self.assertIn("fabs() argument 'x' (double) must be float, not", str(cm.exception))
            with self.assertRaises(TypeError) as cm:
                p[0] = bad
            self.assertIn("argument 'p[0]' (double) must be float, not", str(cm.exception))
            with self.assertRaises(TypeError):
                p[0:1] = [bad]
        self.assertEqual(list(p), [0.0, 0.0, 0.0])
        self.assertEqual(self.unraisable, [])

    def test_float_returning_a_non_float_keeps_its_own_error(self):
        class F:
            def __float__(self):
                return "x"
        p = sigbind.new("double[1]")
        with self.assertRaises(TypeError) as cm:
            p[0] = F()
        self.assertIn("__float__ returned non-float", str(cm.exception))
        self.assertEqual(self.unraisable, [])


class TypeConfusion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = sigbind.load(None, """
            int abs(int x);
            double fabs(double x);
            double frexp(double x, int *exp);
            void *memset(void *s, int c, size_t n);
        """)

    def test_pointer_is_not_an_integer_argument(self):
        p = sigbind.new("int[2]")
        with self.assertRaises(TypeError) as cm:
            self.lib.abs(p)
        self.assertEqual(str(cm.exception), "abs() argument 'x' (int) must be int, not a Pointer (an address; "
                                            "int(p) is its value as a number)")
        with self.assertRaises(TypeError):
            self.lib.fabs(p)
        with self.assertRaises(TypeError):
            sigbind.new("long[1]", [p])
        self.assertEqual(self.lib.abs(-3), 3)

    def test_pointer_of_another_type_is_refused(self):
        with self.assertRaises(TypeError) as cm:
            self.lib.frexp(1.0, sigbind.new("short[2]"))
        self.assertIn("argument 'exp' (int *) must be a Pointer of that type (or void *), not a Pointer (short *)",
                      str(cm.exception))
        with self.assertRaises(TypeError):
            self.lib.frexp(1.0, sigbind.new("double[1]"))

    def test_matching_void_and_same_size_integer_pointers_are_accepted(self):
        e = sigbind.new("int[1]")
        self.assertEqual(self.lib.frexp(8.0, e), 0.5)
        self.assertEqual(e[0], 4)
        self.assertEqual(self.lib.frexp(8.0, sigbind.new("int32_t[1]")), 0.5)   # int32_t is int
        self.assertEqual(self.lib.frexp(8.0, sigbind.cast("void *", e)), 0.5)   # void * goes anywhere
        self.lib.memset(sigbind.new("double[2]"), 0, 16)                        # and takes anything


if __name__ == "__main__":
    unittest.main()
