# sigbind_build.py — the in-tree PEP 517 backend: CMake builds sigbind.abi3.so, this writes the cp37-abi3-manylinux wheel and the sdist.
"""PEP 517 build backend for sigbind (standard library only, Python 3.7+).

pyproject.toml points here with `backend-path = ["abi3"]` and `requires = []`,
so `pip wheel .` / `pip install .` work offline, with or without build isolation.

build_wheel:
  1. `cmake -S <root> -B <tmp> -G Ninja -DSIGBIND_TESTS=OFF -DCMAKE_BUILD_TYPE=Release`,
     then `cmake --build <tmp> --target sigbind_py` (gives <tmp>/python/sigbind.abi3.so).
  2. Checks the binary: its DT_NEEDED entries may only be libc, libm, libpthread, libdl and
     the dynamic loader (libffi is linked statically, libpython is never linked), and
     abi3/audit.py must pass (every Py* symbol stable ABI <= 3.7).
  3. Tag `cp37-abi3-manylinux_2_X_<arch>`: X is the highest GLIBC_2.X version the binary
     requires (the "Version References" of `objdump -p`, i.e. .gnu.version_r).
  4. Writes the wheel: sigbind.abi3.so, sigbind.pyi (typed stub next to the module),
     sigbind-stubs/__init__.pyi (the same stub as a PEP 561 stub-only package: PEP 561
     has no py.typed for single-module distributions, so this is how mypy finds it),
     and sigbind-<ver>.dist-info/{METADATA, WHEEL, RECORD}.

The version has one home: `project(sigbind VERSION x.y.z ...)` in CMakeLists.txt.
Environment: SIGBIND_CMAKE (default `cmake`), SIGBIND_BUILD_DIR (reuse/keep a build
directory instead of a temporary one), SIGBIND_CMAKE_ARGS (extra configure arguments).
"""
import base64
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "sigbind"
SUMMARY = "C functions as Python callables from their prototypes, on CPython's stable ABI (one abi3 binary for 3.7+)"
REQUIRES_PYTHON = ">=3.7"
LICENSE = "UNKNOWN"
# DT_NEEDED entries a manylinux wheel may keep (everything else must be linked statically).
ALLOWED_NEEDED = re.compile(r"^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|ld-linux[-\w.]*\.so\.\d+)$")
# What the sdist carries (relative to the root); build output and caches are left out.
SDIST_ITEMS = ["CMakeLists.txt", "CMakePresets.json", "README.md", "pyproject.toml", "LICENSE",
               "cmake", "src", "include", "abi3", "examples", "tests", "bench", "scripts"]
SDIST_SKIP_DIRS = {"__pycache__", ".git", "build", "dist"}


# ---------------------------------------------------------------- version and metadata
def version():
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"project\(\s*sigbind\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+)", f.read())
    if not m:
        raise RuntimeError("sigbind_build: no `project(sigbind VERSION x.y.z` in CMakeLists.txt")
    return m.group(1)


def metadata_text():
    lines = ["Metadata-Version: 2.1", "Name: " + NAME, "Version: " + version(),
             "Summary: " + SUMMARY, "Requires-Python: " + REQUIRES_PYTHON, "License: " + LICENSE,
             "Classifier: Programming Language :: C",
             "Classifier: Programming Language :: Python :: 3",
             "Classifier: Programming Language :: Python :: Implementation :: CPython",
             "Classifier: Operating System :: POSIX :: Linux",
             "Description-Content-Type: text/markdown", ""]
    text = "\n".join(lines)
    readme = os.path.join(ROOT, "README.md")
    if os.path.exists(readme):
        with open(readme, encoding="utf-8") as f:
            text += "\n" + f.read()
    return text


def dist_info_name():
    return "%s-%s.dist-info" % (NAME, version())


def wheel_text(tag):
    return ("Wheel-Version: 1.0\nGenerator: sigbind_build %s\nRoot-Is-Purelib: false\nTag: %s\n"
            % (version(), tag))


# ---------------------------------------------------------------- the type stub
STUB = '''\
# sigbind.pyi — type stub of the sigbind extension module (sigbind.abi3.so).
from os import PathLike
from typing import Any, Callable, List, Optional, Union

__version__: str

class SignatureError(ValueError):
    text: str
    column: int
    reason: str
    line: int

class SymbolNotFoundError(AttributeError): ...

class StatusError(RuntimeError): ...

class Function:
    """The __self__ of a bound function: the plan of one C function."""
    @property
    def signature(self) -> str: ...
    @property
    def address(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def library(self) -> Optional["Library"]: ...

class Library:
    """A loaded shared library (made by load())."""
    @property
    def path(self) -> Optional[str]: ...
    def bind(self, __signature: str) -> Callable[..., Any]: ...
    def declare(self, __declarations: str) -> "Library": ...
    def __getattr__(self, name: str) -> Callable[..., Any]: ...
    def __dir__(self) -> List[str]: ...

class Pointer:
    """An address with its C pointer type; NULL is never a Pointer (it is None)."""
    def __init__(self, address: int, type: str = ...) -> None: ...
    @property
    def address(self) -> int: ...
    @property
    def type(self) -> str: ...
    def __int__(self) -> int: ...
    def __index__(self) -> int: ...
    def __bool__(self) -> bool: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

def load(name: Union[str, "PathLike[str]", None] = None, declarations: Optional[str] = None) -> Library: ...
def signature(__text: str) -> str: ...
'''


# ---------------------------------------------------------------- building and checking the binary
def _run(command, **kw):
    print("sigbind_build: " + " ".join(shlex.quote(str(c)) for c in command), file=sys.stderr, flush=True)
    subprocess.check_call(command, stdout=sys.stderr, **kw)


def build_module(build_dir):
    cmake = os.environ.get("SIGBIND_CMAKE", "cmake")
    configure = [cmake, "-S", ROOT, "-B", build_dir, "-G", "Ninja",
                 "-DSIGBIND_TESTS=OFF", "-DCMAKE_BUILD_TYPE=Release"]
    configure += shlex.split(os.environ.get("SIGBIND_CMAKE_ARGS", ""))
    _run(configure)
    _run([cmake, "--build", build_dir, "--target", "sigbind_py"])
    so = os.path.join(build_dir, "python", "sigbind.abi3.so")
    if not os.path.isfile(so):
        raise RuntimeError("sigbind_build: the build did not produce " + so)
    return so


def elf_dynamic_info(so):
    """(NEEDED list, {library: [required version names]}, machine) from `objdump -p`/-f."""
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


def glibc_minor(refs):
    """Highest N of the GLIBC_2.N versions the binary requires (0 when it requires none)."""
    best = 0
    for names in refs.values():
        for name in names:
            m = re.match(r"^GLIBC_2\.(\d+)(?:\.\d+)?$", name)
            if m:
                best = max(best, int(m.group(1)))
    return best


def platform_arch():
    machine = os.uname().machine
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def check_module(so):
    """Fails unless the binary is self-contained and abi3-clean; returns the wheel tag."""
    needed, refs = elf_dynamic_info(so)
    bad = [n for n in needed if not ALLOWED_NEEDED.match(n)]
    if bad:
        raise RuntimeError("sigbind_build: %s needs shared libraries a manylinux wheel cannot assume: %s "
                           "(allowed: libc, libm, libpthread, libdl, the dynamic loader)" % (so, ", ".join(bad)))
    audit = subprocess.run([sys.executable, os.path.join(ROOT, "abi3", "audit.py"), so],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    sys.stderr.write(audit.stdout)
    if audit.returncode != 0:
        raise RuntimeError("sigbind_build: abi3 audit failed on %s" % so)
    minor = glibc_minor(refs)
    if minor < 5:  # manylinux_2_5 is the oldest meaningful tag (manylinux1)
        minor = 5
    platform = "manylinux_2_%d_%s" % (minor, platform_arch())
    print("sigbind_build: NEEDED %s; highest GLIBC_2.%d -> %s" % (", ".join(needed), minor, platform),
          file=sys.stderr)
    return "cp37-abi3-" + platform


# ---------------------------------------------------------------- writing archives
def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def _zip_write(zf, arcname, data, mode=0o644):
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def write_wheel(wheel_directory, so, tag):
    ver = version()
    dist_info = dist_info_name()
    with open(so, "rb") as f:
        so_data = f.read()
    stub = STUB.encode("utf-8")
    files = [("sigbind.abi3.so", so_data, 0o755),
             ("sigbind.pyi", stub, 0o644),
             ("sigbind-stubs/__init__.pyi", stub, 0o644),
             (dist_info + "/METADATA", metadata_text().encode("utf-8"), 0o644),
             (dist_info + "/WHEEL", wheel_text(tag).encode("utf-8"), 0o644)]
    name = "%s-%s-%s.whl" % (NAME, ver, tag)
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


# ---------------------------------------------------------------- PEP 517 hooks
def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = os.path.join(metadata_directory, dist_info_name())
    os.makedirs(dist_info, exist_ok=True)
    with open(os.path.join(dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(metadata_text())
    # The tag is only known once the binary is built; pip does not need WHEEL here.
    return dist_info_name()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    os.makedirs(wheel_directory, exist_ok=True)
    keep = os.environ.get("SIGBIND_BUILD_DIR")
    build_dir = os.path.abspath(keep) if keep else tempfile.mkdtemp(prefix="sigbind-wheel-")
    try:
        so = build_module(build_dir)
        tag = check_module(so)
        return write_wheel(wheel_directory, so, tag)
    finally:
        if not keep:
            shutil.rmtree(build_dir, ignore_errors=True)


def _sdist_filter(info):
    parts = info.name.split("/")
    if any(p in SDIST_SKIP_DIRS for p in parts[1:]) or info.name.endswith(".pyc"):
        return None
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def build_sdist(sdist_directory, config_settings=None):
    os.makedirs(sdist_directory, exist_ok=True)
    base = "%s-%s" % (NAME, version())
    name = base + ".tar.gz"
    path = os.path.join(sdist_directory, name)
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for item in SDIST_ITEMS:
            src = os.path.join(ROOT, item)
            if os.path.exists(src):
                tar.add(src, arcname=base + "/" + item, filter=_sdist_filter)
        pkg_info = metadata_text().encode("utf-8")
        info = tarfile.TarInfo(base + "/PKG-INFO")
        info.size, info.mtime, info.mode = len(pkg_info), int(time.time()), 0o644
        tar.addfile(info, io.BytesIO(pkg_info))
    print("sigbind_build: wrote " + path, file=sys.stderr)
    return name
