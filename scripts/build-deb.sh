#!/usr/bin/env bash
# Builds build/kubekeeper_<version>_amd64.deb with Debian's dpkg-deb from the single executable
# (scripts/build-sea.sh): /usr/bin/kubekeeper; the project's hardened backup service and timer
# (`kubekeeper generate systemd` of the packaged example config), installed disabled and
# started only once /etc/kubekeeper/config.yaml exists; kubekeeper(1) made of the CLI's own
# help; /etc/kubekeeper/config.yaml.example as a conffile. Maintainer scripts: packaging/debian/.
# Usage: scripts/build-deb.sh        (after scripts/build-sea.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/kubekeeper
[ -x "$bin" ] || { echo "build-deb: $bin is missing: run scripts/build-sea.sh first" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "build-deb: dpkg-deb is missing (Debian's dpkg package)" >&2; exit 1; }
version="$(node -p 'require("./package.json").version')"
stage=build/deb/kubekeeper
rm -rf build/deb && mkdir -p "$stage/DEBIAN"
umask 022
install -D -m 0755 "$bin" "$stage/usr/bin/kubekeeper"
install -d -m 0700 "$stage/etc/kubekeeper"
install -m 0644 packaging/config.yaml.example "$stage/etc/kubekeeper/config.yaml.example"

# The units come from the project's own generator, for the config path the package documents.
units="$stage/usr/lib/systemd/system"
install -d "$units"
example="$PWD/$stage/etc/kubekeeper/config.yaml.example"
for unit in service timer; do
  "$bin" generate systemd --config "$example" --binary /usr/bin/kubekeeper --unit "$unit" \
    | sed "s#$example#/etc/kubekeeper/config.yaml#g" >"$units/kubekeeper-backup.$unit"
done
# Enabled by mistake before a config exists, the service is skipped instead of failing.
sed -i 's#^\[Unit\]$#[Unit]\nConditionPathExists=/etc/kubekeeper/config.yaml\nDocumentation=man:kubekeeper(1)#' "$units/kubekeeper-backup.service"
chmod 0644 "$units"/*

install -d "$stage/usr/share/man/man1" "$stage/usr/share/doc/kubekeeper"
node scripts/gen-man.mjs "$bin" build/bundle/commands.json "$version" | gzip -9n >"$stage/usr/share/man/man1/kubekeeper.1.gz"
install -m 0644 packaging/debian/copyright "$stage/usr/share/doc/kubekeeper/copyright"

for f in postinst prerm postrm; do install -m 0755 "packaging/debian/$f" "$stage/DEBIAN/$f"; done
install -m 0644 packaging/debian/conffiles "$stage/DEBIAN/conffiles"
size_kb="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size_kb/" packaging/debian/control >"$stage/DEBIAN/control"
chmod 0644 "$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
deb="build/kubekeeper_${version}_amd64.deb"
# gzip: xz saves a few MB of ~40 but takes a minute; every dpkg reads gzip.
dpkg-deb --root-owner-group -Zgzip -z9 --build "$stage" "$deb" >/dev/null
echo "$deb: $(du -m "$deb" | cut -f1) MB"
