#!/usr/bin/env bash
# The kubekeeper demo: starts a throwaway etcd on 127.0.0.1 (random free ports, temp dir),
# writes a small Kubernetes cluster state into it, saves a snapshot with kubekeeper, inspects
# and verifies the file offline, shows the member's status and the member list, and stops etcd
# again (by PID, also when a step fails). Does its own set-up; runs in well under a minute.
# Usage: bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -t 1 ]; then BOLD=$'\033[1m'; PLAIN=$'\033[0m'; else BOLD=; PLAIN=; fi
say() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
# Prints a command as the user would type it, then runs it.
run() { printf '$ %s\n' "$*"; "$@"; }

# The e2e test runs this script against its own build: KUBEKEEPER_CLI names that build's
# main.js (run by KUBEKEEPER_NODE, default node) or a kubekeeper executable, and set-up is skipped.
if [ -z "${KUBEKEEPER_CLI:-}" ]; then
  say "Setting up: what is missing is named below (etcd, etcdctl, age, openssl, zstd, npm packages, build)"
  bash scripts/setup.sh
fi
kubekeeper() {
  case "${KUBEKEEPER_CLI:-dist/src/cli/main.js}" in
    *.js | *.cjs) "${KUBEKEEPER_NODE:-node}" "${KUBEKEEPER_CLI:-dist/src/cli/main.js}" "$@" ;;
    *) "$KUBEKEEPER_CLI" "$@" ;;
  esac
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kubekeeper-demo.XXXXXX")
ETCD_PID=
cleanup() {
  if [ -n "$ETCD_PID" ] && kill -0 "$ETCD_PID" 2>/dev/null; then
    echo "Stopping etcd (PID $ETCD_PID)"
    kill "$ETCD_PID"
    wait "$ETCD_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
CLIENT_PORT=$(free_port); PEER_PORT=$(free_port); METRICS_PORT=$(free_port)

say "Starting a throwaway etcd on 127.0.0.1:$CLIENT_PORT (data in $WORK/etcd)"
etcd --name demo --data-dir "$WORK/etcd" \
  --listen-client-urls "http://127.0.0.1:$CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-cluster "demo=http://127.0.0.1:$PEER_PORT" --listen-metrics-urls "http://127.0.0.1:$METRICS_PORT" \
  --logger zap --log-outputs stderr --log-level error 2>"$WORK/etcd.log" &
ETCD_PID=$!
echo "etcd runs as PID $ETCD_PID"
# kubekeeper reads etcdctl's environment variables, so the commands below look like etcdctl's.
export ETCDCTL_ENDPOINTS="http://127.0.0.1:$CLIENT_PORT"
for _ in $(seq 100); do
  kubekeeper endpoint health >/dev/null 2>&1 && break
  kill -0 "$ETCD_PID" 2>/dev/null || { echo "etcd exited during start:"; cat "$WORK/etcd.log"; exit 1; }
  sleep 0.1
done
run kubekeeper endpoint health

say "Writing a small cluster state: namespaces, a Deployment 'nginx' with its ReplicaSet and 2 Pods, a Service, a ConfigMap, Secrets"
run kubekeeper demo load --base --app nginx=nginx:1.25 --replicas 2
ETCDCTL_API=3 etcdctl get /registry --prefix --keys-only | sed '/^$/d; s/^/  /'

say "Who is in the cluster, and how is the member doing?"
run kubekeeper member list -w table
run kubekeeper endpoint status -w table

say "Saving a snapshot of the live member (streamed over gRPC, sha256 checked while writing)"
run kubekeeper snapshot save "$WORK/etcd-snapshot.db"
ls -l "$WORK/etcd-snapshot.db"

say "Reading the snapshot offline: hash, revision, keys and size (same output as etcdctl's)"
run kubekeeper snapshot status "$WORK/etcd-snapshot.db" -w table
echo "The real etcdctl agrees:"
ETCDCTL_API=3 etcdctl snapshot status "$WORK/etcd-snapshot.db" -w table

say "Verifying the snapshot: trailer, bbolt structure and etcd data"
run kubekeeper snapshot verify "$WORK/etcd-snapshot.db"

say "Saving again to the same file is refused (no silent overwrite)"
if kubekeeper snapshot save "$WORK/etcd-snapshot.db"; then echo "unexpected: overwrote the file"; exit 1; fi

say "What is inside the snapshot? Read offline, straight from the file"
run kubekeeper snapshot ls "$WORK/etcd-snapshot.db" --resource deployments
run kubekeeper snapshot get "$WORK/etcd-snapshot.db" deploy default/nginx | head -20

say "Later, someone deploys 'mongo' (Deployment, ReplicaSet, Pod, Service, ConfigMap)"
run kubekeeper demo load --app mongo=mongo:7 --replicas 1

say "What changed since the snapshot? (snapshot vs the live etcd: '+' exists only live)"
run kubekeeper snapshot diff "$WORK/etcd-snapshot.db"

say "Disaster strikes: etcd is lost. Stop it and restore the snapshot into a new data dir (no etcd binary used)"
kill "$ETCD_PID"; wait "$ETCD_PID" 2>/dev/null || true
echo "etcd (PID $ETCD_PID) stopped"
PEER_URL="http://127.0.0.1:$PEER_PORT"
run kubekeeper snapshot restore "$WORK/etcd-snapshot.db" --data-dir "$WORK/restored" \
  --name demo --initial-cluster "demo=$PEER_URL" --initial-advertise-peer-urls "$PEER_URL"

say "Starting etcd from the restored data dir"
etcd --name demo --data-dir "$WORK/restored" \
  --listen-client-urls "http://127.0.0.1:$CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$CLIENT_PORT" \
  --listen-peer-urls "$PEER_URL" --initial-advertise-peer-urls "$PEER_URL" \
  --listen-metrics-urls "http://127.0.0.1:$METRICS_PORT" \
  --logger zap --log-outputs stderr --log-level error 2>"$WORK/etcd-restored.log" &
ETCD_PID=$!
for _ in $(seq 100); do
  kubekeeper endpoint health >/dev/null 2>&1 && break
  kill -0 "$ETCD_PID" 2>/dev/null || { echo "restored etcd exited during start:"; cat "$WORK/etcd-restored.log"; exit 1; }
  sleep 0.1
done
run kubekeeper endpoint status -w table
echo "Deployments served by the restored etcd (only nginx: mongo came after the snapshot):"
ETCDCTL_API=3 etcdctl get /registry/deployments --prefix --keys-only | sed '/^$/d; s/^/  /'
say "The restored cluster holds exactly what the snapshot held"
run kubekeeper snapshot diff "$WORK/etcd-snapshot.db"

say "Backups of the restored etcd to a repository, and restore drills that prove them (the second expects mongo, which the snapshot never held)"
RECIPIENT=$(kubekeeper keygen -o "$WORK/backup-key.txt" | sed -n 's/^Public key: //p')
for n in 1 2; do run kubekeeper backup save --repo "$WORK/repo" --name "demo-$n" -r "$RECIPIENT"; done
run kubekeeper drill --repo "$WORK/repo" -i "$WORK/backup-key.txt" --expect-key /registry/deployments/default/nginx
run kubekeeper drill --repo "$WORK/repo" -i "$WORK/backup-key.txt" --expect-key /registry/deployments/default/mongo || echo "(the drill failed, as it should: mongo is not in the backup)"

say "The dashboard as one static file: backups, drills, recovery point (kubekeeper daemon serves it live)"
REPORT="${KUBEKEEPER_REPORT:-${TMPDIR:-/tmp}/kubekeeper-demo-report.html}"
run kubekeeper report --html "$REPORT" --repo "$WORK/repo" --name demo --keep-last 1 --etcd-status --force
echo "Static report: $REPORT"

say "Done; cleaning up"
