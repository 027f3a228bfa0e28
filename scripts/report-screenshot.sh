#!/usr/bin/env bash
# Renders a `mnist-tui report` in headless Chromium and saves a screenshot to look at (not run in CI:
# CI checks the page's structure; this checks that it looks right in a real browser).
#   scripts/report-screenshot.sh [METRICS.jsonl] [OUT.png]
# Without a metrics file it trains a short run first. Needs chromium (apt-get install -y chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
metrics=${1:-}
shot=${2:-/tmp/mnist-tui-report.png}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build >/dev/null
binary=.build/debug/mnist-tui
if [ -z "$metrics" ]; then
  metrics="$work/run.jsonl"
  "$binary" --headless --train-limit 6000 --epochs 5 --threads 1 --metrics "$metrics" >/dev/null
fi
"$binary" report "$metrics" -o "$work/report.html"
size=$(stat -c %s "$work/report.html")
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "no chromium: apt-get install -y chromium" >&2; exit 1; }
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$shot" \
  --window-size=1200,2600 "file://$work/report.html" 2>/dev/null
echo "report: $size bytes; screenshot: $shot"
