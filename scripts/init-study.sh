#!/usr/bin/env bash
# The init question of issue 9, answered by measurement: test accuracy per epoch for
# --init normal|default|xavier|he over seeds, on the tutorial's 784-512-256-10 and on a deep net
# (six hidden layers of 256), with the layer-health figures that explain the outcome (each layer's
# activation std for the initial network, step 0, and at the end of epoch 1). One invocation per
# net and seed trains the four inits together (`--init normal --vs '--init default' --vs ...`), so
# they see the same batches in the same order; the figures come from its --metrics file.
# Prints markdown tables (mean over seeds, and the spread) ready for the README.
#
#   scripts/init-study.sh [--seeds FIRST-LAST] [--epochs N] [--train-limit N] [--threads N]
#                         [--out DIR] [--binary PATH]
#
# Defaults: seeds 1-5, 8 epochs, the whole training set, the machine's threads: 2 x 5 invocations
# of 4 runs, about 10 minutes on 2 quiet cores. --out keeps the metrics files (runs already complete
# there are not run again).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=1-5 epochs=8 limit="" threads="" out="" bin=.build/release/mnist-tui
while [[ $# -gt 0 ]]; do
    case $1 in
        --seeds) seeds=$2; shift 2 ;;
        --epochs) epochs=$2; shift 2 ;;
        --train-limit) limit=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --binary) bin=$2; shift 2 ;;
        *) echo "init-study: unknown option $1 (see the comment at the top of $0)" >&2; exit 64 ;;
    esac
done
[[ $seeds =~ ^([0-9]+)-([0-9]+)$ ]] || { echo "init-study: --seeds wants FIRST-LAST, got '$seeds'" >&2; exit 64; }
first=${BASH_REMATCH[1]} last=${BASH_REMATCH[2]}
[[ -x $bin ]] || { echo "init-study: no binary at $bin (swift build -c release, or --binary PATH)" >&2; exit 1; }
if [[ -z $out ]]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
mkdir -p "$out"

extra=()
[[ -n $limit ]] && extra+=(--train-limit "$limit")
[[ -n $threads ]] && extra+=(--threads "$threads")
nets=("tutorial:512,256" "deep:256,256,256,256,256,256")
for net in "${nets[@]}"; do
    name=${net%%:*} hidden=${net#*:}
    for seed in $(seq "$first" "$last"); do
        file=$out/$name-seed$seed.jsonl
        if [[ -f $file ]] && [[ $(grep -c '"type":"end"' "$file") == 4 ]]; then
            continue
        fi
        echo "init-study: $name net, seed $seed ($epochs epochs)..." >&2
        "$bin" --headless --epochs "$epochs" --hidden "$hidden" --seed "$seed" "${extra[@]}" --init normal \
            --vs '--init default' --vs '--init xavier' --vs '--init he' --metrics "$file" --overwrite >/dev/null
    done
done

python3 - "$out" "$first" "$last" "$epochs" <<'PY'
import json, statistics, sys
out, first, last, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
seeds = range(first, last + 1)
inits = {1: "normal", 2: "default", 3: "xavier", 4: "he"}
nets = [("tutorial", "784-512-256-10"), ("deep", "784-256x6-10")]

def read(path):
    runs = {}
    for line in open(path):
        o = json.loads(line)
        r = runs.setdefault(o["run"], {"acc": {}, "std0": None, "std1": None})
        if o["type"] == "epoch":
            r["acc"][o["epoch"]] = o["test_accuracy"] * 100
            if o["epoch"] == 1 and "layers" in o:
                r["std1"] = [l["act_std"] for l in o["layers"]]
        elif o["type"] == "layers" and o["step"] == 0:
            r["std0"] = [l["act_std"] for l in o["layers"]]
    return runs

def mean_spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"

def fmt_std(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    m = statistics.mean(values)
    return f"{m:.3g}"

n = len(seeds)
for net, shape in nets:
    data = {s: read(f"{out}/{net}-seed{s}.jsonl") for s in seeds}
    print(f"\n#### {shape}: test accuracy (%) per epoch, mean ± sd over {n} seed{'s' if n > 1 else ''} ({first}-{last})\n")
    print("| init | " + " | ".join(f"epoch {e}" for e in range(1, epochs + 1)) + " |")
    print("|---|" + "---|" * epochs)
    for run, init in inits.items():
        cells = [mean_spread([data[s][run]["acc"].get(e) for s in seeds]) for e in range(1, epochs + 1)]
        print(f"| {init} | " + " | ".join(cells) + " |")
    layers = max(len(data[s][1]["std0"] or []) for s in seeds)
    for key, when in [("std0", "the initial network (step 0, first batch)"), ("std1", "the end of epoch 1")]:
        print(f"\n#### {shape}: activation std per layer at {when}, mean over seeds\n")
        print("| init | " + " | ".join(f"layer {l + 1}" for l in range(layers)) + " |")
        print("|---|" + "---|" * layers)
        for run, init in inits.items():
            cells = [fmt_std([(data[s][run][key] or [None] * layers)[l] for s in seeds]) for l in range(layers)]
            print(f"| {init} | " + " | ".join(cells) + " |")
PY
echo
echo "Reproduce: scripts/init-study.sh --seeds $seeds --epochs $epochs${limit:+ --train-limit $limit}${threads:+ --threads $threads}"
