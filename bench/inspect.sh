#!/usr/bin/env bash
# Issue 6 benchmark: `kubekeeper snapshot ls --summary` on a ~1 GiB snapshot of Kubernetes
# objects, next to `etcdctl get --prefix /registry --keys-only` against a live etcd holding the
# same data, in one run. Prints wall time and peak RSS of each (GNU time), best of N runs.
# Usage: bench/inspect.sh [--mib 1024] [--runs 3]     (data kept in .bench/inspect/)
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=1024; RUNS=3
while [ $# -gt 0 ]; do case "$1" in --mib) MIB=$2; shift 2;; --runs) RUNS=$2; shift 2;; *) echo "unknown $1" >&2; exit 2;; esac; done
bash scripts/setup.sh time >/dev/null
DIR=.bench/inspect; mkdir -p "$DIR"
PORT=$((20000 + RANDOM % 20000)); PEER=$((PORT + 1))
etcd --name bench --data-dir "$DIR/data" --listen-client-urls "http://127.0.0.1:$PORT" --advertise-client-urls "http://127.0.0.1:$PORT" \
  --listen-peer-urls "http://127.0.0.1:$PEER" --initial-advertise-peer-urls "http://127.0.0.1:$PEER" --initial-cluster "bench=http://127.0.0.1:$PEER" \
  --quota-backend-bytes $((8 * 1024 * 1024 * 1024)) --logger zap --log-outputs stderr --log-level error 2>"$DIR/etcd.log" &
ETCD_PID=$!
trap 'kill $ETCD_PID 2>/dev/null; wait $ETCD_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$PORT" endpoint health >/dev/null 2>&1 && break; sleep 0.2; done
echo "== filling to ${MIB} MiB with Kubernetes protobuf objects (skipped when already there)"
node dist/bench/k8s-fill.js --endpoint "127.0.0.1:$PORT" --mib "$MIB"
SNAP="$DIR/snap.db"; rm -f "$SNAP"
ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$PORT" snapshot save "$SNAP" >/dev/null
echo "snapshot: $(stat -c %s "$SNAP") bytes"

measure() { # label, command...: best wall seconds and max RSS over $RUNS runs
  local label=$1; shift; local best=999999 rss=0
  for _ in $(seq "$RUNS"); do
    if ! out=$( { /usr/bin/time -f '%e %M' "$@" >/dev/null; } 2>&1 | tail -1 ); then
      echo "$label failed: $out" >&2; exit 1
    fi
    read -r secs kib <<<"$out"
    best=$(awk -v a="$best" -v b="$secs" 'BEGIN{print (b<a)?b:a}')
    if [ "$kib" -gt "$rss" ]; then rss=$kib; fi
  done
  printf '%-48s %8.2f s  %6d MB peak RSS\n' "$label" "$best" $((rss / 1024))
  eval "${label%% *}_s=$best"
}
echo "== best of $RUNS runs"
measure "kubekeeper snapshot ls --summary" node dist/src/cli/main.js snapshot ls --summary "$SNAP"
measure "etcdctl get --prefix /registry --keys-only" env ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$PORT" get --prefix /registry --keys-only
awk -v a="$kubekeeper_s" -v b="$etcdctl_s" 'BEGIN{printf "ratio kubekeeper/etcdctl: %.2f\n", a/b}'
node dist/src/cli/main.js snapshot ls --summary "$SNAP" | tail -4
