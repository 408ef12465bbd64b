#!/bin/sh
# run_fuzz.sh — builds the libFuzzer target of the parser (ASan+UBSan) and runs it for a bounded time over the seed corpus.
# Usage: run_fuzz.sh [build-dir]   (env: SB_FUZZ_SECONDS, default 20; CLANG, default clang)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
seconds=${SB_FUZZ_SECONDS:-20}
cc=${CLANG:-clang}
out=$build/fuzz
mkdir -p "$out/corpus" "$out/artifacts"

"$cc" -g -O1 -std=c11 -Wall -Wextra -Werror \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -DSB_NO_CALLREGS -I"$root/src" -I"$root/src/core" -I"$root/include" \
  "$here/fuzz_sig.c" "$root"/src/core/*.c \
  -lffi -lm -o "$out/fuzz_sig"

# New inputs go to the build dir's corpus; the committed seeds are only read.
exec "$out/fuzz_sig" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
  "$out/corpus" "$here/corpus"
