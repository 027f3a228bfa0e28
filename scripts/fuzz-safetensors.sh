#!/usr/bin/env bash
# Fuzzes the safetensors reader with libFuzzer + AddressSanitizer for a bounded time.
#
#   scripts/fuzz-safetensors.sh [SECONDS] [extra libFuzzer flags...]   (default 60 s; a longer run
#                                                                        is e.g. 3600)
#
# Builds .build-fuzz/safetensors-fuzz from Fuzz/SafetensorsFuzz.swift and Sources/Interchange
# (MNISTData first, as its own instrumented module), then runs it on a working corpus in
# .build-fuzz/corpus-safetensors seeded from the committed Fuzz/corpus/safetensors. A crash leaves
# its input in .build-fuzz/artifacts/ and makes this script exit non-zero: add that input as a
# regression test (Tests/InterchangeTests) and to Fuzz/corpus/safetensors once fixed.
set -euo pipefail

seconds="${1:-60}"
shift || true
source "$(dirname "$0")/lib/fuzz-common.sh"  # root, out, fuzz_flags, build_mnistdata_module, run_fuzzer
mods="$out/safetensors-modules"

echo "building the safetensors fuzzer..." >&2
build_mnistdata_module "$mods"
swiftc "${fuzz_flags[@]}" -module-name SafetensorsFuzz -I "$mods" -I "$root/Sources/CZlib" \
    $(find "$root/Sources/Interchange" -name '*.swift' | sort) "$root/Fuzz/SafetensorsFuzz.swift" \
    "$mods/libMNISTData.a" -lz -o "$out/safetensors-fuzz"

run_fuzzer safetensors 4096 "$seconds" "$@"
