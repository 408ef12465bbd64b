"""meta_pkg.cli: the console script meta-hello (and the GUI script meta-gui)."""
import sys

from . import add, greeting


def main():
    print("%s %d" % (greeting(), add(40, 2)))
    return 0


def gui():
    return main()


if __name__ == "__main__":
    sys.exit(main())
