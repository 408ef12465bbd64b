"""meta_pkg: a Python package with a sigbind C extension (meta_pkg._native) and a data file."""
import os

from ._native import add

__all__ = ["add", "double", "greeting"]


def double(x):
    """The plugin named by the entry point meta_pkg.plugins:double."""
    return add(x, x)


def greeting():
    with open(os.path.join(os.path.dirname(__file__), "data", "greeting.txt"), encoding="utf-8") as f:
        return f.read().strip()
