# Shared helpers for the benchmarks (source it: `. bench/lib.sh`). A ~1 GiB etcd member on
# 127.0.0.1 with plain and mutual-TLS client URLs, filled once and kept under .bench/foundation
# so every benchmark can reuse it:
#
#   . bench/lib.sh
#   kk_bench_etcd_start            # starts (or restarts) the member; exports KK_BENCH_* below
#   kk_bench_load 1024 dist        # fills it to 1024 MiB with kubekeeper's loader (no-op when full)
#   kk_bench_snapshot              # prints the path of a ~1 GiB snapshot (saved by etcdctl, cached)
#   kk_bench_etcd_stop
#
# Exports: KK_BENCH_PLAIN (http://127.0.0.1:PORT), KK_BENCH_TLS (https://127.0.0.1:PORT),
# KK_BENCH_TLS_FLAGS (--cacert/--cert/--key for KK_BENCH_TLS), KK_BENCH_ETCD_PID.
#
# The reference etcd: KK_BENCH_ETCD=3.4|3.5|3.6|3.7 (or a full version) picks the etcd, etcdctl
# and etcdutl of that line from the peers scripts/peers.sh built (default 3.4, Debian's); sourcing
# this file puts them first on PATH and sets KK_BENCH_ETCD_VERSION and KK_FILE_TOOL (the
# file tool of that version for `snapshot status`/`restore`: etcdutl from 3.5 on, etcdctl on 3.4).
# The member's data stays in $KK_BENCH_DIR/etcd (default .bench/foundation-<etcd version>) after
# it stops: a data dir that a newer etcd opened is upgraded, so each version keeps its own.

kk_bench_use_etcd() {
  local want=${KK_BENCH_ETCD:-3.4}
  local list="${KK_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubekeeper/peers}/peers.list" line
  line=$(grep -E "^etcd-${want//./\\.}(\\.[0-9]+)?=" "$list" 2>/dev/null | head -1 || true)
  if [ -z "$line" ]; then
    echo "bench: no etcd $want among the built peers ($list); run scripts/peers.sh" >&2
    return 1
  fi
  KK_BENCH_ETCD_VERSION=${line%%=*}; KK_BENCH_ETCD_VERSION=${KK_BENCH_ETCD_VERSION#etcd-}
  PATH="${line#*=}:$PATH"
  if [ -x "${line#*=}/etcdutl" ]; then KK_FILE_TOOL=etcdutl; else KK_FILE_TOOL=etcdctl; fi
  export PATH KK_BENCH_ETCD_VERSION KK_FILE_TOOL
}
kk_bench_use_etcd || return 1 2>/dev/null || exit 1
KK_BENCH_DIR=${KK_BENCH_DIR:-.bench/foundation-$KK_BENCH_ETCD_VERSION}

# Awk prelude for the run logs that `measure` writes ("name wall-s rss-kb cpu-s" per line):
# collects wall times t[name], CPU times c[name], the largest RSS rss[name], and defines
# median(list). Use: awk "$KK_AWK_RUNS"' END { ... median(t["x"]) ... }' file
# shellcheck disable=SC2016
KK_AWK_RUNS='
  { t[$1] = t[$1] " " $2; c[$1] = c[$1] " " $4; if ($3 > rss[$1]) rss[$1] = $3 }
  function median(list,   a, n, i, j, x) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
'

kk_free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# kk_bench_tls DIR: a CA, a server certificate for 127.0.0.1/localhost and a client certificate.
kk_bench_tls() {
  local dir=$1
  [ -f "$dir/client.key" ] && return 0
  mkdir -p "$dir"
  (
    cd "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj /CN=bench-ca \
      -keyout ca.key -out ca.crt -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >client.ext
    for leaf in server client; do
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=bench-$leaf" -keyout $leaf.key -out $leaf.csr 2>/dev/null
      openssl x509 -req -in $leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -out $leaf.crt -extfile $leaf.ext 2>/dev/null
    done
    chmod 600 ./*.key
  )
}

# kk_bench_etcd_start: one member, quota 8 GiB, listening on a plain and an mTLS client URL.
kk_bench_etcd_start() {
  local plain tls peer metrics
  mkdir -p "$KK_BENCH_DIR"
  kk_bench_tls "$KK_BENCH_DIR/tls"
  plain=$(kk_free_port); tls=$(kk_free_port); peer=$(kk_free_port); metrics=$(kk_free_port)
  KK_BENCH_PLAIN="http://127.0.0.1:$plain"
  KK_BENCH_TLS="https://127.0.0.1:$tls"
  local t="$KK_BENCH_DIR/tls"
  KK_BENCH_TLS_FLAGS="--cacert=$t/ca.crt --cert=$t/client.crt --key=$t/client.key"
  # The peer URL is part of the member's identity: reuse the first one so a kept data dir restarts.
  [ -f "$KK_BENCH_DIR/peer-port" ] && peer=$(cat "$KK_BENCH_DIR/peer-port") || echo "$peer" >"$KK_BENCH_DIR/peer-port"
  etcd --name bench --data-dir "$KK_BENCH_DIR/etcd" --quota-backend-bytes $((8 * 1024 * 1024 * 1024)) \
    --listen-client-urls "$KK_BENCH_PLAIN,$KK_BENCH_TLS" --advertise-client-urls "$KK_BENCH_PLAIN" \
    --cert-file "$t/server.crt" --key-file "$t/server.key" --trusted-ca-file "$t/ca.crt" --client-cert-auth \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "bench=http://127.0.0.1:$peer" --listen-metrics-urls "http://127.0.0.1:$metrics" \
    --logger zap --log-outputs stderr --log-level error 2>>"$KK_BENCH_DIR/etcd.log" &
  KK_BENCH_ETCD_PID=$!
  export KK_BENCH_PLAIN KK_BENCH_TLS KK_BENCH_TLS_FLAGS KK_BENCH_ETCD_PID
  for _ in $(seq 300); do
    ETCDCTL_API=3 etcdctl --endpoints "$KK_BENCH_PLAIN" endpoint health >/dev/null 2>&1 && return 0
    kill -0 "$KK_BENCH_ETCD_PID" 2>/dev/null || { tail -20 "$KK_BENCH_DIR/etcd.log" >&2; return 1; }
    sleep 0.2
  done
  echo "etcd did not become healthy; see $KK_BENCH_DIR/etcd.log" >&2
  return 1
}

kk_bench_etcd_stop() {
  [ -n "${KK_BENCH_ETCD_PID:-}" ] || return 0
  kill "$KK_BENCH_ETCD_PID" 2>/dev/null || true
  wait "$KK_BENCH_ETCD_PID" 2>/dev/null || true
  KK_BENCH_ETCD_PID=
}

# kk_bench_load MIB BUILD_DIR: fills the running member to MIB MiB (values of 100 KiB, 16 in flight).
kk_bench_load() {
  node "${2:-dist}/bench/etcd-load.js" --endpoint "$KK_BENCH_PLAIN" --mib "${1:-1024}"
}

# kk_bench_snapshot: path of a snapshot of the running member, saved once by etcdctl and cached.
kk_bench_snapshot() {
  local file="$KK_BENCH_DIR/snapshot.db"
  [ -f "$file" ] || ETCDCTL_API=3 etcdctl --endpoints "$KK_BENCH_PLAIN" snapshot save "$file" >/dev/null 2>&1
  echo "$file"
}
