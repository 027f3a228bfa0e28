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
source "$(dirname "$0")/lib/fuzz-common.sh"  # root, out, run_fuzzer

echo "building the IDX fuzzer..." >&2
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -package-name mnist_tui \
    -module-name IDXFuzz \
    -I "$root/Sources/CZlib" \
    "$root"/Sources/MNISTData/*.swift "$root/Fuzz/IDXFuzz.swift" \
    "$root/Tests/MNISTDataTests/Support/GzipCompress.swift" \
    -lz -o "$out/idx-fuzz"

run_fuzzer idx 8192 "$seconds" "$@"
