#!/usr/bin/env bash
# Streaming overhead (issue 20, performance): etcd 3.6's write throughput with and without
# `kubekeeper backup stream` attached, in alternating pairs (bench/pitr-overhead.ts). A fresh
# member under .bench/pitr-overhead (removed first), compacted and defragmented before every
# run (a "with" run then takes a full backup and streams from it, with no backlog), and
# PAIRS pairs of DURATION-second runs (20 s) of CLIENTS concurrent ~1 KiB puts. Prints one JSON line
# per run, a summary line and a table; the target is < 5% loss. The machine's load average is
# in every line (alternating pairs cancel most of a shared machine's drift, not all of it).
#
# Usage: bench/pitr-overhead.sh [pairs=5]
#   KK_BENCH_ETCD=3.6         etcd line (peers built by scripts/peers.sh)
#   KK_BENCH_DURATION=20      seconds per run (two 10 s flush intervals)
#   KK_BENCH_CLIENTS=16       concurrent puts
#   KK_BENCH_VALUE_BYTES=1024 value size
#   KK_BUILD_DIR=.build/me    use that build (default: build into dist/)
#   KK_BENCH_STREAMER=etcdctl attach `etcdctl watch` instead (the floor: what any full watch costs)
#   KK_BENCH_STREAMER_NICE=10 run the streamer at that nice level
#   KK_BENCH_WATCH_POLL=0     the streamer's --watch-poll (0: one watch held open; default: its own)
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS="${1:-5}"
BUILD_DIR="${KK_BUILD_DIR:-dist}"
if [ -z "${KK_BUILD_DIR:-}" ]; then npx tsc -p tsconfig.json; fi
export KK_BENCH_ETCD="${KK_BENCH_ETCD:-3.6}"
export KK_BENCH_DIR=.bench/pitr-overhead
rm -rf "$KK_BENCH_DIR"
# shellcheck source=bench/lib.sh
. bench/lib.sh
kk_bench_etcd_start
trap kk_bench_etcd_stop EXIT
umask 077
age-keygen -o "$KK_BENCH_DIR/key.txt" 2>/dev/null
RECIPIENT=$(age-keygen -y "$KK_BENCH_DIR/key.txt")
echo "etcd $KK_BENCH_ETCD_VERSION, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
node "$BUILD_DIR/bench/pitr-overhead.js" --endpoint "$KK_BENCH_PLAIN" --etcd-pid "$KK_BENCH_ETCD_PID" --repo "$KK_BENCH_DIR/repo" --recipient "$RECIPIENT" \
  --pairs "$PAIRS" --duration "${KK_BENCH_DURATION:-20}" --clients "${KK_BENCH_CLIENTS:-16}" --value-bytes "${KK_BENCH_VALUE_BYTES:-1024}" --clk-tck "$(getconf CLK_TCK)"
