#!/usr/bin/env bash
# Foundation benchmark (issue 2): on one ~1 GiB etcd member on 127.0.0.1 (KK_BENCH_ETCD picks the version, bench/lib.sh), in the same run,
# times `kubekeeper snapshot save` against `etcdctl snapshot save` (plain text and mutual TLS)
# and `kubekeeper snapshot status` against `etcdctl snapshot status`, alternating, N runs each,
# and prints the median wall and CPU time, the ratios kubekeeper/etcdctl and each tool's peak
# RSS (GNU time). Not a test: run it by hand and copy the summary into docs/benchmarks.md.
# On a shared machine wall times swing with the load; CPU time is the steadier comparison.
#
# Usage: bench/foundation.sh [--mib 1024] [--runs 3] [--keep] [--build DIR]
#   --keep   keep the filled member in .bench/foundation/etcd and a snapshot of it in
#            .bench/foundation/snapshot.db for other benchmarks (see bench/lib.sh). A member
#            that was already there (kept by an earlier run, or made by another benchmark
#            through bench/lib.sh) is reused instead of filled again, and always kept.
#   --build  an existing build dir (e.g. .build/me); default: build dist/ with tsc
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=1024; RUNS=3; KEEP=0; BUILD=
while [ $# -gt 0 ]; do
  case "$1" in
    --mib) MIB=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --build) BUILD=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
# GNU time measures peak RSS; scripts/setup.sh installs it with apt-get when missing.
[ -x /usr/bin/time ] || bash scripts/setup.sh time >/dev/null
if [ -z "$BUILD" ]; then npx tsc -p tsconfig.json; BUILD=dist; fi
export ETCDCTL_API=3
. bench/lib.sh
[ -d "$KK_BENCH_DIR/etcd" ] && KEEP=1
OUT=$(mktemp -d "${TMPDIR:-/tmp}/kk-foundation.XXXXXX")
finish() {
  kk_bench_etcd_stop
  rm -rf "$OUT"
  if [ "$KEEP" = 0 ]; then rm -rf "$KK_BENCH_DIR"; fi
}
trap finish EXIT

kk_bench_etcd_start
echo "== loading ~$MIB MiB (skipped when the kept member is already full)"
kk_bench_load "$MIB" "$BUILD"
DB_BYTES=$(etcdctl --endpoints "$KK_BENCH_PLAIN" endpoint status -w json | sed 's/.*"dbSize":\([0-9]*\).*/\1/')
KK="node $BUILD/src/cli/main.js"
echo "== etcd db $((DB_BYTES / 1048576)) MiB; node $(node --version); etcd $(etcd --version | head -1 | cut -d' ' -f3); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

RESULTS="$OUT/results.txt"
# measure NAME COMMAND...: one timed run; appends "NAME wall-s peak-KiB cpu-s" to $RESULTS.
measure() {
  local name=$1 secs kib user sys; shift
  if ! /usr/bin/time -o "$OUT/time" -f '%e %M %U %S' "$@" >/dev/null 2>"$OUT/stderr"; then
    echo "$name failed:" >&2; cat "$OUT/stderr" >&2; exit 1
  fi
  read -r secs kib user sys <"$OUT/time"
  echo "$name $secs $kib $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" >>"$RESULTS"
  printf '  %-24s %7.2f s wall %6.2f s CPU %6d MB peak RSS\n' "$name" "$secs" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$((kib / 1024))"
}

TLS_ENDPOINT=(--endpoints "$KK_BENCH_TLS")
read -r -a TLS_FLAGS <<<"$KK_BENCH_TLS_FLAGS"
SNAP=$(kk_bench_snapshot)
for run in $(seq "$RUNS"); do
  echo "== run $run of $RUNS"
  rm -f "$OUT"/*.db
  measure etcdctl-save-plain etcdctl --endpoints "$KK_BENCH_PLAIN" snapshot save "$OUT/etcdctl.db"
  # shellcheck disable=SC2086
  measure kubekeeper-save-plain $KK snapshot save "$OUT/kk.db" --endpoints "$KK_BENCH_PLAIN"
  rm -f "$OUT"/*.db
  measure etcdctl-save-mtls etcdctl "${TLS_ENDPOINT[@]}" "${TLS_FLAGS[@]}" snapshot save "$OUT/etcdctl.db"
  # shellcheck disable=SC2086
  measure kubekeeper-save-mtls $KK snapshot save "$OUT/kk.db" "${TLS_ENDPOINT[@]}" "${TLS_FLAGS[@]}"
  rm -f "$OUT"/*.db
  measure etcdctl-status "$KK_FILE_TOOL" snapshot status "$SNAP"
  # shellcheck disable=SC2086
  measure kubekeeper-status $KK snapshot status "$SNAP"
done

echo "== summary: median of $RUNS runs; ratio = kubekeeper / etcdctl (target <= 1.00); CPU = user + system; RSS = max over runs"
awk "$KK_AWK_RUNS"'
  END {
    printf "%-11s %9s %9s %6s   %9s %9s %6s   %8s %8s\n", "operation", "etcdctl", "kk", "ratio", "etcdctl", "kk", "ratio", "etcdctl", "kk"
    printf "%-11s %9s %9s %6s   %9s %9s %6s   %8s %8s\n", "", "wall s", "wall s", "", "CPU s", "CPU s", "", "RSS MB", "RSS MB"
    split("save-plain save-mtls status", ops, " ")
    for (k = 1; k <= 3; k++) {
      op = ops[k]; e = median(t["etcdctl-" op]); m = median(t["kubekeeper-" op]); ec = median(c["etcdctl-" op]); mc = median(c["kubekeeper-" op])
      printf "%-11s %9.2f %9.2f %6.2f   %9.2f %9.2f %6.2f   %8d %8d\n", op, e, m, m / e, ec, mc, mc / ec, rss["etcdctl-" op] / 1024, rss["kubekeeper-" op] / 1024
    }
  }' "$RESULTS"
if [ "$KEEP" = 1 ]; then echo "kept: member data in $KK_BENCH_DIR/etcd, snapshot in $SNAP (reuse with bench/lib.sh)"; fi
