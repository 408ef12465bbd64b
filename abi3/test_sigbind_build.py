# test_sigbind_build.py — self-test of the build backend's pieces that need no build: its TOML reader (against tomllib where it exists), project metadata, editable/sdist hook presence.
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import sigbind_build  # noqa: E402

try:
    import tomllib
except ImportError:  # < 3.11
    tomllib = None

SAMPLE = r'''
# comment
title = "a \"quoted\" \u00e9 \\ value"   # trailing comment
lit = 'C:\path'
n = -1_000
flag = true
[project]
name = "x-y"
arr = [
  "a",  # one
  'b',
]
empty = []
inline = {text = "MIT", n = 2}
[tool.sigbind]
"quoted key" = 1
dotted.key = false
'''


class TomlReader(unittest.TestCase):
    def test_sample(self):
        got = sigbind_build.parse_toml(SAMPLE)
        self.assertEqual(got["title"], 'a "quoted" \u00e9 \\ value')
        self.assertEqual(got["lit"], "C:\\path")
        self.assertEqual(got["n"], -1000)
        self.assertEqual(got["project"]["arr"], ["a", "b"])
        self.assertEqual(got["project"]["inline"], {"text": "MIT", "n": 2})
        self.assertEqual(got["tool"]["sigbind"], {"quoted key": 1, "dotted": {"key": False}})
        if tomllib:
            self.assertEqual(got, tomllib.loads(SAMPLE))

    def test_project_files_agree_with_tomllib(self):
        for path in ("pyproject.toml", "examples/wheel_project/pyproject.toml"):
            with open(os.path.join(ROOT, path), encoding="utf-8") as f:
                text = f.read()
            got = sigbind_build.parse_toml(text)
            self.assertIn("build-system", got)
            if tomllib:
                self.assertEqual(got, tomllib.loads(text), path)

    def test_unsupported_is_an_error_with_a_line(self):
        for bad in ('a = """x"""', "[[t]]", "a = 1.5", 'a = "open', "a = [1 2]", "a = 1\na = 2"):
            with self.assertRaises(sigbind_build.TomlError, msg=bad) as cm:
                sigbind_build.parse_toml(bad)
            self.assertIn("line", str(cm.exception))


class ProjectMetadata(unittest.TestCase):
    def test_sigbind(self):
        p = sigbind_build.Project(ROOT)
        with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
            self.assertIn("project(sigbind VERSION %s " % p.version, f.read())
        meta = p.metadata_text()
        for field in ("Name: sigbind", "License: MIT", "License-File: LICENSE", "Requires-Python: >=3.7",
                      "Description-Content-Type: text/markdown"):
            self.assertIn(field + "\n", meta)
        self.assertEqual(p.license_files(), ["LICENSE"])
        self.assertTrue(p.sdk)

    def test_example_project(self):
        p = sigbind_build.Project(os.path.join(ROOT, "examples", "wheel_project"))
        self.assertEqual((p.dist, p.module, p.version), ("example_pkg", "example_pkg", "1.0.0"))
        self.assertFalse(p.sdk)

    def test_hooks(self):
        for hook in ("build_wheel", "build_sdist", "build_editable", "get_requires_for_build_wheel",
                     "get_requires_for_build_sdist", "get_requires_for_build_editable",
                     "prepare_metadata_for_build_wheel", "prepare_metadata_for_build_editable"):
            self.assertTrue(callable(getattr(sigbind_build, hook)), hook)
        self.assertEqual(sigbind_build.get_requires_for_build_editable(), [])


class MetadataFields(unittest.TestCase):
    """PEP 621 -> core metadata; unknown or ill-typed keys are errors that name the key."""

    def project(self, text, files=()):
        import tempfile
        d = tempfile.mkdtemp(prefix="sb-meta-")
        self.addCleanup(__import__("shutil").rmtree, d)
        with open(os.path.join(d, "pyproject.toml"), "w", encoding="utf-8") as f:
            f.write(text)
        for name in files:
            os.makedirs(os.path.dirname(os.path.join(d, name)), exist_ok=True)
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                f.write("text of " + name + "\n")
        return sigbind_build.Project(d)

    def error(self, text, *fragments):
        with self.assertRaises(RuntimeError) as cm:
            self.project(text)
        for fragment in fragments:
            self.assertIn(fragment, str(cm.exception))

    def test_misspelled_project_key_is_an_error_with_a_suggestion(self):
        self.error('[project]\nname = "x"\nversion = "1"\nauthor = [{name = "A"}]\n',
                   "unknown key 'author' in [project]", "did you mean 'authors'?")
        self.error('[project]\nname = "x"\nversion = "1"\nlicence = {text = "MIT"}\n', "'licence'", "'license'")

    def test_misspelled_tool_key_is_an_error(self):
        self.error('[project]\nname = "x"\nversion = "1"\n[tool.sigbind]\nmodules = "x"\n',
                   "unknown key 'modules' in [tool.sigbind]", "did you mean 'module'?")

    def test_ill_typed_values_are_errors(self):
        base = '[project]\nname = "x"\nversion = "1"\n'
        self.error(base + 'keywords = "a, b"\n', "keywords must be an array of strings")
        self.error(base + 'authors = ["Ada"]\n', "authors must be an array of tables")
        self.error(base + 'authors = [{name = "A", mail = "a@b"}]\n', "authors must be an array of tables")
        self.error(base + '[project.entry-points.console_scripts]\na = "m:f"\n', "use [project.scripts]")
        self.error(base + 'dynamic = ["description"]\n', "computes only the version")
        self.error('[project]\nname = "x"\nversion = "1"\ndynamic = ["version"]\n', "both given and listed")
        self.error(base + '[project.optional-dependencies]\n"bad extra!" = ["y"]\n', "not a valid extra name")
        self.error(base + 'license = {text = "MIT", file = "LICENSE"}\n', "license must be")
        self.error(base + '[tool.sigbind]\npackages = ["nowhere"]\n', "not a directory with an __init__.py")

    def test_every_field_is_written(self):
        p = self.project("""[project]
name = "My.Pkg"
version = "1.2"
description = "one line"
readme = {text = "Long *text*.", content-type = "text/markdown"}
requires-python = ">=3.7"
license = {text = "BSD-3-Clause"}
license-files = ["COPYING*"]
authors = [{name = "A B", email = "a@x.org"}, {name = "C"}]
maintainers = [{email = "m@x.org"}]
keywords = ["k1", "k2"]
classifiers = ["Topic :: Software Development"]
dependencies = ["dep>=1"]
[project.optional-dependencies]
extra1 = ["opt; os_name == 'posix'"]
[project.urls]
Source = "https://x.org/src"
[project.scripts]
tool = "pkg.cli:main"
[project.entry-points.group1]
ep = "pkg:obj"
""", files=["COPYING", "COPYING.LESSER"])
        meta = p.metadata_text()
        for line in ("Metadata-Version: 2.1", "Name: My.Pkg", "Summary: one line", "Author: C",
                     "Author-email: A B <a@x.org>", "Maintainer-email: m@x.org", "Keywords: k1,k2",
                     "Project-URL: Source, https://x.org/src", "License: BSD-3-Clause", "License-File: COPYING",
                     "License-File: COPYING.LESSER", "Classifier: Topic :: Software Development",
                     "Requires-Python: >=3.7", "Requires-Dist: dep>=1", "Provides-Extra: extra1",
                     "Requires-Dist: opt; (os_name == 'posix') and extra == \"extra1\"",
                     "Description-Content-Type: text/markdown"):
            self.assertIn(line + "\n", meta)
        self.assertTrue(meta.endswith("\nLong *text*."), meta)
        self.assertEqual(p.entry_points_text(), "[console_scripts]\ntool = pkg.cli:main\n\n[group1]\nep = pkg:obj\n")
        self.assertEqual(p.dist, "My_Pkg")

    def test_spdx_license_string_is_license_expression(self):
        meta = self.project('[project]\nname = "x"\nversion = "1"\nlicense = "MIT OR Apache-2.0"\n').metadata_text()
        self.assertIn("Metadata-Version: 2.4\n", meta)
        self.assertIn("License-Expression: MIT OR Apache-2.0\n", meta)

    def test_license_files_glob_matching_nothing_is_an_error(self):
        p = self.project('[project]\nname = "x"\nversion = "1"\nlicense-files = ["LICENSE*"]\n')
        with self.assertRaises(RuntimeError) as cm:
            p.license_files()
        self.assertIn("'LICENSE*' matches no file", str(cm.exception))

    def test_module_inside_a_package(self):
        p = self.project('[project]\nname = "x"\nversion = "1"\n[tool.sigbind]\nmodule = "pkg.sub._c"\n'
                         'packages = ["src/pkg"]\n', files=["src/pkg/__init__.py", "src/pkg/data/d.txt"])
        self.assertEqual(p.module_path(".abi3.so"), "pkg/sub/_c.abi3.so")
        arcs = [a for a, _, _ in sigbind_build.package_files(p)]
        self.assertEqual(arcs, ["pkg/__init__.py", "pkg/data/d.txt"])


class StubChoice(unittest.TestCase):
    """Which stub a wheel ships: [tool.sigbind] stub, else the one sigbind_add_module generated."""
    project = MetadataFields.project
    error = MetadataFields.error
    BASE = '[project]\nname = "m"\nversion = "1"\n[tool.sigbind]\nmodule = "m"\n'

    def built(self, project):
        so = os.path.join(project.root, "build", "m.abi3.so")
        os.makedirs(os.path.dirname(so))
        with open(so, "wb") as f:
            f.write(b"\x7fELF")
        with open(so[:-len(".abi3.so")] + ".pyi", "w", encoding="utf-8") as f:
            f.write("def generated() -> int: ...\n")
        return so

    def test_generated_stub_is_shipped_with_py_typed(self):
        p = self.project(self.BASE)
        files = {arc: data for arc, data, _ in sigbind_build.common_files(p, self.built(p))}
        self.assertEqual(files["m.pyi"], b"def generated() -> int: ...\n")
        self.assertEqual(files["m-stubs/__init__.pyi"], files["m.pyi"])
        self.assertEqual(files["m-stubs/py.typed"], b"")

    def test_hand_written_stub_wins(self):
        p = self.project(self.BASE + 'stub = "own.pyi"\n', files=["own.pyi"])
        files = {arc: data for arc, data, _ in sigbind_build.common_files(p, self.built(p))}
        self.assertEqual(files["m.pyi"], b"text of own.pyi\n")

    def test_stub_false_ships_none(self):
        p = self.project(self.BASE + "stub = false\n")
        arcs = [arc for arc, _, _ in sigbind_build.common_files(p, self.built(p))]
        self.assertFalse([a for a in arcs if "pyi" in a or "py.typed" in a], arcs)

    def test_stub_of_another_type_is_an_error(self):
        self.error(self.BASE + "stub = 1\n", "[tool.sigbind] stub must be a string or false")


class ManylinuxPolicy(unittest.TestCase):
    """The tag is the policy the binary meets; a binary needing more than its tag is refused."""

    def policy(self, name="manylinux2014"):
        return sigbind_build.policy_named(name)

    def test_glibc_2_17_binary_meets_manylinux2014(self):
        refs = {"libc.so.6": ["GLIBC_2.2.5", "GLIBC_2.14", "GLIBC_2.17"], "ld-linux-x86-64.so.2": ["GLIBC_2.3"]}
        needed = ["libdl.so.2", "libpthread.so.0", "libc.so.6", "ld-linux-x86-64.so.2"]
        self.assertEqual(sigbind_build.policy_problems(self.policy(), needed, refs, {}), [])
        self.assertEqual(sigbind_build.platform_tag(self.policy(), "x86_64"),
                         "manylinux_2_17_x86_64.manylinux2014_x86_64")
        self.assertIs(self.policy("manylinux_2_17"), self.policy("manylinux2014"))

    def test_newer_glibc_symbol_is_refused_by_name(self):
        refs = {"libc.so.6": ["GLIBC_2.2.5", "GLIBC_2.34"]}
        problems = sigbind_build.policy_problems(self.policy(), ["libc.so.6"], refs,
                                                 {"GLIBC_2.34": ["dlopen", "pthread_once"]})
        self.assertEqual(problems, ["GLIBC_2.34 is newer than GLIBC_2.17 (needed by dlopen, pthread_once)"])

    def test_glibc_2_18_is_newer_than_2_17_numerically(self):
        refs = {"libc.so.6": ["GLIBC_2.18"]}
        self.assertEqual(len(sigbind_build.policy_problems(self.policy(), [], refs, {})), 1)
        refs = {"libc.so.6": ["GLIBC_2.3.4", "GLIBC_2.9"]}  # 2.9 < 2.17, not a string comparison
        self.assertEqual(sigbind_build.policy_problems(self.policy(), [], refs, {}), [])

    def test_cxx_runtime_versions_are_checked(self):
        refs = {"libstdc++.so.6": ["GLIBCXX_3.4.19", "CXXABI_1.3.7"], "libgcc_s.so.1": ["GCC_4.8.0"]}
        self.assertEqual(sigbind_build.policy_problems(self.policy(), ["libstdc++.so.6", "libgcc_s.so.1"], refs, {}),
                         [])
        refs = {"libstdc++.so.6": ["GLIBCXX_3.4.21", "CXXABI_1.3.9"]}
        problems = sigbind_build.policy_problems(self.policy(), ["libstdc++.so.6"], refs, {})
        self.assertEqual([p.split()[0] for p in problems], ["CXXABI_1.3.9", "GLIBCXX_3.4.21"])
        self.assertEqual(sigbind_build.policy_problems(self.policy("manylinux_2_28"), ["libstdc++.so.6"], refs, {}),
                         [])

    def test_library_outside_the_allow_list_is_refused(self):
        problems = sigbind_build.policy_problems(self.policy(), ["libc.so.6", "libffi.so.8", "libpython3.11.so.1.0"],
                                                 {}, {})
        self.assertEqual(len(problems), 2)
        self.assertIn("libffi.so.8", problems[0])
        self.assertIn("link it statically", problems[0])

    def test_unknown_platform_is_an_error(self):
        with self.assertRaises(RuntimeError) as cm:
            sigbind_build.policy_named("manylinux2015")
        self.assertIn("manylinux2014", str(cm.exception))

    def test_wheel_lists_every_tag_of_a_compressed_tag_set(self):
        tag = "cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64"
        self.assertEqual(sigbind_build.expand_tag(tag),
                         ["cp37-abi3-manylinux_2_17_x86_64", "cp37-abi3-manylinux2014_x86_64"])
        p = sigbind_build.Project(ROOT)
        self.assertIn("Tag: cp37-abi3-manylinux_2_17_x86_64\nTag: cp37-abi3-manylinux2014_x86_64\n",
                      sigbind_build.wheel_text(p, tag))

    def test_refuses_a_real_binary_built_against_a_new_glibc(self):
        """A tiny library calling fstat (fstat@GLIBC_2.33 on glibc >= 2.33) is refused; pinned, it passes."""
        import shutil
        import subprocess
        import tempfile
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc or not shutil.which("objdump"):
            self.skipTest("no C compiler or objdump")
        libc = subprocess.run([cc, "-print-file-name=libc.so.6"], stdout=subprocess.PIPE,
                              universal_newlines=True).stdout.strip()
        out = subprocess.run(["objdump", "-T", libc], stdout=subprocess.PIPE, universal_newlines=True).stdout
        if " GLIBC_2.34 " not in out or " pthread_once" not in out:
            self.skipTest("the build machine's glibc is older than 2.34: nothing newer to refuse")
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "t.c")
            with open(src, "w") as f:
                f.write("#include <pthread.h>\nstatic pthread_once_t o = PTHREAD_ONCE_INIT;\n"
                        "static void g(void) {}\nint f(void) { return pthread_once(&o, g); }\n")
            so = os.path.join(tmp, "t.so")
            subprocess.check_call([cc, "-shared", "-fPIC", "-o", so, src])
            with self.assertRaises(RuntimeError) as cm:
                sigbind_build.check_module(so)
            self.assertIn("GLIBC_2.34 is newer than GLIBC_2.17 (needed by pthread_once)", str(cm.exception))
            # The same source with sigbind_cc.h's pins references pthread_once@GLIBC_2.2.5 and passes.
            subprocess.check_call([cc, "-shared", "-fPIC", "-include", os.path.join(ROOT, "include", "sigbind_cc.h"),
                                   "-o", so, src])
            self.assertEqual(sigbind_build.check_module(so), "cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64"
                             .replace("x86_64", sigbind_build.platform_arch()))


if __name__ == "__main__":
    unittest.main()
