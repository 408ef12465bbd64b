# test_handles.py — the Python face's typedefs: opaque handle types that cannot be confused, [[release(fn)]] on collection and on explicit release, aliases; libsqlite3 as the real library.
import ctypes.util
import gc
import unittest

import sigbind

from support import TESTLIB

THINGS = """
    typedef struct thing thing [[release(thing_free)]];
    typedef struct other *other_ptr;           /* a pointer typedef of another opaque type */
    typedef int counter_t;                     /* a scalar alias */
    typedef counter_t value_t;                 /* an alias of an alias */
    thing *thing_new(value_t value);
    int thing_value(const thing *t);
    int thing_free(thing *t);
    counter_t things_alive(void);
    int thing_open(int value, thing **out [[out]]);
    other_ptr other_new(void);
"""


@unittest.skipUnless(TESTLIB, "SIGBIND_TESTLIB is not set (run through tests/py/run_all.py)")
class TypedHandles(unittest.TestCase):
    def setUp(self):
        gc.collect()
        self.lib = sigbind.load(TESTLIB, THINGS)
        self.base = self.lib.things_alive()

    def test_results_are_typed_handles(self):
        t = self.lib.thing_new(7)
        self.assertIsInstance(t, sigbind.Pointer)
        self.assertIn("(thing *)", repr(t))
        self.assertEqual(self.lib.thing_value(t), 7)
        self.assertEqual(self.lib.thing_new.__self__.signature, "thing *thing_new(int value)")
        rc, t2 = self.lib.thing_open(9)
        self.assertEqual((rc, self.lib.thing_value(t2)), (0, 9))
        self.assertIn("(struct other *)", repr(self.lib.other_new()))

    def test_handles_of_other_types_are_refused(self):
        o = self.lib.other_new()
        with self.assertRaises(TypeError) as cm:
            self.lib.thing_value(o)
        self.assertEqual(str(cm.exception), "thing_value() argument 't' (const thing *) must be a thing * handle, "
                                            "not a Pointer (struct other *)")
        t = self.lib.thing_new(1)
        for bad in (int(t), sigbind.Pointer(int(t)), b"abcd", bytearray(8)):
            with self.assertRaises(TypeError):
                self.lib.thing_value(bad)
        with self.assertRaises(TypeError) as cm:
            self.lib.thing_value(3)
        self.assertIn("must be thing * handle, not int", str(cm.exception))

    def test_collected_handles_are_released_once(self):
        handles = [self.lib.thing_new(i) for i in range(50)]
        self.assertEqual(self.lib.things_alive(), self.base + 50)
        del handles
        gc.collect()
        self.assertEqual(self.lib.things_alive(), self.base)
        _, t = self.lib.thing_open(3)  # out parameters become handles too
        self.assertEqual(self.lib.things_alive(), self.base + 1)
        del t
        self.assertEqual(self.lib.things_alive(), self.base)

    def test_explicit_release_marks_the_handle(self):
        t = self.lib.thing_new(5)
        self.assertEqual(self.lib.thing_free(t), 0)
        self.assertEqual(self.lib.things_alive(), self.base)
        self.assertIn("released", repr(t))
        with self.assertRaises(ValueError) as cm:
            self.lib.thing_value(t)
        self.assertEqual(str(cm.exception), "thing_value() argument 't' (const thing *) is a released handle")
        with self.assertRaises(ValueError):
            self.lib.thing_free(t)  # no double free
        del t
        gc.collect()
        self.assertEqual(self.lib.things_alive(), self.base)

    def test_handle_keeps_library_alive(self):
        lib = sigbind.load(TESTLIB, THINGS)
        t = lib.thing_new(4)
        base = self.lib.things_alive()
        del lib
        gc.collect()
        self.assertNotEqual(int(t), 0)
        with self.assertRaises(TypeError):
            self.lib.thing_value(t)  # another Library's 'thing' is another type
        del t  # released through the first Library, still alive
        gc.collect()
        self.assertEqual(self.lib.things_alive(), base - 1)

    def test_typedef_errors(self):
        for text, reason in [
            ("typedef int counter_t; typedef long counter_t;", "already declared differently"),
            ("typedef struct x x [[release(f)]] junk;", "expected the end of the typedef"),
            ("typedef int n [[release(f)]];", "[[release]] applies to opaque handle types"),
            ("typedef struct y y; int f(y v);", "'y' is only usable through a pointer"),
        ]:
            with self.subTest(text=text):
                with self.assertRaises(sigbind.SignatureError) as cm:
                    sigbind.load(TESTLIB, text)
                self.assertIn(reason, str(cm.exception))

    def test_release_function_must_be_declared(self):
        lib = sigbind.load(TESTLIB, "typedef struct thing thing [[release(thing_free)]]; thing *thing_new(int v);")
        with self.assertRaises(TypeError) as cm:
            lib.thing_new(1)
        self.assertIn("released by 'thing_free', which must be declared", str(cm.exception))
        gc.collect()

    def test_aliases_resolve(self):
        self.assertEqual(self.lib.things_alive.__self__.signature, "int things_alive(void)")
        with self.assertRaises(OverflowError):
            self.lib.thing_new(2**40)  # value_t is int


SQLITE = ctypes.util.find_library("sqlite3")


@unittest.skipUnless(SQLITE, "libsqlite3 is not installed (scripts/setup.sh installs it)")
class Sqlite(unittest.TestCase):
    DECLS = """
        typedef struct sqlite3 sqlite3 [[release(sqlite3_close)]];
        typedef struct sqlite3_stmt sqlite3_stmt [[release(sqlite3_finalize)]];
        int sqlite3_open(const char *filename, sqlite3 **db [[out]]);
        int sqlite3_close(sqlite3 *db);
        int sqlite3_exec(sqlite3 *db, const char *sql, void *callback = NULL, void *arg = NULL,
                         char **errmsg = NULL);
        int sqlite3_prepare_v2(sqlite3 *db, const char *sql, int nbyte, sqlite3_stmt **stmt [[out]],
                               const char **tail = NULL);
        int sqlite3_step(sqlite3_stmt *stmt);
        int64_t sqlite3_column_int64(sqlite3_stmt *stmt, int col);
        const char *sqlite3_column_text(sqlite3_stmt *stmt, int col);
        int sqlite3_finalize(sqlite3_stmt *stmt);
        const char *sqlite3_errmsg(sqlite3 *db);
    """

    def test_open_query_close(self):
        lib = sigbind.load("sqlite3", self.DECLS)
        rc, db = lib.sqlite3_open(":memory:")
        self.assertEqual(rc, 0)
        self.assertIn("(sqlite3 *)", repr(db))
        self.assertEqual(lib.sqlite3_exec(db, "create table t(a, b); insert into t values (1, 'x'), (2, 'y');"), 0)
        rc, stmt = lib.sqlite3_prepare_v2(db, "select sum(a), group_concat(b) from t", -1)
        self.assertEqual(rc, 0)
        self.assertEqual(lib.sqlite3_step(stmt), 100)  # SQLITE_ROW
        self.assertEqual((lib.sqlite3_column_int64(stmt, 0), lib.sqlite3_column_text(stmt, 1)), (3, "x,y"))
        with self.assertRaises(TypeError):
            lib.sqlite3_step(db)  # a sqlite3 * is not a sqlite3_stmt *
        with self.assertRaises(TypeError):
            lib.sqlite3_errmsg(stmt)
        self.assertEqual(lib.sqlite3_finalize(stmt), 0)
        self.assertEqual(lib.sqlite3_close(db), 0)
        with self.assertRaises(ValueError):
            lib.sqlite3_errmsg(db)

    def test_handles_closed_when_collected(self):
        lib = sigbind.load("sqlite3", self.DECLS)
        for _ in range(200):
            rc, db = lib.sqlite3_open(":memory:")
            lib.sqlite3_exec(db, "create table t(a)")
            rc, stmt = lib.sqlite3_prepare_v2(db, "select 1", -1)
            del stmt, db  # finalize, then close: no leak, no error (valgrind/ASan runs see it)
        gc.collect()


if __name__ == "__main__":
    unittest.main()
