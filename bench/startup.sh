#!/usr/bin/env bash
# Start-up of kubekeeper (issue 21): `kubekeeper help` and `kubekeeper snapshot status <12 kB
# snapshot>` against `node -e 0` of the same Node binary, for the single executable
# (build/kubekeeper, its own Node), the bundle (build/bundle/kubekeeper.cjs) and dist/ (tsc
# output), both on the Node the executable embeds. Rounds are interleaved (every command once
# per round, in turn) so that load on the machine hits all alike; medians of wall time, and
# each median's ratio to node -e 0's, and the mean CPU time (less sensitive to a loaded machine).
# The first run of each is a warm-up (fills the compile cache).
# Usage: bench/startup.sh [rounds]        (default 40; after scripts/build-sea.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-40}"
node_bin="$(bash scripts/node.sh 24)"
[ -x build/kubekeeper ] && [ -f build/bundle/kubekeeper.cjs ] || { echo "bench/startup: run scripts/build-sea.sh first" >&2; exit 1; }
mkdir -p .bench
db=.bench/startup-minimal.db
"$node_bin" -e "import('./dist/test/fixtures/snapshot/minimal-db.js').then((m) => require('node:fs').writeFileSync('$db', m.minimalDb()))"
"$node_bin" - "$rounds" "$node_bin" "$db" <<'JS'
const { spawnSync } = require('node:child_process');
const { readFileSync, statSync } = require('node:fs');
const [rounds, node, db] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const cases = {
  'node -e 0': [node, '-e', '0'],
  'sea help': ['build/kubekeeper', 'help'],
  'sea snapshot status': ['build/kubekeeper', 'snapshot', 'status', db],
  'bundle help': [node, 'build/bundle/kubekeeper.cjs', 'help'],
  'bundle snapshot status': [node, 'build/bundle/kubekeeper.cjs', 'snapshot', 'status', db],
  'dist help': [node, 'dist/src/cli/main.js', 'help'],
  'dist snapshot status': [node, 'dist/src/cli/main.js', 'snapshot', 'status', db],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const cpu = Object.fromEntries(Object.keys(cases).map((k) => [k, 0]));
// CPU time of reaped children (user + system, clock ticks of 10 ms): /proc/self/stat fields 16-17.
const childTicks = () => { const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' '); return Number(f[13]) + Number(f[14]); };
const run = ([cmd, ...args]) => {
  const t0 = process.hrtime.bigint();
  const c0 = childTicks();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return [ms, (childTicks() - c0) * 10];
};
for (const c of Object.values(cases)) run(c); // warm-up: page cache, compile cache
for (let i = 0; i < rounds; i++) for (const [k, c] of Object.entries(cases)) { const [ms, cpuMs] = run(c); times[k].push(ms); cpu[k] += cpuMs; }
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const base = median(times['node -e 0']);
const cpuBase = cpu['node -e 0'] / rounds;
console.log(`Node ${spawnSync(node, ['--version']).stdout.toString().trim()}, ${rounds} interleaved rounds: median wall time, mean CPU time (user+sys), ratios to node -e 0`);
console.log('| command | wall ms | x node -e 0 | CPU ms | x node -e 0 |');
console.log('|---|---:|---:|---:|---:|');
for (const [k, t] of Object.entries(times)) {
  const c = cpu[k] / rounds;
  console.log(`| ${k} | ${median(t).toFixed(1)} | ${(median(t) / base).toFixed(2)} | ${c.toFixed(1)} | ${(c / cpuBase).toFixed(2)} |`);
}
console.log(`\nbuild/kubekeeper: ${(statSync('build/kubekeeper').size / 1e6).toFixed(1)} MB; bundle (build/bundle): ${(require('node:fs').readdirSync('build/bundle').filter((f) => f.endsWith('.cjs')).reduce((n, f) => n + statSync(`build/bundle/${f}`).size, 0) / 1e6).toFixed(1)} MB`);
JS
