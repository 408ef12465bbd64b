#!/usr/bin/env python3
"""test_check_layers.py — the layer check itself: a tree that breaks each rule is refused, a clean one passes."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "check_layers.py")
CC = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")


class LayerCheck(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="sb_layers_")
        self.addCleanup(shutil.rmtree, self.root)
        self.src = os.path.join(self.root, "src")
        self.inc = os.path.join(self.root, "include")
        os.makedirs(self.inc)
        self.write("include/sigbind_cc.h", "#define SB_CC 1\n")
        self.write("include/sigbind.h", "int sb_public(void);\n")
        self.write("src/core/internal.h", '#include "sigbind_cc.h"\nint sb__core_fn(void);\n')
        self.write("src/core/a.c", '#include "internal.h"\nint sb__core_fn(void)\n{\n    return 1;\n}\n')
        self.write("src/runtime/runtime.h", '#include "core/internal.h"\nint sb__rt_fn(void);\n')
        self.write("src/runtime/b.c", '#include "runtime/runtime.h"\nint sb__rt_fn(void)\n{\n    return sb__core_fn();\n}\n')
        self.write("src/cface/c.c", '#include "runtime/runtime.h"\n#include "sigbind.h"\n'
                   'int sb_public(void)\n{\n    return sb__rt_fn();\n}\n')
        self.write("src/pyface/p.c", '#include "runtime/runtime.h"\nint sb__py_fn(void)\n{\n    return sb__rt_fn();\n}\n')

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def compile_all(self):
        build = os.path.join(self.root, "build")
        for layer in ("core", "runtime", "objects", "pyface", "cface"):
            d = os.path.join(self.src, layer)
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                if name.endswith(".c"):
                    out = os.path.join(build, "CMakeFiles", "t.dir", "src", layer, name + ".o")
                    os.makedirs(os.path.dirname(out), exist_ok=True)
                    subprocess.run([CC, "-c", "-I", self.src, "-I", os.path.join(self.src, "core"), "-I", self.inc,
                                    os.path.join(d, name), "-o", out], check=True)
        return build

    def run_check(self, build=None):
        cmd = [sys.executable, CHECK, "--src", self.src, "--include", self.inc]
        if build:
            cmd += ["--build", build]
        r = subprocess.run(cmd, capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr

    def test_clean_tree_passes(self):
        rc, out = self.run_check(self.compile_all() if CC else None)
        self.assertEqual(rc, 0, out)

    def test_include_of_higher_layer_is_refused(self):
        self.write("src/core/bad.c", '#include "runtime/runtime.h"\n')
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("core/bad.c (core) includes runtime/runtime.h (runtime)", out)

    def test_peer_faces_may_not_include_each_other(self):
        self.write("src/pyface/pyface.h", "int sb__py_fn(void);\n")
        self.write("src/cface/bad.c", '#include "pyface/pyface.h"\n')
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("cface/bad.c (cface) includes pyface/pyface.h (pyface)", out)

    def test_core_reaching_python_h_is_refused(self):
        self.write("src/core/internal.h", "#include <Python.h>\n")
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("reaches <Python.h>", out)

    def test_public_api_header_only_in_cface(self):
        self.write("src/runtime/bad.c", '#include "sigbind.h"\n')
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("runtime/bad.c: includes the public sigbind.h", out)

    def test_stray_source_outside_layers_is_refused(self):
        self.write("src/loose.c", "int x;\n")
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("src/loose.c: every source belongs to a layer folder", out)

    @unittest.skipUnless(CC, "no C compiler")
    def test_call_up_a_layer_is_refused(self):
        # Declared locally, so the includes are clean: only the symbols show it.
        self.write("src/runtime/up.c", "int sb__py_fn(void);\nint sb__rt_up(void)\n{\n    return sb__py_fn();\n}\n")
        rc, out = self.run_check(self.compile_all())
        self.assertEqual(rc, 1)
        self.assertIn("runtime/up.c (runtime) uses sb__py_fn, defined in pyface/p.c (pyface)", out)

    def test_long_core_function_is_refused(self):
        body = "".join("    x += %d;\n" % i for i in range(160))
        self.write("src/core/long.c", "int sb__long(int x)\n{\n" + body + "    return x;\n}\n")
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("core/long.c: sb__long() is 164 lines", out)


if __name__ == "__main__":
    unittest.main()
