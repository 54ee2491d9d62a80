#!/usr/bin/env bash
# Installs build/kubekeeper_<version>_amd64.deb with dpkg, checks what it installed (the binary
# runs and reports this build, the units are there and not enabled, the example config is a
# conffile, the man page), then purges it and checks that nothing is left. Needs root or
# passwordless sudo; refuses to touch a kubekeeper package that was installed before.
# Usage: scripts/test-deb.sh        (after scripts/build-deb.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(node -p 'require("./package.json").version')"
deb="build/kubekeeper_${version}_amd64.deb"
[ -f "$deb" ] || { echo "test-deb: $deb is missing: run scripts/build-deb.sh first" >&2; exit 1; }
if [ "$(id -u)" -eq 0 ]; then sudo=()
elif sudo -n true 2>/dev/null; then sudo=(sudo -n)
else echo "test-deb: needs root or passwordless sudo to run dpkg" >&2; exit 1; fi
if [ "$(dpkg-query -W -f '${Status}' kubekeeper 2>/dev/null || true)" = "install ok installed" ]; then
  echo "test-deb: a kubekeeper package is already installed; not replacing it" >&2; exit 1
fi
fail() { echo "test-deb: FAIL: $*" >&2; "${sudo[@]}" dpkg --purge kubekeeper >/dev/null 2>&1 || true; exit 1; }

echo "== .deb: dpkg -i $deb"
"${sudo[@]}" dpkg -i "$deb" >/dev/null
[ "$(dpkg-query -W -f '${Status} ${Version}' kubekeeper)" = "install ok installed $version" ] || fail "dpkg does not list kubekeeper $version as installed"
out="$(/usr/bin/kubekeeper version)" || fail "/usr/bin/kubekeeper version exited $?"
echo "$out" | sed 's/^/  /'
expected="$(build/kubekeeper version)"
[ "$out" = "$expected" ] || fail "the installed binary reports another build than build/kubekeeper"
grep -q '^build: sea ' <<<"$out" || fail "the installed binary is not the single executable"
for f in /usr/lib/systemd/system/kubekeeper-backup.service /usr/lib/systemd/system/kubekeeper-backup.timer /usr/share/man/man1/kubekeeper.1.gz /etc/kubekeeper/config.yaml.example; do
  [ -f "$f" ] || fail "$f is not installed"
done
grep -qx 'ExecStart=/usr/bin/kubekeeper backup run --config /etc/kubekeeper/config.yaml' /usr/lib/systemd/system/kubekeeper-backup.service || fail "the service does not run /usr/bin/kubekeeper backup run"
grep -qx 'ProtectSystem=strict' /usr/lib/systemd/system/kubekeeper-backup.service || fail "the service is not sandboxed"
[ ! -e /etc/systemd/system/timers.target.wants/kubekeeper-backup.timer ] || fail "the timer was enabled by the install"
grep -q '/etc/kubekeeper/config.yaml.example' <<<"$(dpkg-query -W -f '${Conffiles}\n' kubekeeper)" || fail "config.yaml.example is not a conffile"
/usr/bin/kubekeeper config check --config /etc/kubekeeper/config.yaml.example >/dev/null || fail "the example config does not pass config check"
grep -qx '\.SS snapshot status' <(zcat /usr/share/man/man1/kubekeeper.1.gz) || fail "the man page has no snapshot status section"

echo "== .deb: dpkg --purge kubekeeper"
"${sudo[@]}" dpkg --purge kubekeeper >/dev/null
[ "$(dpkg-query -W -f '${Status}' kubekeeper 2>/dev/null || true)" != "install ok installed" ] || fail "kubekeeper is still installed after purge"
for f in /usr/bin/kubekeeper /usr/lib/systemd/system/kubekeeper-backup.service /etc/kubekeeper; do
  [ ! -e "$f" ] || fail "$f is left after purge"
done
echo "== .deb: installed, ran, purged: ok"
