# test_header_forms.py — declaration forms of real headers: incomplete and self-referential structs, several declarators, compiler noise, declarators, constants and types as C has them.
import unittest

import sigbind


def libc(decls=""):
    lib = sigbind.load("c")
    if decls:
        lib.declare(decls)
    return lib


class StructCompletion(unittest.TestCase):
    def test_forward_declaration_then_definition(self):
        lib = libc("struct tag; struct tag { int a; double b; };")
        self.assertEqual(lib.sizeof("struct tag"), 16)

    def test_typedef_of_incomplete_struct_completed_later(self):
        lib = libc("typedef struct tag1 name1; struct tag1 { int a; };")
        self.assertEqual(lib.sizeof("name1"), 4)
        self.assertEqual(lib.new("name1", a=7).a, 7)

    def test_typedef_struct_tag_body_with_several_names(self):
        lib = libc("typedef struct tag2 { int a; } name2, *pname2;")
        self.assertEqual(lib.sizeof("name2"), 4)
        self.assertEqual(lib.sizeof("struct tag2"), 4)
        self.assertEqual(lib.sizeof("pname2"), 8)
        p = lib.new("name2[2]")
        lib.declare("void *memset(pname2 p, int c, size_t n);")
        lib.memset(p, 1, 8)
        self.assertEqual(p[1].a, 0x01010101)

    def test_self_referential_struct_links_through_pointers(self):
        lib = libc("struct node { struct node *next; int v; };")
        ns = lib.new("struct node[3]")
        for i in range(3):
            ns[i].v = i + 1
        ns[0].next = ns + 1
        ns[1].next = ns + 2
        self.assertEqual(ns[0].next[0].v, 2)
        self.assertEqual(ns[0].next[0].next[0].v, 3)
        self.assertIsNone(ns[2].next)

    def test_mutually_referential_structs(self):
        lib = libc("struct ma; struct mb { struct ma *a; int y; }; struct ma { struct mb *b; int x; };")
        a = lib.new("struct ma", x=1)
        b = lib.new("struct mb", y=2)
        a.b = b._address
        b.a = a._address
        self.assertEqual(a.b[0].y, 2)
        self.assertEqual(a.b[0].a[0].x, 1)

    def test_struct_naming_itself_in_function_pointer_member(self):
        lib = libc("struct cbs { int (*f)(struct cbs *self, int); int n; };")
        self.assertEqual(lib.sizeof("struct cbs"), 16)

    def test_pointer_to_struct_never_defined_is_an_opaque_handle(self):
        lib = libc("""
            struct _IO_FILE *fopen(const char *path, const char *mode);
            int fputs(const char *s, struct _IO_FILE *f);
            int fclose(struct _IO_FILE *f);
        """)
        f = lib.fopen("/dev/null", "w")
        self.assertEqual(f.type, "struct _IO_FILE *")
        self.assertGreaterEqual(lib.fputs("x", f), 0)
        self.assertEqual(lib.fclose(f), 0)
        with self.assertRaises(TypeError):
            lib.fputs("x", 12345)  # a handle type takes only its own Pointers

    def test_function_declared_before_the_struct_takes_it_after(self):
        lib = libc("""
            int gettimeofday(struct timeval *tv, void *tz);
            struct timeval { long tv_sec; long tv_usec; };
        """)
        tv = lib.new("struct timeval")
        self.assertEqual(lib.gettimeofday(tv, None), 0)
        self.assertGreater(tv.tv_sec, 1000000000)
        p = lib.new("struct timeval[1]")
        self.assertEqual(lib.gettimeofday(p, None), 0)
        self.assertGreater(p[0].tv_sec, 1000000000)

    def test_incomplete_struct_by_value_is_refused(self):
        lib = libc("struct inc;")
        with self.assertRaises(sigbind.SignatureError) as cm:
            lib.declare("int f(struct inc x);")
        self.assertIn("'struct inc' is only usable through a pointer", str(cm.exception))
        with self.assertRaises(sigbind.SignatureError) as cm:
            lib.declare("struct outer { struct inc x; };")
        self.assertIn("only usable through a pointer", str(cm.exception))
        with self.assertRaises(Exception):
            lib.sizeof("struct inc")

    def test_struct_defined_twice_is_still_an_error(self):
        lib = libc("struct twice { int a; };")
        with self.assertRaises(sigbind.SignatureError):
            lib.declare("struct twice { long b; };")

    def test_forward_declaration_of_a_defined_struct_changes_nothing(self):
        lib = libc("struct st { int a; }; struct st;")
        self.assertEqual(lib.sizeof("struct st"), 4)

    def test_typedef_struct_s_S_PS(self):
        lib = libc("typedef struct s3 S3, *PS3; struct s3 { short a, b; };")
        self.assertEqual(lib.sizeof("S3"), 4)
        self.assertEqual(lib.sizeof("PS3"), 8)


if __name__ == "__main__":
    unittest.main()
