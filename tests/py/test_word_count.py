# test_word_count.py — examples/word_count: C sequential and parallel word search agree with Python, raise with the path, release the GIL, leak nothing.
import errno
import faulthandler
import gc
import inspect
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import unittest

import word_count

CHECK_RSS = not os.environ.get("SIGBIND_SANITIZED")

# Every character str.split() splits on (the same set on 3.7 … 3.13), and some that look like it but are not.
SPACES = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
NOT_SPACES = "\u200b\u180e\ufeff\u00ad\u2060\x1b"
VOCAB = ["is", "Is", "IS", "is,", "(is)", "this", "island", "isis", "i", "s", "better", "than", "naïve", "café",
         "日本語", "Zen", "--", "is-", "-is", "x"]
SEPARATORS = [" ", " ", " ", "  ", "\t", " \t ", "\u3000", "\xa0", "\u2009", "\x0b", "\x0c", "\x1f"]
LINE_ENDS = ["\n", "\n", "\n", "\r\n", "\r", "\u2028", "\x85", " \n"]


def python_count(path, word):
    """The reference: the guide's pure-Python search."""
    with open(path, encoding="utf-8") as f:
        return sum(line.split().count(word) for line in f)


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


class TempDir(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="test_word_count_")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.n = 0

    def write(self, text, name=None):
        """Writes text as UTF-8, line ends untranslated; returns the path."""
        self.n += 1
        path = os.path.join(self.dir, name or "f%d.txt" % self.n)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return path

    def assert_all_agree(self, path, word, expected=None):
        """Python, search_sequential and search with 0…8, 13 and 64 threads give the same count."""
        want = python_count(path, word)
        if expected is not None:
            self.assertEqual(want, expected, "the Python reference itself, %r" % word)
        self.assertEqual(word_count.search_sequential(path, word), want, "search_sequential, %r" % word)
        for threads in list(range(0, 9)) + [13, 64]:
            self.assertEqual(word_count.search(path, word, threads), want, "search, %r, threads=%d" % (word, threads))
        self.assertEqual(word_count.search(path, word), want)
        return want


class Agreement(TempDir):
    def test_module_and_signatures(self):
        self.assertIn("word count", word_count.__doc__)
        self.assertEqual(str(inspect.signature(word_count.search)), "(path, word, threads=0)")
        self.assertEqual(str(inspect.signature(word_count.search_sequential)), "(path, word)")

    def test_generated_text(self):
        rng = random.Random(7)
        lines = []
        for _ in range(3000):
            words = rng.choices(VOCAB, k=rng.randint(0, 12))
            line = "".join(w + rng.choice(SEPARATORS) for w in words)
            if rng.random() < 0.5:
                line = line.rstrip(" ")
            lines.append(line + rng.choice(LINE_ENDS))
        path = self.write("".join(lines))
        counts = {w: self.assert_all_agree(path, w) for w in VOCAB + ["absent", "is is"]}
        self.assertGreater(counts["is"], 500)
        self.assertEqual(counts["absent"], 0)

    def test_word_at_start_and_end_and_no_trailing_newline(self):
        self.assert_all_agree(self.write("is a is"), "is", 2)
        self.assert_all_agree(self.write("is a is\n"), "is", 2)
        self.assert_all_agree(self.write("is"), "is", 1)
        self.assert_all_agree(self.write("\n\nis"), "is", 1)
        self.assert_all_agree(self.write("is\n\n"), "is", 1)

    def test_empty_and_blank_files(self):
        for text in ("", "\n", "\n\n\n", "   \t  ", "\r\n\r\n"):
            with self.subTest(text=text):
                self.assert_all_agree(self.write(text), "is", 0)

    def test_word_not_present(self):
        path = self.write("this island\nisland this\n" * 100)
        self.assert_all_agree(path, "is", 0)
        self.assert_all_agree(path, "and", 0)

    def test_tabs_and_multiple_spaces(self):
        self.assert_all_agree(self.write("is\t\tis   is\n\n\tis \t\nx\tis\t"), "is", 5)

    def test_whole_words_case_sensitive_punctuation_kept(self):
        path = self.write("this is island isis Is IS is, (is) is. -is is\n")
        self.assert_all_agree(path, "is", 2)
        self.assert_all_agree(path, "Is", 1)
        self.assert_all_agree(path, "is,", 1)
        self.assert_all_agree(path, "island", 1)

    def test_line_ends(self):
        self.assert_all_agree(self.write("is\r\nis\r\nis"), "is", 3)
        self.assert_all_agree(self.write("is\ris\r"), "is", 2)
        self.assert_all_agree(self.write("is\nis\r\nis\ris"), "is", 4)

    def test_every_unicode_space_separates(self):
        self.assertEqual(len(SPACES), 29)
        for sp in SPACES:
            with self.subTest(space="U+%04X" % ord(sp)):
                self.assert_all_agree(self.write("is%sis%sx%sis" % (sp, sp, sp)), "is", 3)
                self.assert_all_agree(self.write(sp * 3), "is", 0)

    def test_lookalikes_do_not_separate(self):
        for ch in NOT_SPACES:
            with self.subTest(char="U+%04X" % ord(ch)):
                self.assert_all_agree(self.write("is%sis is" % ch), "is", 1)
                self.assert_all_agree(self.write("is%sis is" % ch), "is%sis" % ch, 1)

    def test_non_ascii_words(self):
        path = self.write("naïve café 日本語 naïve\u3000naïve\nnaive\n")
        self.assert_all_agree(path, "naïve", 3)
        self.assert_all_agree(path, "日本語", 1)
        self.assert_all_agree(path, "naive", 1)

    def test_words_that_cannot_match(self):
        path = self.write("is a is\n\nb\n")
        for word in ("", " ", "is a", "is\n", "\u3000", "a\xa0"):
            with self.subTest(word=word):
                self.assert_all_agree(path, word, 0)

    def test_more_threads_than_lines(self):
        path = self.write("is\nis is\nx is\n")
        for threads in (3, 4, 8, 100, 1000, 2 ** 31 - 1):
            self.assertEqual(word_count.search(path, "is", threads), 4)
        one_line = self.write("is " * 5000)
        self.assert_all_agree(one_line, "is", 5000)

    def test_chunk_boundaries(self):
        # Lines of every length around the cut points: each cut must land after a '\n'.
        for n in range(1, 40):
            text = "".join(("is " * (i % 7)) + ("x" * (i % 3)) + "\n" for i in range(n))
            with self.subTest(lines=n):
                self.assert_all_agree(self.write(text), "is")

    def test_bytes_arguments(self):
        path = self.write("is a is\n")
        self.assertEqual(word_count.search(os.fsencode(path), b"is"), 2)
        self.assertEqual(word_count.search_sequential(os.fsencode(path), b"is"), 2)

    def test_random_bytes(self):
        # Invalid UTF-8 too: C works on bytes, which is what Python gets with
        # surrogateescape (a whitespace sequence decodes to its character
        # wherever it occurs; every other byte stays a word byte).
        pieces = [b"is", b"is", b" ", b"\n", b"\t", b"x", b"\xc2", b"\xa0", b"\x85", b"\xe2", b"\x80", b"\x81",
                  b"\x9f", b"\xa8", b"\xe3", b"\xe1", b"\x9a", b"\xc2\xa0", b"\xe2\x80\x80", b"\xe3\x80\x80"]
        words = [b"is", b"x", b"\x80is", b"is\xe2", b"is\xe2\x80", b"\xa0", b"\x80", b"\xc2", b"is\x85"]
        rng = random.Random(13)
        for i in range(300):
            data = b"".join(rng.choices(pieces, k=rng.randint(0, 60)))
            path = os.path.join(self.dir, "r.bin")
            with open(path, "wb") as f:
                f.write(data)
            tokens = data.decode("utf-8", "surrogateescape").split()
            for word in words:
                want = tokens.count(word.decode("utf-8", "surrogateescape"))
                got = (word_count.search_sequential(path, word), word_count.search(path, word, 3))
                self.assertEqual(got, (want, want), "text %r, word %r" % (data, word))

    def test_nul_bytes_in_the_file(self):
        self.assert_all_agree(self.write("is\x00 is\x00is is\n"), "is", 1)

    def test_concurrent_calls(self):
        rng = random.Random(3)
        path = self.write("\n".join(" ".join(rng.choices(VOCAB, k=10)) for _ in range(20000)))
        want = python_count(path, "is")
        results = []

        def worker(i):
            for _ in range(10):
                results.append(word_count.search(path, "is", i % 4) if i % 2 else
                               word_count.search_sequential(path, "is"))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results, [want] * 60)


class Errors(TempDir):
    def test_missing_file(self):
        path = os.path.join(self.dir, "no such file.txt")
        for fn in (word_count.search_sequential, word_count.search):
            with self.subTest(fn=fn.__name__):
                with self.assertRaises(FileNotFoundError) as cm:
                    fn(path, "is")
                self.assertIn(path, str(cm.exception))
                self.assertEqual(cm.exception.filename, path)
                self.assertEqual(cm.exception.errno, errno.ENOENT)
        with self.assertRaises(FileNotFoundError):
            word_count.search(path, "", 4)  # the file is read (and fails) whatever the word

    def test_directory(self):
        with self.assertRaises(IsADirectoryError) as cm:
            word_count.search(self.dir, "is")
        self.assertIn(self.dir, str(cm.exception))

    @unittest.skipIf(os.geteuid() == 0, "root reads any file")
    def test_unreadable(self):
        path = self.write("is")
        os.chmod(path, 0)
        with self.assertRaises(PermissionError):
            word_count.search_sequential(path, "is")

    def test_bad_arguments(self):
        path = self.write("is")
        with self.assertRaises(ValueError):
            word_count.search(path, "is", -1)
        with self.assertRaises(OverflowError):
            word_count.search(path, "is", 2 ** 31)
        with self.assertRaises(TypeError):
            word_count.search(None, "is")
        with self.assertRaises(TypeError):
            word_count.search_sequential(path, None)
        with self.assertRaises(ValueError):
            word_count.search(path, "i\x00s")
        with self.assertRaises(TypeError):
            word_count.search(path, 3)
        self.assertEqual(word_count.search(path, "is"), 1)  # still fine afterwards


class GilReleased(TempDir):
    def test_fifo_written_by_a_python_thread(self):
        # search() reads a FIFO that a Python thread fills while the call is
        # running: that can only finish if the GIL is released during the read.
        # (If it were not, the watchdog ends the process instead of hanging.)
        fifo = os.path.join(self.dir, "fifo")
        os.mkfifo(fifo)
        line = "is a fifo is not a file\n"
        reps = 50000  # ~1.2 MB: the reader's buffer grows several times

        def writer():
            with open(fifo, "w", encoding="utf-8") as f:
                for _ in range(reps // 1000):
                    f.write(line * 1000)

        faulthandler.dump_traceback_later(60, exit=True)
        try:
            for fn, args in ((word_count.search, (fifo, "is", 2)), (word_count.search_sequential, (fifo, "is"))):
                t = threading.Thread(target=writer)
                t.start()
                self.assertEqual(fn(*args), 2 * reps)
                t.join()
        finally:
            faulthandler.cancel_dump_traceback_later()

    def test_a_python_thread_counts_during_a_large_search(self):
        # A Python thread increments a counter and notes the time every 256
        # steps. Holding the GIL it can only run before or after a call that
        # holds the GIL too (give or take a switch interval at each end); so a
        # note taken well inside the call proves the GIL was released.
        rng = random.Random(5)
        block = "\n".join(" ".join(rng.choices(VOCAB, k=12)) for _ in range(20000)) + "\n"
        path = self.write(block * max(1, (48 << 20) // len(block.encode())))
        want = python_count(path, "is")
        interval = 0.001
        margin = 10 * interval
        for fn, args in ((word_count.search, (path, "is", 2)), (word_count.search_sequential, (path, "is"))):
            with self.subTest(fn=fn.__name__):
                seen = []
                for attempt in range(3):
                    result, duration, inside = self.count_during(fn, args, interval, margin)
                    self.assertEqual(result, want)
                    seen.append((round(duration * 1e3, 1), inside))
                    if inside > 0:
                        break
                else:
                    if all(d < 3 * margin * 1e3 for d, _ in seen):
                        self.skipTest("calls too short to judge: %s" % seen)
                    self.fail("the counting thread made no progress inside %s(); (ms, notes inside): %s"
                              % (fn.__name__, seen))

    @staticmethod
    def count_during(fn, args, interval, margin):
        stamps = []
        running = [True]

        def spin():
            n = 0
            while running[0]:
                n += 1
                if not n & 255:
                    stamps.append(time.perf_counter())

        old = sys.getswitchinterval()
        sys.setswitchinterval(interval)
        t = threading.Thread(target=spin)
        t.start()
        try:
            while not stamps:
                time.sleep(interval)
            t0 = time.perf_counter()
            result = fn(*args)
            t1 = time.perf_counter()
        finally:
            running[0] = False
            t.join()
            sys.setswitchinterval(old)
        inside = sum(1 for s in stamps if t0 + margin < s < t1 - margin)
        return result, t1 - t0, inside


class Leaks(TempDir):
    def test_flat_over_many_calls(self):
        rng = random.Random(11)
        path = self.write("\n".join(" ".join(rng.choices(VOCAB, k=8)) for _ in range(2000)))  # ~80 KB
        missing = os.path.join(self.dir, "missing")
        word = "".join(["i", "s"])  # not interned: its count is ours alone
        want = python_count(path, word)

        def loop(n):
            for i in range(n):
                assert word_count.search(path, word, i % 3) == want
                assert word_count.search_sequential(path, word) == want
                try:
                    word_count.search(missing, word)
                except FileNotFoundError:
                    pass
                try:
                    word_count.search(path, word, -1)
                except ValueError:
                    pass

        loop(300)
        failures = []
        for _ in range(3):
            gc.collect()
            refs0 = (sys.getrefcount(path), sys.getrefcount(word), sys.getrefcount(missing))
            blocks0, rss0 = sys.getallocatedblocks(), rss_kib()
            loop(1000)
            gc.collect()
            blocks1, rss1 = sys.getallocatedblocks(), rss_kib()
            refs1 = (sys.getrefcount(path), sys.getrefcount(word), sys.getrefcount(missing))
            self.assertEqual(refs0, refs1, "argument reference counts changed")
            if blocks1 - blocks0 < 100 and (not CHECK_RSS or rss1 - rss0 < 4096):
                return
            failures.append("%d blocks, %d KiB RSS" % (blocks1 - blocks0, rss1 - rss0))
        self.fail("grew in every round of 4000 calls: %s" % "; ".join(failures))


if __name__ == "__main__":
    unittest.main()
