# bench/build.sh: compile benchlib.so and the sb_handext reference extension for one Python interpreter.
# usage: sh bench/build.sh PYTHON [OUTDIR]   (OUTDIR defaults to build/bench/<X.Y.Z of PYTHON>)
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 PYTHON [OUTDIR]" >&2
    exit 2
fi
PYTHON=$1
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
CC=${CC:-gcc}

# One query of the target interpreter: version, header directory, extension suffix.
INFO=$("$PYTHON" -c 'import sys, sysconfig
print("%d.%d.%d" % sys.version_info[:3])
print(sysconfig.get_paths()["include"])
print(sysconfig.get_config_var("EXT_SUFFIX"))')
VERSION=$(printf '%s\n' "$INFO" | sed -n 1p)
INCLUDE=$(printf '%s\n' "$INFO" | sed -n 2p)
EXT_SUFFIX=$(printf '%s\n' "$INFO" | sed -n 3p)
if [ -z "$VERSION" ] || [ -z "$INCLUDE" ] || [ -z "$EXT_SUFFIX" ] || [ "$EXT_SUFFIX" = None ]; then
    echo "build.sh: cannot read version/include/EXT_SUFFIX from $PYTHON" >&2
    exit 1
fi
if [ ! -f "$INCLUDE/Python.h" ]; then
    echo "build.sh: no Python.h in $INCLUDE (headers of $PYTHON not installed?)" >&2
    exit 1
fi

OUTDIR=${2:-$REPO/build/bench/$VERSION}
mkdir -p "$OUTDIR"
CFLAGS="-std=c11 -O2 -Wall -Wextra -Werror -fPIC"

# Build under temporary names, then rename: a concurrent reader never sees half a file.
echo "build.sh: $CC benchlib.so -> $OUTDIR" >&2
$CC $CFLAGS -shared -Wl,-soname,benchlib.so -o "$OUTDIR/benchlib.so.tmp" "$HERE/benchlib.c"
mv -f "$OUTDIR/benchlib.so.tmp" "$OUTDIR/benchlib.so"

# DT_NEEDED is the soname "benchlib.so", found next to the extension through $ORIGIN.
echo "build.sh: $CC sb_handext$EXT_SUFFIX (Python $VERSION) -> $OUTDIR" >&2
$CC $CFLAGS -I"$INCLUDE" -shared -o "$OUTDIR/sb_handext$EXT_SUFFIX.tmp" "$HERE/handext.c" \
    "$OUTDIR/benchlib.so" -Wl,-rpath,'$ORIGIN'
mv -f "$OUTDIR/sb_handext$EXT_SUFFIX.tmp" "$OUTDIR/sb_handext$EXT_SUFFIX"

# The same module under the stable ABI, as sb_handext_abi3: the reference a limited-API extension can
# reach (guard.py's handabi3 column). 3.10+: Py_LIMITED_API=0x030a0000 (METH_FASTCALL is in it from 3.10);
# 3.7-3.9: Py_LIMITED_API=0x03070000, METH_VARARGS entries (handext.c's HX_VARARGS).
case "$VERSION" in
3.[0-6].*) ;;
3.[7-9].*) ABI3=0x03070000 ;;
*) ABI3=0x030a0000 ;;
esac
if [ -n "${ABI3:-}" ]; then
    echo "build.sh: $CC sb_handext_abi3.abi3.so (Py_LIMITED_API=$ABI3) -> $OUTDIR" >&2
    $CC $CFLAGS -DPy_LIMITED_API=$ABI3 -I"$INCLUDE" -shared -o "$OUTDIR/sb_handext_abi3.abi3.so.tmp" \
        "$HERE/handext.c" "$OUTDIR/benchlib.so" -Wl,-rpath,'$ORIGIN'
    mv -f "$OUTDIR/sb_handext_abi3.abi3.so.tmp" "$OUTDIR/sb_handext_abi3.abi3.so"
fi
