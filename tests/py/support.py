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
