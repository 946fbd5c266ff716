#!/usr/bin/env bash
# Screenshots a drill report (report.html) with headless Chromium, offline.
# Usage: scripts/screenshot-report.sh [report.html] [out.png]
#   defaults: drill-out/report.html -> drill-out/report.png
# Needs Debian's chromium: apt-get update && apt-get install -y chromium
set -euo pipefail
report="${1:-drill-out/report.html}"
out="${2:-${report%.html}.png}"
if [ ! -f "$report" ]; then
  echo "no report at $report: run \`npm run drill\` first (or pass the path of a report.html)" >&2
  exit 2
fi
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "chromium is missing: install it with: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# No network: the report is self-contained; background networking and updates are off.
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --no-first-run --user-data-dir="$profile" \
  --hide-scrollbars --window-size=1400,1000 --screenshot="$(realpath -m "$out")" \
  "file://$(realpath "$report")" >/dev/null 2>&1
if [ ! -s "$out" ]; then
  echo "chromium wrote no screenshot to $out" >&2
  exit 1
fi
echo "$out"
