# test_header_forms.py — declaration forms of real headers: incomplete and self-referential structs, several declarators, compiler noise, declarators, constants and types as C has them.
import os
import platform
import shutil
import subprocess
import tempfile
import unittest

import sigbind

from support import TESTLIB

CC = os.environ.get("CC", "cc")


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


LAYOUTS = """
struct a1 { char c; int x __attribute__((aligned(16))); char d; };
struct a2 { char c; _Alignas(8) int x; };
struct a3 { char c; int x; } __attribute__((packed));
#pragma pack(push, 2)
struct a4 { char c; int x; double d; };
#pragma pack(pop)
struct a5 { char c; int x; };
struct a6 { char c; int x; } __attribute__((aligned(32)));
struct __attribute__((__packed__)) a7 { char c; long l; };
struct a8 { char c; char d __attribute__((packed)); int i __attribute__((packed)); };
typedef struct { char c; short s; } __attribute__((aligned(8))) a10_t;
struct a11 { char c; long long ll __attribute__((__aligned__(__alignof__(long long)))); };
#pragma pack(1)
struct a12 { char c; short s; struct a5 in; };
#pragma pack()
struct a13 { char c; __attribute__((aligned(4))) char d, e; };
struct a14 { char c; int x[sizeof(struct a5) / sizeof(int)]; };
"""
VECTORS = """
typedef float v4 __attribute__ ((__vector_size__ (16)));
typedef float v8 __attribute__ ((__vector_size__ (32), __aligned__ (16)));
typedef int aligned_int __attribute__((aligned(16)));
typedef aligned_int ai2;
typedef aligned_int *aip;
struct va { char c; v4 x; char d; v8 y[2]; };
struct vb { char c; aligned_int a; char d; ai2 b; aip p; };
"""
# (type, sizeof, alignof) as GCC lays them out on x86-64
LAYOUT_EXPECT = [
    ("struct a1", 32, 16), ("struct a2", 16, 8), ("struct a3", 5, 1), ("struct a4", 14, 2), ("struct a5", 8, 4),
    ("struct a6", 32, 32), ("struct a7", 9, 1), ("struct a8", 6, 1), ("struct a11", 16, 8), ("struct a12", 11, 1),
    ("struct a13", 12, 4), ("struct a14", 12, 4), ("a10_t", 8, 8),
]


@unittest.skipUnless(platform.machine() in ("x86_64", "AMD64"), "layouts as GCC makes them on x86-64")
class CompilerNoise(unittest.TestCase):
    def test_attributes_and_pragma_pack_lay_out_as_gcc(self):
        lib = libc(LAYOUTS)
        for t, size, align in LAYOUT_EXPECT:
            self.assertEqual((lib.sizeof(t), lib.alignof(t)), (size, align), t)
        self.assertEqual(lib.offsetof("struct a1", "x"), 16)
        self.assertEqual(lib.offsetof("struct a4", "d"), 6)
        self.assertEqual(lib.offsetof("struct a13", "e"), 8)

    @unittest.skipUnless(shutil.which(CC), "no C compiler")
    def test_attribute_layouts_agree_with_the_compiler(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "lay.c")
            with open(src, "w") as f:
                f.write("#include <stdio.h>\n" + LAYOUTS + "int main(void) {\n")
                for t, _, _ in LAYOUT_EXPECT:
                    f.write('    printf("%%zu %%zu\\n", sizeof(%s), _Alignof(%s));\n' % (t, t))
                f.write("    return 0;\n}\n")
            exe = os.path.join(d, "lay")
            subprocess.run([CC, "-std=c11", "-w", "-o", exe, src], check=True)
            out = subprocess.run([exe], check=True, stdout=subprocess.PIPE).stdout.decode().split("\n")
        lib = libc(LAYOUTS)
        for (t, _, _), line in zip(LAYOUT_EXPECT, out):
            self.assertEqual("%d %d" % (lib.sizeof(t), lib.alignof(t)), line, t)

    def test_aligned_and_vector_typedefs_lay_out_as_gcc(self):
        lib = libc(VECTORS)
        got = [lib.sizeof("struct va"), lib.alignof("struct va"), lib.offsetof("struct va", "x"),
               lib.offsetof("struct va", "y"), lib.sizeof("struct vb"), lib.offsetof("struct vb", "a"),
               lib.offsetof("struct vb", "b"), lib.offsetof("struct vb", "p")]
        self.assertEqual(got, [112, 16, 16, 48, 48, 16, 32, 40])
        if shutil.which(CC):
            with tempfile.TemporaryDirectory() as d:
                src = os.path.join(d, "v.c")
                with open(src, "w") as f:
                    f.write("#include <stdio.h>\n#include <stddef.h>\n" + VECTORS + """
int main(void) { printf("%zu %zu %zu %zu %zu %zu %zu %zu", sizeof(struct va), _Alignof(struct va),
    offsetof(struct va, x), offsetof(struct va, y), sizeof(struct vb), offsetof(struct vb, a),
    offsetof(struct vb, b), offsetof(struct vb, p)); return 0; }
""")
                exe = os.path.join(d, "v")
                subprocess.run([CC, "-std=c11", "-w", "-o", exe, src], check=True)
                out = subprocess.run([exe], check=True, stdout=subprocess.PIPE).stdout.decode()
            self.assertEqual(" ".join(map(str, got)), out)

    def test_asm_label_binds_the_renamed_symbol(self):
        lib = libc("""
            extern int my_abs(int x) __attribute__((__nothrow__, __leaf__)) __asm__("abs") __attribute__((const));
            extern long my_labs(long) __asm__ ("" "labs");
        """)
        self.assertEqual(lib.my_abs(-3), 3)
        self.assertEqual(lib.my_labs(-5), 5)
        self.assertEqual(lib.my_abs.__name__, "my_abs")

    def test_asm_label_must_name_a_symbol(self):
        with self.assertRaises(sigbind.SignatureError) as cm:
            libc('int f(int) __asm__("");')
        self.assertIn('__asm__("name")', str(cm.exception))

    def test_gcc_words_are_accepted(self):
        lib = libc("""
            __extension__ typedef long long my_ll;
            _Noreturn void exit(int status);
            extern __inline int atoi(const char *s);
            char *strcpy(char *__restrict d, const char *__restrict__ s);
            int vsnprintf(char *s, size_t n, const char *fmt, __builtin_va_list ap);
            __attribute__((__deprecated__("use g() instead (really)"))) int abs(int x);
            __const char *my_getenv(__const char *name) __asm__("getenv") ;
        """)
        self.assertEqual(lib.abs(-2), 2)
        self.assertIn("char *d", lib.strcpy.__doc__)
        self.assertTrue(callable(lib.vsnprintf))
        self.assertEqual(lib.atoi("42"), 42)
        self.assertIsNone(lib.my_getenv("SIGBIND_SURELY_UNSET_VARIABLE"))

    def test_inline_function_bodies_are_skipped(self):
        lib = libc("""
            static inline int twice(int x) { if (x) { return 2 * x; } return 0; }
            static __inline__ const char *s(void) { return "};"; }
            int abs(int x);
            __attribute__((always_inline)) inline int h(void) { return 1; };
            long labs(long);
        """)
        self.assertEqual(lib.abs(-1), 1)
        self.assertEqual(lib.labs(-1), 1)
        with self.assertRaises(AttributeError):
            lib.twice

    def test_line_markers_and_pragmas_are_accepted(self):
        lib = libc("""
# 1 "zlib.h"
# 1 "<built-in>" 1 3 4
#pragma GCC visibility push(default)
#pragma once
#line 10 "x.h"
int abs(int);
#pragma GCC visibility pop
""")
        self.assertEqual(lib.abs(-4), 4)

    def test_bad_pragma_pack_says_so(self):
        with self.assertRaises(sigbind.SignatureError) as cm:
            libc("#pragma pack(push, 3)")
        self.assertIn("'#pragma pack' takes", str(cm.exception))

    def test_unbalanced_attribute_says_so(self):
        with self.assertRaises(sigbind.SignatureError) as cm:
            libc("int abs(int) __attribute__((const);")
        self.assertIn("unbalanced parentheses after '__attribute__'", str(cm.exception))


class Declarators(unittest.TestCase):
    def test_typedef_void(self):
        lib = libc("typedef void VOIDT; VOIDT *malloc(size_t n); VOIDT free(VOIDT *p);")
        p = lib.malloc(8)
        self.assertEqual(p.type, "void *")
        self.assertIsNone(lib.free(p))

    def test_array_typedef_is_an_array_and_decays_in_parameters(self):
        lib = libc("""
            typedef unsigned char uuid_t[16];
            typedef uuid_t uuid2_t;
            typedef int mat_t[2][3], row_t[3];
            struct has { uuid_t id; int n; row_t r; };
            void *memset(uuid_t u, int c, size_t n);
        """)
        self.assertIn("unsigned char *u", lib.memset.__doc__)
        self.assertEqual(lib.sizeof("struct has"), 32)
        self.assertEqual(lib.offsetof("struct has", "n"), 16)
        u = lib.new("uuid_t")
        self.assertEqual(len(u), 16)
        self.assertEqual(len(lib.new("uuid2_t")), 16)
        self.assertEqual(len(lib.new("mat_t")), 6)
        lib.memset(u, 7, 16)
        self.assertEqual(list(u), [7] * 16)

    def test_function_typedef_and_its_pointer(self):
        lib = libc("""
            typedef int cmp_fn(const void *a, const void *b);
            void qsort(void *base, size_t n, size_t size, cmp_fn *cmp [[noescape]]);
            void qsort_d(void *base, size_t n, size_t size, cmp_fn cmp [[noescape]]) __asm__("qsort");
        """)
        self.assertIn("int (*cmp)(const void *a, const void *b)", lib.qsort.__doc__)
        self.assertIn("int (*cmp)(const void *a, const void *b)", lib.qsort_d.__doc__)
        a = lib.new("int[5]", [5, 3, 1, 4, 2])
        lib.qsort(a, 5, 4, lambda x, y: sigbind.cast("int *", x)[0] - sigbind.cast("int *", y)[0])
        self.assertEqual(list(a), [1, 2, 3, 4, 5])
        lib.qsort_d(a, 5, 4, lambda x, y: sigbind.cast("int *", y)[0] - sigbind.cast("int *", x)[0])
        self.assertEqual(list(a), [5, 4, 3, 2, 1])

    def test_function_pointer_forms(self):
        lib = libc("""
            typedef int (*printf_like)(const char *fmt, ...);
            typedef int (**pp_t)(int);
            typedef void (*table_t[4])(int);
            struct ops { int (*fns[4])(int); table_t more; pp_t getter; int n; };
            int g(int (**pp)(int), void (*hs[4])(int), printf_like f, pp_t q) __asm__("abs");
        """)
        self.assertEqual(lib.g.__doc__.splitlines()[-1],
                         "int g(int (**pp)(int), void (**hs)(int), int (*f)(const char *fmt, ...), int (**q)(int))")
        self.assertEqual(lib.sizeof("struct ops"), 80)
        self.assertEqual(lib.offsetof("struct ops", "n"), 72)
        self.assertEqual(lib.sizeof("table_t"), 32)  # an array typedef: 4 function pointers, as C says
        self.assertEqual(len(lib.new("table_t")), 4)

    def test_function_returning_a_function_pointer(self):
        lib = libc("void (*signal(int sig, void (*handler)(int)))(int);")
        self.assertEqual(lib.signal.__doc__.splitlines()[-1], "void (*signal(int sig, void (*handler)(int)))(int)")
        self.assertIsNone(lib.signal(12, None))  # SIGUSR2: SIG_DFL before and after
        self.assertIsNone(lib.signal(12, None))

    def test_several_function_declarators_in_one_declaration(self):
        lib = libc("extern int abs(int x), atoi(const char *s) __attribute__((pure)), (labs)(long);")
        self.assertEqual((lib.abs(-2), lib.atoi("12"), lib.labs(-3)), (2, 12, 3))
        self.assertEqual(lib.atoi.__doc__.splitlines()[-1], "int atoi(const char *s)")
        lib = libc("int abs(int), no_such_function_here(int);")
        self.assertEqual(lib.missing, ["no_such_function_here"])
        with self.assertRaises(sigbind.SymbolNotFoundError):
            lib.no_such_function_here(1)

    @unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set")
    def test_several_variables_in_one_extern_declaration(self):
        lib = sigbind.load(TESTLIB)
        lib.declare("extern int g_counter, g_read_counter(void);")
        lib.g_counter = 11
        self.assertEqual(lib.g_read_counter(), 11)
        lib.declare("extern const int g_limit, *g_nothing_here;")
        self.assertEqual(lib.g_limit, 7)

    def test_array_parameters_with_static_and_qualifiers(self):
        lib = libc("""
            enum { N = 4 };
            int f(int a[static 4], int m[][N], const char *argv[const], char b[sizeof(int) * N]) __asm__("abs");
        """)
        self.assertEqual(lib.f.__doc__.splitlines()[-1], "int f(int *a, int *m, const char **argv, char *b)")

    def test_array_lengths_from_constants_and_sizeof(self):
        lib = libc("""
            enum { NN = 4 };
            #define NAME_MAX 255
            struct es { int a[NN]; char name[NAME_MAX + 1]; char b[sizeof(struct es *) * 2]; long c[sizeof(int[3])]; };
        """)
        self.assertEqual(lib.offsetof("struct es", "name"), 16)
        self.assertEqual(lib.offsetof("struct es", "b"), 272)
        self.assertEqual(lib.sizeof("struct es"), 288 + 12 * 8)

    def test_flexible_array_member(self):
        lib = libc("""
            struct fl { char c; int d[]; };
            struct fl *memset(void *p, int c, size_t n);
        """)
        self.assertEqual((lib.sizeof("struct fl"), lib.offsetof("struct fl", "d")), (4, 4))
        mem = lib.new("int[8]")
        s = lib.memset(mem, 0, 32)[0]
        self.assertEqual(s.d.type, "int *")
        s.d[2] = 7
        self.assertEqual(list(mem)[:4], [0, 0, 0, 7])
        with self.assertRaises(TypeError):
            s.d = 3
        with self.assertRaises(sigbind.SignatureError) as cm:
            lib.declare("struct bad { int a; char d[]; int x; };")
        self.assertIn("flexible array member 'd' must be the last member", str(cm.exception))


class Constants(unittest.TestCase):
    def test_constants_are_typed_as_c_types_them(self):
        lib = libc("""
            #define BIGU (0ULL - 2)
            #define SH (1UL << 63)
            #define SHIFTED (SH >> 62)
            #define U32 (0U - 1)
            #define NOTU (~0U)
            #define HEX 0xffffffff
            #define HEXT (HEX + 1)
            #define MIXED (-1 < 0U)
            #define LMIX (-1L < 0U)
            #define CX '\\xff'
            enum { E1 = 0xffffffffffffffff + 0 };
        """)
        self.assertEqual(lib.BIGU, 2 ** 64 - 2)
        self.assertEqual(lib.SH, 2 ** 63)
        self.assertEqual(lib.SHIFTED, 2)  # still unsigned: a logical shift
        self.assertEqual(lib.U32, 2 ** 32 - 1)
        self.assertEqual(lib.NOTU, 2 ** 32 - 1)
        self.assertEqual(lib.HEX, 2 ** 32 - 1)
        self.assertEqual(lib.HEXT, 0)  # 0xffffffff is an unsigned int: + 1 wraps
        self.assertEqual(lib.MIXED, 0)  # -1 converts to unsigned int
        self.assertEqual(lib.LMIX, 1)  # 0U converts to long
        # char is signed on x86 (an int of char's value: -1), unsigned on ARM and others (255)
        self.assertEqual(lib.CX, -1 if platform.machine() in ("x86_64", "AMD64", "i686", "i386") else 255)
        self.assertEqual(lib.E1, 2 ** 64 - 1)

    def test_casts_sizeof_and_conditionals_in_constants(self):
        lib = libc("""
            #define CC ((unsigned char)300)
            #define MAP_FAILED_ADDR ((void *)-1)
            #define SZ (sizeof(long) * 8)
            #define TERN (SZ == 64 ? 1 : 2)
            typedef unsigned short u16;
            enum { E2 = (int)0xffffffff, E3 = (short)-1, E4 = (uint8_t)-1, E5 = (u16)70000, E6 = (_Bool)5 };
        """)
        self.assertEqual(lib.CC, 44)
        self.assertEqual(lib.MAP_FAILED_ADDR, 2 ** 64 - 1)
        self.assertEqual(lib.SZ, 64)
        self.assertEqual(lib.TERN, 1)
        self.assertEqual((lib.E2, lib.E3, lib.E4, lib.E5, lib.E6), (-1, -1, 255, 70000 - 65536, 1))

    def test_typed_constants_still_refuse_signed_overflow_and_bad_shifts(self):
        for text, reason in [("#define X (0x7fffffffffffffff + 1)", "overflows"),
                             ("#define X (1U << 32)", "shift out of range"),
                             ("#define X ((float)1)", "only integer constants")]:
            with self.subTest(text=text):
                with self.assertRaises(sigbind.SignatureError) as cm:
                    libc(text)
                self.assertIn(reason, str(cm.exception))

    def test_enumerators_and_constants_of_any_length(self):
        name = "E_" + "X" * 300
        lib = libc("enum { %s = 7 }; #define %s_D (%s + 1)" % (name, name, name))
        self.assertEqual(getattr(lib, name), 7)
        self.assertEqual(getattr(lib, name + "_D"), 8)


class MoreDeclarators(unittest.TestCase):
    def test_function_pointer_returning_a_function_pointer(self):
        lib = libc("""
            struct vfs { int n; void (*(*xDlSym)(struct vfs *, void *, const char *zSymbol))(void); int m; };
            int g(void (*(*get)(void *, const char *))(void)) __asm__("abs");
        """)
        self.assertEqual(lib.offsetof("struct vfs", "m"), 16)
        self.assertEqual(lib.g.__doc__.splitlines()[-1], "int g(void (*(*get)(void *, const char *))(void))")

    def test_parenthesized_declarator_names(self):
        lib = libc("""
            extern int (abs)(int x);
            typedef int (provider_init_fn)(const void *handle, int n);
            typedef const char *(name_fn) (int code);
            int apply(provider_init_fn *f, name_fn *g) __asm__("abs");
        """)
        self.assertEqual(lib.abs(-6), 6)
        self.assertEqual(lib.apply.__doc__.splitlines()[-1],
                         "int apply(int (*f)(const void *handle, int n), const char *(*g)(int code))")


class SystemHeaderForms(unittest.TestCase):
    """Forms met in glibc's, libjpeg's and link.h's `gcc -E` output."""

    def test_zero_length_array_member(self):
        lib = libc("""
            struct aio { long off; char pad[sizeof(long) - sizeof(long)]; int n; char tail[0]; };
        """)
        self.assertEqual((lib.offsetof("struct aio", "pad"), lib.offsetof("struct aio", "n")), (8, 8))
        self.assertEqual(lib.sizeof("struct aio"), 16)
        s = lib.new("struct aio", off=1, n=2)
        self.assertEqual(s.pad.type, "char *")
        with self.assertRaises(sigbind.SignatureError) as cm:
            libc("struct e { char x[0]; };")
        self.assertIn("expected an array length", str(cm.exception))

    def test_pointer_to_array_declarators(self):
        lib = libc("""
            struct jd { int n; int (*coef_bits)[64]; };
            int g(int (*rows)[4], int n) __asm__("abs");
        """)
        self.assertEqual((lib.sizeof("struct jd"), lib.offsetof("struct jd", "coef_bits")), (16, 8))
        self.assertEqual(lib.g.__doc__.splitlines()[-1], "int g(int *rows, int n)")

    def test_enum_defined_inside_a_struct(self):
        lib = libc("""
            struct r_debug { int r_version; void *r_map; enum { RT_CONSISTENT, RT_ADD } r_state; long r_ldbase; };
        """)
        self.assertEqual(lib.offsetof("struct r_debug", "r_state"), 16)
        self.assertEqual(lib.sizeof("struct r_debug"), 32)
        self.assertEqual(lib.new("struct r_debug", r_state=1).r_state, 1)

    def test_variable_length_array_parameter_names_an_earlier_parameter(self):
        lib = libc("""
            typedef struct { int so, eo; } regmatch_t;
            int rx(const void *__restrict p, size_t nmatch, regmatch_t pmatch[__restrict nmatch], int f) __asm__("abs");
        """)
        self.assertEqual(lib.rx.__doc__.splitlines()[-1], "int rx(const void *p, size_t nmatch, regmatch_t *pmatch, int f)")
        with self.assertRaises(sigbind.SignatureError) as cm:
            libc("int f(int a[n]);")
        self.assertIn("expected ']' after the array size, found 'n'", str(cm.exception))


class Types(unittest.TestCase):
    @unittest.skipUnless(platform.machine() in ("x86_64", "AMD64"), "x86-64 long double (16 bytes)")
    def test_long_double_in_structs_and_memory(self):
        lib = libc("struct ld { char c; long double x; int n; };")
        self.assertEqual((lib.sizeof("struct ld"), lib.alignof("struct ld"), lib.offsetof("struct ld", "x")),
                         (48, 16, 16))
        s = lib.new("struct ld", c=1, x=2.5, n=3)
        self.assertEqual((s.x, s.n), (2.5, 3))
        a = lib.new("long double[3]", [1.5, 2.5, 3.5])
        self.assertEqual(list(a), [1.5, 2.5, 3.5])
        self.assertEqual(lib.sizeof("long double"), 16)

    def test_long_double_by_value_in_calls(self):
        lib = libc("long double strtold(const char *s, char **end);\n"
                   "long double wcstold(const wchar_t *s, wchar_t **end);")
        self.assertEqual(lib.strtold(b"1.25", None), 1.25)
        self.assertEqual(lib.wcstold("-0.5e3", None), -500.0)

    def test_standard_and_posix_integer_typedefs(self):
        lib = libc("""
            off_t lseek(int fd, off_t offset, int whence);
            pid_t getpid(void);
            time_t time(time_t *t);
            intmax_t imaxabs(intmax_t j);
            uid_t getuid(void);
        """)
        self.assertEqual(lib.lseek.__doc__.splitlines()[-1], "long lseek(int fd, long offset, int whence)")
        self.assertEqual(lib.getpid(), os.getpid())
        self.assertEqual(lib.getuid(), os.getuid())
        self.assertGreater(lib.time(None), 1600000000)
        self.assertEqual(lib.imaxabs(-2 ** 62), 2 ** 62)
        for name, size in [("int_least8_t", 1), ("uint_least16_t", 2), ("int_fast8_t", 1), ("uint_fast64_t", 8),
                           ("uintmax_t", 8), ("char16_t", 2), ("char32_t", 4), ("wchar_t", 4), ("mode_t", 4),
                           ("socklen_t", 4), ("sa_family_t", 2), ("in_port_t", 2), ("ssize_t", 8)]:
            self.assertEqual(lib.sizeof(name), size, name)
        with self.assertRaises(OverflowError):
            lib.imaxabs(2 ** 63)

    def test_a_header_may_declare_its_own_posix_names(self):
        lib = libc("typedef struct my_key *key_t; int use(key_t k) __asm__(\"abs\");")
        self.assertEqual(lib.use.__doc__.splitlines()[-1], "int use(struct my_key *k)")

    def test_wchar_strings_are_pointers_to_integers(self):
        lib = libc("size_t wcslen(const wchar_t *s);")
        w = lib.new("wchar_t[4]", [ord("a"), ord("b"), 0, 0])
        self.assertEqual(lib.wcslen(w), 2)


class Hostile(unittest.TestCase):
    def reason(self, text):
        with self.assertRaises(sigbind.SignatureError) as cm:
            libc(text)
        return str(cm.exception).splitlines()[0]

    def test_bad_noise_and_pragmas_are_errors_not_crashes(self):
        self.assertIn("nested more than 64 deep", self.reason("#pragma pack(push, 1)\n" * 70))
        self.assertIn("expected an alignment", self.reason("struct a { int x __attribute__((aligned(3))); };"))
        self.assertIn("expected an alignment", self.reason("struct a { int x __attribute__((aligned(1 << 40))); };"))
        self.assertIn("expected an alignment", self.reason("struct a { _Alignas(struct nope) int x; };"))
        self.assertIn("expected '(' after '__asm__'", self.reason("int f(void) __asm__;"))
        self.assertIn("unbalanced parentheses", self.reason("int f(void) __attribute__((" + "(" * 3000 + ";"))

    def test_deep_attribute_parentheses_are_skipped(self):
        lib = libc("int my_abs(int) __attribute__((" + "(" * 5000 + ")" * 5000 + ")) __asm__(\"abs\");")
        self.assertEqual(lib.my_abs(-1), 1)

    def test_wrong_kind_of_tag_is_refused(self):
        self.assertIn("struct u is already declared", self.reason("union u; struct u { int a; };"))
        self.assertIn("union u is already declared", self.reason("struct u; union u { int a; };"))

    def test_a_struct_cannot_hold_itself(self):
        self.assertIn("'t' is only usable through a pointer",
                      self.reason("typedef struct t t; struct t { t *next; t inner; };"))

    def test_nested_function_pointer_declarators_are_bounded(self):
        self.reason("struct d { void (*(*(*(*(*f)(void))(void))(void))(void))(void); };")

    def test_huge_enumerator_name(self):
        name = "A" * 100000
        self.assertEqual(getattr(libc("enum { %s = 3 };" % name), name), 3)


if __name__ == "__main__":
    unittest.main()


class LibcTypesACleanedHeaderLeavesOut(unittest.TestCase):
    """FILE, pthread_*_t, jmp_buf, struct sockaddr...: known like size_t, sized from the C library at build time."""

    def test_file_pointer_is_usable_without_a_declaration(self):
        lib = libc("FILE *fopen(const char *p, const char *m); int fputs(const char *s, FILE *f);"
                   "int fclose(FILE *f);")
        path = os.path.join(tempfile.mkdtemp(), "x.txt")
        f = lib.fopen(path.encode(), b"w")
        self.assertIsNotNone(f)
        self.assertGreaterEqual(lib.fputs("hello", f), 0)
        self.assertEqual(lib.fclose(f), 0)
        with open(path) as fh:
            self.assertEqual(fh.read(), "hello")

    @unittest.skipUnless(platform.system() == "Linux" and platform.machine() == "x86_64", "glibc x86-64 sizes")
    def test_sized_libc_types_lay_out_structs_as_c(self):
        lib = libc("struct holder { char c; pthread_mutex_t m; pthread_once_t once; struct sockaddr_storage ss;"
                   " jmp_buf jb; };")
        self.assertEqual(lib.sizeof("pthread_mutex_t"), 40)
        self.assertEqual(lib.sizeof("struct sockaddr"), 16)
        self.assertEqual(lib.offsetof("struct holder", "m"), 8)
        self.assertEqual(lib.offsetof("struct holder", "ss"), 56)
        self.assertEqual(lib.sizeof("struct holder"), 384)
        # behind a '*' first, a libc struct is incomplete (as in C) until the block defines it
        lib2 = libc("int getsockname(int fd, struct sockaddr *addr, socklen_t *len);")
        with self.assertRaises(TypeError):
            lib2.sizeof("struct sockaddr")

    def test_dir_termios_fd_set_and_time_structs(self):
        lib = libc("DIR *opendir(const char *p); int closedir(DIR *d);"
                   "struct tty { struct termios t; fd_set fds; struct timeval tv; struct timespec ts; struct stat st; };")
        d = lib.opendir(b"/")
        self.assertIsNotNone(d)
        self.assertEqual(lib.closedir(d), 0)
        self.assertGreater(lib.sizeof("struct tty"), lib.sizeof("fd_set"))
        self.assertEqual(lib.sizeof("struct timespec"), 2 * lib.sizeof("long"))

    def test_a_block_may_still_define_them_itself(self):
        lib = libc("typedef struct my_file FILE; typedef int pthread_once_t; struct sockaddr { int x; };")
        self.assertEqual(lib.sizeof("pthread_once_t"), 4)
        self.assertEqual(lib.sizeof("struct sockaddr"), 4)
