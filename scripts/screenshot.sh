#!/usr/bin/env bash
# Regenerates docs/dashboard.png, the screenshot the README shows: runs the demo (which ends by
# writing the static report of its repository: backups, a passing and a failing restore drill)
# and screenshots that report in headless Chromium.
# Usage: scripts/screenshot.sh [OUT.png]   (default docs/dashboard.png)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/dashboard.png}"
work="$(mktemp -d "${TMPDIR:-/tmp}/kubekeeper-shot.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# The demo's output goes to a log, shown only when it fails.
if ! KUBEKEEPER_REPORT="$work/report.html" bash scripts/demo.sh >"$work/demo.log" 2>&1; then
  echo "screenshot: the demo failed; its output:" >&2
  cat "$work/demo.log" >&2
  exit 1
fi
node scripts/screenshot.mjs "$work/report.html" "$out"
