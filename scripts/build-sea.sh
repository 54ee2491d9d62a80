#!/usr/bin/env bash
# Builds kubekeeper as one file: build/kubekeeper, a Node.js single executable application
# (SEA) for linux-x64 on the current LTS Node (scripts/node-versions.env, fetched by
# scripts/node.sh). The esbuild bundle's chunks (scripts/build-bundle.mjs: every command, the
# drill's worker, the command info for help, the WebAssembly crc32c) are SEA assets, loaded on
# demand by a small main script (with V8's code cache); the blob goes into a stripped copy of the
# node binary with postject.
# Usage: scripts/build-sea.sh        (after scripts/setup.sh: needs node_modules and dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
node_bin="$(bash scripts/node.sh 24)"
out=build/sea
rm -rf "$out" && mkdir -p "$out"
"$node_bin" scripts/build-bundle.mjs build/bundle
# Main script: build/bundle/sea-main.cjs, which loads the bundle's chunks from the SEA's assets.
"$node_bin" -e '
  const [out, dir] = process.argv.slice(1);
  const chunks = JSON.parse(require("node:fs").readFileSync(`${dir}/chunks.json`, "utf8"));
  require("node:fs").writeFileSync(`${out}/sea-config.json`, JSON.stringify({
    main: `${dir}/sea-main.cjs`,
    output: `${out}/sea-prep.blob`,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    useSnapshot: false,
    assets: Object.fromEntries(chunks.map((c) => [c, `${dir}/${c}`])),
  }, null, 1));
' "$out" build/bundle
"$node_bin" --experimental-sea-config "$out/sea-config.json" >"$out/blob.log" 2>&1 || { cat "$out/blob.log" >&2; exit 1; }
cp "$node_bin" "$out/kubekeeper"
chmod u+w "$out/kubekeeper"
# Debug symbols only (-18 MB); the dynamic symbol table native addons link against stays.
if command -v strip >/dev/null; then strip "$out/kubekeeper"; fi
# The fuse is the string Node's SEA code looks for to know a blob was injected.
# (postject warns about ELF note sections it does not know; its output is shown only on failure.)
if ! npx --no-install postject "$out/kubekeeper" NODE_SEA_BLOB "$out/sea-prep.blob" \
  --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 >"$out/postject.log" 2>&1; then
  cat "$out/postject.log" >&2
  exit 1
fi
chmod 0755 "$out/kubekeeper"
mv "$out/kubekeeper" build/kubekeeper
"build/kubekeeper" version >/dev/null
echo "build/kubekeeper: $(du -m build/kubekeeper | cut -f1) MB ($(build/kubekeeper version | tr '\n' ' '))"
