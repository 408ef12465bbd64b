#!/bin/sh
# setup.sh — installs the Debian packages the build and the tests need, only those that are missing, and pyright (npm).
set -eu
PACKAGES="cmake ninja-build gcc clang libclang-rt-14-dev libffi-dev libcmocka-dev zlib1g-dev libsqlite3-0 python3 python3-dev python3-pip python3-venv valgrind binutils debootstrap pkg-config libbz2-1.0 liblzma5 libexpat1 libpng16-16 libjpeg62-turbo libuv1 libyaml-0-2 libcurl4 libssl3 libzstd1 liblz4-1"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# pyright (ctest stubs_pyright) from the npm registry, project-local in build/tools/node_modules (never
# global); without npm the test skips.
TOOLS="$(cd "$(dirname "$0")/.." && pwd)/build/tools"
if command -v npm >/dev/null 2>&1 && [ ! -x "$TOOLS/node_modules/.bin/pyright" ]; then
    echo "setup: installing pyright into $TOOLS"
    mkdir -p "$TOOLS"
    npm install --no-audit --no-fund --prefix "$TOOLS" pyright >/dev/null
fi
[ -z "$missing" ] && exit 0
echo "setup: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "setup: missing packages:$missing (run as root or install them)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
