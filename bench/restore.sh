#!/usr/bin/env bash
# Restore benchmark (issue 3): `kubekeeper snapshot restore` against the reference tool of the
# etcd line KK_BENCH_ETCD picks (bench/lib.sh: `etcdutl snapshot restore` from 3.5, `etcdctl
# snapshot restore` on 3.4, Debian's, the default) on the same ~1 GiB snapshot in the same run: wall time, CPU time and peak RSS
# of each, best of N alternating runs, and the ratio. Not a test: run it by hand, on an idle
# machine if possible, and copy the table into docs/benchmarks.md.
#
# The snapshot, in this order:
# - $KK_BENCH_DB if set;
# - with KK_BENCH_SOURCE=kubernetes: .bench/restore-<MIB>m.db, made on first use by loading a
#   real etcd on 127.0.0.1 with Kubernetes-like objects (~4 KB ConfigMaps, 10% updated once,
#   1% deleted, one lease) through `etcdctl txn`, then `etcdctl snapshot save`;
# - otherwise the ~1 GiB snapshot of the foundation benchmark (bench/lib.sh, cached under
#   .bench/foundation), made on first use by its loader.
#
# Usage: bench/restore.sh [runs=3]
#   KK_BUILD_DIR=.build/me  use that build (default: build into dist/)
#   KK_BIN="build/kubekeeper"  time that kubekeeper instead (the single executable, or
#                           "node build/bundle/kubekeeper.cjs"): what operators install
#   KK_BENCH_MIB=1024       data size when a snapshot has to be made
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
MIB="${KK_BENCH_MIB:-1024}"
BENCH_DIR=.bench
DB="${KK_BENCH_DB:-}"
export ETCDCTL_API=3
mkdir -p "$BENCH_DIR"

BUILD_DIR="${KK_BUILD_DIR:-dist}"
if [ -z "${KK_BUILD_DIR:-}" ] && [ -z "${KK_BIN:-}" ]; then npx tsc -p tsconfig.json; fi
KK="${KK_BIN:-node $BUILD_DIR/src/cli/main.js}"

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

make_snapshot() {
  local data="$BENCH_DIR/restore-source" cport pport mport pid
  rm -rf "$data"
  cport=$(free_port); pport=$(free_port); mport=$(free_port)
  etcd --name bench --data-dir "$data" --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
    --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "bench=http://127.0.0.1:$pport" --listen-metrics-urls "http://127.0.0.1:$mport" \
    --quota-backend-bytes $((8 * 1024 * 1024 * 1024)) --max-request-bytes $((4 * 1024 * 1024)) --max-txn-ops 1000 \
    --logger zap --log-outputs stderr --log-level error 2>"$BENCH_DIR/restore-source.log" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 100); do etcdctl --endpoints "127.0.0.1:$cport" endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
  echo "loading ~${MIB} MiB into etcd on 127.0.0.1:$cport (one-off; cached as $DB)" >&2
  # One etcdctl txn per 200 objects, 4 in flight: values are ~4 KB JSON-like ConfigMaps.
  KK_PORT=$cport KK_MIB=$MIB node --input-type=module -e '
    import { spawn } from "node:child_process";
    const port = process.env.KK_PORT, count = Math.round(Number(process.env.KK_MIB) * 1024 * 1024 / 4500);
    const body = (i, gen) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, namespace: `ns-${i % 100}`, generation: gen },
      data: { blob: Buffer.from(Array.from({ length: 3000 }, (_, j) => (i * 31 + j * 7 + gen) % 251)).toString("base64") } });
    const key = (i) => `/registry/configmaps/ns-${i % 100}/cm-${i}`;
    const txn = (lines) => new Promise((resolve, reject) => {
      const c = spawn("etcdctl", ["--endpoints", `127.0.0.1:${port}`, "txn", "--interactive=false"], { stdio: ["pipe", "ignore", "inherit"] });
      c.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`etcdctl txn exited ${code}`))));
      c.stdin.end(`\n${lines.join("\n")}\n\n\n`);
    });
    const batches = [];
    for (let i = 0; i < count; i += 200) batches.push(Array.from({ length: Math.min(200, count - i) }, (_, k) => `put ${key(i + k)} ${JSON.stringify(body(i + k, 1))}`));
    for (let i = 0; i < count; i += 2000) batches.push(Array.from({ length: Math.min(20, count - i) }, (_, k) => `put ${key(i + k * 100)} ${JSON.stringify(body(i + k * 100, 2))}`));
    for (let i = 7; i < count; i += 10000) batches.push(Array.from({ length: Math.min(100, Math.floor((count - i) / 100)) }, (_, k) => `del ${key(i + k * 100)}`).filter(Boolean));
    let next = 0, done = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < batches.length) { const b = batches[next++]; if (b.length) await txn(b); if (++done % 200 === 0) process.stderr.write(`  ${done}/${batches.length} transactions\n`); }
    }));'
  lease=$(etcdctl --endpoints "127.0.0.1:$cport" lease grant 3600 | awk '{print $2}')
  etcdctl --endpoints "127.0.0.1:$cport" put --lease "$lease" /registry/leases/kube-node-lease/bench x >/dev/null
  etcdctl --endpoints "127.0.0.1:$cport" snapshot save "$DB.part" >/dev/null
  mv "$DB.part" "$DB"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
  rm -rf "$data"
}

# shellcheck source=bench/lib.sh
. bench/lib.sh
if [ -z "$DB" ] && [ "${KK_BENCH_SOURCE:-}" != kubernetes ]; then
  DB="$KK_BENCH_DIR/snapshot.db"
  if [ ! -f "$DB" ]; then
    kk_bench_etcd_start
    trap kk_bench_etcd_stop EXIT
    kk_bench_load "$MIB" "$BUILD_DIR"
    kk_bench_snapshot >/dev/null
    kk_bench_etcd_stop
    trap - EXIT
  fi
fi
if [ -z "$DB" ]; then
  DB="$BENCH_DIR/restore-${MIB}m.db"
  [ -f "$DB" ] || make_snapshot
fi
$KK snapshot status "$DB" -w table

# One timed run: prints "wall_s cpu_s maxrss_kb"; the restored dir is removed afterwards.
timed() {
  local out="$BENCH_DIR/restore-target" stats
  rm -rf "$out"
  # GNU time appends its line to the command's own stderr (etcdctl logs there).
  /usr/bin/time -f '%e %U %S %M' "$@" --data-dir "$out" >/dev/null 2>"$BENCH_DIR/restore-run.log" || true
  stats=$(tail -n 1 "$BENCH_DIR/restore-run.log")
  [ -f "$out/member/snap/db" ] || { cat "$BENCH_DIR/restore-run.log" >&2; echo "restore failed" >&2; exit 1; }
  rm -rf "$out"
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' <<<"$stats"
}

declare -a E_WALL E_CPU E_RSS K_WALL K_CPU K_RSS
for run in $(seq "$RUNS"); do
  read -r w c m < <(timed "$KK_FILE_TOOL" snapshot restore "$DB")
  E_WALL+=("$w"); E_CPU+=("$c"); E_RSS+=("$m")
  read -r w c m < <(timed $KK snapshot restore "$DB" --bump-revision 0)
  K_WALL+=("$w"); K_CPU+=("$c"); K_RSS+=("$m")
  echo "run $run: $KK_FILE_TOOL ${E_WALL[-1]} s (cpu ${E_CPU[-1]} s, rss $((E_RSS[-1] / 1024)) MiB)  kubekeeper ${K_WALL[-1]} s (cpu ${K_CPU[-1]} s, rss $((K_RSS[-1] / 1024)) MiB)" >&2
done
# Kubernetes default (bump + compaction mark) once, to show it costs nothing extra.
read -r bw bc bm < <(timed $KK snapshot restore "$DB")

min() { printf '%s\n' "$@" | sort -g | head -n 1; }
size=$(stat -c %s "$DB")
ew=$(min "${E_WALL[@]}"); kw=$(min "${K_WALL[@]}"); ec=$(min "${E_CPU[@]}"); kc=$(min "${K_CPU[@]}")
er=$(min "${E_RSS[@]}"); kr=$(min "${K_RSS[@]}")
echo
echo "snapshot: $DB ($((size / 1024 / 1024)) MiB), best of $RUNS alternating runs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| tool | wall s | CPU s | peak RSS MiB |\n|---|---:|---:|---:|\n'
printf '| %s %s snapshot restore | %s | %s | %d |\n' "$KK_FILE_TOOL" "$KK_BENCH_ETCD_VERSION" "$ew" "$ec" $((er / 1024))
printf '| kubekeeper snapshot restore --bump-revision 0 | %s | %s | %d |\n' "$kw" "$kc" $((kr / 1024))
printf '| kubekeeper snapshot restore (Kubernetes default bump) | %s | %s | %d |\n' "$bw" "$bc" $((bm / 1024))
awk -v k="$kw" -v e="$ew" -v kc="$kc" -v ec="$ec" 'BEGIN { printf "ratio kubekeeper/reference: wall %.2fx, CPU %.2fx\n", k / e, kc / ec }'
