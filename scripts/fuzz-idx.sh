#!/usr/bin/env bash
# Fuzzes the IDX reader (raw and gzip) with libFuzzer + AddressSanitizer for a bounded time.
#
#   scripts/fuzz-idx.sh [SECONDS] [extra libFuzzer flags...]     (default 60 s; CI runs it briefly,
#                                                                  a longer run is e.g. 3600)
#
# Builds .build-fuzz/idx-fuzz from Fuzz/IDXFuzz.swift and Sources/MNISTData, then runs it on a
# working corpus in .build-fuzz/corpus-idx seeded from the committed Fuzz/corpus/idx. A crash
# leaves its input in .build-fuzz/artifacts/ and makes this script exit non-zero: add that input
# as a regression test (Tests/MNISTDataTests) and to Fuzz/corpus/idx once fixed.
set -euo pipefail

seconds="${1:-60}"
shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.build-fuzz"
mkdir -p "$out/corpus-idx" "$out/artifacts"

echo "building the IDX fuzzer..." >&2
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name IDXFuzz \
    -I "$root/Sources/CZlib" \
    "$root"/Sources/MNISTData/*.swift "$root/Fuzz/IDXFuzz.swift" \
    -lz -o "$out/idx-fuzz"

echo "fuzzing for $seconds s..." >&2
# New inputs go to the first (working) corpus; the committed seeds are only read.
"$out/idx-fuzz" \
    -max_total_time="$seconds" \
    -max_len=8192 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -dict="$root/Fuzz/idx.dict" \
    -artifact_prefix="$out/artifacts/" \
    -print_final_stats=1 \
    "$@" \
    "$out/corpus-idx" "$root/Fuzz/corpus/idx"
