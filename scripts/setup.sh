#!/usr/bin/env bash
# Installs everything kubekeeper's demo and tests need on a fresh Debian/Ubuntu machine:
# Debian's etcd-server/etcd-client (3.4), age, openssl, zstd (apt-get, as root or via sudo), then the
# npm packages and the TypeScript build. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need_apt+=(etcd-client)
command -v age >/dev/null 2>&1 || need_apt+=(age)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# zstd compresses backups where node:zlib has none (Node < 22.15).
command -v zstd >/dev/null 2>&1 || need_apt+=(zstd)
for extra in "$@"; do command -v "$extra" >/dev/null 2>&1 || need_apt+=("$extra"); done

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n)
  else
    echo "kubekeeper setup: missing ${need_apt[*]}; install them as root:" >&2
    echo "  apt-get update && apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  echo "kubekeeper setup: installing ${need_apt[*]} with apt-get"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "kubekeeper setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "kubekeeper setup: building"
npx tsc -p tsconfig.json
chmod +x dist/src/cli/main.js
