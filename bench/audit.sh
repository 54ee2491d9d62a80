#!/usr/bin/env bash
# Issue 8 benchmark: `kubekeeper audit search` for one delete in ~1 GiB of audit logs (8
# rotated JSON-lines files), against `jq -c 'select(.verb=="delete" and .objectRef.name==...)'`
# and against `grep` on the same files, in one run. Prints wall time and peak RSS of each (GNU
# time), best of N runs, the number of matching events each found, and kubekeeper's peak RSS
# on a quarter of the data (flat memory: it must not grow with the size of the logs).
#
# Usage: npx tsc -p tsconfig.json && bench/audit.sh [--mib 1024] [--runs 3] [--build dist] [--gzip]
#        --gzip also times kubekeeper on a gzipped copy of the rotated files (and zcat | grep).
# Data:  .bench/audit/ (kept between runs; regenerated when --mib changes)
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=1024; RUNS=3; BUILD=dist; GZIP=0
while [ $# -gt 0 ]; do case "$1" in
  --mib) MIB=$2; shift 2;; --runs) RUNS=$2; shift 2;; --build) BUILD=$2; shift 2;; --gzip) GZIP=1; shift;;
  *) echo "unknown $1" >&2; exit 2;; esac; done
NAME=pod-with-special-name
DIR=.bench/audit; LOGS="$DIR/logs-$MIB"
KK="node $BUILD/src/cli/main.js"
if [ ! -f "$LOGS/audit.log" ]; then
  echo "== writing ${MIB} MiB of audit logs to $LOGS"
  rm -rf "$LOGS"; node "$BUILD/bench/audit-generate.js" --dir "$LOGS" --mib "$MIB" --files 8
fi
FILES=("$LOGS"/audit*.log)
echo "logs: ${#FILES[@]} files, $(du -cb "${FILES[@]}" | tail -1 | cut -f1) bytes; node $(node --version); $(jq --version); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

measure() { # label, command string, key: best wall and CPU seconds, max peak RSS and match count over $RUNS runs
  local label=$1 cmd=$2 best=999999 cpu=999999 rss=0 count=0
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %U %S %M' -o "$DIR/time.txt" bash -c "$cmd" >"$DIR/out.txt" 2>"$DIR/err.txt"
    read -r secs user sys kib <"$DIR/time.txt"
    best=$(awk -v a="$best" -v b="$secs" 'BEGIN{print (b<a)?b:a}'); [ "$kib" -gt "$rss" ] && rss=$kib
    cpu=$(awk -v a="$cpu" -v u="$user" -v s="$sys" 'BEGIN{b=u+s; print (b<a)?b:a}')
    count=$(wc -l <"$DIR/out.txt")
  done
  printf '%-66s %8s s %8s s %6s MiB %4s\n' "$label" "$best" "$cpu" "$((rss / 1024))" "$count"
  echo "$best" >"$DIR/$3.secs"
}

# Peak RSS of a pipeline is that of its largest process (GNU time); CPU is user + system of all.
printf '%-66s %10s %10s %10s %5s\n' tool 'best wall' 'best CPU' 'peak RSS' found
measure "kubekeeper audit search --verb delete --name $NAME" "$KK audit search ${FILES[*]} --verb delete --name $NAME -w json" kk
measure "jq -c 'select(.verb==\"delete\" and .objectRef.name==...)'" "jq -c 'select(.verb==\"delete\" and .objectRef.name==\"$NAME\")' ${FILES[*]}" jq
measure "grep -F '\"name\":\"$NAME\"' | grep -F '\"verb\":\"delete\"'" "LC_ALL=C grep -hF '\"name\":\"$NAME\"' ${FILES[*]} | LC_ALL=C grep -F '\"verb\":\"delete\"'" grep
measure "kubekeeper, 2 of the 8 files (memory check)" "$KK audit search ${FILES[0]} ${FILES[1]} --verb delete --name $NAME -w json" kk-quarter
awk -v kk="$(cat "$DIR/kk.secs")" -v jq="$(cat "$DIR/jq.secs")" -v gr="$(cat "$DIR/grep.secs")" \
  'BEGIN { printf "kubekeeper / jq = %.3f (target <= 0.333); kubekeeper / grep = %.1f\n", kk / jq, kk / gr }'

if [ "$GZIP" = 1 ]; then
  GZ="$DIR/gz-$MIB"
  if [ ! -f "$GZ/audit.log" ]; then
    echo "== gzipping the rotated files into $GZ"
    rm -rf "$GZ"; mkdir -p "$GZ"
    for f in "${FILES[@]}"; do b=$(basename "$f"); if [ "$b" = audit.log ]; then cp "$f" "$GZ/"; else gzip -c "$f" >"$GZ/$b.gz"; fi; done
  fi
  echo "gzipped: $(du -cb "$GZ"/* | tail -1 | cut -f1) bytes on disk"
  measure "kubekeeper audit search (7 of 8 files gzipped)" "$KK audit search $GZ --verb delete --name $NAME -w json" kk-gz
  measure "zcat -f | grep -F ... | grep -F ... (same files)" "zcat -f $GZ/* | LC_ALL=C grep -F '\"name\":\"$NAME\"' | LC_ALL=C grep -F '\"verb\":\"delete\"'" grep-gz
fi
