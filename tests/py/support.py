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
