#!/usr/bin/env bash
# What the dashboard costs in training speed (issue 3, acceptance 4): alternates headless runs and
# dashboard runs (in tmux at 120x40), same seed, N epochs each, both with --metrics, and compares the
# median train_seconds. Alternating runs keep a shared, noisy machine fair to both.
#
#   scripts/dashboard-overhead.sh [PAIRS=3] [EPOCHS=3] [BINARY=.build/release/mnist-tui] [KEYS] [OPTIONS]
#
# KEYS are typed into the dashboard a second after it starts (e.g. 'f' keeps the forward-pass view
# open, 'w' the Layers panel: what the views cost, issue 10); OPTIONS go to both runs (e.g.
# "--vs '--init default'": the dashboard's cost when comparing, issue 9). Exits 1 above 5%.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3}
epochs=${2:-3}
bin=$(realpath "${3:-.build/release/mnist-tui}")
keys=${4:-}
options=${5:-}
[[ -x $bin ]] || { echo "dashboard-overhead: no binary at $bin (swift build -c release)" >&2; exit 2; }
command -v tmux >/dev/null || { echo "dashboard-overhead: needs tmux" >&2; exit 2; }
work=$(mktemp -d)
server="overhead-$$"
trap 'tmux -L "$server" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

for i in $(seq 1 "$pairs"); do
    eval "'$bin' --headless --epochs $epochs --seed 0 --metrics '$work/h$i.jsonl' $options" > /dev/null
    tmux -L "$server" -f /dev/null new-session -d -s S -x 120 -y 40 -c "$work" \
        "LANG=C.UTF-8 '$bin' --epochs $epochs --seed 0 --metrics '$work/d$i.jsonl' $options"
    if [[ -n $keys ]]; then
        sleep 1
        for (( k = 0; k < ${#keys}; k++ )); do tmux -L "$server" send-keys -t S "${keys:k:1}"; sleep 0.2; done
    fi
    for _ in $(seq 1 3000); do
        tmux -L "$server" capture-pane -t S -p 2>/dev/null | grep -q "DONE" && break
        sleep 0.2
    done
    tmux -L "$server" send-keys -t S q
    for _ in $(seq 1 50); do [[ -f $work/d$i.jsonl ]] && break; sleep 0.1; done
    tmux -L "$server" kill-server 2>/dev/null || true
done

python3 - "$work" "$pairs" <<'PY'
import json, statistics as st, sys
work, pairs = sys.argv[1], int(sys.argv[2])
def median_epoch(path):
    rows = [json.loads(line) for line in open(path)]
    return st.median(r["train_seconds"] for r in rows if r["type"] == "epoch")
h = [median_epoch(f"{work}/h{i}.jsonl") for i in range(1, pairs + 1)]
d = [median_epoch(f"{work}/d{i}.jsonl") for i in range(1, pairs + 1)]
print("headless  median train_seconds per run:", " ".join(f"{x:.3f}" for x in h))
print("dashboard median train_seconds per run:", " ".join(f"{x:.3f}" for x in d))
ratio = st.median(d) / st.median(h)
print(f"median: headless {st.median(h):.3f} s, dashboard {st.median(d):.3f} s, dashboard/headless {ratio:.3f}")
sys.exit(0 if ratio <= 1.05 else 1)
PY
