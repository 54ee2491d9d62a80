#!/usr/bin/env bash
# Backup benchmark (issue 4): on the foundation benchmark's ~1 GiB etcd member (bench/lib.sh),
# in the same run, alternating, N runs each: `etcdctl snapshot save` to local disk against
# `kubekeeper backup save` (sha256 trailer check, compression, age encryption to one
# recipient, multipart upload to s3rver on 127.0.0.1, re-read of the stored object, manifest).
# Prints each run, then the median wall and CPU time, the ratios and the peak RSS (GNU time).
# Not a test: run it by hand and copy the summary into docs/benchmarks.md.
#
# Usage: bench/backup.sh [--mib 1024] [--runs 3] [--build DIR] [--args "BACKUP SAVE FLAGS"]
#   --build  an existing build dir (e.g. .build/me); default: build dist/ with tsc
#   --args   extra `backup save` flags, e.g. "--compression-level 6" or "--compression none"
# The member is kept in .bench/foundation for the other benchmarks; do not run two benchmarks
# that use it at the same time.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=1024; RUNS=3; BUILD=; ARGS=
while [ $# -gt 0 ]; do
  case "$1" in
    --mib) MIB=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --args) ARGS=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || bash scripts/setup.sh time >/dev/null
if [ -z "$BUILD" ]; then npx tsc -p tsconfig.json; BUILD=dist; fi
export ETCDCTL_API=3
. bench/lib.sh
KK="node $BUILD/src/cli/main.js"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/kk-backup-bench.XXXXXX")
S3_PID=
finish() {
  [ -n "$S3_PID" ] && { kill "$S3_PID" 2>/dev/null || true; wait "$S3_PID" 2>/dev/null || true; }
  kk_bench_etcd_stop
  rm -rf "$OUT"
}
trap finish EXIT

kk_bench_etcd_start
echo "== loading ~$MIB MiB (skipped when the kept member is already full)"
kk_bench_load "$MIB" "$BUILD"
age-keygen -o "$OUT/key.txt" 2>/dev/null
RECIPIENT=$(age-keygen -y "$OUT/key.txt")
S3_PORT=$(kk_free_port)
mkdir -p "$OUT/s3"
node node_modules/s3rver/bin/s3rver.js -d "$OUT/s3" -a 127.0.0.1 -p "$S3_PORT" --no-vhost-buckets --silent --configure-bucket bench >/dev/null &
S3_PID=$!
until curl -s "http://127.0.0.1:$S3_PORT/" >/dev/null 2>&1; do sleep 0.2; done
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
REPO=(--repo s3://bench/backups --s3-endpoint "http://127.0.0.1:$S3_PORT")
DB_BYTES=$(etcdctl --endpoints "$KK_BENCH_PLAIN" endpoint status -w json | sed 's/.*"dbSize":\([0-9]*\).*/\1/')
echo "== etcd db $((DB_BYTES / 1048576)) MiB; node $(node --version); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); backup save flags: ${ARGS:-(defaults)}"

RESULTS="$OUT/results.txt"
# measure NAME COMMAND...: one timed run; appends "NAME wall-s peak-KiB cpu-s" to $RESULTS.
measure() {
  local name=$1 secs kib user sys; shift
  if ! /usr/bin/time -o "$OUT/time" -f '%e %M %U %S' "$@" >"$OUT/stdout" 2>"$OUT/stderr"; then
    echo "$name failed:" >&2; cat "$OUT/stderr" >&2; exit 1
  fi
  read -r secs kib user sys <"$OUT/time"
  echo "$name $secs $kib $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" >>"$RESULTS"
  printf '  %-22s %7.2f s wall %6.2f s CPU %6d MB peak RSS\n' "$name" "$secs" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$((kib / 1024))"
}

# CPU seconds s3rver has used so far (it runs on the same cores, so its work shows in our wall time).
s3rver_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$S3_PID/stat"; }

for run in $(seq "$RUNS"); do
  echo "== run $run of $RUNS"
  rm -f "$OUT/etcdctl.db"
  measure etcdctl-save etcdctl --endpoints "$KK_BENCH_PLAIN" snapshot save "$OUT/etcdctl.db"
  rm -f "$OUT/etcdctl.db"
  S3_BEFORE=$(s3rver_cpu)
  # shellcheck disable=SC2086
  measure kubekeeper-backup $KK backup save --endpoints "$KK_BENCH_PLAIN" "${REPO[@]}" -r "$RECIPIENT" --name "run$run" $ARGS -w json
  echo "    s3rver used $(awk -v a="$S3_BEFORE" -v b="$(s3rver_cpu)" 'BEGIN { printf "%.2f", b - a }') s CPU meanwhile"
  node -e "const r=JSON.parse(require('fs').readFileSync('$OUT/stdout','utf8')); console.log('    ' + JSON.stringify({compression: r.manifest.objects.map((o) => o.compression).join(','), snapshotMiB: +(r.snapshotBytes/1048576).toFixed(1), storedMiB: +(r.storedBytes/1048576).toFixed(1), snapshotMs: r.snapshotMs, rereadMs: r.rereadMs}))"
  $KK backup delete "run$run" "${REPO[@]}" >/dev/null
done

echo "== summary: median of $RUNS runs; ratio = kubekeeper backup save / etcdctl snapshot save (target <= 1.30); CPU = user + system; RSS = max"
awk "$KK_AWK_RUNS"'
  END {
    e = median(t["etcdctl-save"]); m = median(t["kubekeeper-backup"]); ec = median(c["etcdctl-save"]); mc = median(c["kubekeeper-backup"])
    printf "%-9s %9s %9s %6s   %9s %9s %6s   %8s %8s\n", "", "etcdctl", "kk", "ratio", "etcdctl", "kk", "ratio", "etcdctl", "kk"
    printf "%-9s %9s %9s %6s   %9s %9s %6s   %8s %8s\n", "", "wall s", "wall s", "", "CPU s", "CPU s", "", "RSS MB", "RSS MB"
    printf "%-9s %9.2f %9.2f %6.2f   %9.2f %9.2f %6.2f   %8d %8d\n", "save", e, m, m / e, ec, mc, mc / ec, rss["etcdctl-save"] / 1024, rss["kubekeeper-backup"] / 1024
  }' "$RESULTS"
