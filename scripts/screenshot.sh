#!/usr/bin/env bash
# Regenerates docs/dashboard.png, the screenshot the README shows: runs the demo (which ends by
# writing the static report of its repository: backups, a passing and a failing restore drill)
# and screenshots that report in headless Chromium.
# Usage: scripts/screenshot.sh [OUT.png]   (default docs/dashboard.png)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/dashboard.png}"
report="$(mktemp -d "${TMPDIR:-/tmp}/kubekeeper-shot.XXXXXX")/report.html"
KUBEKEEPER_REPORT="$report" bash scripts/demo.sh >/dev/null
node scripts/screenshot.mjs "$report" "$out"
rm -rf "$(dirname "$report")"
