# class_memory.py — bytes per instance of C-face classes vs plain Python classes (with __slots__ and with a __dict__), measured with tracemalloc.
"""Run with the build's module directory on the path:

    PYTHONPATH=build/python python3 bench/class_memory.py
"""
import gc
import sys
import tracemalloc

import classes


class Slots2:
    __slots__ = ("num", "debug")

    def __init__(self):
        self.num = 10
        self.debug = False


class Slots1:
    __slots__ = ("obj",)

    def __init__(self):
        self.obj = None


class Plain:
    def __init__(self):
        self.num = 10
        self.debug = False


def per_instance(make, n=100_000):
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    keep = [make() for _ in range(n)]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    list_bytes = sys.getsizeof(keep)
    del keep
    return (after - before - list_bytes) / n


ROWS = [
    ("classes.MyClass (int32_t num; bool debug)", classes.MyClass),
    ("Python class, __slots__ = (num, debug)", Slots2),
    ("Python class with __dict__ (num, debug)", Plain),
    ("classes.ClassWithGCSupport (PyObject *obj; GC)", classes.ClassWithGCSupport),
    ("Python class, __slots__ = (obj,)", Slots1),
]

if __name__ == "__main__":
    print(f"CPython {sys.version.split()[0]}: bytes per instance (tracemalloc, 100000 instances)")
    for name, make in ROWS:
        print(f"  {name:50s} {per_instance(make):7.1f}")
