# bench.py — the word-count benchmark: pure Python vs C sequential vs C parallel (GIL released) on a generated text file.
"""Usage: PYTHONPATH=build/python python3 examples/word_count/bench.py [--mb 20] [--word is] [--threads 0] [--repeat 5]

Writes a deterministic text of --mb megabytes (lines of words drawn with a
fixed seed from the Zen of Python, as in PyO3's word-count benchmark) to a
temporary directory, counts --word in it three ways, checks that the three
counts agree, and prints the best of --repeat timings and the speedups.
"""
import argparse
import os
import random
import shutil
import sys
import tempfile
import time

import word_count

ZEN = """\
The Zen of Python, by Tim Peters
Beautiful is better than ugly.
Explicit is better than implicit.
Simple is better than complex.
Complex is better than complicated.
Flat is better than nested.
Sparse is better than dense.
Readability counts.
Special cases aren't special enough to break the rules.
Although practicality beats purity.
Errors should never pass silently.
Unless explicitly silenced.
In the face of ambiguity, refuse the temptation to guess.
There should be one-- and preferably only one --obvious way to do it.
Although that way may not be obvious at first unless you're Dutch.
Now is better than never.
Although never is often better than *right* now.
If the implementation is hard to explain, it's a bad idea.
If the implementation is easy to explain, it may be a good idea.
Namespaces are one honking great idea -- let's do more of those!
"""


def search_py(path, word):
    """The pure-Python count: the same result as word_count.search_sequential."""
    with open(path, encoding="utf-8") as f:
        return sum(line.split().count(word) for line in f)


def generate(path, size, seed=2018):
    """Writes about `size` bytes: lines of 1-16 words from the Zen's vocabulary (deterministic)."""
    vocab = ZEN.split()
    rng = random.Random(seed)
    written = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        while written < size:
            lines = []
            for _ in range(4096):
                lines.append(" ".join(rng.choices(vocab, k=rng.randint(1, 16))))
            block = "\n".join(lines) + "\n"
            f.write(block)
            written += len(block)
    return os.path.getsize(path)


def timed(fn, *args):
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=20.0, help="size of the generated text in MB (default 20)")
    ap.add_argument("--word", default="is", help="the word to count (default 'is')")
    ap.add_argument("--threads", type=int, default=0, help="threads of the parallel search (0: one per CPU)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each method; the best is shown (default 5)")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="word_count_bench_")
    try:
        path = os.path.join(tmp, "text.txt")
        size = generate(path, int(args.mb * 1e6))
        with open(path, "rb") as f:  # into the page cache: every method then reads from memory
            f.read()
        cpus = os.cpu_count()
        threads = args.threads or cpus
        print("CPython %s, %d online CPUs; %s: %.1f MB, counting %r, best of %d"
              % (sys.version.split()[0], cpus, path, size / 1e6, args.word, args.repeat))

        rows = [
            ("pure Python", search_py, (path, args.word)),
            ("C sequential", word_count.search_sequential, (path, args.word)),
            ("C parallel (%d threads)" % threads, word_count.search, (path, args.word, args.threads)),
        ]
        # Round robin, best of --repeat: a machine that speeds up or slows down
        # (other load, frequency) does so for all three alike.
        results = [[name, float("inf"), None] for name, _, _ in rows]
        for _ in range(args.repeat):
            for row, (name, fn, fargs) in zip(results, rows):
                t, n = timed(fn, *fargs)
                row[1], row[2] = min(row[1], t), n

        counts = {n for _, _, n in results}
        t_py, t_seq = results[0][1], results[1][1]
        print("%-26s %10s %10s %12s %14s" % ("method", "count", "time", "vs Python", "vs sequential"))
        for name, t, n in results:
            print("%-26s %10d %8.1f ms %11.1fx %13.2fx" % (name, n, t * 1e3, t_py / t, t_seq / t))
        if len(counts) != 1:
            print("MISMATCH: the three methods disagree: %s" % [(name, n) for name, _, n in results])
            return 1
        print("all three agree: %d occurrences of %r" % (counts.pop(), args.word))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
