# test_library_blocks.py — declaration blocks of a Library as a compiler sees them: linear in their size, names resolved first-declared-first.
import unittest

import sigbind


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
    return lib.__lookup_steps__


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


if __name__ == "__main__":
    unittest.main()
