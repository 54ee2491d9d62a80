#!/usr/bin/env bash
# Point-in-time recovery benchmark (issue 20, "Replay"): end to end, through the CLI.
# Set-up (kept in .bench/pitr/e2e and reused while the inputs are the same): the snapshot file
# KK_BENCH_SNAPSHOT stored as a full backup in a local repository by kubekeeper's own save path
# (bench/pitr-backup.ts: zstd, age), then KK_BENCH_EVENTS delta events after its last revision
# written as the streamer writes them (bench/pitr-deltas.ts: segments of 100k events, zstd, age,
# signed manifests, chained to the backup). Then, in the same run, alternating, N runs each:
#   full: kubekeeper snapshot restore --from-backup bench-full --repo R -i KEY --data-dir D
#   pitr: the same plus --to-revision <last delta revision>
# each under GNU time (wall, user+sys CPU, peak RSS). Prints every run and a summary: median
# and best of each, the ratios pitr/full (the issue's target: <= 2x) and the MB/s of delta
# content replayed = delta bytes / (pitr - full) (target: >= 40 MB/s), plus the load average.
# The machine may be shared: CPU seconds are the honest comparison, wall on a quiet moment.
#
# Usage: bench/pitr.sh [runs=3]
#   KK_BENCH_SNAPSHOT=FILE    snapshot with trailer (default .bench/foundation-3.6.17/snapshot.db, bench/foundation.sh)
#   KK_BENCH_EVENTS=1000000   delta events
#   KK_BENCH_VALUE_BYTES=200  value size of each put
#   KK_BUILD_DIR=.build/me    use that build (default: build into dist/)
#   KK_BIN=build/kubekeeper   time that kubekeeper's restores (the single executable, or "node build/bundle/kubekeeper.cjs")
#   KK_BENCH_READ=1           also time the in-process read of the deltas alone (bench/pitr-deltas.ts)
#   KK_BENCH_DB=FILE          also time the restore of FILE alone vs with in-memory records (bench/pitr-restore.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
BUILD_DIR="${KK_BUILD_DIR:-dist}"
SNAPSHOT="${KK_BENCH_SNAPSHOT:-.bench/foundation-3.6.17/snapshot.db}"
EVENTS="${KK_BENCH_EVENTS:-1000000}"
VALUE_BYTES="${KK_BENCH_VALUE_BYTES:-200}"
if [ -z "${KK_BUILD_DIR:-}" ]; then npx tsc -p tsconfig.json; fi
[ -x /usr/bin/time ] || bash scripts/setup.sh time >/dev/null
[ -f "$SNAPSHOT" ] || { echo "no snapshot $SNAPSHOT (make one with bench/foundation.sh or set KK_BENCH_SNAPSHOT)" >&2; exit 2; }
DIR=.bench/pitr/e2e
REPO=$DIR/repo
KEY=$DIR/key.txt
STAMP="$(realpath "$SNAPSHOT") $(stat -c '%s %Y' "$(realpath "$SNAPSHOT")") $EVENTS $VALUE_BYTES"
if [ "$(cat "$DIR/stamp" 2>/dev/null)" != "$STAMP" ]; then
  echo "== set-up: full backup of $SNAPSHOT and $EVENTS delta events in $REPO"
  rm -rf "$DIR"; mkdir -p "$DIR"; chmod 700 "$DIR"
  age-keygen -o "$KEY" 2>/dev/null
  node "$BUILD_DIR/bench/pitr-backup.js" --snapshot "$SNAPSHOT" --repo "$REPO" --key-file "$KEY" --name bench-full | tee "$DIR/backup.json"
  REV=$(sed 's/.*"revision":\([0-9]*\).*/\1/' "$DIR/backup.json")
  node "$BUILD_DIR/bench/pitr-deltas.js" --repo "$REPO" --key-file "$KEY" --skip-read --after "$REV" --events "$EVENTS" \
    --value-bytes "$VALUE_BYTES" --segment-events 100000 | tee "$DIR/deltas.json"
  echo "$STAMP" >"$DIR/stamp"
fi
LAST=$(sed 's/.*"lastRevision":\([0-9]*\).*/\1/' "$DIR/deltas.json")
DELTA_BYTES=$(sed 's/.*"deltaContentBytes":\([0-9]*\).*/\1/' "$DIR/deltas.json")
echo "== backup $(du -sm "$REPO/data" 2>/dev/null | cut -f1 || echo '?') MiB stored, deltas $((DELTA_BYTES / 1000000)) MB of content to revision $LAST; node $(node --version); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

RESULTS=$DIR/results.txt
: >"$RESULTS"
# measure NAME [EXTRA FLAGS...]: one timed CLI restore; appends "NAME wall-s peak-KiB cpu-s load" to $RESULTS.
measure() {
  local name=$1 data=$DIR/restored secs kib user sys; shift
  rm -rf "$data"
  if ! /usr/bin/time -o "$DIR/time" -f '%e %M %U %S' ${KK_BIN:-node "$BUILD_DIR/src/cli/main.js"} snapshot restore --from-backup bench-full --repo "$REPO" -i "$KEY" \
    --data-dir "$data" --name bench --initial-cluster bench=http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 -w json "$@" >"$DIR/stdout" 2>"$DIR/stderr"; then
    echo "$name failed:" >&2; cat "$DIR/stderr" >&2; exit 1
  fi
  if [ "$name" = pitr ] && ! grep -q "\"toRevision\":$LAST" "$DIR/stdout"; then echo "pitr did not reach revision $LAST:" >&2; cat "$DIR/stdout" >&2; exit 1; fi
  rm -rf "$data"
  read -r secs kib user sys <"$DIR/time"
  local line; line="$name $secs $kib $(echo "$user + $sys" | bc) $(cut -d' ' -f1 /proc/loadavg)"
  echo "$line" | tee -a "$RESULTS"
}
echo "== runs: name wall-s peak-KiB cpu-s load1"
for i in $(seq "$RUNS"); do
  if [ $((i % 2)) -eq 1 ]; then measure full; measure pitr --to-revision "$LAST"
  else measure pitr --to-revision "$LAST"; measure full; fi
done
node -e '
const [file, bytes, events] = process.argv.slice(1);
const rows = require("fs").readFileSync(file, "utf8").trim().split("\n").map((l) => l.split(" "));
const of = (n, i) => rows.filter((r) => r[0] === n).map((r) => Number(r[i])).sort((a, b) => a - b);
const med = (a) => a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
const s = {};
for (const n of ["full", "pitr"]) s[n] = { wallMedian: med(of(n, 1)), wallBest: of(n, 1)[0], cpuMedian: +med(of(n, 3)).toFixed(2), cpuBest: of(n, 3)[0], peakRssMB: Math.round(Math.max(...of(n, 2)) / 1024) };
const mbps = (d) => +(Number(bytes) / 1e6 / d).toFixed(1);
console.log(JSON.stringify({ runs: of("full", 1).length, events: Number(events), deltaMB: +(Number(bytes) / 1e6).toFixed(1), ...s,
  wallRatioMedian: +(s.pitr.wallMedian / s.full.wallMedian).toFixed(2), wallRatioBest: +(s.pitr.wallBest / s.full.wallBest).toFixed(2),
  cpuRatioMedian: +(s.pitr.cpuMedian / s.full.cpuMedian).toFixed(2), cpuRatioBest: +(s.pitr.cpuBest / s.full.cpuBest).toFixed(2),
  deltaMBpsWall: mbps(s.pitr.wallBest - s.full.wallBest), deltaMBpsCpu: mbps(s.pitr.cpuBest - s.full.cpuBest),
  loadAverage: rows.map((r) => Number(r[4])) }));
' "$RESULTS" "$DELTA_BYTES" "$EVENTS"

if [ -n "${KK_BENCH_READ:-}" ]; then
  node "$BUILD_DIR/bench/pitr-deltas.js" --repo .bench/pitr/repo --events "$EVENTS" --value-bytes "$VALUE_BYTES" --segment-events 100000
  rm -rf .bench/pitr/repo
fi
if [ -n "${KK_BENCH_DB:-}" ]; then
  node "$BUILD_DIR/bench/pitr-restore.js" --snapshot "$KK_BENCH_DB" --events "$EVENTS" --value-bytes "$VALUE_BYTES" --dir .bench/pitr
fi
