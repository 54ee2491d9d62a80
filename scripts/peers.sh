#!/usr/bin/env bash
# Builds or fetches the real peers of the conformance suite once, into a cache outside the clone:
#   etcd 3.5 (Debian trixie's .deb, unpacked, not installed), etcd 3.6 and 3.7 (etcd, etcdctl,
#   etcdutl built from the Go module proxy), kube-apiserver + kube-controller-manager + kubectl
#   (k8s.io/kubernetes 1.37 and 1.35), versitygw (an S3 gateway that verifies SigV4 signatures).
# Versions are pinned in peers/versions.env; each Go peer has a wrapper module (go.mod + go.sum)
# under peers/. A warm cache makes this a no-op. Nothing built goes into the repository.
#
# Environment:
#   KK_PEERS=0             skip the peers (local development only; CI never skips)
#   KK_PEERS_CACHE         cache dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/kubekeeper/peers)
#   KK_PEERS_BUDGET_S      time budget for the whole build (default 3600 s); past it, fail
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ "${KK_PEERS:-1}" = "0" ]; then
  if [ "${CI:-}" = "true" ]; then echo "peers: KK_PEERS=0 is not allowed in CI" >&2; exit 1; fi
  echo "################################################################"
  echo "## peers: KK_PEERS=0: NOT building the real peers; the        ##"
  echo "## conformance suites will skip (CI never does this).         ##"
  echo "################################################################"
  exit 0
fi

# shellcheck source=../peers/versions.env
. peers/versions.env
cache="${KK_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubekeeper/peers}"
budget="${KK_PEERS_BUDGET_S:-3600}"
start=$(date +%s)
mkdir -p "$cache"
chmod 0700 "$cache"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
if ! command -v go >/dev/null 2>&1; then
  echo "peers: no 'go' on PATH: Go 1.26 or newer builds etcd 3.6/3.7, Kubernetes and versitygw for the tests" >&2
  echo "peers: install Go, or set KK_PEERS=0 to run without the conformance suites (not in CI)" >&2
  exit 1
fi

built=(); reused=()
# peers.list (read by test/support/peers.ts): name=bin dir, one line a peer, updated as each is ready.
record() { # $1 = name, $2 = bin dir
  local list="$cache/peers.list"
  { if [ -f "$list" ]; then grep -v "^$1=" "$list" || true; fi; echo "$1=$2"; } > "$list.tmp"
  mv "$list.tmp" "$list"
}
say() { echo "peers: $*"; }
elapsed() { echo $(( $(date +%s) - start )); }

# A stamp holds the inputs a cached peer was made from; the peer is reused only when they match.
stamp_of() { # $1 = name, $2 = wrapper dir or ''
  { echo "$1"; if [ -n "$2" ]; then cat "$2/go.mod" "$2/go.sum"; fi; } | sha256sum | cut -c1-16
}
is_warm() { [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$2" ]; }

check_budget() {
  if [ "$(elapsed)" -gt "$budget" ]; then
    say "time budget of ${budget}s used up before building $1 (KK_PEERS_BUDGET_S); failing" >&2
    exit 1
  fi
}

check_disk() { # $1 = GiB needed
  local free_kb
  free_kb=$(df -Pk "$cache" | awk 'NR==2 {print $4}')
  if [ "$free_kb" -lt $(( $1 * 1024 * 1024 )) ]; then
    say "need ${1} GiB free under $cache to build, have $(( free_kb / 1024 / 1024 )) GiB" >&2
    exit 1
  fi
}

# The wrapper module must require exactly the pinned version, so the two never drift apart.
check_pin() { # $1 = wrapper dir, $2 = module, $3 = version
  if ! grep -Eq "^[[:space:]]*(require[[:space:]]+)?$2 v$3( |$)" "$1/go.mod"; then
    say "$1/go.mod does not require $2 v$3 as peers/versions.env pins" >&2
    exit 1
  fi
}

go_peer() { # $1 = name-version, $2 = wrapper dir, $3 = ldflags, then pairs "binary=package"
  local name=$1 dir=$2 ldflags=$3; shift 3
  local out="$cache/$name" stamp
  stamp=$(stamp_of "$name" "$dir")
  if is_warm "$out" "$stamp"; then reused+=("$name"); record "$name" "$out/bin"; return; fi
  check_budget "$name"; check_disk 8
  say "building $name with $(go version | awk '{print $3}') (this takes minutes on a cold cache)"
  local t0; t0=$(date +%s)
  rm -rf "$out.tmp"; mkdir -p "$out.tmp/bin"
  local pair
  for pair in "$@"; do
    local bin=${pair%%=*} pkg=${pair#*=} t1; t1=$(date +%s)
    # Module downloads are listed once per module; the count is enough to show progress.
    (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp/bin/$bin" "$pkg") 2>"$out.tmp/build.log" || {
      grep -v '^go: downloading' "$out.tmp/build.log" >&2; say "building $bin of $name failed" >&2; exit 1; }
    local downloads; downloads=$(grep -c '^go: downloading' "$out.tmp/build.log" || true)
    [ "$downloads" = 0 ] || say "  $downloads Go modules downloaded for $bin"
    say "  $bin built in $(( $(date +%s) - t1 ))s"
  done
  echo "$stamp" > "$out.tmp/.stamp"
  rm -rf "$out"; mv "$out.tmp" "$out"
  record "$name" "$out/bin"
  built+=("$name ($(( $(date +%s) - t0 ))s)")
}

etcd_debian_trixie() {
  local name="etcd-$ETCD_35_DEBIAN" out="$cache/etcd-$ETCD_35_DEBIAN" stamp
  stamp=$(stamp_of "$name-trixie" "")
  if is_warm "$out" "$stamp"; then reused+=("$name"); record "$name" "$out/bin"; return; fi
  check_budget "$name"
  say "fetching $name from Debian trixie (.deb unpacked with dpkg -x, not installed)"
  local t0 tmp mirror; t0=$(date +%s); tmp=$(mktemp -d)
  # The Debian mirror this machine already uses (deb822 "URIs:" or one-line "deb" entries, not comments).
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]*/debian/?( |$)' | head -1 | tr -d ' ' || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/x"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/} trixie main" > "$tmp/sources.list"
  local apt=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
             -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o APT::Sandbox::User=root -qq)
  apt-get "${apt[@]}" update
  (cd "$tmp" && apt-get "${apt[@]}" download etcd-server etcd-client)
  local deb version
  for deb in "$tmp"/*.deb; do
    version=$(dpkg-deb -f "$deb" Version)
    case "$version" in
      "$ETCD_35_DEBIAN"-*) ;;
      *) say "trixie serves $(basename "$deb") at $version, not $ETCD_35_DEBIAN as peers/versions.env pins" >&2; exit 1 ;;
    esac
    dpkg -x "$deb" "$tmp/x"
  done
  rm -rf "$out"; mkdir -p "$out/bin"
  cp "$tmp/x/usr/bin/etcd" "$tmp/x/usr/bin/etcdctl" "$tmp/x/usr/bin/etcdutl" "$out/bin/"
  echo "$stamp" > "$out/.stamp"
  rm -rf "$tmp"
  record "$name" "$out/bin"
  built+=("$name ($(( $(date +%s) - t0 ))s)")
}

record "etcd-$ETCD_34_DEBIAN" /usr/bin
etcd_debian_trixie

for minor in 36 37; do
  var="ETCD_$minor"; version=${!var}; dir="peers/etcd-${minor:0:1}.${minor:1}"
  for m in server etcdctl etcdutl; do check_pin "$dir" "go.etcd.io/etcd/$m/v3" "$version"; done
  go_peer "etcd-$version" "$dir" "-s -w" \
    etcd=go.etcd.io/etcd/server/v3 etcdctl=go.etcd.io/etcd/etcdctl/v3 etcdutl=go.etcd.io/etcd/etcdutl/v3
done

for k8s in "$KUBERNETES_137" "$KUBERNETES_135"; do
  minor=$(echo "$k8s" | cut -d. -f2); dir="peers/kubernetes-1.$minor"
  check_pin "$dir" k8s.io/kubernetes "$k8s"
  # The version the binaries report (/version, --version) is the release's, as in an official build.
  kver="-s -w -X k8s.io/component-base/version.gitVersion=v$k8s -X k8s.io/component-base/version.gitMajor=1"
  kver="$kver -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  kver="$kver -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
  kver="$kver -X k8s.io/client-go/pkg/version.gitVersion=v$k8s -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  go_peer "kubernetes-$k8s" "$dir" "$kver" \
    kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver \
    kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
    kubectl=k8s.io/kubernetes/cmd/kubectl
done

check_pin peers/versitygw github.com/versity/versitygw "$VERSITYGW"
go_peer "versitygw-$VERSITYGW" peers/versitygw "-s -w" versitygw=github.com/versity/versitygw/cmd/versitygw

say "built: ${built[*]:-none}; reused: ${reused[*]:-none}; $(elapsed)s in all"
