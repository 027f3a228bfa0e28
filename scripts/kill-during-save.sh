#!/usr/bin/env bash
# kill -9 during checkpoint saves, at random moments, and check that the checkpoint left behind is
# always whole (issue 4: writing is atomic, a crash leaves the previous checkpoint intact).
#
#   scripts/kill-during-save.sh [RUNS] [BINARY]      (default 50 runs, .build/release/mnist-tui)
#
# Each run starts a headless training that saves after every epoch (a tiny --train-limit and one
# hidden layer of 128: ~15 epochs and saves of 0.8 MB a second, so a kill often lands in or near a
# write; the fsync is a fixed cost, so a small network spends a larger share of its time saving),
# kills it with SIGKILL after a random 0.6-3 s (the first save follows the data loading and the first
# epoch; later ones rename over the previous checkpoint), then:
#   - counts the run as "killed during a write" if a temporary .NAME.tmp-XXXXXX file was left;
#   - if the checkpoint exists, it must load: --inspect-checkpoint reads and validates all of it, and
#     every 10th run also resumes it for one more epoch (--resume F --epochs DONE+1).
# Prints the figures; exits non-zero if any checkpoint was unreadable.
set -uo pipefail

runs="${1:-50}"
root="$(cd "$(dirname "$0")/.." && pwd)"
binary="${2:-$root/.build/release/mnist-tui}"
[ -x "$binary" ] || { echo "no binary at $binary: run swift build -c release first" >&2; exit 2; }
work="$(mktemp -d /tmp/mnist-tui-kill-XXXXXX)"
trap 'rm -rf "$work"' EXIT
ckpt="$work/run.ckpt"

killed_in_write=0 existed=0 missing=0 unreadable=0 resumed=0 resume_failures=0
for i in $(seq 1 "$runs"); do
    rm -f "$ckpt"
    "$binary" --headless --train-limit 300 --epochs 100000 --threads 1 --hidden 128 \
        --save "$ckpt" --checkpoint-every 1 >/dev/null 2>"$work/stderr" &
    pid=$!
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.3f", 0.6 + rand() * 2.4 }')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    temps=$(find "$work" -maxdepth 1 -name '.run.ckpt.tmp-*' | wc -l)
    if [ "$temps" -gt 0 ]; then killed_in_write=$((killed_in_write + 1)); fi
    rm -f "$work"/.run.ckpt.tmp-*
    if [ -e "$ckpt" ]; then
        existed=$((existed + 1))
        if ! info="$("$binary" --inspect-checkpoint "$ckpt" 2>&1)"; then
            unreadable=$((unreadable + 1))
            echo "run $i: UNREADABLE: $info" >&2
            cp "$ckpt" "$root/unreadable-checkpoint-$i" 2>/dev/null
        elif [ $((i % 10)) -eq 0 ]; then
            done_epochs=$(sed -n 's/^position: \([0-9]*\) epochs\{0,1\} done.*/\1/p' <<<"$info")
            resumed=$((resumed + 1))
            if ! "$binary" --headless --resume "$ckpt" --epochs $((done_epochs + 1)) >/dev/null 2>"$work/resume.err"; then
                resume_failures=$((resume_failures + 1))
                echo "run $i: resume failed: $(cat "$work/resume.err")" >&2
            fi
        fi
    else
        missing=$((missing + 1))
    fi
    echo "run $i: temp files left by the kill: $temps; checkpoint: $([ -e "$ckpt" ] && sed -n 's/^position: //p' <<<"$info" || echo none yet)"
done
echo "runs: $runs, killed during a write: $killed_in_write, checkpoint present: $existed (none yet: $missing), unreadable: $unreadable, resumed: $resumed (failed: $resume_failures)"
[ "$unreadable" -eq 0 ] && [ "$resume_failures" -eq 0 ]
