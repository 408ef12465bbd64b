# venvs.py — shared by the packaging tests: the CPythons >= 3.7 found, a clean offline environment, fresh venvs and their pip versions.
import glob
import os
import re
import subprocess

# pip learned PEP 660 (build_editable) in 21.3; older pips fall back to `setup.py develop`, which
# this project (no setup.py) cannot do.
PEP660_PIP = (21, 3)


def run(command, **kw):
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, **kw)


def clean_env(**extra):
    """The environment minus anything that would point Python or pip elsewhere; pip offline."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV", "PIP_FIND_LINKS",
                        "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "SIGBIND_BUILD_DIR", "SIGBIND_ROOT")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1", PIP_NO_INPUT="1", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def python_version(python):
    p = run([python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
    if p.returncode != 0:
        return None
    return tuple(int(x) for x in p.stdout.strip().split("."))


def interpreters(only=None, report=print):
    """[(python, (major, minor, micro))] for /usr/bin/python3 and every pyenv CPython >= 3.7."""
    found = [only] if only else (["/usr/bin/python3"] if os.path.exists("/usr/bin/python3") else []) + \
        sorted(glob.glob("/root/.pyenv/versions/3.*/bin/python3"))
    chosen = []
    for python in found:
        ver = python_version(python)
        if ver is None:
            report("skip %s: does not run" % python)
        elif ver < (3, 7):
            report("skip %s: CPython %d.%d.%d < 3.7" % ((python,) + ver))
        else:
            chosen.append((python, ver))
    return chosen


def make_venv(python, ver, work, tag):
    """Creates <work>/<tag>-X.Y-<hash> with `python -m venv`; returns (venv_python, log)."""
    import hashlib
    venv = os.path.join(work, "%s-%d.%d-%s" % (tag, ver[0], ver[1], hashlib.sha1(python.encode()).hexdigest()[:6]))
    p = run([python, "-m", "venv", venv], env=clean_env())
    if p.returncode != 0:
        raise RuntimeError("python -m venv failed:\n" + p.stdout)
    return os.path.join(venv, "bin", "python")


def pip_version(venv_python):
    p = run([venv_python, "-m", "pip", "--version"], env=clean_env())
    m = re.match(r"pip (\d+)\.(\d+)", p.stdout)
    return (int(m.group(1)), int(m.group(2))) if m else None
