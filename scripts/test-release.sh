#!/usr/bin/env bash
# What CI runs after scripts/test.sh (which runs the whole suite on Node 24 from dist/): builds
# the single executable and the .deb, runs the e2e tests (and the drill's, whose worker the
# executable carries) against the executable (KK_BIN), the e2e tests against the bundle on Node 22
# and from dist/ on Node 22 and Node 26, then installs, runs and purges the .deb (scripts/test-deb.sh, as root).
# Usage: scripts/test-release.sh        (after scripts/test.sh, which built dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
concurrency="${KK_TEST_CONCURRENCY:-4}"
run_tests() { # NODE LABEL FILES...
  local node="$1" label="$2"
  shift 2
  echo "== e2e: $label ($("$node" --version))"
  "$node" --test --test-reporter=dot --test-concurrency="$concurrency" --test-timeout=600000 "$@"
}
mapfile -t e2e < <(find dist/test/e2e -name '*.test.js' | sort)

echo "== single executable and .deb"
bash scripts/build-sea.sh
bash scripts/build-deb.sh

node24="$(bash scripts/node.sh 24)"
KK_BIN="$PWD/build/kubekeeper" run_tests "$node24" "single executable build/kubekeeper" "${e2e[@]}" dist/test/integration/drill.test.js
node22="$(bash scripts/node.sh 22)"
# The bundle's oldest Node (its esbuild target) runs it; the e2e tests spawn it with their own Node.
KK_BIN="$PWD/build/bundle/kubekeeper.cjs" run_tests "$node22" "bundle build/bundle/kubekeeper.cjs" "${e2e[@]}"
for line in 22 26; do
  run_tests "$(bash scripts/node.sh "$line")" "dist/ on Node $line" "${e2e[@]}"
done
bash scripts/test-deb.sh
