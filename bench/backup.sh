#!/usr/bin/env bash
# Benchmark for issue 4: `kubekeeper backup save` (compression + age encryption + upload to
# an S3 server on loopback, then the re-read) against `etcdctl snapshot save` to local disk,
# on the same ~1 GiB etcd, alternating, several runs. Prints wall time and peak RSS of each.
#
# Usage: npx tsc -p tsconfig.json && bench/backup.sh [BUILD_DIR]     (BUILD_DIR default: dist)
# Env:   KK_BENCH_DIR   data (etcd member, s3rver store), default .bench/backup; kept between
#                       runs so the ~1 GiB etcd is filled only once
#        KK_BENCH_MIB   etcd db size to fill to, default 1024
#        KK_BENCH_RUNS  runs of each tool, default 3
#        KK_BENCH_ARGS  extra `backup save` flags, e.g. "--compression gzip --compression-level 1"
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-dist}
DIR=${KK_BENCH_DIR:-.bench/backup}
MIB=${KK_BENCH_MIB:-1024}
RUNS=${KK_BENCH_RUNS:-3}
KK="node $BUILD/src/cli/main.js"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

CLIENT=$(free_port); PEER=$(free_port)
etcd --name bench --data-dir "$DIR/etcd" --quota-backend-bytes $((8 * 1024 * 1024 * 1024)) \
  --listen-client-urls "http://127.0.0.1:$CLIENT" --advertise-client-urls "http://127.0.0.1:$CLIENT" \
  --listen-peer-urls "http://127.0.0.1:$PEER" --initial-advertise-peer-urls "http://127.0.0.1:$PEER" \
  --initial-cluster "bench=http://127.0.0.1:$PEER" --log-level error --logger zap >"$DIR/etcd.log" 2>&1 &
pids+=($!)
ENDPOINT="http://127.0.0.1:$CLIENT"
until curl -sf "$ENDPOINT/health" >/dev/null 2>&1; do sleep 0.2; done
node "$BUILD/bench/etcd-fill.js" --endpoint "$ENDPOINT" --mib "$MIB"

[ -f "$DIR/key.txt" ] || age-keygen -o "$DIR/key.txt" 2>/dev/null
RECIPIENT=$(age-keygen -y "$DIR/key.txt")

S3PORT=$(free_port)
rm -rf "$DIR/s3"; mkdir -p "$DIR/s3"
node node_modules/s3rver/bin/s3rver.js -d "$DIR/s3" -a 127.0.0.1 -p "$S3PORT" --no-vhost-buckets --silent --configure-bucket bench >/dev/null &
pids+=($!)
until curl -s "http://127.0.0.1:$S3PORT/" >/dev/null 2>&1; do sleep 0.2; done
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1

DB_BYTES=$(curl -s -X POST "$ENDPOINT/v3/maintenance/status" -d '{}' | sed 's/.*"dbSize":"\([0-9]*\)".*/\1/')
echo "etcd db: $((DB_BYTES / 1024 / 1024)) MiB; node $(node --version); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %-34s %8s %8s %10s\n' run tool wall-s cpu-s 'peak RSS'
# time(1) line: wall seconds, user+sys CPU seconds, peak RSS in KB.
report() { read -r wall user sys rss <<<"$2"; printf '%-4s %-34s %8s %8.2f %7s MB\n' "$run" "$1" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))"; }
for run in $(seq 1 "$RUNS"); do
  rm -f "$DIR/etcdctl.db"
  /usr/bin/time -o "$DIR/time" -f '%e %U %S %M' env ETCDCTL_API=3 etcdctl --endpoints "$ENDPOINT" snapshot save "$DIR/etcdctl.db" >/dev/null 2>&1
  report 'etcdctl snapshot save (local disk)' "$(tail -1 "$DIR/time")"
  # shellcheck disable=SC2086
  /usr/bin/time -o "$DIR/time" -f '%e %U %S %M' $KK backup save --endpoints "$ENDPOINT" --repo "s3://bench/run" \
    --s3-endpoint "http://127.0.0.1:$S3PORT" -r "$RECIPIENT" --name "run$run" ${KK_BENCH_ARGS:-} -w json >"$DIR/save-$run.json"
  report 'kubekeeper backup save (S3)' "$(tail -1 "$DIR/time")"
  node -e "const r=require('$DIR/save-$run.json'); console.log('     ' + JSON.stringify({compression: r.manifest.compression, snapshotMiB: +(r.snapshotBytes/1048576).toFixed(1), storedMiB: +(r.storedBytes/1048576).toFixed(1), snapshotMs: r.snapshotMs, rereadMs: r.rereadMs}))"
  $KK backup delete "run$run" --repo "s3://bench/run" --s3-endpoint "http://127.0.0.1:$S3PORT" >/dev/null
done
rm -f "$DIR/etcdctl.db"
