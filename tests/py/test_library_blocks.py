# test_library_blocks.py — declaration blocks as a compiler reads them (linear, missing symbols, all-or-nothing failures, redeclarations), library types outside declare(), global variables, and the header entry point (include(), load(header=...)).
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import sigbind

from support import TESTLIB


def type_block(n, start=0):
    """n groups of a struct, a typedef of it, a pointer typedef of an opaque type and an enum,
    each struct naming the previous group's typedef, and a prototype naming the types."""
    parts = []
    for i in range(start, start + n):
        parts.append("struct s%d { int a; %s *prev; };" % (i, "t%d" % (i - 1) if i else "void"))
        parts.append("typedef struct s%d t%d;" % (i, i))
        parts.append("typedef struct h%d *hp%d;" % (i, i))
        parts.append("enum e%d { E%d = %d };" % (i, i, i))
        parts.append("size_t strlen(const t%d *s);" % i)
    return "\n".join(parts)


def steps_for(n):
    lib = sigbind.load(None)
    lib.declare(type_block(n))
    return sigbind._lookup_steps(lib)


class BlocksAreLinear(unittest.TestCase):
    def test_lookup_work_grows_linearly_with_the_block(self):
        # The work of the name lookups (entries visited), not time: a linear
        # search of the types made it grow as n^2 (x16 for 4x the block).
        small, large = steps_for(1000), steps_for(4000)
        self.assertGreater(small, 0)
        self.assertLess(large / small, 8, "lookups visited %d entries for 1000 groups, %d for 4000" % (small, large))
        self.assertLess(large, 4000 * 5 * 4, "about a few entries per lookup, not a scan of the types")

    def test_many_types_are_all_found(self):
        lib = sigbind.load(None)
        lib.declare(type_block(3000))
        self.assertEqual(lib.sizeof("t2999"), lib.sizeof("struct s0"))
        self.assertEqual(lib.sizeof("enum e1234"), lib.sizeof("int"))
        self.assertEqual(lib.E2999, 2999)
        self.assertEqual(lib.sizeof("hp17"), lib.sizeof("void *"))
        self.assertEqual(lib.offsetof("struct s1500", "prev"), lib.offsetof("t0", "prev"))
        with self.assertRaises(sigbind.SignatureError):
            lib.sizeof("t3000")
        self.assertEqual(lib.strlen.__self__.signature, "size_t strlen(const struct s2999 *s)")

    def test_a_later_block_sees_an_earlier_blocks_types(self):
        lib = sigbind.load(None)
        lib.declare(type_block(500))
        lib.declare(type_block(500, start=500))
        self.assertEqual(lib.offsetof("struct s999", "prev"), lib.offsetof("struct s0", "prev"))

    def test_struct_and_union_tags_and_enum_tags_are_apart(self):
        lib = sigbind.load(None)
        lib.declare("""
            struct k { char c; };
            union k { double d; int i; };
            enum k { K0 };
            typedef struct k k;
        """)
        self.assertEqual(lib.sizeof("struct k"), 1)
        self.assertEqual(lib.sizeof("union k"), lib.sizeof("double"))
        self.assertEqual(lib.sizeof("enum k"), lib.sizeof("int"))
        self.assertEqual(lib.sizeof("k"), 1)

    def test_release_functions_are_marked_in_either_order(self):
        lib = sigbind.load(None)
        lib.declare("void free(void *p); typedef struct blob blob [[release(free)]]; blob *malloc(size_t n);")
        self.assertIn("blob *", repr(lib.malloc(8)))

    def test_a_failed_block_detaches_the_release_it_gave_an_earlier_handle_type(self):
        lib = sigbind.load(TESTLIB, "typedef struct thing thing; thing *thing_new(int v); int thing_free(thing *t);"
                                    "int things_alive(void);")
        base = lib.things_alive()
        with self.assertRaises(sigbind.SignatureError):
            lib.declare("typedef struct thing thing [[release(thing_free)]]; int broken(")
        t = lib.thing_new(1)
        self.assertEqual(lib.things_alive(), base + 1)
        del t
        gc.collect()
        self.assertEqual(lib.things_alive(), base + 1)  # not released: the failed block's [[release]] is gone
        lib.declare("typedef struct thing thing [[release(thing_free)]];")  # the fixed block attaches it
        t = lib.thing_new(2)
        del t
        gc.collect()
        self.assertEqual(lib.things_alive(), base + 1)


class BlocksAreLikeACompiler(unittest.TestCase):
    """A block declares what a header says; what the library lacks fails only when used (as cffi)."""

    def test_a_missing_function_does_not_fail_the_block(self):
        lib = sigbind.load(None)
        lib.declare("size_t strlen(const char *s); int sb_no_such_function(int x); int abs(int x);")
        self.assertEqual(lib.strlen("abc"), 3)
        self.assertEqual(lib.abs(-4), 4)
        self.assertEqual(lib.missing, ["sb_no_such_function"])

    def test_using_a_missing_function_raises_symbol_not_found(self):
        lib = sigbind.load(None)
        lib.declare("int sb_no_such_function(int x); int sb_also_missing(void);")
        with self.assertRaises(sigbind.SymbolNotFoundError) as cm:
            lib.sb_no_such_function(1)
        self.assertIn("sb_no_such_function", str(cm.exception))
        self.assertIn("declared, but the library does not define it", str(cm.exception))
        self.assertIsInstance(cm.exception, AttributeError)  # as for any attribute: hasattr() is False
        self.assertFalse(hasattr(lib, "sb_also_missing"))
        self.assertEqual(lib.missing, ["sb_also_missing", "sb_no_such_function"])

    def test_bind_still_fails_on_a_missing_symbol(self):
        lib = sigbind.load(None)
        with self.assertRaises(sigbind.SymbolNotFoundError):
            lib.bind("int sb_no_such_function(int x)")
        self.assertEqual(lib.missing, [])

    def test_a_missing_free_function_makes_the_function_missing(self):
        lib = sigbind.load(None)
        lib.declare("char *strdup(const char *s) [[free(sb_no_such_free)]];")
        self.assertEqual(lib.missing, ["strdup"])

    def test_a_later_block_that_binds_the_name_clears_it(self):
        lib = sigbind.load(None)
        lib.declare("int sb_no_such_function(int x);")
        with self.assertRaises(sigbind.SignatureError):
            lib.declare("int sb_no_such_function(int x); int broken(;")
        self.assertEqual(lib.missing, ["sb_no_such_function"])
        lib.declare("int abs(int x);")
        self.assertEqual(lib.missing, ["sb_no_such_function"])

    def test_a_failed_block_declares_nothing_so_the_fixed_block_runs(self):
        lib = sigbind.load(None)
        lib.declare("struct kept { int k; };")
        bad = """
            struct pt { int x; int y; };
            typedef struct pt pt_t;
            typedef struct hidden *hidden_p;
            enum color { RED, GREEN };
            typedef int (*cmp_t)(const pt_t *a, const pt_t *b);
            size_t strlen(const pt_t *p);
            int sb_missing_in_bad_block(void);
            int oops(undeclared_t x);
        """
        with self.assertRaises(sigbind.SignatureError) as cm:
            lib.declare(bad)
        self.assertEqual(cm.exception.line, 9)
        for t in ("struct pt", "pt_t", "hidden_p", "enum color", "cmp_t"):
            with self.assertRaises(sigbind.SignatureError, msg=t):
                lib.sizeof(t)
        for name in ("RED", "strlen", "sb_missing_in_bad_block"):
            self.assertFalse(hasattr(lib, name), name)
        self.assertEqual(lib.missing, [])
        self.assertEqual(lib.sizeof("struct kept"), 4)  # earlier blocks stay
        lib.declare(bad.replace("undeclared_t", "int"))
        self.assertEqual(lib.sizeof("pt_t"), 8)
        self.assertEqual(lib.GREEN, 1)
        self.assertEqual(lib.missing, ["oops", "sb_missing_in_bad_block"])
        self.assertEqual(lib.strlen(sigbind.cast("void *", lib.new("char[4]", b"abc"))), 3)

    def test_a_failed_block_leaves_a_forward_struct_incomplete(self):
        lib = sigbind.load(None)
        lib.declare("struct fwd; typedef struct fwd fwd_t; size_t strlen(const fwd_t *s);")
        for bad in ("struct fwd { int a; }; int broken(nope_t x);",
                    "typedef struct fwd { int a; } fwd_t; int broken(nope_t x);"):
            with self.assertRaises(sigbind.SignatureError):
                lib.declare(bad)
            with self.assertRaisesRegex(TypeError, "incomplete"):
                lib.sizeof("struct fwd")  # the failed block's definition is gone
        lib.declare("struct fwd { int a; double b; };")
        self.assertEqual((lib.sizeof("struct fwd"), lib.sizeof("fwd_t")), (16, 16))
        with self.assertRaises(sigbind.SignatureError):
            lib.declare("struct later { int x; }; int broken(nope_t x);")
        self.assertEqual(lib.sizeof("struct fwd"), 16)  # a completion of an earlier block stays

    def test_failed_blocks_leave_lookups_consistent(self):
        lib = sigbind.load(None)
        for i in range(50):  # the index grows and shrinks through its rehash sizes
            with self.assertRaises(sigbind.SignatureError):
                lib.declare(type_block(40, start=100 * i) + "\nint broken(nope_t x);")
        lib.declare(type_block(40))
        self.assertEqual(lib.sizeof("t39"), lib.sizeof("struct s0"))
        with self.assertRaises(sigbind.SignatureError):
            lib.sizeof("t140")

    def test_identical_redeclarations_are_accepted(self):
        lib = sigbind.load(None)
        header = """
            struct pt { int x; int y; struct { char tag[3]; } inner; void *next; };
            typedef struct pt pt_t;
            typedef struct { double lo, hi; } range_t;
            typedef struct { long a; unsigned bits : 3; } span_t;
            typedef struct opaque *opaque_p;
            typedef int (*cmp_t)(const void *, const void *);
            enum mode { M0, M1 = 4 };
            #define LIMIT 16
            size_t strlen(const char *s);
        """
        lib.declare(header)
        lib.declare(header)
        lib.declare(header + header)
        self.assertEqual(lib.sizeof("range_t"), 16)
        self.assertEqual(lib.M1, 4)
        self.assertEqual(lib.strlen("ab"), 2)

    def test_a_different_redefinition_is_refused(self):
        lib = sigbind.load(None)
        lib.declare("struct pt { int x; int y; }; typedef struct { double lo, hi; } range_t;")
        with self.assertRaisesRegex(sigbind.SignatureError, "struct pt is already declared"):
            lib.declare("struct pt { int x; long y; };")
        with self.assertRaisesRegex(sigbind.SignatureError, "'range_t' is already declared"):
            lib.declare("typedef struct { double lo, mid, hi; } range_t;")
        with self.assertRaisesRegex(sigbind.SignatureError, "already declared"):
            lib.declare("struct pt { int x; int z; };")


class LibraryTypesOutsideDeclare(unittest.TestCase):
    def setUp(self):
        self.lib = sigbind.load(None)
        self.lib.declare("""
            struct item { int key; double weight; };
            typedef struct item item_t;
            typedef int (*item_cmp)(const item_t *a, const item_t *b);
            enum level { LOW, HIGH };
            void qsort(void *base, size_t n, size_t size, item_cmp cmp);
        """)

    def test_sizeof_and_alignof_take_arrays_of_library_types(self):
        self.assertEqual(self.lib.sizeof("int[5]"), 20)
        self.assertEqual(self.lib.sizeof("item_t[3]"), 48)
        self.assertEqual(self.lib.sizeof("struct item *[2]"), 16)
        self.assertEqual(self.lib.sizeof("enum level[4]"), 16)
        self.assertEqual(self.lib.alignof("item_t[3]"), 8)
        self.assertEqual(self.lib.sizeof("char[0]"), 0)
        with self.assertRaisesRegex(TypeError, "unknown length"):
            self.lib.sizeof("int[]")
        with self.assertRaises(OverflowError):
            self.lib.sizeof("item_t[9223372036854775807]")

    def test_callback_takes_library_types(self):
        seen = []

        def cmp(a, b):
            seen.append((a[0].key, b[0].key))
            return a[0].key - b[0].key

        for cb in (self.lib.callback("int (const item_t *a, const item_t *b)", cmp),
                   self.lib.callback("item_cmp", cmp),
                   self.lib.callback("int (*)(const struct item *, const struct item *)", cmp)):
            self.assertIsInstance(cb, sigbind.Callback)
            items = self.lib.new("item_t[3]", [(3, 0.5), (1, 1.5), (2, 2.5)])
            del seen[:]
            self.lib.qsort(items, 3, self.lib.sizeof("item_t"), cb)
            self.assertEqual([items[i].key for i in range(3)], [1, 2, 3])
            self.assertTrue(seen)

    def test_callback_keeps_the_library_alive(self):
        lib = sigbind.load(None)
        lib.declare("struct node { int v; }; typedef struct node node_t;")
        cb = lib.callback("int (const node_t *a, const node_t *b)", lambda a, b: a[0].v - b[0].v)
        cb2 = lib.callback("int (*)(const struct node *, const struct node *)", lambda a, b: b[0].v - a[0].v)
        nodes = lib.new("struct node[4]", [(4,), (2,), (3,), (1,)])
        del lib
        gc.collect()
        self.assertIn("struct node", repr(cb))  # the type's name is still there
        qsort = sigbind.load(None).bind("void qsort(void *base, size_t n, size_t size, void *cmp)")
        qsort(nodes, 4, 4, cb.address)
        self.assertEqual([nodes[i].v for i in range(4)], [1, 2, 3, 4])
        qsort(nodes, 4, 4, cb2.address)
        self.assertEqual([nodes[i].v for i in range(4)], [4, 3, 2, 1])

    def test_callback_refuses_bad_arguments(self):
        with self.assertRaises(TypeError):
            self.lib.callback("int (int)", 3)
        with self.assertRaises(sigbind.SignatureError):
            self.lib.callback("int (unknown_t x)", print)
        with self.assertRaises(TypeError):
            self.lib.callback(3, print)

    def test_cast_takes_library_types(self):
        items = self.lib.new("item_t[2]", [(1, 0.5), (2, 1.5)])
        p = self.lib.cast("const item_t *", sigbind.cast("void *", items))
        self.assertEqual(p[1].key, 2)
        self.assertIsNone(self.lib.cast("struct item *", 0))

    def test_new_takes_library_types(self):
        self.assertEqual(self.lib.new("item_t", {"key": 7}).key, 7)
        self.assertEqual(len(self.lib.new("item_t[4]")), 4)


GLOBALS = """
    struct point { int x; int y; };
    extern int g_counter;
    extern const int g_limit;
    extern const char g_name[];
    extern double g_values[4];
    extern struct point g_origin;
    extern const char *g_greeting;
    extern void (*g_hook)(int);
    extern int g_no_such_global;
    int g_read_counter(void);
    extern int g_origin_sum(void);
    double g_values_sum(void);
    int g_run_hook(int v);
"""


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class GlobalVariables(unittest.TestCase):
    def setUp(self):
        self.lib = sigbind.load(TESTLIB, GLOBALS)
        self.lib.g_counter = 42

    def test_a_scalar_global_reads_and_writes_the_variable(self):
        self.assertEqual(self.lib.g_counter, 42)
        self.lib.g_counter = -5
        self.assertEqual(self.lib.g_read_counter(), -5)
        self.assertEqual(self.lib.g_counter, -5)

    def test_a_write_is_range_checked_and_names_the_variable(self):
        with self.assertRaises(OverflowError) as cm:
            self.lib.g_counter = 2 ** 40
        self.assertIn("g_counter", str(cm.exception))
        with self.assertRaises(TypeError):
            self.lib.g_counter = "x"
        self.assertEqual(self.lib.g_counter, 42)

    def test_a_const_global_reads_but_cannot_be_written(self):
        self.assertEqual(self.lib.g_limit, 7)
        with self.assertRaisesRegex(AttributeError, "'g_limit' is a const global variable"):
            self.lib.g_limit = 8
        with self.assertRaises(AttributeError):
            del self.lib.g_counter

    def test_a_const_pointer_global_is_refused_on_write_by_its_type(self):
        lib = sigbind.load(TESTLIB, "extern const char *const g_greeting;")
        before = int(lib.g_greeting)
        with self.assertRaisesRegex(AttributeError, "'g_greeting' is a const global variable"):
            lib.g_greeting = None  # its memory is writable: only the type says no
        self.assertEqual(int(lib.g_greeting), before)
        for decl in ("extern const char * __const g_greeting;", "extern const char *volatile const g_greeting;"):
            lib2 = sigbind.load(TESTLIB, decl)
            with self.assertRaises(AttributeError, msg=decl):
                lib2.g_greeting = None
        lib3 = sigbind.load(TESTLIB, "extern const char *g_greeting;")  # a pointer to const: writable
        lib3.g_greeting = None
        self.assertIsNone(lib3.g_greeting)
        lib3.g_greeting = before
        self.assertEqual(int(lib3.g_greeting), before)

    def test_an_array_global_is_a_typed_pointer_to_its_elements(self):
        name = self.lib.g_name
        self.assertIsInstance(name, sigbind.Pointer)
        self.assertEqual(sigbind.string_at(name), b"sigbind")
        values = self.lib.g_values
        self.assertIn("(double *)", repr(values))
        self.assertEqual([values[i] for i in range(4)], [0.5, 1.5, 2.5, 3.5])
        values[3] = 10.5
        self.assertEqual(self.lib.g_values_sum(), 15.0)
        values[3] = 3.5
        with self.assertRaises(IndexError):
            values[4]
        with self.assertRaisesRegex(AttributeError, "is an array"):
            self.lib.g_values = [1, 2, 3, 4]

    def test_a_struct_global_is_a_view_that_writes_through(self):
        origin = self.lib.g_origin
        self.assertEqual((origin.x, origin.y), (1, 2))
        origin.y = 40
        self.assertEqual(self.lib.g_origin_sum(), 41)
        self.lib.g_origin = {"x": 1, "y": 2}
        self.assertEqual(self.lib.g_origin_sum(), 3)

    def test_a_pointer_global_reads_and_writes(self):
        self.assertEqual(sigbind.string_at(self.lib.g_greeting), b"hello")
        keep = self.lib.new("char[6]", b"world")
        old = self.lib.g_greeting
        self.lib.g_greeting = keep
        self.assertEqual(sigbind.string_at(self.lib.g_greeting), b"world")
        self.lib.g_greeting = old
        self.assertEqual(sigbind.string_at(self.lib.g_greeting), b"hello")

    def test_a_function_pointer_global_takes_a_callback_and_keeps_it(self):
        seen = []
        self.lib.g_hook = sigbind.callback("void (int v)", seen.append)
        gc.collect()  # the Library keeps the Callback while C holds its address
        self.assertEqual(self.lib.g_run_hook(5), 0)
        self.assertEqual(seen, [5])
        self.lib.g_hook(6)  # read back: a callable of the variable's type
        self.assertEqual(seen, [5, 6])
        del seen[1:]
        with self.assertRaisesRegex(TypeError, "callback of that type"):
            self.lib.g_hook = sigbind.callback("int (int v)", abs)
        self.assertEqual(self.lib.g_run_hook(7), 0)
        self.assertEqual(seen, [5, 7])
        self.lib.g_hook = None
        self.assertEqual(self.lib.g_run_hook(6), -1)

    def test_addressof_gives_a_typed_pointer(self):
        p = self.lib.addressof("g_counter")
        self.assertIn("(int *)", repr(p))
        p[0] = 9
        self.assertEqual(self.lib.g_read_counter(), 9)
        self.assertIn("(const int *)", repr(self.lib.addressof("g_limit")))
        self.assertEqual(int(self.lib.addressof("g_values")), int(self.lib.g_values))
        self.assertEqual(self.lib.addressof("g_origin")[0].x, 1)
        with self.assertRaisesRegex(AttributeError, "no global variable 'g_read_counter'"):
            self.lib.addressof("g_read_counter")
        with self.assertRaises(AttributeError):
            self.lib.addressof(3)

    def test_a_global_in_read_only_memory_is_const_whatever_the_declaration_says(self):
        # g_name and g_limit are const in the library (.rodata): a declaration without const
        # must not let a write fault the process.
        lib = sigbind.load(TESTLIB, "struct point { int x; int y; }; extern int g_limit; extern char g_name[];"
                                    "extern struct point g_fixed;")
        with self.assertRaisesRegex(AttributeError, "read-only memory"):
            lib.g_limit = 8
        self.assertEqual(lib.g_limit, 7)
        with self.assertRaises(TypeError):
            lib.g_name[0] = b"S"
        with self.assertRaises(TypeError):
            lib.addressof("g_limit")[0] = 8
        self.assertIn("(const int *)", repr(lib.addressof("g_limit")))
        self.assertEqual(sigbind.string_at(lib.g_name), b"sigbind")
        fixed = lib.g_fixed  # a copy: writing it cannot reach read-only memory
        fixed.x = 50
        self.assertEqual((fixed.x, lib.g_fixed.x, lib.g_fixed.y), (50, 5, 6))
        with self.assertRaisesRegex(AttributeError, "read-only memory"):
            lib.g_fixed = (1, 2)

    def test_global_declarations_take_forward_structs_and_constant_lengths(self):
        lib = sigbind.load(TESTLIB, "enum { GN = 2 * 2 }; extern double g_values[GN];"
                                    "extern struct never_defined *g_greeting;")
        self.assertEqual(len(lib.g_values), 4)
        self.assertIn("struct never_defined *", repr(lib.g_greeting))

    def test_a_missing_global_is_listed_and_raises_when_used(self):
        self.assertEqual(self.lib.missing, ["g_no_such_global"])
        with self.assertRaises(sigbind.SymbolNotFoundError):
            self.lib.g_no_such_global

    def test_extern_functions_are_functions(self):
        self.assertEqual(self.lib.g_origin_sum(), 3)

    def test_the_pointer_keeps_the_library_alive(self):
        lib = sigbind.load(TESTLIB, "extern double g_values[4];")
        values = lib.g_values
        del lib
        gc.collect()
        self.assertEqual(values[1], 1.5)

    def test_bad_extern_declarations_are_signature_errors(self):
        for text, reason in (("extern int;", "expected"),
                             ("extern undeclared_t g_counter;", "undeclared_t")):  # several declarators: accepted
            with self.assertRaisesRegex(sigbind.SignatureError, reason, msg=text):
                sigbind.load(TESTLIB).declare(text)
        lib = sigbind.load(TESTLIB)
        with self.assertRaises(sigbind.SignatureError):
            lib.declare("extern int g_counter; extern bad_t x;")
        self.assertFalse(hasattr(lib, "g_counter"))  # the failed block declared nothing


HEADER = r"""
#ifndef SB_TEST_H
#define SB_TEST_H
#include <stddef.h>
#include "sbsub.h"
#define SB_ANSWER 42
#define SB_MASK (1 << 4)
#define SB_NAME "text macros are skipped"
#define SB_MAX(a, b) ((a) > (b) ? (a) : (b))
struct point { int x; int y; };
typedef struct point point_t;
point_t point_add(point_t a, point_t b);
int t_int(int x);
extern int g_counter;
static inline int sb_twice(int x) { return 2 * x; }
int sb_not_in_the_library(undeclared_t x);
int sb_not_defined(int x);
#ifdef SB_WITH_FLAG
enum sb_flag { SB_FLAG_ON = SB_SUB_BASE + 1 };
#endif
#pragma pack(push, 1)
struct sb_packed { char c; int i; };
int t_int(int x);
#pragma pack(pop)
struct sb_after { char c; int i; };
__extension__ typedef long long sb_ll_t;
__attribute__((visibility("default"))) int sb_noise(const char *__restrict s) __attribute__((nonnull(1)));
struct sb_attr_packed { char c; int i; } __attribute__((packed));
int sb_renamed(int x) __asm__("t_int");
enum sb_spread { SB_FIRST = 1,










    SB_LAST = 2 };
#endif
"""


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
@unittest.skipUnless(shutil.which("cc") or shutil.which("gcc"), "no C preprocessor on this machine")
class HeaderEntryPoint(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.sub = os.path.join(self.dir, "inc")
        os.mkdir(self.sub)
        self.header = os.path.join(self.dir, "sbtest.h")
        with open(self.header, "w") as f:
            f.write(HEADER)
        with open(os.path.join(self.sub, "sbsub.h"), "w") as f:
            f.write("#define SB_SUB_BASE 100\n")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def load(self, **kw):
        return sigbind.load(TESTLIB, header=self.header, include_dirs=[self.sub], **kw)

    def test_a_header_is_declared_and_its_functions_called(self):
        lib = self.load()
        self.assertEqual(lib.t_int(-5), -5)
        self.assertEqual(lib.point_add((1, 2), (3, 4)).x, 4)
        self.assertEqual((lib.SB_ANSWER, lib.SB_MASK), (42, 16))
        lib.g_counter = 42
        self.assertEqual(lib.g_counter, 42)
        self.assertEqual(lib.sizeof("point_t"), 8)
        self.assertEqual(lib.missing, ["sb_noise", "sb_not_defined"])

    def test_what_cannot_be_declared_is_skipped_with_the_reason(self):
        lib = self.load()
        skipped = {s[0].split("(")[0].split()[-1]: s for s in lib.skipped if s[1] == self.header}
        text, file, line, reason = skipped["sb_not_in_the_library"]
        self.assertEqual(line, 1 + HEADER.splitlines().index("int sb_not_in_the_library(undeclared_t x);"))
        self.assertIn("undeclared_t", reason)
        self.assertIn("function definition", skipped["sb_twice"][3])
        try:  # a Library that applies #pragma pack lays it out packed; one that does not, skips it
            self.assertEqual(lib.sizeof("struct sb_packed"), 5)
        except sigbind.SignatureError:
            self.assertIn("#pragma pack", [s for s in lib.skipped if "sb_packed" in s[0]][0][3])
        self.assertEqual(lib.t_int(7), 7)  # a prototype under #pragma pack is declared either way
        self.assertIn("SB_NAME", " ".join(s[0] for s in lib.skipped))
        self.assertFalse(any("SB_MAX" in s[0] for s in lib.skipped))  # function-like macros: not C to bind
        self.assertEqual(lib.sizeof("struct sb_after"), 8)  # after #pragma pack(pop): declared
        self.assertFalse(hasattr(lib, "SB_FLAG_ON"))

    def test_gnu_noise_is_dropped_but_never_what_changes_meaning(self):
        lib = self.load()
        self.assertEqual(lib.sizeof("sb_ll_t"), 8)          # __extension__
        self.assertIn("sb_noise", lib.missing)               # declared: attributes and __restrict dropped
        self.assertEqual((lib.SB_FIRST, lib.SB_LAST), (1, 2))  # line markers inside the enum
        why = {s[0].split("{")[0].split("(")[0].split()[-1]: s[3] for s in lib.skipped if s[1] == self.header}
        try:
            size = lib.sizeof("struct sb_attr_packed")
        except sigbind.SignatureError:
            self.assertIn("layout attribute", why["sb_attr_packed"])  # never laid out without it
        else:
            self.assertEqual(size, 5)  # the parser honours packed
        if hasattr(lib, "sb_renamed"):
            self.assertEqual(lib.sb_renamed(3), 3)  # the parser binds the renamed symbol
        else:
            self.assertIn("symbol rename", why["sb_renamed"])

    def test_a_large_header_loads_in_linear_work(self):
        def steps(n):
            path = os.path.join(self.dir, "big%d.h" % n)
            with open(path, "w") as f:
                f.write(type_block(n).replace("size_t strlen", "unsigned long strlen"))
            lib = sigbind.load(None)
            counts = lib.include(path)
            self.assertEqual(counts, {"declared": 5 * n, "skipped": 0})
            return sigbind._lookup_steps(lib)
        small, large = steps(500), steps(2000)
        self.assertLess(large / small, 8, "lookups visited %d entries for 500 groups, %d for 2000" % (small, large))

    def test_defines_and_include_dirs_reach_the_preprocessor(self):
        lib = self.load(defines={"SB_WITH_FLAG": None, "SB_UNUSED": "2"})
        self.assertEqual(lib.SB_FLAG_ON, 101)

    def test_include_adds_to_a_library_and_counts(self):
        lib = sigbind.load(TESTLIB)
        counts = lib.include(self.header, include_dirs=[self.sub])
        self.assertEqual(set(counts), {"declared", "skipped"})
        self.assertEqual(counts["skipped"], len(lib.skipped))
        self.assertGreater(counts["declared"], 8)
        again = lib.include([self.header], include_dirs=[self.sub])  # the same header twice: all accepted again
        self.assertEqual(again["declared"], counts["declared"])

    def test_a_missing_header_says_what_the_preprocessor_said(self):
        with self.assertRaisesRegex(OSError, "sb_no_such_header.h"):
            sigbind.load(TESTLIB, header="sb_no_such_header.h")
        with self.assertRaises(TypeError):
            sigbind.load(TESTLIB).include([3])
        for bad in ("stdio.h>\n#include <evil.h", "a\"b.h", "x\0.h", ""):
            with self.assertRaisesRegex(ValueError, "not a header name"):
                sigbind.load(TESTLIB).include(bad)
        with self.assertRaises(TypeError):
            sigbind.load(TESTLIB).include(self.header, defines=["X"])

    def test_without_a_preprocessor_it_says_so(self):
        code = ("import sigbind\n"
                "try:\n    sigbind.load(None, header='stdio.h')\n"
                "except OSError as e:\n    print('OSError', e)\n")
        env = dict(os.environ, PATH=self.dir, PYTHONPATH=os.pathsep.join(sys.path))
        env.pop("CC", None)
        out = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT).stdout.decode()
        self.assertIn("OSError include(): no C preprocessor found", out)
        # declarations as text need no compiler
        code2 = "import sigbind\nprint(sigbind.load(None, 'size_t strlen(const char *s);').strlen('abc'))\n"
        out2 = subprocess.run([sys.executable, "-c", code2], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT).stdout.decode()
        self.assertEqual(out2.strip(), "3")

    @unittest.skipUnless(os.path.exists("/usr/include/zlib.h"), "zlib1g-dev is not installed")
    def test_zlib_h_loads_and_crc32_works(self):
        import zlib
        z = sigbind.load("z", header="zlib.h")
        self.assertEqual(z.crc32(0, b"hello", 5), zlib.crc32(b"hello"))
        self.assertEqual(z.Z_OK, 0)
        self.assertEqual(z.Z_BEST_COMPRESSION, 9)


if __name__ == "__main__":
    unittest.main()


class LookupStepsHook(unittest.TestCase):
    def test_lookup_counter_is_a_module_test_hook_not_a_library_attribute(self):
        lib = sigbind.load(None, "typedef struct a A; A *f_never_called(void);")
        self.assertNotIn("__lookup_steps__", dir(lib))
        self.assertFalse(hasattr(lib, "__lookup_steps__"))
        self.assertIsInstance(sigbind._lookup_steps(lib), int)
        with self.assertRaises(TypeError):
            sigbind._lookup_steps(object())


class EnumsInsideStructs(unittest.TestCase):
    def test_enumerators_of_an_enum_defined_in_a_struct_are_declared(self):
        lib = sigbind.load(None, """
            struct s { enum color { RED, GREEN = 5, BLUE } c; int n; };
            typedef struct { enum { LOW = 1 << 3, HIGH } lvl; struct in { enum deep { DEEP = 99 } d; } x; } T;
            enum color pick_unused(void);
        """)
        self.assertEqual((lib.RED, lib.GREEN, lib.BLUE, lib.LOW, lib.HIGH, lib.DEEP), (0, 5, 6, 8, 9, 99))
        self.assertEqual(lib.sizeof("enum color"), 4)
        self.assertEqual(lib.sizeof("struct s"), 8)

    def test_a_bad_nested_enum_fails_the_block_and_a_failed_block_undoes_them(self):
        with self.assertRaises(sigbind.SignatureError) as cm:
            sigbind.load(None, "struct bad { enum { X = 1, X = 2 } e; };")
        self.assertIn("'X' is declared twice", str(cm.exception))
        lib = sigbind.load(None)
        with self.assertRaises(sigbind.SignatureError):
            lib.declare("struct t { enum { Y1 = 3 } e; }; int broken(")
        self.assertFalse(hasattr(lib, "Y1"))
        lib.declare("struct t { enum { Y1 = 3 } e; };")  # the fixed block runs again
        self.assertEqual(lib.Y1, 3)
