#!/usr/bin/env bash
# A storm of random keys sent to the dashboard while it trains (issue 4, "Long runs and stress"):
# the whole key vocabulary but q (arrows, Enter, Esc, Tab, BSpace, Home/End, PgUp/PgDn, + - = _ p
# m L ? s c h l, space, letters, digits), in bursts, in tmux at 120x40. Afterwards the program must
# still be alive, come back to the plain dashboard on Esc, answer ? and p, quit with status 0 on q,
# and leave the terminal in line mode with echo and off the alternate screen.
#
# Usage: scripts/stress/random-keys.sh [KEYS] [SEED] [BINARY]   (defaults 1000, 1, .build/debug/mnist-tui)
# Bounded: about 10 s for 1000 keys; fails after 120 s at most. Exit 0 = pass.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1000}
seed=${2:-1}
binary=$(realpath "${3:-.build/debug/mnist-tui}")
[[ -x $binary ]] || { echo "random-keys.sh: no binary at $binary" >&2; exit 2; }
server="mnist-tui-keys-$$"
tmux() { command tmux -L "$server" "$@"; }
# The program runs in a folder of its own: `s` saves mnist-tui.ckpt in the working directory.
work=$(mktemp -d)
trap 'tmux kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

# On failure the screen is printed; RANDOM_KEYS_HOLD=SECONDS keeps the session that long to inspect.
fail() {
    echo "FAIL: $*"; tmux capture-pane -t k -p | sed 's/^/  | /'
    sleep 2; echo "2 s later:"; tmux capture-pane -t k -p | head -2 | sed 's/^/  | /'
    sleep "${RANDOM_KEYS_HOLD:-0}"; exit 1
}
# wait_for REGEX SECONDS: polls the screen until it matches.
wait_for() {
    local deadline=$((SECONDS + $2))
    while (( SECONDS < deadline )); do
        tmux capture-pane -t k -p | grep -qE "$1" && return 0
        sleep 0.1
    done
    return 1
}

script="trap : INT; LANG=C.UTF-8 LC_ALL=C.UTF-8 '$binary' --train-limit 2000 --epochs 1000 --seed $seed; \
echo \"mnist-tui exit status \$?\"; echo \"tty: \$(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' ')\"; sleep 300"
tmux -f /dev/null new-session -d -s k -x 120 -y 40 -c "$work" sh -c "$script"
wait_for 'RUNNING.*batch [0-9]+/' 60 || fail "the dashboard did not come up"
wait_for 'epoch ([2-9]|[1-9][0-9]+)/' 60 || fail "no first evaluation"

keys=(Up Down Left Right Enter Escape Tab BSpace Home End PPage NPage Space
      + - = _ p m L '?' s c h l ' '
      a b d e f g i j k n o r t u v w x y z A B C D E F G H I J K M N O P R S T U V W X Y Z 0 1 2 3 4 5 6 7 8 9)
RANDOM=$seed
start=$SECONDS
sent=0
while (( sent < count )); do
    burst=()
    for _ in $(seq 1 50); do
        (( sent < count )) || break
        burst+=("${keys[RANDOM % ${#keys[@]}]}")
        sent=$((sent + 1))
    done
    tmux send-keys -t k -- "${burst[@]}"
    sleep 0.02
done
storm=$((SECONDS - start))
pid=$(cat "/proc/$(tmux display-message -p -t k '#{pane_pid}')/task/"*/children 2>/dev/null | awk '{print $1}')
[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || fail "the program died during the storm"
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")

# Back to the plain view: any key closes the help; Escape closes the browser and the focus.
# (The plain keys line is the only one with "m misclassified"; waited for, since on a loaded
# machine the debug build may still be working through the storm.)
for _ in 1 2 3; do tmux send-keys -t k Escape; sleep 0.1; done
wait_for 'm misclassified' 10 || fail "no plain dashboard after Escape (browser or focus still open)"
tmux send-keys -t k '?'
wait_for '┌ Keys' 5 || fail "? does not open the help"
tmux send-keys -t k Escape
sleep 0.3
tmux capture-pane -t k -p | grep -q '┌ Keys' && fail "Escape does not close the help"
# p answers: running -> PAUSED, or paused/diverged -> RUNNING (or DIVERGED again at a wild lr).
if tmux capture-pane -t k -p | grep -q 'RUNNING'; then
    tmux send-keys -t k p; wait_for 'PAUSED' 5 || fail "p does not pause after the storm"
else
    tmux send-keys -t k p; wait_for 'RUNNING|DIVERGED' 5 || fail "p does not resume after the storm"
fi
state=$(tmux capture-pane -t k -p | head -2 | tr -s ' ')
tmux send-keys -t k q
wait_for 'tty:' 10 || fail "q did not end the program"
screen=$(tmux capture-pane -t k -p)
grep -q 'mnist-tui exit status 0' <<<"$screen" || fail "exit status not 0"
grep -q 'tty: icanon echo' <<<"$screen" || fail "terminal left raw"
[[ $(tmux display-message -p -t k '#{alternate_on}') == 0 ]] || fail "alternate screen left on"
echo "random keys: $count keys (seed $seed) in ${storm} s; RSS after the storm ${rss} kB"
echo "state after: $state"
echo "OK: alive, Esc/?/p answer, q exits 0, terminal restored"
