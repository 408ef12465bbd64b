# test_interrupts.py — KeyboardInterrupt/SystemExit raised in callbacks reach the caller; sigbind.load() of FIFOs, directories and devices fails fast.
import array
import io
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

import sigbind

libc = sigbind.load(None, """
    void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *) [[noescape]]);
""")


class CapturedUnraisable:
    def __enter__(self):
        self.seen = []
        self.old = getattr(sys, "unraisablehook", None)
        if self.old is not None:
            sys.unraisablehook = lambda u: self.seen.append(u.exc_type)
        else:  # 3.7: written to sys.stderr
            self.stderr, sys.stderr = sys.stderr, io.StringIO()
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            sys.unraisablehook = self.old
        else:
            sys.stderr = self.stderr


class InterruptsInCallbacks(unittest.TestCase):
    def test_keyboard_interrupt_in_a_comparator_reaches_the_caller(self):
        data = array.array("i", [5, 3, 9, 1, 7])
        calls = []

        def compar(a, b):
            calls.append(1)
            raise KeyboardInterrupt

        with CapturedUnraisable() as u:
            with self.assertRaises(KeyboardInterrupt):
                libc.qsort(data, len(data), data.itemsize, sigbind.callback("int (const void *, const void *)", compar))
        self.assertGreaterEqual(len(calls), 1)
        if u.old is not None:  # the later comparisons' interrupts are reported, not lost
            self.assertEqual(u.seen, [KeyboardInterrupt] * (len(calls) - 1))

    def test_system_exit_in_an_auto_wrapped_callable_reaches_the_caller(self):
        data = array.array("i", [2, 1])
        with CapturedUnraisable():
            with self.assertRaises(SystemExit) as cm:
                libc.qsort(data, 2, data.itemsize, lambda a, b: sys.exit(3))
        self.assertEqual(cm.exception.code, 3)

    def test_ordinary_exceptions_still_go_to_unraisablehook(self):
        data = array.array("i", [2, 1])

        def compar(a, b):
            raise ValueError("no")
        with CapturedUnraisable() as u:
            libc.qsort(data, 2, data.itemsize, sigbind.callback("int (const void *, const void *)", compar))
        if u.old is not None:  # one per comparison (ASan's qsort compares more often than glibc's)
            self.assertGreaterEqual(len(u.seen), 1)
            self.assertEqual(set(u.seen), {ValueError})

    def test_the_call_works_again_after_an_interrupt(self):
        data = array.array("i", [3, 1, 2])
        with CapturedUnraisable():
            with self.assertRaises(KeyboardInterrupt):
                libc.qsort(data, 3, data.itemsize, sigbind.callback("int (const void *, const void *)",
                                                                    lambda a, b: (_ for _ in ()).throw(KeyboardInterrupt)))
        ints = sigbind.callback("int (const void *, const void *)",
                                lambda a, b: sigbind.cast("int *", a)[0] - sigbind.cast("int *", b)[0])
        libc.qsort(data, 3, data.itemsize, ints)
        self.assertEqual(list(data), [1, 2, 3])


class LoadOddFiles(unittest.TestCase):
    """dlopen() of a FIFO would block with the GIL held: every odd file fails fast with OSError."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sb_load_")
        self.addCleanup(shutil.rmtree, self.dir)

    def load_in_child(self, path):
        code = textwrap.dedent("""
            import sys, sigbind
            try:
                sigbind.load(sys.argv[1])
            except OSError as e:
                print(type(e).__name__, e)
        """)
        env = dict(os.environ, PYTHONPATH=os.path.dirname(sigbind.__file__))
        r = subprocess.run([sys.executable, "-c", code, path], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return r.stdout.decode()

    @unittest.skipUnless(hasattr(os, "mkfifo"), "no FIFOs")
    def test_fifo_is_refused_without_blocking(self):
        fifo = os.path.join(self.dir, "libfifo.so")
        os.mkfifo(fifo)
        out = self.load_in_child(fifo)  # a hang fails by the timeout
        self.assertIn("OSError", out)
        self.assertIn("a FIFO", out)

    def test_directory_is_refused(self):
        with self.assertRaises(IsADirectoryError) as cm:
            sigbind.load(self.dir)
        self.assertIn("is a directory", str(cm.exception))

    def test_devices_and_empty_files_are_refused(self):
        empty = os.path.join(self.dir, "libempty.so")
        open(empty, "w").close()
        for path in ("/dev/null", "/dev/zero", empty):
            with self.assertRaises(OSError, msg=path):
                sigbind.load(path)


if __name__ == "__main__":
    unittest.main()
