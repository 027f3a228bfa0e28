#!/usr/bin/env bash
# Fuzzes the checkpoint reader with libFuzzer + AddressSanitizer for a bounded time.
#
#   scripts/fuzz-checkpoint.sh [SECONDS] [extra libFuzzer flags...]   (default 60 s; a longer run is
#                                                                       e.g. 3600)
#
# Builds .build-fuzz/checkpoint-fuzz from Fuzz/CheckpointFuzz.swift and Sources/Engine (MNISTData
# first, as its own instrumented module), then runs it on a working corpus in
# .build-fuzz/corpus-checkpoint seeded from the committed Fuzz/corpus/checkpoint. A crash leaves its
# input in .build-fuzz/artifacts/ and makes this script exit non-zero: add that input as a
# regression test (Tests/EngineTests/CheckpointTests.swift) and to Fuzz/corpus/checkpoint once fixed.
set -euo pipefail

seconds="${1:-60}"
shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.build-fuzz"
mods="$out/checkpoint-modules"
mkdir -p "$out/corpus-checkpoint" "$out/artifacts" "$mods"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -package-name mnist_tui)

echo "building the checkpoint fuzzer..." >&2
swiftc "${flags[@]}" -module-name MNISTData -I "$root/Sources/CZlib" \
    -emit-module -emit-module-path "$mods/MNISTData.swiftmodule" \
    -emit-library -static -o "$mods/libMNISTData.a" \
    "$root"/Sources/MNISTData/*.swift
swiftc "${flags[@]}" -module-name CheckpointFuzz \
    -I "$mods" -I "$root/Sources/CZlib" -I "$root/Sources/CBLAS" \
    $(find "$root/Sources/Engine" -name '*.swift' | sort) "$root/Fuzz/CheckpointFuzz.swift" \
    "$mods/libMNISTData.a" -lz -lopenblas -o "$out/checkpoint-fuzz"

echo "fuzzing for $seconds s..." >&2
# New inputs go to the first (working) corpus; the committed seeds are only read.
"$out/checkpoint-fuzz" \
    -max_total_time="$seconds" \
    -max_len=4096 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -dict="$root/Fuzz/checkpoint.dict" \
    -artifact_prefix="$out/artifacts/" \
    -print_final_stats=1 \
    "$@" \
    "$out/corpus-checkpoint" "$root/Fuzz/corpus/checkpoint"
