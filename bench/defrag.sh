#!/usr/bin/env bash
# Defrag benchmark (issue 19): kubekeeper's plan (need-based, one member at a time, a health
# gate between members, the leader last after MoveLeader) vs `etcdctl defrag --cluster` on a
# 3-member etcd cluster on 127.0.0.1 whose members hold KK_BENCH_MIB MiB (default 1024), about
# half of it free, under a continuous client write load. Prints a markdown table (total time,
# worst write latency, failed-over attempts, failed writes) for docs/benchmarks.md. Not a test:
# run it by hand, on an idle machine if possible. Needs the etcd peers (scripts/peers.sh).
#
# Usage: bench/defrag.sh
#   KK_BENCH_MIB=1024        data per member before half of it is freed
#   KK_BENCH_ETCD=3.6.17     etcd version (a built peer)
#   KK_BUILD_DIR=.build/me   use that build (default: build into dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${KK_BUILD_DIR:-dist}"
if [ -z "${KK_BUILD_DIR:-}" ]; then npx tsc -p tsconfig.json; fi
exec node "$BUILD_DIR/bench/defrag.js" --mib "${KK_BENCH_MIB:-1024}" --etcd "${KK_BENCH_ETCD:-3.6.17}"
