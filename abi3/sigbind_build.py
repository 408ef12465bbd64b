# sigbind_build.py — the PEP 517/660 build backend: CMake builds a project's <module>.abi3.so (sigbind itself or an extension on it), this writes its cp37-abi3-manylinux wheel, editable wheel and sdist.
"""PEP 517 + PEP 660 build backend for sigbind and for C extensions built on it (stdlib only, Python 3.7+).

The project is the current directory (pip runs the hooks there). Its pyproject.toml says what
to build; the backend reads it with the small TOML reader below (tomllib exists only from 3.11):

    [project]
    name = "example_pkg"              # distribution name (wheel file name: '-' -> '_')
    version = "1.0.0"                 # or dynamic = ["version"] with [tool.sigbind] version-from
    description = "..."               # Summary
    requires-python = ">=3.7"
    license = {text = "MIT"}          # License:
    readme = "README.md"              # the long description (markdown)
    classifiers = ["..."]
    authors = [{name = "..", email = ".."}]   # and maintainers, keywords, urls, dependencies,
                                      # optional-dependencies, scripts, gui-scripts, entry-points,
                                      # license-files: every PEP 621 key; an unknown key is an error
    [tool.sigbind]
    module = "example_pkg"            # import name: the build must produce <module>.abi3.so (default: name);
                                      # "pkg._native": _native.abi3.so, shipped as pkg/_native.abi3.so
    packages = ["src/pkg"]            # Python packages (directories: .py files and data) the wheel ships
    targets = ["example_pkg"]         # CMake targets to build (default: all)
    stub = "example_pkg.pyi"          # the type stub, shipped as <module>.pyi and <module>-stubs/ (a module in
                                      # a package: <pkg>/<name>.pyi and <pkg>/py.typed). Default: the stub
                                      # sigbind_add_module generates from the module's signature tables;
                                      # false: none
    license-files = ["LICENSE"]       # License-File:, shipped in .dist-info/licenses/ and the sdist
    sdist = ["CMakeLists.txt", "src"] # what the sdist carries besides pyproject.toml, readme, licenses
    cmake-args = ["-DFOO=ON"]         # extra configure arguments
    version-from = "CMakeLists.txt"   # version from `project(<name> VERSION x.y.z`
    sdk = true                        # sigbind itself only: ship this backend and the CMake SDK in the wheel
    platform = "manylinux2014"        # or "manylinux_2_28", or "auto": the oldest policy the binary meets

build_wheel:
  1. `cmake -S <project> -B <tmp> -G Ninja -DCMAKE_BUILD_TYPE=Release [cmake-args]` and
     `cmake --build <tmp> [--target t ...]`; the one <module>.abi3.so under <tmp> is the module.
     For a project other than sigbind, -DCMAKE_PREFIX_PATH=<sigbind SDK> lets its CMakeLists.txt
     `find_package(sigbind CONFIG REQUIRED)` and call sigbind_add_module(): the SDK is $SIGBIND_ROOT
     (a `cmake --install` prefix of sigbind) or else the `sigbind_sdk/` this backend was installed
     with (sigbind's wheel ships it: `requires = ["sigbind"]` in the extension's pyproject.toml).
  2. Checks the binary: abi3/audit.py must pass (every Py* symbol stable ABI <= 3.7), and it must
     meet the manylinux policy asked for (`platform`, default manylinux2014): its DT_NEEDED
     entries only libraries of the policy's allow-list (PEP 599's; libffi is linked statically,
     libpython never), and no required symbol version (the "Version References" of `objdump -p`,
     i.e. .gnu.version_r) newer than the policy's GLIBC_/GLIBCXX_/CXXABI_/GCC_ limit. Otherwise it
     refuses to tag the wheel and names each offending library, version and symbol.
  3. Tag `cp37-abi3-<policy>`: manylinux2014 is `manylinux_2_17_<arch>.manylinux2014_<arch>`
     (PEP 600 name + PEP 599 alias; WHEEL gets one Tag line for each).
  4. Writes the wheel: <module>.abi3.so, the stub (see STUB_LAYOUT; by default the one
     sigbind_add_module generated from the module's signature tables), the license files, and with
     `sdk = true` sigbind_build.py, sigbind_stubgen.py (python -m sigbind_stubgen) plus sigbind_sdk/ (`cmake --install --component Development`:
     sigbind.h, libsigbind.a with libffi inside, the CPython headers the runtime was compiled
     against, lib/cmake/sigbind, pkg-config files, the libpython3.so link stand-in; no absolute
     path of the build machine; and the audits), then
     <name>-<ver>.dist-info/{METADATA, WHEEL, RECORD, licenses/...}.
build_editable (PEP 660): the same build in a directory that stays (config setting `build-dir`,
  $SIGBIND_BUILD_DIR, or <project>/build-editable); the wheel holds a .pth file naming the
  directory where CMake puts <module>.abi3.so, and the stub. With [tool.sigbind] packages, the
  .pth installs an import finder instead (editable_files): the packages load from the source tree,
  the extension module (also "pkg._native") from the build directory. Rebuild with `cmake --build <dir>`.
build_sdist: <name>-<ver>.tar.gz with pyproject.toml, PKG-INFO, readme, licenses and `sdist` items.

Environment: SIGBIND_CMAKE (default `cmake`), SIGBIND_BUILD_DIR (reuse/keep a build directory
instead of a temporary one), SIGBIND_CMAKE_ARGS (extra configure arguments), SIGBIND_ROOT (see 1.),
SIGBIND_PLATFORM (overrides `platform`).
Config settings (pip -C / --config-settings): build-dir, cmake-args, platform.
"""
import base64
import difflib
import glob
import hashlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SDIST_SKIP_DIRS = {"__pycache__", ".git", "build", "dist", "build-editable"}
# The stub layout, and why (PEP 561, and what mypy and pyright actually do):
#   <module>.pyi                next to <module>.abi3.so: pyright/pylance and IDEs read a stub that sits
#                               beside the module it describes, in any site-packages directory.
#   <module>-stubs/__init__.pyi a PEP 561 stub-only package: mypy reads typing information from
#                               site-packages only from packages (py.typed) or from <name>-stubs; a
#                               single-file module such as <module>.abi3.so cannot carry py.typed
#                               ("This PEP does not support distributing typing information as part of
#                               module-only distributions"), so its stubs go here.
#   <module>-stubs/py.typed     empty: marks the stubs as complete (the content "partial" would make
#                               checkers look at the module as well).
STUB_LAYOUT = ("{m}.pyi", "{m}-stubs/__init__.pyi", "{m}-stubs/py.typed")


# ---------------------------------------------------------------- a TOML subset (for pyproject.toml on 3.7-3.10)
class TomlError(ValueError):
    pass


_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_INTEGER = re.compile(r"[+-]?[0-9][0-9_]*")


def parse_toml(text):
    """The TOML pyproject.toml files use: [tables] and [dotted.tables], bare/quoted/dotted keys,
    basic and literal strings, integers, booleans, (multi-line) arrays and inline tables.
    Anything else (multi-line strings, floats, dates, [[arrays of tables]]) raises TomlError."""
    p = _TomlParser(text)
    return p.document()


class _TomlParser:
    def __init__(self, text):
        self.s, self.i = text, 0

    def error(self, what):
        line = self.s.count("\n", 0, self.i) + 1
        raise TomlError("pyproject.toml line %d: %s" % (line, what))

    def peek(self, n=1):
        return self.s[self.i:self.i + n]

    def skip(self, newlines):
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.i += 1
            elif c == "#":
                while self.i < len(self.s) and self.s[self.i] != "\n":
                    self.i += 1
            else:
                break

    def end_of_line(self):
        self.skip(False)
        if self.i < len(self.s) and self.s[self.i] not in "\r\n":
            self.error("unexpected %r after a value" % self.s[self.i])

    def document(self):
        root = table = {}
        while True:
            self.skip(True)
            if self.i >= len(self.s):
                return root
            if self.peek(2) == "[[":
                self.error("arrays of tables are not supported")
            if self.peek() == "[":
                self.i += 1
                keys = self.key()
                self.skip(False)
                if self.peek() != "]":
                    self.error("expected ']'")
                self.i += 1
                self.end_of_line()
                table = root
                for k in keys:
                    table = table.setdefault(k, {})
                    if not isinstance(table, dict):
                        self.error("%r is not a table" % k)
                continue
            self.pair(table)
            self.end_of_line()

    def key(self):
        keys = []
        while True:
            self.skip(False)
            c = self.peek()
            if c == '"':
                keys.append(self.basic_string())
            elif c == "'":
                keys.append(self.literal_string())
            else:
                m = _BARE_KEY.match(self.s, self.i)
                if not m:
                    self.error("expected a key")
                keys.append(m.group(0))
                self.i = m.end()
            self.skip(False)
            if self.peek() != ".":
                return keys
            self.i += 1

    def pair(self, table):
        keys = self.key()
        if self.peek() != "=":
            self.error("expected '=' after key %r" % ".".join(keys))
        self.i += 1
        self.skip(False)
        for k in keys[:-1]:
            table = table.setdefault(k, {})
        if keys[-1] in table:
            self.error("key %r defined twice" % ".".join(keys))
        table[keys[-1]] = self.value()

    def value(self):
        c = self.peek()
        if self.peek(3) in ('"""', "'''"):
            self.error("multi-line strings are not supported")
        if c == '"':
            return self.basic_string()
        if c == "'":
            return self.literal_string()
        if c == "[":
            self.i += 1
            items = []
            while True:
                self.skip(True)
                if self.peek() == "]":
                    self.i += 1
                    return items
                items.append(self.value())
                self.skip(True)
                if self.peek() == ",":
                    self.i += 1
                elif self.peek() != "]":
                    self.error("expected ',' or ']' in an array")
        if c == "{":
            self.i += 1
            table = {}
            self.skip(False)
            if self.peek() == "}":
                self.i += 1
                return table
            while True:
                self.pair(table)
                self.skip(False)
                if self.peek() == "}":
                    self.i += 1
                    return table
                if self.peek() != ",":
                    self.error("expected ',' or '}' in an inline table")
                self.i += 1
        for word, val in (("true", True), ("false", False)):
            if self.s.startswith(word, self.i):
                self.i += len(word)
                return val
        m = _INTEGER.match(self.s, self.i)
        if m and not re.match(r"[.eE:\-0-9]", self.s[m.end():m.end() + 1] or " "):
            self.i = m.end()
            return int(m.group(0).replace("_", ""))
        self.error("unsupported value")

    def basic_string(self):
        self.i += 1
        out = []
        while True:
            if self.i >= len(self.s) or self.s[self.i] == "\n":
                self.error("unterminated string")
            c = self.s[self.i]
            self.i += 1
            if c == '"':
                return "".join(out)
            if c != "\\":
                out.append(c)
                continue
            e = self.s[self.i:self.i + 1]
            self.i += 1
            if e in _ESCAPES:
                out.append(_ESCAPES[e])
            elif e in ("u", "U"):
                n = 4 if e == "u" else 8
                digits = self.s[self.i:self.i + n]
                if not re.match(r"^[0-9A-Fa-f]{%d}$" % n, digits):
                    self.error("bad \\%s escape" % e)
                out.append(chr(int(digits, 16)))
                self.i += n
            else:
                self.error("bad escape \\%s" % e)

    def literal_string(self):
        end = self.s.find("'", self.i + 1)
        if end < 0 or "\n" in self.s[self.i:end]:
            self.error("unterminated string")
        text, self.i = self.s[self.i + 1:end], end + 1
        return text


# ---------------------------------------------------------------- the project being built
# The [project] keys of PEP 621 / the pyproject.toml specification, and the [tool.sigbind] keys
# this backend knows. Anything else is a mistake (a typo such as `author` or `licence`) and an error.
PROJECT_KEYS = ("name", "version", "description", "readme", "requires-python", "license", "license-files",
                "authors", "maintainers", "keywords", "classifiers", "urls", "scripts", "gui-scripts",
                "entry-points", "dependencies", "optional-dependencies", "dynamic")
TOOL_KEYS = ("module", "targets", "stub", "license-files", "sdist", "cmake-args", "version-from", "sdk",
             "platform", "packages")
_STR, _LIST = "a string", "an array of strings"


def _is_strs(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


class Project:
    """What pyproject.toml (in `root`) says about the distribution and its module."""

    def __init__(self, root=None):
        self.root = os.path.abspath(root or os.getcwd())
        self.path = os.path.join(self.root, "pyproject.toml")
        with open(self.path, encoding="utf-8") as f:
            data = parse_toml(f.read())
        self.meta = data.get("project", {})
        self.tool = data.get("tool", {}).get("sigbind", {})
        self._check_keys()
        self.name = self.meta["name"]
        self.dist = re.sub(r"[-_.]+", "_", self.name)  # file names: PEP 427 / the binary distribution spec
        self.module = self.tool.get("module", self.dist)
        if not re.match(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$", self.module):
            self.error("[tool.sigbind] module = %r is not a (dotted) Python module name" % self.module)
        self.version = self._version()
        self.sdk = bool(self.tool.get("sdk", False))

    def error(self, what):
        raise RuntimeError("sigbind_build: %s: %s" % (self.path, what))

    def _unknown(self, table, key, known):
        close = difflib.get_close_matches(key, known, n=1)
        self.error("unknown key %r in %s%s (known: %s)" % (
            key, table, "; did you mean %r?" % close[0] if close else "", ", ".join(known)))

    def _check_keys(self):
        m, t = self.meta, self.tool
        if "name" not in m:
            self.error("no [project] name")
        for key in m:
            if key not in PROJECT_KEYS:
                self._unknown("[project]", key, PROJECT_KEYS)
        for key in t:
            if key not in TOOL_KEYS:
                self._unknown("[tool.sigbind]", key, TOOL_KEYS)
        for key in ("name", "version", "description", "requires-python"):
            if key in m and not isinstance(m[key], str):
                self.error("[project] %s must be %s" % (key, _STR))
        for key in ("keywords", "classifiers", "dependencies", "dynamic", "license-files"):
            if key in m and not _is_strs(m[key]):
                self.error("[project] %s must be %s" % (key, _LIST))
        for key in ("authors", "maintainers"):
            for person in m.get(key, []) if isinstance(m.get(key, []), list) else [None]:
                if not isinstance(person, dict) or not person or set(person) - {"name", "email"} or \
                        not all(isinstance(v, str) for v in person.values()):
                    self.error("[project] %s must be an array of tables with `name` and/or `email` (strings), "
                               "not %r" % (key, person))
        for key in ("urls", "scripts", "gui-scripts"):
            if key in m and (not isinstance(m[key], dict) or not all(isinstance(v, str) for v in m[key].values())):
                self.error("[project] %s must be a table of strings" % key)
        if "entry-points" in m:
            eps = m["entry-points"]
            if not isinstance(eps, dict) or not all(isinstance(g, dict) and all(isinstance(v, str) for v in g.values())
                                                    for g in eps.values()):
                self.error("[project] entry-points must be a table of tables of strings")
            for group in ("console_scripts", "gui_scripts"):
                if group in eps:
                    self.error("[project.entry-points.%s] is not allowed: use [project.%s]"
                               % (group, "scripts" if group == "console_scripts" else "gui-scripts"))
        if "optional-dependencies" in m:
            od = m["optional-dependencies"]
            if not isinstance(od, dict) or not all(_is_strs(v) for v in od.values()):
                self.error("[project] optional-dependencies must be a table of arrays of strings")
            for extra in od:
                if not re.match(r"^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$", extra):
                    self.error("[project.optional-dependencies] %r is not a valid extra name" % extra)
        for key in m.get("dynamic", []):
            if key not in PROJECT_KEYS or key == "name":
                self.error("[project] dynamic lists %r, which is not a field that can be dynamic" % key)
            if key in m:
                self.error("[project] %s is both given and listed in dynamic" % key)
            if key != "version":
                self.error("[project] dynamic = [%r]: this backend computes only the version" % key)
        lic = m.get("license")
        if lic is not None and not isinstance(lic, str) and not (
                isinstance(lic, dict) and len(lic) == 1 and set(lic) <= {"text", "file"}
                and isinstance(next(iter(lic.values())), str)):
            self.error("[project] license must be an SPDX expression string, {text = \"...\"} or {file = \"...\"}")
        readme = m.get("readme")
        if readme is not None and not isinstance(readme, str) and not (
                isinstance(readme, dict) and set(readme) <= {"file", "text", "content-type"}
                and len(set(readme) & {"file", "text"}) == 1 and "content-type" in readme):
            self.error("[project] readme must be a file name or a table with `file` or `text`, and `content-type`")
        for key in ("targets", "license-files", "sdist", "cmake-args", "packages"):
            if key in t and not _is_strs(t[key]):
                self.error("[tool.sigbind] %s must be %s" % (key, _LIST))
        for key in ("module", "stub", "version-from", "platform"):
            if key in t and not isinstance(t[key], str) and not (key == "stub" and t[key] is False):
                self.error("[tool.sigbind] %s must be %s" % (key, _STR + (" or false" if key == "stub" else "")))
        for pkg in t.get("packages", []):
            if not os.path.isfile(os.path.join(self.root, pkg, "__init__.py")):
                self.error("[tool.sigbind] packages: %r is not a directory with an __init__.py" % pkg)

    def _version(self):
        if "version" in self.meta:
            return self.meta["version"]
        source = self.tool.get("version-from")
        if "version" not in self.meta.get("dynamic", []) or not source:
            raise RuntimeError("sigbind_build: give [project] version, or dynamic = [\"version\"] and "
                               "[tool.sigbind] version-from = \"CMakeLists.txt\"")
        with open(os.path.join(self.root, source), encoding="utf-8") as f:
            m = re.search(r"project\(\s*[\w-]+\s+VERSION\s+([0-9]+(?:\.[0-9]+)*)", f.read())
        if not m:
            raise RuntimeError("sigbind_build: no `project(<name> VERSION x.y.z` in " + source)
        return m.group(1)

    def platform(self, config_settings=None):
        """The manylinux policy the wheel must meet: config setting `platform`, $SIGBIND_PLATFORM,
        [tool.sigbind] platform, or manylinux2014."""
        return (_setting(config_settings, "platform") or os.environ.get("SIGBIND_PLATFORM")
                or self.tool.get("platform") or DEFAULT_POLICY)

    def file(self, rel):
        return os.path.join(self.root, rel)

    def module_path(self, suffix):
        """Where <module><suffix> goes in the wheel: pkg/sub/name.abi3.so for module = "pkg.sub.name"."""
        return self.module.replace(".", "/") + suffix

    def license_files(self):
        """License-File entries: [project] license-files (globs, PEP 639), [tool.sigbind] license-files,
        license = {file = ...}; each must exist."""
        files = []
        for pattern in self.meta.get("license-files", []):
            found = sorted(os.path.relpath(p, self.root).replace(os.sep, "/")
                           for p in glob.glob(self.file(pattern), recursive=True) if os.path.isfile(p))
            if not found:
                self.error("[project] license-files: %r matches no file" % pattern)
            files += [f for f in found if f not in files]
        for f in self.tool.get("license-files", []):
            if f not in files:
                files.append(f)
        lic = self.meta.get("license")
        if isinstance(lic, dict) and "file" in lic and lic["file"] not in files:
            files.append(lic["file"])
        for f in files:
            if not os.path.isfile(self.file(f)):
                self.error("license file %r does not exist" % f)
        return files

    def readme(self):
        """(file name or None, content type, text) of the long description, or None."""
        readme = self.meta.get("readme")
        if readme is None:
            return None
        if isinstance(readme, str):
            readme = {"file": readme}
        if "file" in readme:
            if not os.path.isfile(self.file(readme["file"])):
                self.error("readme %r does not exist" % readme["file"])
            with open(self.file(readme["file"]), encoding="utf-8") as f:
                text = f.read()
        else:
            text = readme["text"]
        ctype = readme.get("content-type")
        if not ctype:
            ext = os.path.splitext(readme["file"])[1].lower()
            ctype = {".md": "text/markdown", ".rst": "text/x-rst", ".txt": "text/plain"}.get(ext)
            if not ctype:
                self.error("readme %r: unknown file type, give {file = ..., content-type = ...}" % readme["file"])
        return readme.get("file"), ctype, text

    @staticmethod
    def _people(people):
        """(Author, Author-email) values for PEP 621 authors/maintainers."""
        names, emails = [], []
        for p in people:
            if "email" in p:
                emails.append("%s <%s>" % (p["name"], p["email"]) if "name" in p else p["email"])
            else:
                names.append(p["name"])
        return ", ".join(names), ", ".join(emails)

    def metadata_text(self):
        """METADATA (core metadata 2.1; 2.4 when license is an SPDX expression)."""
        m = self.meta
        lic = m.get("license")
        lines = ["Metadata-Version: " + ("2.4" if isinstance(lic, str) else "2.1"),
                 "Name: " + self.name, "Version: " + self.version]
        if m.get("description"):
            lines.append("Summary: " + m["description"])
        for field, key in (("Author", "authors"), ("Maintainer", "maintainers")):
            names, emails = self._people(m.get(key, []))
            if names:
                lines.append("%s: %s" % (field, names))
            if emails:
                lines.append("%s-email: %s" % (field, emails))
        if m.get("keywords"):
            lines.append("Keywords: " + ",".join(m["keywords"]))
        for label, url in m.get("urls", {}).items():
            lines.append("Project-URL: %s, %s" % (label, url))
        if isinstance(lic, str):
            lines.append("License-Expression: " + lic)
        elif isinstance(lic, dict) and "text" in lic:
            lines.append("License: " + lic["text"].replace("\n", "\n        "))
        for f in self.license_files():
            lines.append("License-File: " + f)
        for c in m.get("classifiers", []):
            lines.append("Classifier: " + c)
        if m.get("requires-python"):
            lines.append("Requires-Python: " + m["requires-python"])
        for dep in m.get("dependencies", []):
            lines.append("Requires-Dist: " + dep)
        for extra, deps in m.get("optional-dependencies", {}).items():
            lines.append("Provides-Extra: " + extra)
            for dep in deps:
                req, _, marker = dep.partition(";")
                cond = 'extra == "%s"' % extra
                lines.append("Requires-Dist: %s; %s" % (req.strip(), "(%s) and %s" % (marker.strip(), cond)
                                                         if marker.strip() else cond))
        readme = self.readme()
        body = ""
        if readme:
            lines.append("Description-Content-Type: " + readme[1])
            body = "\n" + readme[2]
        return "\n".join(lines) + "\n" + body

    def entry_points_text(self):
        """entry_points.txt (the entry points specification), or None when there are none."""
        groups = []
        for group, key in (("console_scripts", "scripts"), ("gui_scripts", "gui-scripts")):
            if self.meta.get(key):
                groups.append((group, self.meta[key]))
        groups += list(self.meta.get("entry-points", {}).items())
        if not groups:
            return None
        return "\n".join("[%s]\n%s" % (g, "".join("%s = %s\n" % kv for kv in entries.items()))
                         for g, entries in groups)

    def dist_info(self):
        return "%s-%s.dist-info" % (self.dist, self.version)


def expand_tag(tag):
    """The tags a compressed tag set stands for (cp37-abi3-a.b -> cp37-abi3-a, cp37-abi3-b)."""
    python, abi, platforms = tag.split("-")
    return ["%s-%s-%s" % (py, a, plat) for py in python.split(".") for a in abi.split(".")
            for plat in platforms.split(".")]


def wheel_text(project, tag):
    return ("Wheel-Version: 1.0\nGenerator: sigbind_build %s\nRoot-Is-Purelib: false\n" % project.version
            + "".join("Tag: %s\n" % t for t in expand_tag(tag)))


# ---------------------------------------------------------------- building and checking the binary
def _run(command, **kw):
    print("sigbind_build: " + " ".join(shlex.quote(str(c)) for c in command), file=sys.stderr, flush=True)
    subprocess.check_call(command, stdout=sys.stderr, **kw)


def sdk_prefix():
    """Where find_package(sigbind) finds sigbind's CMake package for a third-party project."""
    root = os.environ.get("SIGBIND_ROOT")
    if root:
        return os.path.abspath(root)
    shipped = os.path.join(HERE, "sigbind_sdk")
    return shipped if os.path.isdir(os.path.join(shipped, "lib", "cmake", "sigbind")) else None


def _setting(config_settings, key):
    if config_settings and config_settings.get(key):
        return config_settings[key]
    return None


def build_module(project, build_dir, config_settings=None):
    cmake = os.environ.get("SIGBIND_CMAKE", "cmake")
    configure = [cmake, "-S", project.root, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"]
    if not project.sdk:
        prefix = sdk_prefix()
        if prefix:
            configure.append("-DCMAKE_PREFIX_PATH=" + prefix)
    configure += list(project.tool.get("cmake-args", []))
    configure += shlex.split(os.environ.get("SIGBIND_CMAKE_ARGS", ""))
    configure += shlex.split(_setting(config_settings, "cmake-args") or "")
    _run(configure)
    build = [cmake, "--build", build_dir]
    for target in project.tool.get("targets", []):
        build += ["--target", target]
    _run(build)
    found = []
    for dirpath, dirnames, filenames in os.walk(build_dir):
        dirnames[:] = [d for d in dirnames if d != "CMakeFiles"]
        if project.module.rsplit(".", 1)[-1] + ".abi3.so" in filenames:
            found.append(os.path.join(dirpath, project.module.rsplit(".", 1)[-1] + ".abi3.so"))
    if len(found) != 1:
        raise RuntimeError("sigbind_build: the build should produce one %s.abi3.so under %s, found %s"
                           % (project.module, build_dir, found or "none"))
    return found[0]


def elf_dynamic_info(so):
    """(NEEDED list, {library: [required version names]}) from `objdump -p`."""
    if not shutil.which("objdump"):
        raise RuntimeError("sigbind_build: objdump not found (apt-get install binutils)")
    out = subprocess.run(["objdump", "-p", so], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    needed, refs, current = [], {}, None
    in_refs = False
    for line in out.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == "NEEDED":
            needed.append(words[1])
        if line.startswith("Version References:"):
            in_refs = True
            continue
        if in_refs:
            m = re.match(r"\s*required from (\S+):", line)
            if m:
                current = m.group(1)
                refs.setdefault(current, [])
            elif words and current and len(words) >= 4 and words[0].startswith("0x"):
                refs[current].append(words[3])
            elif not line.strip():
                in_refs = False if refs else in_refs
    return needed, refs


# The manylinux policies the backend can tag (PEP 599 for manylinux2014, PEP 600 for manylinux_2_28;
# the limits are those of auditwheel's policy table): the newest version of each versioned
# family a binary may require, and the shared libraries it may need (anything else is linked
# statically). The dynamic loader (ld-linux*) is part of glibc and always allowed.
_LIBS_2014 = ("libgcc_s.so.1", "libstdc++.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libc.so.6",
              "libnsl.so.1", "libutil.so.1", "libpthread.so.0", "libresolv.so.2", "libX11.so.6", "libXext.so.6",
              "libXrender.so.1", "libICE.so.6", "libSM.so.6", "libGL.so.1", "libgobject-2.0.so.0",
              "libgthread-2.0.so.0", "libglib-2.0.so.0", "libatomic.so.1", "libanl.so.1", "libexpat.so.1",
              "libz.so.1")
POLICIES = (
    {"name": "manylinux_2_17", "alias": "manylinux2014", "libs": _LIBS_2014,
     "max": {"GLIBC": (2, 17), "GLIBCXX": (3, 4, 19), "CXXABI": (1, 3, 7), "GCC": (4, 8, 0)}},
    {"name": "manylinux_2_28", "alias": None, "libs": _LIBS_2014 + ("libmvec.so.1",),
     "max": {"GLIBC": (2, 28), "GLIBCXX": (3, 4, 24), "CXXABI": (1, 3, 11), "GCC": (7, 0, 0)}},
)
DEFAULT_POLICY = "manylinux2014"
_DYNAMIC_LOADER = re.compile(r"^ld-linux[-\w.]*\.so\.\d+$")
_VERSION_NAME = re.compile(r"^(GLIBC|GLIBCXX|CXXABI|GCC)_(\d+(?:\.\d+)*)$")


def policy_named(name):
    for policy in POLICIES:
        if name in (policy["name"], policy["alias"]):
            return policy
    raise RuntimeError("sigbind_build: unknown platform %r: use one of %s, or \"auto\""
                       % (name, ", ".join(n for p in POLICIES for n in (p["alias"], p["name"]) if n)))


def versioned_symbols(so):
    """{version name: [symbols]} of the undefined dynamic symbols of `so` (`objdump -T`)."""
    out = subprocess.run(["objdump", "-T", so], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        if "*UND*" not in line:
            continue
        words = line.split()
        if len(words) >= 2:
            version = words[-2].strip("()")
            if _VERSION_NAME.match(version):
                found.setdefault(version, []).append(words[-1])
    return found


def requirements(refs):
    """{family: highest version tuple} over the version names the binary requires."""
    best = {}
    for names in refs.values():
        for name in names:
            m = _VERSION_NAME.match(name)
            if m:
                v = tuple(int(x) for x in m.group(2).split("."))
                best[m.group(1)] = max(best.get(m.group(1), v), v)
    return best


def _dotted(v):
    return ".".join(str(x) for x in v)


def policy_problems(policy, needed, refs, symbols):
    """Why a binary with these NEEDED entries and version references is not `policy` (empty: it is)."""
    problems = ["needs %s, which %s does not allow (link it statically)" % (lib, policy["alias"] or policy["name"])
                for lib in needed if lib not in policy["libs"] and not _DYNAMIC_LOADER.match(lib)]
    for names in refs.values():
        for name in sorted(set(names)):
            m = _VERSION_NAME.match(name)
            if not m:
                continue
            family, v = m.group(1), tuple(int(x) for x in m.group(2).split("."))
            if v > policy["max"][family]:
                which = ", ".join(sorted(set(symbols.get(name, [])))) or "some symbol"
                problems.append("%s is newer than %s_%s (needed by %s)"
                                % (name, family, _dotted(policy["max"][family]), which))
    return problems


def platform_tag(policy, arch):
    tag = "%s_%s" % (policy["name"], arch)
    return tag + (".%s_%s" % (policy["alias"], arch) if policy["alias"] else "")


def platform_arch():
    machine = os.uname().machine
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def audit_script():
    """abi3/audit.py in sigbind's tree, or the copy shipped in sigbind_sdk/abi3/."""
    for path in (os.path.join(HERE, "audit.py"), os.path.join(HERE, "sigbind_sdk", "abi3", "audit.py")):
        if os.path.isfile(path):
            return path
    raise RuntimeError("sigbind_build: audit.py not found next to " + __file__)


def check_module(so, platform=DEFAULT_POLICY):
    """Fails unless the binary is abi3-clean and within the manylinux policy `platform` ("auto": the
    oldest policy it meets); returns the wheel tag, e.g. cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64."""
    needed, refs = elf_dynamic_info(so)
    symbols = versioned_symbols(so)
    audit = subprocess.run([sys.executable, audit_script(), so],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    sys.stderr.write(audit.stdout)
    if audit.returncode != 0:
        raise RuntimeError("sigbind_build: abi3 audit failed on %s" % so)
    wanted = POLICIES if platform == "auto" else (policy_named(platform),)
    problems = []
    for policy in wanted:
        problems = policy_problems(policy, needed, refs, symbols)
        if not problems:
            tag = platform_tag(policy, platform_arch())
            need = requirements(refs)
            print("sigbind_build: NEEDED %s; requires %s -> %s"
                  % (", ".join(needed), ", ".join("%s_%s" % (k, _dotted(v)) for k, v in sorted(need.items())), tag),
                  file=sys.stderr)
            return "cp37-abi3-" + tag
    raise RuntimeError("sigbind_build: %s cannot be tagged %s:\n  %s" % (
        so, "manylinux (any of %s)" % ", ".join(p["name"] for p in POLICIES) if platform == "auto" else platform,
        "\n  ".join(problems)))


# ---------------------------------------------------------------- wheel contents
def _read(path):
    with open(path, "rb") as f:
        return f.read()


def stub_data(project, so):
    """The module's type stub: [tool.sigbind] stub (a file of the project) if given, else the
    <module>.pyi that sigbind_add_module wrote next to the built <module>.abi3.so from the module's
    signature tables (sigbind-sigcheck --stub), else None (`stub = false`, or a module not built
    by sigbind_add_module)."""
    stub = project.tool.get("stub")
    if stub is False:
        return None
    if stub:
        return _read(project.file(stub))
    generated = so[:-len(".abi3.so")] + ".pyi" if so and so.endswith(".abi3.so") else None
    return _read(generated) if generated and os.path.isfile(generated) else None


def common_files(project, so=None):
    """(arcname, bytes, mode) of the stub and license files, for wheels and editable wheels."""
    files = []
    data = stub_data(project, so)
    if data is not None:
        if "." in project.module:
            # A module inside a package: its stub sits next to it; the package carries py.typed.
            top = project.module.split(".")[0]
            files.append((project.module_path(".pyi"), data, 0o644))
            if not os.path.isfile(os.path.join(project.root, _package_dir(project, top) or "", "py.typed")):
                files.append((top + "/py.typed", b"", 0o644))
        else:
            for pattern in STUB_LAYOUT:
                arc = pattern.format(m=project.module)
                files.append((arc, b"" if arc.endswith("py.typed") else data, 0o644))
    for lic in project.license_files():
        files.append(("%s/licenses/%s" % (project.dist_info(), lic), _read(project.file(lic)), 0o644))
    eps = project.entry_points_text()
    if eps:
        files.append((project.dist_info() + "/entry_points.txt", eps.encode("utf-8"), 0o644))
    return files


def _package_dir(project, top):
    for pkg in project.tool.get("packages", []):
        if os.path.basename(os.path.normpath(pkg)) == top:
            return pkg
    return None


def package_files(project):
    """(arcname, bytes, mode) of the Python packages ([tool.sigbind] packages: directories, each
    shipped under its own name with every file in it, .py and data alike, but no bytecode)."""
    files = []
    for pkg in project.tool.get("packages", []):
        src = project.file(pkg)
        name = os.path.basename(os.path.normpath(pkg))
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for fn in sorted(filenames):
                if fn.endswith((".pyc", ".pyo")):
                    continue
                full = os.path.join(dirpath, fn)
                arc = name + "/" + os.path.relpath(full, src).replace(os.sep, "/")
                files.append((arc, _read(full), 0o644))
    if "." in project.module:
        top = project.module.split(".")[0]
        if not _package_dir(project, top):
            project.error("module %r lives in package %r, which [tool.sigbind] packages does not list"
                          % (project.module, top))
    return files


def sdk_files(build_dir):
    """sigbind's wheel only: this backend and the SDK extension projects build against."""
    stage = os.path.join(build_dir, "sdk-stage")
    shutil.rmtree(stage, ignore_errors=True)
    _run([os.environ.get("SIGBIND_CMAKE", "cmake"), "--install", build_dir, "--prefix", stage,
          "--component", "Development"])
    files = [("sigbind_build.py", _read(os.path.abspath(__file__)), 0o644),
             ("sigbind_stubgen.py", _read(os.path.join(HERE, "sigbind_stubgen.py")), 0o644)]
    for name in ("audit.py", "stable_abi.tsv", "allowlist.tsv", "manylinux_audit.py"):
        files.append(("sigbind_sdk/abi3/" + name, _read(os.path.join(HERE, name)), 0o644))
    for dirpath, _, filenames in os.walk(stage):
        for fn in sorted(filenames):
            full = os.path.join(dirpath, fn)
            files.append(("sigbind_sdk/" + os.path.relpath(full, stage).replace(os.sep, "/"), _read(full), 0o644))
    return files


def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def _zip_write(zf, arcname, data, mode=0o644):
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def write_wheel(project, wheel_directory, files, tag):
    dist_info = project.dist_info()
    files = files + [(dist_info + "/METADATA", project.metadata_text().encode("utf-8"), 0o644),
                     (dist_info + "/WHEEL", wheel_text(project, tag).encode("utf-8"), 0o644)]
    name = "%s-%s-%s.whl" % (project.dist, project.version, tag)
    path = os.path.join(wheel_directory, name)
    record = []
    with zipfile.ZipFile(path, "w") as zf:
        for arcname, data, mode in files:
            _zip_write(zf, arcname, data, mode)
            record.append("%s,%s,%d" % (arcname, _record_hash(data), len(data)))
        record.append(dist_info + "/RECORD,,")
        _zip_write(zf, dist_info + "/RECORD", ("\n".join(record) + "\n").encode("utf-8"))
    print("sigbind_build: wrote " + path, file=sys.stderr)
    return name


def _write_metadata(metadata_directory):
    project = Project()
    dist_info = os.path.join(metadata_directory, project.dist_info())
    os.makedirs(dist_info, exist_ok=True)
    with open(os.path.join(dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(project.metadata_text())
    eps = project.entry_points_text()
    if eps:
        with open(os.path.join(dist_info, "entry_points.txt"), "w", encoding="utf-8") as f:
            f.write(eps)
    # The tag is only known once the binary is built; pip does not need WHEEL here.
    return project.dist_info()


# ---------------------------------------------------------------- PEP 517 / PEP 660 hooks
def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_metadata(metadata_directory)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _write_metadata(metadata_directory)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = Project()
    os.makedirs(wheel_directory, exist_ok=True)
    keep = _setting(config_settings, "build-dir") or os.environ.get("SIGBIND_BUILD_DIR")
    build_dir = os.path.abspath(keep) if keep else tempfile.mkdtemp(prefix="sigbind-wheel-")
    try:
        so = build_module(project, build_dir, config_settings)
        tag = check_module(so, project.platform(config_settings))
        files = ([(project.module_path(".abi3.so"), _read(so), 0o755)] + package_files(project)
                 + common_files(project, so))
        if project.sdk:
            files += sdk_files(build_dir)
        return write_wheel(project, wheel_directory, files, tag)
    finally:
        if not keep:
            shutil.rmtree(build_dir, ignore_errors=True)


EDITABLE_FINDER = """\
# {name}.py — written by sigbind_build for the editable install of {dist} {version}: finds its packages in the
# source tree and its extension module in the build directory (rebuild with `cmake --build {build_dir}`).
import importlib.machinery
import importlib.util
import os
import sys

PACKAGES = {packages!r}
EXTENSIONS = {extensions!r}


class EditableFinder:
    \"\"\"A meta path finder for exactly these names, first in sys.meta_path, as setuptools' editable mode does.\"\"\"

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        so = EXTENSIONS.get(fullname)
        if so is not None:
            loader = importlib.machinery.ExtensionFileLoader(fullname, so)
            return importlib.util.spec_from_file_location(fullname, so, loader=loader)
        pkg = PACKAGES.get(fullname)
        if pkg is not None:
            return importlib.util.spec_from_file_location(fullname, os.path.join(pkg, "__init__.py"),
                                                          submodule_search_locations=[pkg])
        return None


def install():
    if not any(getattr(f, "__module__", None) == __name__ for f in sys.meta_path):
        sys.meta_path.insert(0, EditableFinder)
"""


def editable_files(project, so, build_dir):
    """(arcname, bytes, mode) of an editable wheel's own files. A plain module: a .pth naming the
    directory that holds <module>.abi3.so (site.py adds it to sys.path). With [tool.sigbind]
    packages: a .pth that installs a finder module mapping each package to its source directory
    and the extension module (a top-level one, or "pkg._native" inside a package) to the built
    file; stubs inside a package are left out (a site-packages/<pkg>/ holding only them would be
    a namespace package)."""
    base = "__editable__.%s-%s" % (project.dist, project.version)
    if not project.tool.get("packages"):
        pth = (os.path.dirname(so) + "\n").encode("utf-8")
        return [(base + ".pth", pth, 0o644)] + common_files(project, so)
    name = "__editable___%s_%s_finder" % (project.dist, re.sub(r"[^A-Za-z0-9]", "_", project.version))
    packages = {os.path.basename(os.path.normpath(p)): os.path.abspath(project.file(p))
                for p in project.tool["packages"]}
    finder = EDITABLE_FINDER.format(name=name, dist=project.dist, version=project.version, build_dir=build_dir,
                                    packages=packages, extensions={project.module: os.path.abspath(so)})
    pth = "import %s; %s.install()\n" % (name, name)
    files = [(base + ".pth", pth.encode("utf-8"), 0o644), (name + ".py", finder.encode("utf-8"), 0o644)]
    inside = "." in project.module
    return files + [f for f in common_files(project, so) if not (inside and f[0].startswith(project.module.split(".")[0] + "/"))]


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    project = Project()
    os.makedirs(wheel_directory, exist_ok=True)
    build_dir = os.path.abspath(_setting(config_settings, "build-dir") or os.environ.get("SIGBIND_BUILD_DIR")
                                or project.file("build-editable"))
    if "." in project.module:
        package_files(project)  # the package the module lives in must be listed (the error otherwise)
    so = build_module(project, build_dir, config_settings)
    tag = check_module(so, project.platform(config_settings))
    files = editable_files(project, so, build_dir)
    print("sigbind_build: editable: %s (rebuild with `cmake --build %s`)" % (so, build_dir), file=sys.stderr)
    return write_wheel(project, wheel_directory, files, tag)


def _sdist_filter(info):
    parts = info.name.split("/")
    if any(p in SDIST_SKIP_DIRS or p.startswith("build-") for p in parts[1:]) or info.name.endswith(".pyc"):
        return None
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def build_sdist(sdist_directory, config_settings=None):
    project = Project()
    os.makedirs(sdist_directory, exist_ok=True)
    base = "%s-%s" % (project.dist, project.version)
    name = base + ".tar.gz"
    path = os.path.join(sdist_directory, name)
    readme = project.readme()
    items = ["pyproject.toml"] + ([readme[0]] if readme and readme[0] else []) + project.license_files()
    # What the wheel needs besides: the stub, the Python packages, the version source, and the `sdist` items.
    for key in ("stub", "version-from"):
        if isinstance(project.tool.get(key), str):
            items.append(project.tool[key])
    items += project.tool.get("packages", [])
    items += [i for i in project.tool.get("sdist", []) if i not in items]
    items = [i for n, i in enumerate(items) if i not in items[:n]]
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for item in items:
            src = project.file(item)
            if os.path.exists(src):
                tar.add(src, arcname=base + "/" + item, filter=_sdist_filter)
        pkg_info = project.metadata_text().encode("utf-8")
        info = tarfile.TarInfo(base + "/PKG-INFO")
        info.size, info.mtime, info.mode = len(pkg_info), int(time.time()), 0o644
        tar.addfile(info, io.BytesIO(pkg_info))
    print("sigbind_build: wrote " + path, file=sys.stderr)
    return name
