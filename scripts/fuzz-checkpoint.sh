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
source "$(dirname "$0")/lib/fuzz-common.sh"  # root, out, fuzz_flags, build_mnistdata_module, run_fuzzer
mods="$out/checkpoint-modules"

echo "building the checkpoint fuzzer..." >&2
build_mnistdata_module "$mods"
# Engine imports the sparse first layer's C kernels: compile them (with ASan, like the rest) and
# give swiftc the module map SwiftPM would generate for the target.
kernels="$root/Sources/CSparseKernels"
mkdir -p "$mods/CSparseKernels"
printf 'module CSparseKernels {\n    header "%s"\n    export *\n}\n' "$kernels/include/sparse_kernels.h" \
    > "$mods/CSparseKernels/module.modulemap"
kernel_objects=()
for c in "$kernels"/*.c; do
    object="$mods/CSparseKernels/$(basename "$c" .c).o"
    clang -O2 -g -fsanitize=address -I "$kernels/include" -c "$c" -o "$object"
    kernel_objects+=("$object")
done
swiftc "${fuzz_flags[@]}" -module-name CheckpointFuzz \
    -I "$mods" -I "$mods/CSparseKernels" -I "$root/Sources/CZlib" -I "$root/Sources/CBLAS" \
    $(find "$root/Sources/Engine" -name '*.swift' | sort) "$root/Fuzz/CheckpointFuzz.swift" \
    "$mods/libMNISTData.a" "${kernel_objects[@]}" -lz -lopenblas -lpthread -o "$out/checkpoint-fuzz"

run_fuzzer checkpoint 4096 "$seconds" "$@"
