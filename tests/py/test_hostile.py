# test_hostile.py — hostile Python code in the middle of a conversion (__index__/__float__/__lt__ mutating or freeing what is being converted), all-or-nothing stores, buffers resized under C, lifetimes of Pointers/Structs/Callbacks, loading things that are not libraries, KeyboardInterrupt in callbacks.
"""Each probe runs in a child interpreter (a crash there fails one test, not the suite).

The child runs with PYTHONMALLOC=malloc_debug: freed objects are overwritten
with 0xDD and returned to malloc, so a read after free crashes (plain build),
or is reported by AddressSanitizer when the suite runs with the sanitizer
runtimes preloaded (LD_PRELOAD is inherited). Correct behaviour everywhere:
a clear Python exception, or the right value; never a crash, silent
corruption, a half-done store or a hang.
"""
import os
import subprocess
import sys
import textwrap
import unittest

import sigbind

from support import TESTLIB, child_env, run_probe, testlib

PRELUDE = """\
import array, gc, os, sys, threading, time
import sigbind
TESTLIB = os.environ["SIGBIND_TESTLIB"]
STRUCTS = '''
    struct point { int x; int y; };
    struct rect { struct point min, max; };
    struct mixed {
        char c; double d; short s[3]; struct point p;
        union { int i; float f; };
        const char *name; unsigned char tail;
    };
    struct flags { unsigned ready : 1; unsigned mode : 3; int delta : 5; };
    struct point point_add(struct point a, struct point b);
    int rect_area(const struct rect *r);
'''
"""


class Probe(unittest.TestCase):
    """Runs code in a child interpreter; it must exit 0 having printed END."""

    @classmethod
    def setUpClass(cls):
        testlib()  # skips without the test library

    def probe(self, body, timeout=120):
        return run_probe(self, PRELUDE, body, timeout)


class ConversionsThatMutateTheirContainer(Probe):
    """__index__/__float__/__lt__ of an item changing the list, dict or member being converted."""

    def test_index_that_clears_list_and_raises_during_new_reports_its_error_without_use_after_free(self):
        # The issue: a borrowed item freed by its own __index__ is read after
        # free when the TypeError is formatted.
        self.probe("""
            class Evil:
                def __index__(self):
                    del lst[:]
                    raise TypeError("evil index")
            lst = [Evil(), 1]
            try:
                sigbind.new("int[8]", lst)
            except TypeError as e:
                print("TypeError", e)
            else:
                raise AssertionError("no TypeError")
        """)

    def test_index_that_clears_list_during_new_raises_or_converts_snapshot(self):
        self.probe("""
            class Clear:
                def __index__(self):
                    del lst[:]
                    return 5
            for t in ("int[4]", "int[]"):
                lst = [Clear(), 1, 2, 3]
                try:
                    p = sigbind.new(t, lst)
                except Exception as e:
                    print(t, "raised", type(e).__name__, e)
                else:
                    assert list(p) == [5, 1, 2, 3], (t, list(p))
        """)

    def test_index_that_grows_list_during_new_stays_inside_the_allocation(self):
        # "int[]" allocates len(init) items; the loop must not follow the list as it grows.
        self.probe("""
            class Grow:
                def __index__(self):
                    lst.extend([7] * 1000)
                    return 5
            for t in ("int[]", "int[3]"):
                lst = [Grow(), 1, 2]
                try:
                    p = sigbind.new(t, lst)
                except Exception as e:
                    print(t, "raised", type(e).__name__, e)
                else:
                    assert list(p) == [5, 1, 2], (t, list(p))
        """)

    def test_float_that_clears_list_and_returns_out_of_range_reports_without_use_after_free(self):
        self.probe("""
            class F:
                def __float__(self):
                    del lst[:]
                    return 1e300
            lst = [F()]
            try:
                sigbind.new("float[2]", lst)
            except OverflowError as e:
                print("OverflowError", e)
            else:
                raise AssertionError("1e300 stored into a float")
        """)

    def test_float_that_clears_list_and_raises_type_error_reports_without_use_after_free(self):
        self.probe("""
            class F:
                def __float__(self):
                    del lst[:]
                    raise TypeError("evil float")
            lst = [F()]
            try:
                sigbind.new("double[2]", lst)
            except TypeError as e:
                print("TypeError", e)
            else:
                raise AssertionError("no TypeError")
        """)

    def test_index_that_clears_list_and_returns_out_of_range_reports_without_use_after_free(self):
        self.probe("""
            class I:
                def __index__(self):
                    del lst[:]
                    return 1 << 40
            lst = [I()]
            try:
                sigbind.new("int[2]", lst)
            except OverflowError as e:
                print("OverflowError", e)
            else:
                raise AssertionError("2**40 stored into an int")
        """)

    def test_int_subclass_whose_lt_clears_list_during_pointer_element_init_is_not_read_after_free(self):
        # Pointer elements compare the int with 0 (__lt__ of a subclass runs), then read it.
        self.probe("""
            class EvilInt(int):
                def __lt__(self, other):
                    del lst[:]
                    return False
            lst = [EvilInt(0x10000)]
            try:
                p = sigbind.new("int *[2]", lst)
            except Exception as e:
                print("raised", type(e).__name__, e)
            else:
                assert p[0] is not None and p[0].address == 0x10000, p[0]
        """)

    def test_index_that_clears_list_during_slice_assignment_raises_or_assigns_snapshot(self):
        self.probe("""
            class Clear:
                def __index__(self):
                    del lst[:]
                    return 5
            p = sigbind.new("int[4]", [1, 2, 3, 4])
            lst = [Clear(), 6, 7, 8]
            try:
                p[0:4] = lst
            except Exception as e:
                print("raised", type(e).__name__, e)
                assert list(p) == [1, 2, 3, 4], list(p)
            else:
                assert list(p) == [5, 6, 7, 8], list(p)
        """)

    def test_index_that_clears_list_and_raises_during_slice_assignment_leaves_memory_unchanged(self):
        self.probe("""
            class Evil:
                def __index__(self):
                    del lst[:]
                    raise TypeError("evil index")
            p = sigbind.new("int[4]", [1, 2, 3, 4])
            lst = [6, Evil(), 7, 8]
            try:
                p[0:4] = lst
            except TypeError as e:
                print("TypeError", e)
            else:
                raise AssertionError("no TypeError")
            assert list(p) == [1, 2, 3, 4], list(p)
        """)

    def test_slice_assignment_converts_each_value_once_so_a_later_failure_cannot_half_write(self):
        # Converting every value twice (once to check, once to store) runs
        # __index__ twice: the second run may fail after earlier items were stored.
        self.probe("""
            class Flaky:
                calls = 0
                def __index__(self):
                    Flaky.calls += 1
                    if Flaky.calls > 1:
                        raise ValueError("converted twice")
                    return 9
            p = sigbind.new("int[4]", [1, 2, 3, 4])
            try:
                p[0:2] = [7, Flaky()]
            except ValueError as e:
                assert list(p) == [1, 2, 3, 4], ("half-written", list(p), str(e))
                raise AssertionError("a value that converted was converted again: %s" % e)
            assert list(p) == [7, 9, 3, 4], list(p)
            assert Flaky.calls == 1, Flaky.calls
        """)

    def test_index_that_clears_dict_and_raises_during_struct_init_reports_without_use_after_free(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, STRUCTS)
            class Evil:
                def __index__(self):
                    d.clear()
                    raise TypeError("evil index")
            d = {"x": Evil(), "y": 2}
            try:
                lib.new("struct point", d)
            except TypeError as e:
                print("TypeError", e)
            else:
                raise AssertionError("no TypeError")
        """)

    def test_index_that_clears_dict_during_struct_init_raises_or_converts_snapshot(self):
        # Not: x converted, y silently left 0 because the dict went away mid-iteration.
        self.probe("""
            lib = sigbind.load(TESTLIB, STRUCTS)
            class Clear:
                def __index__(self):
                    d.clear()
                    return 5
            d = {"x": Clear(), "y": 2}
            try:
                s = lib.new("struct point", d)
            except Exception as e:
                print("raised", type(e).__name__, e)
            else:
                assert (s.x, s.y) == (5, 2), s
        """)

    def test_index_that_clears_dict_during_struct_by_value_argument_reports_without_use_after_free(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, STRUCTS)
            class Evil:
                def __index__(self):
                    d.clear()
                    raise TypeError("evil index")
            d = {"x": Evil(), "y": 2}
            try:
                lib.point_add(d, (1, 2))
            except TypeError as e:
                print("TypeError", e)
            else:
                raise AssertionError("no TypeError")
        """)

    def test_index_that_clears_list_during_struct_by_value_argument_raises_or_converts_snapshot(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, STRUCTS)
            class Clear:
                def __index__(self):
                    del lst[:]
                    return 5
            lst = [Clear(), 2]
            try:
                r = lib.point_add(lst, (1, 2))
            except Exception as e:
                print("raised", type(e).__name__, e)
            else:
                assert (r.x, r.y) == (6, 4), r
        """)

    def test_index_that_clears_array_member_list_raises_or_converts_snapshot(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, STRUCTS)
            class Clear:
                def __index__(self):
                    del lst[:]
                    return 5
            s = lib.new("struct mixed", {"s": [1, 1, 1]})
            lst = [Clear(), 2, 3]
            try:
                s.s = lst
            except Exception as e:
                print("raised", type(e).__name__, e)
                assert list(s.s) == [1, 1, 1], list(s.s)  # an array member is a view (issue 12)
            else:
                assert list(s.s) == [5, 2, 3], list(s.s)  # an array member is a view (issue 12)
        """)

    def test_index_that_clears_array_member_list_and_raises_reports_without_use_after_free(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, STRUCTS)
            class Evil:
                def __index__(self):
                    del lst[:]
                    raise TypeError("evil index")
            s = lib.new("struct mixed")
            lst = [Evil(), 2, 3]
            try:
                s.s = lst
            except TypeError as e:
                print("TypeError", e)
            else:
                raise AssertionError("no TypeError")
            assert list(s.s) == [0, 0, 0], list(s.s)  # an array member is a view (issue 12)
        """)

    def test_index_that_clears_list_during_struct_array_init_raises_or_converts_snapshot(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, STRUCTS)
            class Clear:
                def __index__(self):
                    del lst[:]
                    return 5
            lst = [(Clear(), 1), (2, 3), (4, 5)]
            try:
                p = lib.new("struct point[3]", lst)
            except Exception as e:
                print("raised", type(e).__name__, e)
            else:
                got = [(p[i].x, p[i].y) for i in range(3)]
                assert got == [(5, 1), (2, 3), (4, 5)], got
        """)

    def test_index_that_clears_dict_and_overflows_a_bit_field_reports_without_use_after_free(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, STRUCTS)
            class Evil:
                def __index__(self):
                    d.clear()
                    return 100
            d = {"mode": Evil()}
            try:
                lib.new("struct flags", d)
            except OverflowError as e:
                print("OverflowError", e)
            else:
                raise AssertionError("100 stored into a 3-bit field")
        """)

    def test_index_of_a_variadic_extra_that_resizes_an_earlier_bytearray_pins_it_or_raises(self):
        # sigbind.c("void *", obj) converts obj per call (to_ptr's __index__ fallback).
        self.probe("""
            libc = sigbind.load(None, "int snprintf(char *buf, size_t n, const char *fmt, ...);")
            ba = bytearray(64)
            class P:
                def __index__(self):
                    ba.extend(b"x" * 10 ** 6)   # moves ba's memory
                    return 0
            try:
                n = libc.snprintf(ba, 64, "%p%s", sigbind.c("void *", P()), "hello")
            except BufferError as e:
                print("BufferError", e)
            else:
                assert bytes(ba[:n]).endswith(b"hello"), bytes(ba[:16])
        """)

    def test_generator_and_list_subclass_initialisers_convert_their_snapshot(self):
        self.probe("""
            lst = [1, 2, 3]
            def gen():
                for v in lst:
                    yield v
                    lst.append(99) if len(lst) < 6 else None
            p = sigbind.new("int[]", gen())
            print(list(p))
            class L(list):
                def __len__(self):
                    self.clear()
                    return 0
            try:
                q = sigbind.new("int[4]", L([4, 5]))
            except Exception as e:
                print("raised", type(e).__name__, e)
            else:
                assert list(q) in ([4, 5, 0, 0], [0, 0, 0, 0]), list(q)
        """)


class AllOrNothing(Probe):
    """A store that fails on item k leaves the target as it was."""

    def test_struct_assignment_failing_on_a_later_member_leaves_it_unchanged(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, STRUCTS)
            r = lib.new("struct rect", ((1, 2), (3, 4)))
            p = lib.new("struct rect[1]", [((1, 2), (3, 4))])
            for bad in (((9, 9), (9, "x")), {"min": (9, 9), "max": (9, 2 ** 40)}):
                for store in (lambda: p.__setitem__(0, bad), lambda: setattr(r, "min", bad[0] if isinstance(bad, tuple) else (9, 9)) or setattr(r, "max", (9, "x"))):
                    try:
                        store()
                    except (TypeError, OverflowError) as e:
                        print(type(e).__name__, e)
                    else:
                        raise AssertionError("no error for %r" % (bad,))
                assert (p[0].min.x, p[0].min.y, p[0].max.x, p[0].max.y) == (1, 2, 3, 4), p[0]
                r.min = (1, 2)   # the first setattr above succeeded by design; put it back
                assert (r.max.x, r.max.y) == (3, 4), r
            try:
                r.min = (7, "x")
            except TypeError:
                pass
            assert (r.min.x, r.min.y) == (1, 2), r
        """)

    def test_array_member_assignment_failing_on_item_k_leaves_it_unchanged(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, STRUCTS)
            s = lib.new("struct mixed", {"s": [1, 2, 3]})
            for bad in ([7, 8, 2 ** 20], [7, "x", 9]):
                try:
                    s.s = bad
                except (TypeError, OverflowError):
                    pass
                else:
                    raise AssertionError("no error for %r" % (bad,))
                assert list(s.s) == [1, 2, 3], list(s.s)  # an array member is a view (issue 12)
        """)

    def test_slice_assignment_failing_on_item_k_leaves_memory_unchanged(self):
        self.probe("""
            p = sigbind.new("int[4]", [1, 2, 3, 4])
            for bad in ([7, 8, "x"], [7, 8, 2 ** 40], [7, 8, None]):
                try:
                    p[0:3] = bad
                except (TypeError, OverflowError):
                    pass
                else:
                    raise AssertionError("no error for %r" % (bad,))
                assert list(p) == [1, 2, 3, 4], list(p)
            q = sigbind.new("double[3]", [1.0, 2.0, 3.0])
            try:
                q[::2] = [5.0, "x"]
            except TypeError:
                pass
            assert list(q) == [1.0, 2.0, 3.0], list(q)
        """)


class BuffersResizedUnderC(Probe):
    """A bytearray's address handed to C must stay valid until C returns."""

    DECLS = '''"""
        void h_sleep_fill(unsigned char *p, size_t n, int v, int ms) [[nogil]];
        long h_sleep_sum(const unsigned char *p, size_t n, int ms) [[nogil]];
        void h_copy(void *dst, const void *src, size_t n);
        const void *h_memchr(const void *s, int c, size_t n);
    """'''

    def lib_probe(self, body):
        return self.probe("lib = sigbind.load(TESTLIB, %s)\n" % self.DECLS + textwrap.dedent(body))

    def test_bytearray_grown_by_a_later_pointer_arguments_index_is_pinned_or_raises(self):
        self.lib_probe("""
            ba = bytearray(b"a" * 64)
            src = sigbind.new("char[64]", b"b" * 64)
            class Src:
                def __index__(self):
                    ba.extend(b"x" * 10 ** 6)
                    return src.address
            try:
                lib.h_copy(ba, Src(), 64)
            except BufferError as e:
                print("BufferError", e)
            else:
                assert bytes(ba[:64]) == b"b" * 64, ("the write went to freed memory", bytes(ba[:8]))
        """)

    def test_bytearray_emptied_by_a_later_pointer_arguments_index_is_pinned_or_raises(self):
        self.lib_probe("""
            ba = bytearray(b"a" * 4096)
            src = sigbind.new("char[4096]", b"b" * 4096)
            class Src:
                def __index__(self):
                    del ba[:]
                    return src.address
            try:
                lib.h_copy(ba, Src(), 4096)
            except BufferError as e:
                print("BufferError", e)
            else:
                raise AssertionError("C wrote 4096 bytes into a bytearray emptied before the call (len %d)" % len(ba))
        """)

    def test_thread_cannot_resize_a_bytearray_while_nogil_c_writes_it(self):
        self.lib_probe("""
            n = 1 << 16
            ba = bytearray(n)
            seen = []
            def resize():
                time.sleep(0.05)
                try:
                    ba.extend(b"y" * (1 << 22))
                    seen.append("resized")
                except BufferError:
                    seen.append("BufferError")
            t = threading.Thread(target=resize)
            t.start()
            lib.h_sleep_fill(ba, n, 7, 400)
            t.join()
            assert seen == ["BufferError"], seen
            assert ba[:n] == b"\\x07" * n, "the write went to freed memory"
        """)

    def test_thread_cannot_empty_a_bytearray_while_nogil_c_reads_it(self):
        self.lib_probe("""
            n = 1 << 16
            ba = bytearray(b"\\x01" * n)
            seen = []
            def clear():
                time.sleep(0.05)
                try:
                    del ba[:]
                    seen.append("cleared")
                except BufferError:
                    seen.append("BufferError")
            t = threading.Thread(target=clear)
            t.start()
            s = lib.h_sleep_sum(ba, n, 400)
            t.join()
            assert seen == ["BufferError"], seen
            assert s == n, s
        """)

    def test_pointer_result_into_an_array_argument_points_into_that_array(self):
        # 3.7-3.10 copy buffers into a temporary: a result pointing into the
        # argument would point into the freed copy.
        self.lib_probe("""
            a = array.array("b", b"hello world")
            r = lib.h_memchr(a, ord("w"), len(a))
            assert r.address - a.buffer_info()[0] == 6, ("not into the array", r.address - a.buffer_info()[0])
            assert sigbind.string_at(r, 5) == b"world"
            mv = memoryview(bytearray(b"hello world"))
            r = lib.h_memchr(mv, ord("w"), 11)
            base = sigbind.from_buffer("char[]", mv).address
            assert r.address - base == 6, ("not into the memoryview", r.address - base)
        """)

    def test_pointer_result_into_a_bytes_argument_points_into_that_bytes(self):
        self.lib_probe("""
            b = b"hello world"
            r = lib.h_memchr(b, ord("w"), len(b))
            assert sigbind.string_at(r, 5) == b"world"
            r = lib.h_memchr(bytearray(b), ord("w"), len(b))
            print(r)
        """)


class Reentrancy(Probe):
    def test_float_that_calls_the_same_bound_function_recursively(self):
        self.probe("""
            t_double = sigbind.load(TESTLIB).bind("double t_double(double x)")
            t_mix = sigbind.load(TESTLIB).bind("double t_mix(int8_t a, double b, uint16_t c, float d, int64_t e, double f)")
            class F:
                depth = 0
                def __float__(self):
                    F.depth += 1
                    return t_double(F()) + 1 if F.depth < 50 else 0.0
            assert t_double(F()) == 49.0
            class G:
                def __float__(self):
                    return t_mix(1, 2.0, 3, 4.0, 5, 6.0)
            class I:
                def __index__(self):
                    return int(t_mix(1, G(), 1, G(), 1, 1.0))
            assert t_mix(I(), G(), 1, 1.0, I(), G()) == 46 + 21 + 1 + 1 + 46 + 21
        """)

    def test_index_that_evicts_this_calls_variadic_plan_from_the_cache(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, "double t_vsum(const char *kinds, ...);")
            class P:
                def __index__(self):
                    for n in range(40):   # more type lists than the cache holds
                        lib.t_vsum("", *([1] * (n % 6) + [1.5] * (n // 6)))
                    gc.collect()
                    return 0
            assert lib.t_vsum("dp", 2.5, sigbind.c("void *", P())) == 2.5
        """)


class TypeConfusion(Probe):
    """A Pointer is an address with a type: not a number, not another type's pointer."""

    def test_pointer_passed_as_an_integer_or_float_argument_raises_type_error(self):
        self.probe("""
            lib = sigbind.load(TESTLIB)
            p = sigbind.new("int[4]", [1, 2, 3, 4])
            for proto in ("int64_t t_i64(int64_t x)", "uint64_t t_u64(uint64_t x)", "int t_int(int x)",
                          "double t_double(double x)", "size_t t_size(size_t x)"):
                f = lib.bind(proto)
                try:
                    r = f(p)
                except TypeError as e:
                    print("TypeError", e)
                else:
                    raise AssertionError("%s took a Pointer as a number: %r" % (proto, r))
        """)

    def test_int_pointer_passed_where_short_pointer_is_declared_raises_type_error(self):
        self.probe("""
            lib = sigbind.load(TESTLIB)
            p = sigbind.new("int[4]", [1, 2, 3, 4])
            as_void = lib.bind("void *t_addr(void *p)")
            assert as_void(p).address == p.address      # void * takes any pointer
            for proto, arg in (("int t_deref(const short *p)", p),
                               ("long long t_sum_ints(const int *p, size_t n)", sigbind.new("double[2]", [1.5, 2.5]))):
                f = lib.bind(proto)
                try:
                    r = f(arg) if "t_deref" in proto else f(arg, 2)
                except TypeError as e:
                    print("TypeError", e)
                else:
                    raise AssertionError("%s took a %s Pointer: %r" % (proto, arg.type, r))
        """)


class Lifetimes(Probe):
    def test_buffer_view_does_not_hand_out_a_resizable_owner_of_new_memory(self):
        # sigbind.buffer(p).obj is the object holding new()'s memory; if it is
        # a bytearray, resizing it frees the memory every Pointer still uses.
        self.probe("""
            p = sigbind.new("int[4]", [1, 2, 3, 4])
            for q in (p, sigbind.cast("uint8_t *", p)):
                m = sigbind.buffer(q)
                owner = m.obj
                del m
                for resize in (lambda: owner.extend(b"x" * 10 ** 6), lambda: owner.__delitem__(slice(None))):
                    try:
                        resize()
                    except (BufferError, AttributeError, TypeError) as e:
                        print(type(owner).__name__, type(e).__name__, e)
                    else:
                        raise AssertionError("resized the %s that holds new() memory" % type(owner).__name__)
                del owner
            assert list(p) == [1, 2, 3, 4], list(p)
        """)

    def test_derived_pointers_keep_new_memory_alive(self):
        self.probe("""
            p = sigbind.new("int[4]", [1, 2, 3, 4])
            q = p + 1
            c = sigbind.cast("uint8_t *", p + 2)
            m = sigbind.buffer(p + 3)
            del p
            gc.collect()
            junk = [bytearray(16) for _ in range(1000)]
            assert list(q) == [2, 3, 4], list(q)
            assert c[0] == 3
            assert bytes(m) == (4).to_bytes(4, sys.byteorder)
        """)

    def test_struct_view_outlives_its_struct_and_struct_array(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, STRUCTS)
            r = lib.new("struct rect", ((1, 2), (3, 4)))
            v = r.max
            del r
            arr = lib.new("struct rect[2]", [((5, 6), (7, 8))])
            e = arr[0].max
            elem = arr[0]
            del arr, lib
            gc.collect()
            junk = [bytearray(32) for _ in range(1000)]
            assert (v.x, v.y) == (3, 4), v
            assert (e.x, e.y) == (7, 8), e
            e.x = 70
            assert elem.max.x == 70
        """)

    def test_from_buffer_pins_its_bytearray(self):
        self.probe("""
            ba = bytearray(16)
            p = sigbind.from_buffer("int[]", ba)
            m = sigbind.buffer(p)
            owner = m.obj
            del m
            for resize in (lambda: ba.extend(b"x" * 10 ** 6), lambda: ba.__delitem__(slice(None))):
                try:
                    resize()
                except BufferError:
                    pass
                else:
                    raise AssertionError("resized a bytearray under from_buffer()")
            p[0] = 5
            assert ba[:4] == (5).to_bytes(4, sys.byteorder)
        """)

    def test_callback_whose_last_reference_dies_during_its_own_call_finishes_the_call(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, "void cb_store(int (*f)(int)); int cb_call_stored(int x);")
            holder = []
            def f(x):
                holder.clear()          # the Callback's last reference
                gc.collect()
                return x * 2
            holder.append(sigbind.callback("int (int)", f))
            lib.cb_store(holder[0])
            assert lib.cb_call_stored(21) == 42
            lib.cb_store(None)
        """)

    def test_freed_callback_address_does_not_silently_run_another_callback(self):
        # Calling a freed Callback's address is the caller's bug (README), but
        # sigbind must not quietly run a different Python function there: a
        # crash is acceptable for this probe, a wrong callback is not.
        code = PRELUDE + textwrap.dedent("""
            lib = sigbind.load(TESTLIB, "void cb_store(int (*f)(int)); int cb_call_stored(int x);")
            cb1 = sigbind.callback("int (int)", lambda x: x + 1)
            lib.cb_store(cb1)
            del cb1
            gc.collect()
            cb2 = sigbind.callback("int (int)", lambda x: print("WRONG CALLBACK RAN") or 1000)
            r = lib.cb_call_stored(1)
            print("result", r)
        """)
        r = subprocess.run([sys.executable, "-c", code], env=child_env(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        out = r.stdout.decode("utf-8", "replace")
        self.assertNotIn("WRONG CALLBACK RAN", out, "the stale address ran the next Callback (%s)" % out.strip())
        self.assertNotIn("result 1000", out)


class LoadingNonLibraries(Probe):
    def test_load_of_a_fifo_raises_oserror_without_blocking(self):
        # dlopen() opens the path for reading: a FIFO with no writer blocks forever (with the GIL held).
        self.probe("""
            import tempfile
            d = tempfile.mkdtemp()
            fifo = os.path.join(d, "libfifo.so")
            os.mkfifo(fifo)
            try:
                try:
                    sigbind.load(fifo)
                except OSError as e:
                    print("OSError", e)
                else:
                    raise AssertionError("loaded a FIFO")
            finally:
                os.unlink(fifo)
                os.rmdir(d)
        """, timeout=10)

    def test_load_of_a_directory_or_device_raises_oserror_quickly(self):
        self.probe("""
            import tempfile
            for name in (tempfile.gettempdir(), "/dev/zero", "/dev/null", "/proc/self/mem", "/"):
                t0 = time.time()
                try:
                    sigbind.load(name)
                except OSError as e:
                    print("OSError", e)
                else:
                    raise AssertionError("loaded %s" % name)
                assert time.time() - t0 < 5, name
        """, timeout=30)


class KeyboardInterruptInCallbacks(Probe):
    def test_keyboard_interrupt_in_a_qsort_comparator_reaches_the_caller(self):
        self.probe("""
            libc = sigbind.load(None, "void qsort(void *base, size_t n, size_t size, int (*compar)(const int *a, const int *b) [[noescape]]);")
            data = sigbind.new("int[100]", list(range(100, 0, -1)))
            calls = []
            def cmp(a, b):
                calls.append(1)
                if len(calls) == 3:
                    raise KeyboardInterrupt
                return (a[0] > b[0]) - (a[0] < b[0])
            try:
                libc.qsort(data, 100, 4, cmp)
            except KeyboardInterrupt:
                print("KeyboardInterrupt after", len(calls), "comparisons")
            else:
                raise AssertionError("KeyboardInterrupt was swallowed (%d comparisons)" % len(calls))
            assert sorted(data) == list(range(1, 101))   # the memory is intact, whatever its order
        """)

    def test_keyboard_interrupt_in_a_callback_reaches_the_caller_of_the_c_function(self):
        self.probe("""
            lib = sigbind.load(TESTLIB, "int cb_call_int(int (*f)(int) [[noescape]], int x);")
            def f(x):
                raise KeyboardInterrupt
            cb = sigbind.callback("int (int)", f, error_result=-1)
            for fn in (cb, f):
                try:
                    r = lib.cb_call_int(fn, 1)
                except KeyboardInterrupt:
                    pass
                else:
                    raise AssertionError("KeyboardInterrupt was swallowed, C got %r" % r)
            assert lib.cb_call_int(lambda x: x + 1, 1) == 2   # nothing left pending
        """)


if __name__ == "__main__":
    unittest.main()
