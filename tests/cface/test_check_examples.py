#!/usr/bin/env python3
"""test_check_examples.py — check_examples.py finds Python.h and CPython API calls, and ignores comments, strings and PyObject."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def run(source):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "m.c"), "w") as f:
            f.write(source)
        r = subprocess.run([sys.executable, os.path.join(HERE, "check_examples.py"), d], stdout=subprocess.PIPE,
                           universal_newlines=True)
        return r.returncode, r.stdout


class CheckExamples(unittest.TestCase):
    def test_clean_source_passes(self):
        rc, out = run('#include <sigbind.h>\n/* PyList_New( in a comment */\nstatic PyObject *f(PyObject *o)\n'
                      '{ sb_incref(o); const char *s = "Py_INCREF(x)"; (void)s; return o; }\n')
        self.assertEqual(rc, 0, out)

    def test_api_calls_and_macros_are_reported(self):
        rc, out = run("#include <Python.h>\nstatic void f(PyObject *o)\n{\n    Py_INCREF(o);\n"
                      "    PyList_Append(o, o);\n    (void)Py_None;\n}\n")
        self.assertEqual(rc, 1)
        self.assertIn("includes Python.h", out)
        self.assertIn("m.c:4: CPython API 'Py_INCREF'", out)
        self.assertIn("m.c:5: CPython API 'PyList_Append'", out)
        self.assertIn("m.c:6: CPython API 'Py_None'", out)


if __name__ == "__main__":
    unittest.main()
