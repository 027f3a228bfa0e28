# Sourced by scripts/fuzz-*.sh: where the fuzz builds live, and how a built fuzzer is run.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/.build-fuzz"
mkdir -p "$out/artifacts"

# Flags every fuzz build uses (libFuzzer + AddressSanitizer, optimised, with debug info).
fuzz_flags=(-sanitize=fuzzer,address -parse-as-library -O -g -package-name mnist_tui)

# build_mnistdata_module DIR
# Builds Sources/MNISTData as its own instrumented module in DIR (MNISTData.swiftmodule and
# libMNISTData.a), for harnesses whose code imports it: pass -I DIR and DIR/libMNISTData.a -lz.
build_mnistdata_module() {
    local dir=$1
    mkdir -p "$dir"
    swiftc "${fuzz_flags[@]}" -module-name MNISTData -I "$root/Sources/CZlib" \
        -emit-module -emit-module-path "$dir/MNISTData.swiftmodule" \
        -emit-library -static -o "$dir/libMNISTData.a" \
        "$root"/Sources/MNISTData/*.swift
}

# run_fuzzer NAME MAX_LEN SECONDS [extra libFuzzer flags...]
# Runs $out/NAME-fuzz for SECONDS with Fuzz/NAME.dict. New inputs go to the working corpus
# $out/corpus-NAME; the committed seeds in Fuzz/corpus/NAME are only read. A crash leaves its input
# in $out/artifacts/ and makes the fuzzer (so the calling script) exit non-zero.
run_fuzzer() {
    local name=$1 max_len=$2 seconds=$3
    shift 3
    mkdir -p "$out/corpus-$name"
    echo "fuzzing for $seconds s..." >&2
    "$out/$name-fuzz" \
        -max_total_time="$seconds" \
        -max_len="$max_len" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -dict="$root/Fuzz/$name.dict" \
        -artifact_prefix="$out/artifacts/" \
        -print_final_stats=1 \
        "$@" \
        "$out/corpus-$name" "$root/Fuzz/corpus/$name"
}
