#!/usr/bin/env bash
# The whole test suite, with its own set-up: installs etcd/etcdctl/age/openssl and the npm
# packages when missing, builds, builds or reuses the real peers (scripts/peers.sh: etcd 3.5-3.7,
# Kubernetes, versitygw; cached outside the clone), lints, type-checks, checks the dependency
# rules, then runs every unit, integration (real etcd on 127.0.0.1), conformance (each real peer)
# and e2e test with node's test runner.
# Runs on Node 24 (fetched by scripts/node.sh when the system's Node is older). CI then runs
# scripts/test-release.sh: the e2e tests on Node 22 and 26, on the single executable, and the .deb.
# Usage: scripts/test.sh [test-file-filter]
set -euo pipefail
cd "$(dirname "$0")/.."
# The suite runs on the current LTS (NODE_24 of scripts/node-versions.env): the system's Node
# when it is that line or newer, else that version, fetched once from the npm registry.
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 24 ]; then
  PATH="$(dirname "$(bash scripts/node.sh 24)"):$PATH"
  export PATH
fi
echo "== Node.js $(node --version)"
bash scripts/setup.sh
bash scripts/peers.sh

echo "== lint"
npx eslint . --max-warnings=0
echo "== dependency rules"
npx depcruise src --config .dependency-cruiser.cjs --output-type err

echo "== tests"
# Drop compiled files whose source is gone, so a deleted test never runs from a stale build.
while IFS= read -r js; do
  src="${js#dist/}"; src="${src%.js}.ts"
  [ -f "$src" ] || rm -f "$js" "$js.map"
done < <(find dist/src dist/test dist/bench -name '*.js' 2>/dev/null)
filter="${1:-}"
# Conformance records of this run only (scripts/compatibility.mjs writes docs/compatibility.md from them).
rm -rf dist/conformance
mapfile -t files < <(find dist/src dist/test -name '*.test.js' | sort | grep -- "${filter}" || true)
if [ ${#files[@]} -eq 0 ]; then echo "no test files matched '${filter}'" >&2; exit 1; fi
exec node --test --test-reporter=spec --test-concurrency="${KK_TEST_CONCURRENCY:-4}" --test-timeout=600000 "${files[@]}"
