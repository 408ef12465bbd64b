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


if __name__ == "__main__":
    unittest.main()
