#!/usr/bin/env bash
# What comparing costs (issue 9, acceptance 3): the wall-clock time of one headless run against
# the same run with `--vs '--init default'` (two runs trained together on one thread), measured
# alternately in one invocation so both see the same machine; prints the medians and their ratio
# (the goal: two runs at most 2.1x one), and the peak RSS of four runs together (goal <= 250 MB).
#
#   scripts/compare-cost.sh [--epochs N] [--repeats N] [--binary PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=3 repeats=3 bin=.build/release/mnist-tui
while [[ $# -gt 0 ]]; do
    case $1 in
        --epochs) epochs=$2; shift 2 ;;
        --repeats) repeats=$2; shift 2 ;;
        --binary) bin=$2; shift 2 ;;
        *) echo "compare-cost: unknown option $1 (see the comment at the top of $0)" >&2; exit 64 ;;
    esac
done
[[ -x $bin ]] || { echo "compare-cost: no binary at $bin (swift build -c release)" >&2; exit 2; }
# Milliseconds a command takes.
millis() { local start end; start=$(date +%s%N); "$@" > /dev/null; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
one=() two=()
for _ in $(seq "$repeats"); do
    one+=("$(millis "$bin" --headless --epochs "$epochs")")
    two+=("$(millis "$bin" --headless --epochs "$epochs" --vs '--init default')")
done
rss=$( { /usr/bin/time -f %M "$bin" --headless --epochs 1 --vs '--init default' --vs '--init xavier' \
         --vs '--init he' > /dev/null; } 2>&1 | tail -1)
python3 - "$epochs" "$rss" "${one[*]}" "${two[*]}" <<'PY'
import statistics as st, sys
epochs, rss = sys.argv[1], int(sys.argv[2])
one, two = [[float(x) / 1000 for x in a.split()] for a in sys.argv[3:5]]
print(f"{epochs} epochs, wall clock incl. loading: one run {' '.join(f'{x:.2f}' for x in one)} s; "
      f"two runs {' '.join(f'{x:.2f}' for x in two)} s")
print(f"median: one {st.median(one):.2f} s, two {st.median(two):.2f} s, two / one {st.median(two) / st.median(one):.2f}x (goal <= 2.1)")
print(f"peak RSS of four runs (--vs x3, 1 epoch): {rss / 1024:.0f} MB (goal <= 250)")
PY
