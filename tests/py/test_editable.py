# test_editable.py — the build backend's editable installs of projects with [tool.sigbind] packages: the .pth and finder it writes import the package from the source tree and the extension from the build directory.
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import cface_test

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "abi3"))
import sigbind_build  # noqa: E402


class EditableInstall(unittest.TestCase):
    """editable_files() for a project whose module lives in a package, installed into a site
    directory by hand (what pip does with the editable wheel) and imported by a fresh interpreter."""

    def project(self, tool):
        d = tempfile.mkdtemp(prefix="sb-editable-")
        self.addCleanup(__import__("shutil").rmtree, d)
        os.makedirs(os.path.join(d, "src", "pkg"))
        with open(os.path.join(d, "src", "pkg", "__init__.py"), "w") as f:
            f.write("VALUE = 'from the source tree'\n")
        with open(os.path.join(d, "src", "pkg", "helper.py"), "w") as f:
            f.write("def twice(x):\n    return 2 * x\n")
        with open(os.path.join(d, "pyproject.toml"), "w") as f:
            f.write('[project]\nname = "pkg-dist"\nversion = "1.2"\n[tool.sigbind]\n' + tool)
        return sigbind_build.Project(d)

    def install(self, files):
        site = tempfile.mkdtemp(prefix="sb-site-")
        self.addCleanup(__import__("shutil").rmtree, site)
        for arc, data, _ in files:
            path = os.path.join(site, arc)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        return site

    def run_in(self, site, code):
        # -S: no site-packages of the interpreter's own; addsitedir reads the .pth files as site.py would
        r = subprocess.run([sys.executable, "-S", "-c", "import site; site.addsitedir(%r)\n" % site
                            + textwrap.dedent(code)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, env=dict(os.environ, PYTHONPATH=""))
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_extension_inside_a_package_imports_from_the_build_directory(self):
        p = self.project('module = "pkg.cface_test"\npackages = ["src/pkg"]\n')
        so = cface_test.__file__  # a built C-face module: PyInit_cface_test, as pkg.cface_test needs
        files = sigbind_build.editable_files(p, so, "/the/build-dir")
        site = self.install(files)
        out = self.run_in(site, """
            import pkg, pkg.cface_test, pkg.helper
            print(pkg.VALUE, pkg.cface_test.add(2, 3), pkg.helper.twice(4))
            print(pkg.__file__)
            print(pkg.cface_test.__file__)
            """)
        lines = out.splitlines()
        self.assertEqual(lines[0], "from the source tree 5 8")
        self.assertEqual(lines[1], os.path.join(p.root, "src", "pkg", "__init__.py"))
        self.assertEqual(os.path.realpath(lines[2]), os.path.realpath(so))
        # no site-packages/pkg/ with only stubs in it: it would shadow nothing but confuse checkers
        self.assertFalse([arc for arc, _, _ in files if arc.startswith("pkg/")])

    def test_top_level_module_beside_packages(self):
        p = self.project('module = "cface_test"\npackages = ["src/pkg"]\n')
        site = self.install(sigbind_build.editable_files(p, cface_test.__file__, "/b"))
        out = self.run_in(site, "import pkg, cface_test; print(pkg.VALUE, cface_test.add(1, 1))")
        self.assertEqual(out.strip(), "from the source tree 2")

    def test_finder_answers_only_for_its_own_names(self):
        p = self.project('module = "pkg.cface_test"\npackages = ["src/pkg"]\n')
        site = self.install(sigbind_build.editable_files(p, cface_test.__file__, "/b"))
        out = self.run_in(site, """
            import sys, importlib.util
            finders = [f for f in sys.meta_path if f.__name__ == "EditableFinder"]
            print(len(finders), importlib.util.find_spec("json") is not None, finders[0].find_spec("pkgx"))
            import site
            site.addsitedir(%r)  # the .pth again: still one finder
            print(len([f for f in sys.meta_path if f.__name__ == "EditableFinder"]))
            """ % site)
        self.assertEqual(out.split(), ["1", "True", "None", "1"])

    def test_plain_module_keeps_the_directory_pth(self):
        p = self.project('module = "cface_test"\n')
        files = dict((arc, data) for arc, data, _ in sigbind_build.editable_files(p, cface_test.__file__, "/b"))
        self.assertEqual(files["__editable__.pkg_dist-1.2.pth"].decode().strip(), os.path.dirname(cface_test.__file__))

    def test_module_in_an_unlisted_package_is_refused(self):
        p = self.project('module = "other._native"\npackages = ["src/pkg"]\n')
        with self.assertRaises(RuntimeError) as cm:
            sigbind_build.package_files(p)
        self.assertIn("module 'other._native' lives in package 'other'", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
