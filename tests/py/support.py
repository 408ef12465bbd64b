# support.py — shared helpers of the Python tests: where the test library is, one loaded copy of it.
import os
import sys
import unittest

import sigbind

TESTLIB = os.environ.get("SIGBIND_TESTLIB", "")


def testlib():
    """The test C library (tests/py/testlib.c), loaded once per process."""
    global _lib
    try:
        return _lib
    except NameError:
        pass
    if not TESTLIB or not os.path.exists(TESTLIB):
        raise unittest.SkipTest("SIGBIND_TESTLIB is not set (run the tests through tests/py/run_all.py)")
    _lib = sigbind.load(TESTLIB)
    return _lib


def version():
    return "%d.%d" % sys.version_info[:2]


def assert_flat(case, churn, limit=200, rounds=3):
    """Fails `case` unless the allocated blocks stay flat over `churn()`.

    churn() runs once to warm up, then up to `rounds` times between two
    collections; one round growing by fewer than `limit` blocks passes. A leak
    of one block per call grows every round by the number of calls, while the
    interpreter's bounded caches (free lists, the collector's and the
    allocator's bookkeeping, per-code caches after raised exceptions) grow a
    few hundred blocks now and then, by amounts that vary with address layout.
    """
    import gc
    churn()
    growth = []
    for _ in range(rounds):
        gc.collect()
        b0 = sys.getallocatedblocks()
        churn()
        gc.collect()
        growth.append(sys.getallocatedblocks() - b0)
        if growth[-1] < limit:
            return
    case.fail("allocated blocks grew by >= %d in each of %d rounds: %s" % (limit, rounds, growth))


def child_env(*module_dirs):
    """The environment of a child interpreter for a probe: the same modules, the
    test library, and PYTHONMALLOC=malloc_debug so use-after-free of Python
    objects is caught (and seen by ASan when the sanitizers are preloaded)."""
    env = dict(os.environ)
    env["PYTHONMALLOC"] = "malloc_debug"
    if TESTLIB:
        env["SIGBIND_TESTLIB"] = os.path.abspath(TESTLIB)
    here = os.path.dirname(os.path.abspath(__file__))
    dirs = [os.path.dirname(os.path.abspath(sigbind.__file__))] + list(module_dirs) + [here]
    env["PYTHONPATH"] = os.pathsep.join(dirs + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    return env


def run_probe(case, prelude, body, timeout=120, env=None):
    """Runs prelude + body in a child interpreter: `case` fails unless it exits 0
    having printed END, with no sanitizer report. Returns its stdout."""
    import subprocess
    import textwrap
    code = prelude + textwrap.dedent(body) + "\nprint('END')\n"
    try:
        r = subprocess.run([sys.executable, "-c", code], env=env or child_env(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        case.fail("the probe hung (killed after %d s):\n%s" % (timeout, textwrap.dedent(body)))
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    report = "exit status %d\n--- stdout\n%s\n--- stderr (tail)\n%s" % (r.returncode, out[-3000:], err[-6000:])
    case.assertNotIn("AddressSanitizer", err, report)
    case.assertNotIn("runtime error:", err, report)  # UBSan
    case.assertEqual(r.returncode, 0, report)
    case.assertIn("END", out, report)
    return out
