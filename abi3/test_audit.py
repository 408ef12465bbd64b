# Tests for abi3/audit.py: tiny shared objects prove the audit passes and, above all, can fail.
"""Run: python3 abi3/test_audit.py   (standard library only, Python 3.7+)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

AUDIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "audit.py")
CC = next(filter(None, (shutil.which(c) for c in
                        (os.environ.get("CC", ""), "cc", "gcc", "clang") if c)), None)
NO_CC = "no C compiler found (tried $CC, cc, gcc, clang)"
if CC is None:
    print("test_audit: skipping: " + NO_CC, file=sys.stderr)

# Declared here so that no Python headers are needed.
STABLE = """
extern void *PyLong_FromLong(long);
extern void *PyFloat_FromDouble(double);
extern char _Py_NoneStruct;            /* a data symbol, stable since 3.2 */
void *f(void) { return PyLong_FromLong(1); }
void *g(void) { return PyFloat_FromDouble(1.0); }
void *h(void) { return &_Py_NoneStruct; }
"""
NOT_STABLE = """
extern void *PyLong_FromLong(long);
extern const char *PyUnicode_AsUTF8(void *);
const char *f(void *o) { return PyUnicode_AsUTF8(PyLong_FromLong(1)); }
"""
FROM_311 = """
extern int PyObject_GetBuffer(void *, void *, int);
int f(void *o, void *view) { return PyObject_GetBuffer(o, view, 0); }
"""
TABLE_CAVEATS = """
extern void *PyCFunction_New(void *, void *);
extern void PyOS_AfterFork_Child(void);
void *f(void *ml) { PyOS_AfterFork_Child(); return PyCFunction_New(ml, 0); }
"""


@unittest.skipIf(CC is None, NO_CC)
class AuditTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        # An empty allow-list, so entries added to abi3/allowlist.tsv later
        # cannot change what these tests see.
        self.empty_allow = self.write("empty.tsv", "# none\nsymbol\tgate\n")

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def build(self, name, source):
        c = self.write(name + ".c", source)
        so = os.path.join(self.dir, name + ".so")
        subprocess.run([CC, "-shared", "-fPIC", "-o", so, c], check=True)
        return so

    def audit(self, *args, allow=None, env=None):
        command = [sys.executable, AUDIT, "--allow", allow or self.empty_allow]
        proc = subprocess.run(command + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True,
                              env=env)
        return proc.returncode, proc.stdout

    def test_stable_symbols_pass(self):
        so = self.build("stable", STABLE)
        code, out = self.audit(so)
        self.assertEqual(code, 0, out)
        self.assertIn("%s: 3 Python symbols, all stable-ABI <= 3.7" % so, out)

    def test_symbol_outside_stable_abi_fails(self):
        code, out = self.audit(self.build("unstable", NOT_STABLE))
        self.assertEqual(code, 1, out)
        self.assertIn("PyUnicode_AsUTF8: not in the stable ABI", out)
        self.assertNotIn("PyLong_FromLong:", out)

    def test_symbol_newer_than_floor_fails(self):
        so = self.build("buffer", FROM_311)
        code, out = self.audit(so)
        self.assertEqual(code, 1, out)
        self.assertIn("PyObject_GetBuffer: stable ABI only from 3.11", out)
        self.assertEqual(self.audit("--floor", "3.10", so)[0], 1)
        code, out = self.audit("--floor", "3.11", so)
        self.assertEqual(code, 0, out)
        self.assertIn("all stable-ABI <= 3.11", out)

    def test_allow_listed_symbol_passes(self):
        allow = self.write("allow.tsv", "# test\nsymbol\tgate\n"
                                        "PyObject_GetBuffer\tcompat: runtime >= 3.11\n")
        code, out = self.audit(self.build("buffer", FROM_311), allow=allow)
        self.assertEqual(code, 0, out)
        self.assertIn("allow-listed: PyObject_GetBuffer (gate: compat: runtime >= 3.11)", out)

    def test_table_caveats(self):
        # Listed as stable <= 3.7, yet not safe to link: an ifdef'd symbol and
        # PyCFunction_New, which CPython 3.9 does not export.
        so = self.build("caveats", TABLE_CAVEATS)
        code, out = self.audit(so)
        self.assertEqual(code, 1, out)
        self.assertIn("PyOS_AfterFork_Child: stable ABI only in builds that define HAVE_FORK", out)
        self.assertIn("PyCFunction_New: listed from 3.4, but CPython 3.9 does not export it", out)
        code, out = self.audit("--floor", "3.10", so)
        self.assertNotIn("PyCFunction_New", out)

    def test_one_failing_module_fails_the_run(self):
        good, bad = self.build("stable", STABLE), self.build("unstable", NOT_STABLE)
        code, out = self.audit(good, bad)
        self.assertEqual(code, 1, out)
        self.assertIn("%s: 3 Python symbols, all stable-ABI" % good, out)

    def test_objdump_fallback_and_missing_tools(self):
        objdump = shutil.which("objdump")
        if objdump is None:
            self.skipTest("objdump not installed")
        so = self.build("unstable", NOT_STABLE)
        bin_dir = os.path.join(self.dir, "bin")
        os.mkdir(bin_dir)
        code, out = self.audit(so, env=dict(os.environ, PATH=bin_dir))
        self.assertEqual(code, 2, out)
        self.assertIn("neither nm nor objdump", out)
        os.symlink(objdump, os.path.join(bin_dir, "objdump"))
        code, out = self.audit(so, env=dict(os.environ, PATH=bin_dir))
        self.assertEqual(code, 1, out)
        self.assertIn("PyUnicode_AsUTF8: not in the stable ABI", out)
        self.assertIn("2 Python symbols", out)

    def test_missing_module_is_a_usage_error(self):
        code, out = self.audit(os.path.join(self.dir, "nope.so"))
        self.assertEqual(code, 2, out)
        self.assertIn("no such module file", out)

    def test_shipped_allow_list_parses(self):
        shipped = os.path.join(os.path.dirname(AUDIT), "allowlist.tsv")
        code, out = self.audit(self.build("stable", STABLE), allow=shipped)
        self.assertEqual(code, 0, out)


if __name__ == "__main__":
    unittest.main()
