/** `kubekeeper review` as a user runs it, on the fixture cluster files in test/fixtures/rke. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { ClusterReview } from '../../src/k8s/index.js';
import { runKubekeeper } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';

const fixture = (name: string) => path.join(repoRoot, 'test', 'fixtures', 'rke', name);

test('kubekeeper review exits 0 with no findings when the cluster file is production ready', async () => {
  const r = await runKubekeeper(['review', fixture('production-ready.yml')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${fixture('production-ready.yml')}: no findings — nodes: 3 etcd, 3 controlplane, 4 worker\n`);
});

test('kubekeeper review exits 3 and prints line, why and fix for every finding when the file is risky', async () => {
  const r = await runKubekeeper(['review', fixture('risky.yml')]);
  assert.equal(r.code, 3);
  assert.match(r.stdout, /: 17 findings \(2 critical, 5 high, 9 medium, 1 low\) — nodes: 4 etcd, 3 controlplane, 4 worker\n/);
  assert.match(r.stdout, new RegExp(`\nHIGH {5}${fixture('risky.yml').replace(/[.]/g, '\\.')}:37  upgrade_strategy\\.node_drain_input\\.force  \\[upgrade\\.drain-force\\]\n  node_drain_input\\.force: true\n  Why: pods without a controller are deleted for good: nothing recreates them\n  Fix: Set force: false`));
});

test('kubekeeper review -w json returns every file and --fail-on decides the exit code', async () => {
  const r = await runKubekeeper(['review', '-w', 'json', '--fail-on', 'critical', fixture('audit-incomplete.yml'), fixture('production-ready.yml')]);
  assert.equal(r.code, 0, 'no critical finding in either file');
  const reviews = JSON.parse(r.stdout) as ClusterReview[];
  assert.deepEqual(reviews.map((x) => x.counts), [{ critical: 0, high: 1, medium: 3, low: 1 }, { critical: 0, high: 0, medium: 0, low: 0 }]);
  const medium = await runKubekeeper(['review', '--fail-on', 'medium', fixture('audit-incomplete.yml')]);
  assert.equal(medium.code, 3);
});

test('kubekeeper review fails with a hint when the file cannot be read', async () => {
  const r = await runKubekeeper(['review', fixture('missing.yml')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: Cannot read ".*missing\.yml": it does not exist\nHint: Pass the path of an RKE cluster\.yml\n$/);
});
