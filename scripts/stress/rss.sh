#!/usr/bin/env bash
# Memory stays flat over a long run (issue 4, "Long runs and stress"): runs headless on the full
# MNIST with --metrics, samples the peak RSS (VmHWM in /proc/PID/status) when the metrics show
# epoch 5 and epoch 50 done, and fails if they differ by more than 5%. Then the peak RSS of a
# default 20-epoch headless run, which must stay under 200 MB.
#
# Usage: scripts/stress/rss.sh [BINARY]   (default .build/release/mnist-tui, else .build/debug)
# Bounded: each run is killed after $RSS_TIMEOUT seconds (default 1800).
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-}
if [[ -z $binary ]]; then
    binary=.build/release/mnist-tui
    [[ -x $binary ]] || binary=.build/debug/mnist-tui
fi
[[ -x $binary ]] || { echo "rss.sh: no binary at $binary (swift build -c release)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "rss.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
timeout=${RSS_TIMEOUT:-1800}
long_epochs=${RSS_EPOCHS:-50}
work=$(mktemp -d)
pid=
cleanup() { [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
# The metrics file grows while the run trains (each epoch line is written at once).
epochs_done() { grep -c '"type":"epoch"' "$work/metrics.jsonl" 2>/dev/null || true; }

echo "binary: $binary"
echo "== long run: $long_epochs epochs, full MNIST, headless, --metrics"
# Under /usr/bin/time: its "Maximum resident set size" is VmHWM at the end, after the last epoch.
/usr/bin/time -v "$binary" --headless --epochs "$long_epochs" --seed 1 --metrics "$work/metrics.jsonl" \
    >"$work/out.txt" 2>"$work/long-time.txt" &
timer=$!
pid=
start=$SECONDS
at5=
while kill -0 "$timer" 2>/dev/null; do
    [[ -n $pid ]] || pid=$(awk '{ print $1 }' "/proc/$timer/task/$timer/children" 2>/dev/null || true)
    if [[ -n $pid && -z $at5 && $(epochs_done) -ge 5 ]]; then
        at5=$(hwm_kb "$pid"); echo "epoch 5 done: VmHWM ${at5} kB ($((SECONDS - start)) s)"
    fi
    if (( SECONDS - start > timeout )); then echo "rss.sh: timed out after $timeout s at epoch $(epochs_done)" >&2; exit 1; fi
    sleep 0.2
done
wait "$timer" || { echo "rss.sh: the long run failed" >&2; cat "$work/out.txt" "$work/long-time.txt" >&2; exit 1; }
pid=
[[ -n $at5 ]] || { echo "rss.sh: epoch 5 was never sampled" >&2; exit 1; }
[[ $(epochs_done) -ge $long_epochs ]] || { echo "rss.sh: only $(epochs_done) epochs ran" >&2; exit 1; }
at_end=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/long-time.txt")
echo "epoch $long_epochs done (end of run): peak RSS ${at_end} kB ($((SECONDS - start)) s)"
growth=$(awk -v a="$at5" -v b="$at_end" 'BEGIN { printf "%.2f", (b - a) * 100 / a }')
echo "growth epoch 5 -> $long_epochs: ${growth}%"
flat=$(awk -v g="$growth" 'BEGIN { print (g <= 5 && g >= -5) ? 1 : 0 }')

echo "== default run: 20 epochs, headless"
/usr/bin/time -v "$binary" --headless >"$work/default.txt" 2>"$work/time.txt"
peak=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
echo "default 20-epoch run: peak RSS ${peak} kB ($((peak / 1024)) MB); $(tail -1 "$work/default.txt")"

status=0
if [[ $flat != 1 ]]; then echo "FAIL: peak RSS grew ${growth}% between epoch 5 and $long_epochs (limit 5%)"; status=1; fi
if (( peak > 200 * 1024 )); then echo "FAIL: default run peak RSS ${peak} kB > 200 MB"; status=1; fi
[[ $status == 0 ]] && echo "OK"
exit $status
