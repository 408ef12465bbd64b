# sigbind_stubgen.py — `python -m sigbind_stubgen module:attr [-o out.pyi]`: writes the type stub of a Python-face Library (Library.stub()) that a module of yours binds.
"""Type stubs for modules that bind C functions with sigbind's Python face.

`python -m sigbind stubgen` cannot exist: sigbind is an extension module, and runpy runs only
modules with code objects ("No code object available for sigbind"). This script, shipped next to
sigbind in its wheel (and in sigbind's abi3/ directory), does the same job:

    # zlib_binding.py
    import sigbind
    lib = sigbind.load("z", "unsigned long crc32(unsigned long crc, const unsigned char *buf "
                            "[[len(len)]], unsigned int len);")
    crc32 = lib.crc32

    $ python -m sigbind_stubgen zlib_binding:lib -o zlib_binding.pyi

It imports `zlib_binding`, takes its attribute `lib` (a sigbind.Library; the attribute defaults
to every Library the module holds, in name order) and writes what Library.stub() returns: one
`def` per bound function with its parameters typed as the converters accept them, one `NAME: T`
per constant and global variable (README.md "Type stubs"). Without -o the stub goes to stdout.
Exit status: 0, 1 (no Library found, or the import failed), 2 (usage).
"""
import argparse
import importlib
import sys


def libraries(module, attr):
    import sigbind
    if attr:
        obj = getattr(module, attr)
        if not isinstance(obj, sigbind.Library):
            raise TypeError("%s.%s is a %s, not a sigbind.Library" % (module.__name__, attr, type(obj).__name__))
        return [obj]
    return [v for _, v in sorted(vars(module).items()) if isinstance(v, sigbind.Library)]


def stub_text(libs):
    """One stub for several Libraries: the first one's header and imports, then every body."""
    texts = [lib.stub() for lib in libs]
    out = texts[0] if texts else ""
    marker = "from sigbind import Callback, Pointer, Struct\n"
    for t in texts[1:]:
        out += t.split(marker, 1)[1]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m sigbind_stubgen", description=__doc__.split("\n\n")[0])
    ap.add_argument("target", help="module or module:attribute (a sigbind.Library)")
    ap.add_argument("-o", "--output", help="the .pyi to write (default: stdout)")
    args = ap.parse_args(argv)
    modname, _, attr = args.target.partition(":")
    try:
        libs = libraries(importlib.import_module(modname), attr)
    except Exception as e:  # the import or the attribute: say which, exit 1
        print("sigbind_stubgen: %s: %s: %s" % (args.target, type(e).__name__, e), file=sys.stderr)
        return 1
    if not libs:
        print("sigbind_stubgen: %s holds no sigbind.Library" % modname, file=sys.stderr)
        return 1
    text = stub_text(libs)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
