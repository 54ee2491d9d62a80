#!/usr/bin/env bash
# Installs what kubekeeper's demo and tests need on a fresh Debian/Ubuntu machine, saying what
# and why before it does it: Debian's etcd-server/etcd-client (3.4), age, openssl, zstd
# (apt-get, as root or via passwordless sudo), then the npm packages and the TypeScript build.
# apt-get and npm output goes to a log file, shown only when a step fails. Safe to run again:
# it skips what is already there.
# Usage: scripts/setup.sh [--dry-run] [--system-only] [extra-command...]
#   --dry-run      print what would be installed and done, change nothing
#   --system-only  only the Debian packages (no npm ci, no build)
set -euo pipefail
cd "$(dirname "$0")/.."

dry_run=0
system_only=0
extra=()
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=1 ;;
    --system-only) system_only=1 ;;
    -*) echo "kubekeeper setup: unknown option $arg (use --dry-run or --system-only)" >&2; exit 2 ;;
    *) extra+=("$arg") ;;
  esac
done

say() { echo "kubekeeper setup: $*"; }

# Runs a step with its output in a log file; on failure shows the end of the log.
LOG="${TMPDIR:-/tmp}/kubekeeper-setup.log"
quiet() {
  if ! "$@" >>"$LOG" 2>&1; then
    echo "kubekeeper setup: \"$*\" failed; the last lines of $LOG:" >&2
    tail -n 20 "$LOG" >&2
    exit 1
  fi
}

need_apt=()
why=()
want() { command -v "$1" >/dev/null 2>&1 || { need_apt+=("$2"); why+=("$2: $3"); }; }
want etcd etcd-server 'etcd 3.4, the throwaway etcd of the demo and the integration tests'
want etcdctl etcd-client 'etcdctl, which the tests compare kubekeeper with'
want age age 'the age CLI, which proves backups decrypt without kubekeeper'
want openssl openssl 'openssl, for the certificate tests'
want zstd zstd 'zstd, backup compression where Node has none (Node < 22.15)'
want chromium chromium 'Chromium, the headless browser the dashboard tests drive'
for e in "${extra[@]}"; do want "$e" "$e" 'asked for on the command line'; done

if [ ${#need_apt[@]} -gt 0 ]; then
  say "missing Debian packages, to install with apt-get:"
  for w in "${why[@]}"; do echo "  $w"; done
  if [ "$dry_run" -eq 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then sudo=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n)
    else
      echo "kubekeeper setup: not root and no passwordless sudo; install them as root:" >&2
      echo "  apt-get update && apt-get install -y ${need_apt[*]}" >&2
      exit 1
    fi
    : >"$LOG"
    say "apt-get update (log: $LOG)"
    quiet "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    say "apt-get install ${need_apt[*]}"
    quiet "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_apt[@]}"
  fi
else
  say "etcd, etcdctl, age, openssl, zstd and chromium are installed"
fi
[ "$system_only" -eq 1 ] && exit 0

if [ -L node_modules ]; then
  # A link to another checkout's packages (a git worktree sharing them): npm ci here would empty
  # the other checkout's node_modules, so it is left to that checkout.
  say "node_modules is a link to $(readlink node_modules): not running npm ci here"
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci: the npm packages of package-lock.json into node_modules/ (log: $LOG)"
  [ "$dry_run" -eq 1 ] || quiet npm ci --no-audit --no-fund --loglevel=error
fi
say "building: TypeScript to dist/ (tsc)"
[ "$dry_run" -eq 1 ] && exit 0
npx tsc -p tsconfig.json
# The dashboard's browser assets (dist/dashboard/), bundled with esbuild.
node scripts/build-dashboard.mjs >/dev/null
chmod +x dist/src/cli/main.js
# The commit `kubekeeper version` prints when run from dist/ (the bundle fixes its own).
commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
[ "$commit" = unknown ] || [ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit-dirty"
printf '{"commit":"%s"}\n' "$commit" >dist/build-info.json
say "done"
