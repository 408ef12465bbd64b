# bench/bench_artifacts.py: preparing an interpreter for measurement: build benchlib.so and sb_handext when stale, probe bindings.
"""Stdlib only; runs on CPython 3.7+.  The build itself is build.sh; this only decides when to run it."""
import json
import os
import subprocess
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
SOURCES = ("benchlib.c", "benchlib.h", "handext.c", "build.sh")

_INFO_SRC = ("import json, sys, sysconfig; print(json.dumps({"
             "'version': '%d.%d.%d' % sys.version_info[:3], "
             "'implementation': sys.implementation.name, "
             "'ext_suffix': sysconfig.get_config_var('EXT_SUFFIX')}))")


def interpreter_info(python):
    """Version (X.Y.Z), implementation name and EXT_SUFFIX of the interpreter at `python`."""
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        import sysconfig
        return {"version": "%d.%d.%d" % sys.version_info[:3],
                "implementation": sys.implementation.name,
                "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX")}
    out = subprocess.run([python, "-c", _INFO_SRC], stdout=subprocess.PIPE, check=True)
    return json.loads(out.stdout.decode())


def default_outdir(info):
    return os.path.join(REPO_DIR, "build", "bench", info["version"])


def _stale(outdir, info):
    targets = [os.path.join(outdir, "benchlib.so"),
               os.path.join(outdir, "sb_handext" + info["ext_suffix"])]
    if not all(os.path.exists(t) for t in targets):
        return True
    newest_source = max(os.path.getmtime(os.path.join(BENCH_DIR, s)) for s in SOURCES)
    return min(os.path.getmtime(t) for t in targets) < newest_source


def ensure_built(python, outdir=None, force=False):
    """Run build.sh for `python` unless its outputs exist and are newer than the sources.

    Returns (outdir, info).  build.sh's chatter goes to stderr so --json output stays clean.
    """
    info = interpreter_info(python)
    outdir = os.path.abspath(outdir or default_outdir(info))
    if force or _stale(outdir, info):
        proc = subprocess.run(["sh", os.path.join(BENCH_DIR, "build.sh"), python, outdir],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        sys.stderr.write(proc.stdout.decode(errors="replace"))
        if proc.returncode != 0:
            raise SystemExit("bench: build.sh failed for %s (exit %d)" % (python, proc.returncode))
    return outdir, info


def probe(python, child, binding, outdir, sigbind_dir, env=None):
    """Ask a separate `python -S bench_child.py ... --check` which shapes `binding` can call.

    A binding that crashes the interpreter (a half-finished sigbind, say) then costs one child
    process instead of the whole benchmark.  Returns the child's JSON, or an "unavailable" entry.
    """
    if env is None:
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([python, "-S", child, binding, outdir, sigbind_dir, "--check"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if proc.returncode != 0:
        how = ("crashed (signal %d)" % -proc.returncode if proc.returncode < 0
               else "probe exited %d" % proc.returncode)
        tail = proc.stderr.decode(errors="replace").strip()[-300:]
        return {"unavailable": "%s%s" % (how, ": " + tail if tail else ""), "shapes": [], "errors": {}}
    return json.loads(proc.stdout.decode())
