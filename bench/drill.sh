#!/usr/bin/env bash
# Restore drill benchmark (issue 5): `kubekeeper drill` on a ~1 GiB backup next to its parts
# measured alone: `kubekeeper snapshot restore` of the same snapshot and the start-up of etcd
# on the restored dir; then the idle RSS of `kubekeeper daemon`. Not a test: run by hand and
# copy the output into docs/benchmarks.md.
#
# The backup is made once from $KK_BENCH_DB (default .bench/restore-1024m.db, which
# bench/restore.sh makes): restored, served by a temporary etcd, saved with `backup save`
# (zstd + age, the defaults) into a local repository under .bench/drill, and downloaded once.
#
# Peak RSS of the drill includes its etcd child (time(1) reports the largest of the process
# tree): etcd maps the whole db, so it is about the snapshot size.
#
# Also printed: kubekeeper's own overhead, drill - (restore alone + that etcd's start-up alone),
# and two steadier views of it: the drill's time outside its own timed steps (Node start-up,
# module loading, repository and manifest, reaping, clean-up, the report), and the formula
# without the download step (which "restore alone" does not include).
# KK_BENCH_ETCD=3.6 runs the drill's etcd (and the start-up alone) with etcd 3.6 (bench/lib.sh).
#
# Usage: bench/drill.sh [runs=2]   (KK_BIN: an already built CLI, default builds dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS="${1:-2}"
DB="${KK_BENCH_DB:-.bench/restore-1024m.db}"
DIR=.bench/drill
[ -f "$DB" ] || { echo "No snapshot $DB: run bench/restore.sh first or set KK_BENCH_DB" >&2; exit 1; }
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
if [ -z "${KK_BIN:-}" ]; then npx tsc -p tsconfig.json; fi
KK="${KK_BIN:-node dist/src/cli/main.js}"

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
now() { date +%s.%N; }
# Starts etcd on data dir $1 with peer port $2 (more flags after); sets ETCD_PID and ENDPOINT.
start_etcd() {
  local cport; cport=$(free_port)
  ENDPOINT="http://127.0.0.1:$cport"
  etcd --name drill --data-dir "$1" --quota-backend-bytes $((8 * 1024 ** 3)) \
    --listen-client-urls "$ENDPOINT" --advertise-client-urls "$ENDPOINT" \
    --listen-peer-urls "http://127.0.0.1:$2" --initial-advertise-peer-urls "http://127.0.0.1:$2" \
    --initial-cluster "drill=http://127.0.0.1:$2" --log-level error --logger zap "${@:3}" >"$DIR/etcd.log" 2>&1 &
  ETCD_PID=$!; pids+=("$ETCD_PID")
  until curl -sf "$ENDPOINT/health" >/dev/null 2>&1; do sleep 0.05; done
}
stop_etcd() { kill "$ETCD_PID"; wait "$ETCD_PID" 2>/dev/null || true; }
restore_to() { # data dir, peer port
  $KK snapshot restore "$3" --data-dir "$1" --name drill --initial-cluster "drill=http://127.0.0.1:$2" \
    --initial-advertise-peer-urls "http://127.0.0.1:$2" >/dev/null
}

[ -f "$DIR/key.txt" ] || age-keygen -o "$DIR/key.txt" 2>/dev/null
if ! ls "$DIR/repo/manifest/"*.json >/dev/null 2>&1; then
  echo "making the backup from $DB ..."
  rm -rf "$DIR/seed"; PEER=$(free_port)
  restore_to "$DIR/seed" "$PEER" "$DB"
  start_etcd "$DIR/seed" "$PEER"
  $KK backup save --endpoints "$ENDPOINT" --repo "$DIR/repo" -r "$(age-keygen -y "$DIR/key.txt")" --name bench >/dev/null
  stop_etcd; rm -rf "$DIR/seed"
fi
[ -f "$DIR/snap.db" ] || $KK backup download latest --repo "$DIR/repo" -i "$DIR/key.txt" -o "$DIR/snap.db" >/dev/null

echo "snapshot: $(($(stat -c %s "$DIR/snap.db") / 1048576)) MiB; node $(node --version); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %-44s %8s %10s\n' run step wall-s 'peak RSS'
: >"$DIR/runs.log"
for run in $(seq 1 "$RUNS"); do
  rm -f "$DIR/dl.db"
  /usr/bin/time -o "$DIR/time" -f '%e %M' $KK backup download latest --repo "$DIR/repo" -i "$DIR/key.txt" -o "$DIR/dl.db" >/dev/null
  read -r wall rss <"$DIR/time"; printf '%-4s %-44s %8s %7s MB\n' "$run" 'kubekeeper backup download (alone)' "$wall" "$((rss / 1024))"
  rm -f "$DIR/dl.db"
  rm -rf "$DIR/r"; PEER=$(free_port)
  /usr/bin/time -o "$DIR/time" -f '%e %M' $KK snapshot restore "$DIR/snap.db" --data-dir "$DIR/r" --name drill \
    --initial-cluster "drill=http://127.0.0.1:$PEER" --initial-advertise-peer-urls "http://127.0.0.1:$PEER" >/dev/null
  read -r wall rss <"$DIR/time"; printf '%-4s %-44s %8s %7s MB\n' "$run" 'kubekeeper snapshot restore (alone)' "$wall" "$((rss / 1024))"
  echo "restore $wall $rss 0" >>"$DIR/runs.log"; restore_wall=$wall
  t0=$(now); start_etcd "$DIR/r" "$PEER"; t1=$(now); stop_etcd
  printf '%-4s %-44s %8.2f\n' "$run" 'etcd start-up until /health (alone)' "$(echo "$t1 - $t0" | bc)"
  # The drill's etcd runs with 10 ms raft ticks (drill-etcd.ts): the same start-up without
  # etcd's default wait of up to a second for its first election.
  t0=$(now); start_etcd "$DIR/r" "$PEER" --heartbeat-interval 10 --election-timeout 100; t1=$(now); stop_etcd
  startup=$(echo "$t1 - $t0" | bc)
  printf '%-4s %-44s %8.2f\n' "$run" 'etcd start-up, drill raft ticks (alone)' "$startup"
  rm -rf "$DIR/r" "$DIR/work"; mkdir -p "$DIR/work"
  /usr/bin/time -o "$DIR/time" -f '%e %M' $KK drill --repo "$DIR/repo" -i "$DIR/key.txt" --work-dir "$DIR/work" -w json >"$DIR/drill.json" || true
  read -r wall rss <"$DIR/time"; printf '%-4s %-44s %8s %7s MB\n' "$run" 'kubekeeper drill (download+restore+etcd+checks)' "$wall" "$((rss / 1024))"
  echo "drill $wall $rss 0" >>"$DIR/runs.log"
  echo "ratio $(echo "scale=3; $wall / $restore_wall" | bc) 0 0" >>"$DIR/runs.log"
  # kubekeeper's own overhead: what the drill takes beyond its restore and its etcd's start-up.
  echo "overhead $(echo "scale=3; $wall - $restore_wall - $startup" | bc) 0 0" >>"$DIR/runs.log"
  node -e "const r=require('$DIR/drill.json'); console.log('     ok=' + r.ok + ' ' + r.checks.map((c) => c.step + ' ' + (c.durationMs / 1000).toFixed(2) + 's').join(', '))"
  steps=$(node -e "const r=require('$DIR/drill.json'); console.log(r.checks.reduce((s, c) => s + c.durationMs, 0) / 1000)")
  download=$(node -e "const r=require('$DIR/drill.json'); console.log((r.checks.find((c) => c.step === 'download')?.durationMs ?? 0) / 1000)")
  echo "outside $(echo "scale=3; $wall - $steps" | bc) 0 0" >>"$DIR/runs.log"
  echo "nodownload $(echo "scale=3; $wall - $download - $restore_wall - $startup" | bc) 0 0" >>"$DIR/runs.log"
done
awk "$KK_AWK_RUNS"' END {
  printf "medians of %d runs: drill %.2f s, restore alone %.2f s; drill / restore per run: median %.2fx (%s)\n",
    split(t["ratio"], x, " "), median(t["drill"]), median(t["restore"]), median(t["ratio"]), t["ratio"]
  printf "kubekeeper overhead = drill - (restore alone + etcd %s start-up alone): median %.2f s (%s)\n",
    ENVIRON["KK_BENCH_ETCD_VERSION"], median(t["overhead"]), t["overhead"]
  printf "  the same without the download step: median %.2f s (%s)\n", median(t["nodownload"]), t["nodownload"]
  printf "  drill wall outside its timed steps (start-up, modules, manifest, clean-up, report): median %.2f s (%s)\n", median(t["outside"]), t["outside"] }' "$DIR/runs.log"

# Idle daemon: the backup is fresh, so with a 24 h interval nothing runs; RSS after start and a scrape.
MPORT=$(free_port)
cat >"$DIR/daemon.yaml" <<EOF
etcd:
  endpoints: [127.0.0.1:$(free_port)]
repository:
  url: $DIR/repo
backup:
  recipients: [$(age-keygen -y "$DIR/key.txt")]
schedule:
  interval: 24h
metrics:
  listen: 127.0.0.1:$MPORT
lockFile: $DIR/daemon.lock
EOF
$KK daemon --config "$DIR/daemon.yaml" >"$DIR/daemon.log" 2>&1 &
DPID=$!; pids+=("$DPID")
until curl -sf "http://127.0.0.1:$MPORT/metrics" >/dev/null 2>&1; do sleep 0.1; done
sleep 5; curl -sf "http://127.0.0.1:$MPORT/metrics" >/dev/null
for _ in 1 2 3; do sleep 2; curl -sf "http://127.0.0.1:$MPORT/metrics" >/dev/null; done
echo "idle daemon: $(grep VmRSS /proc/$DPID/status | awk '{print $2 / 1024 " MB"}') RSS, peak $(grep VmHWM /proc/$DPID/status | awk '{print $2 / 1024 " MB"}') (after start-up and 4 scrapes)"
kill -TERM "$DPID"; wait "$DPID" || true
