/**
 * reviewClusterFile on the fixture cluster files: each test/fixtures/rke/<name>.yml must give
 * exactly <name>.expected.txt (one line per finding; UPDATE_GOLDEN=1 rewrites after review), and
 * the production-ready file gives no finding at all.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AppError } from '../../errors.js';
import { repoRoot } from '../../../test/support/paths.js';
import { resolveMaxUnavailable } from './max-unavailable.js';
import type { ClusterReview } from './review-cluster.js';
import { reviewClusterFile } from './review-cluster.js';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'rke');
const review = (name: string) => reviewClusterFile(readFileSync(path.join(FIXTURES, name), 'utf8'), name);
const render = (r: ClusterReview) => `${r.findings.map((f) => `${f.severity.padEnd(8)} line ${String(f.line ?? '-').padStart(3)} ${f.rule} (${f.path}): ${f.message}`).join('\n')}\n`;

for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.yml')).sort()) {
  const name = file.slice(0, -'.yml'.length);
  test(`reviewClusterFile matches the golden findings when the file is ${name}`, () => {
    const actual = render(review(file));
    const expectedFile = path.join(FIXTURES, `${name}.expected.txt`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedFile, actual);
    assert.equal(actual, readFileSync(expectedFile, 'utf8'));
  });
}

test('reviewClusterFile finds nothing when the cluster file is production ready', () => {
  assert.deepEqual(review('production-ready.yml').findings, []);
});

test('reviewClusterFile gives every finding a line, a reason and a fix when the file is risky', () => {
  const r = review('risky.yml');
  assert.ok(r.findings.length >= 12);
  for (const f of r.findings) {
    assert.ok(f.line !== undefined && f.line > 0, f.rule);
    assert.ok(f.why.length > 20 && f.fix.length > 5, f.rule);
  }
  const rules = new Set(r.findings.map((f) => f.rule));
  for (const rule of ['upgrade.worker-batch-whole-pool', 'upgrade.controlplane-batch-too-large', 'upgrade.drain-force', 'upgrade.drain-daemonsets',
    'upgrade.drain-delete-local-data', 'upgrade.drain-grace-zero', 'upgrade.drain-timeout-short', 'backup.backup-config-disabled', 'backup.retention-short',
    'backup.s3-credentials-in-file', 'backup.s3-incomplete', 'audit.disabled', 'etcd.even-members', 'certs.kubelet-rotation-off', 'certs.signing-duration-long']) {
    assert.ok(rules.has(rule), `missing ${rule}`);
  }
});

test('reviewClusterFile points at the exact line of a setting', () => {
  const force = review('risky.yml').findings.find((f) => f.rule === 'upgrade.drain-force');
  const lines = readFileSync(path.join(FIXTURES, 'risky.yml'), 'utf8').split('\n');
  assert.match(lines[(force?.line ?? 0) - 1] ?? '', /^\s+force: true/);
});

test('reviewClusterFile throws AppError with the line when the YAML is broken', () => {
  assert.throws(() => reviewClusterFile('nodes:\n  - address: [1\n', 'bad.yml'), (err: AppError) => err instanceof AppError && /bad\.yml" line \d/.test(err.message));
});

test('resolveMaxUnavailable rounds percentages down, keeps at least 1, caps at 50 and refuses zero', () => {
  assert.deepEqual(resolveMaxUnavailable('10%', 11, 'worker'), { ok: true, count: 1, text: '10%' });
  assert.deepEqual(resolveMaxUnavailable('10%', 5, 'worker'), { ok: true, count: 1, text: '10%' });
  assert.equal((resolveMaxUnavailable(60, 100, 'worker') as { count: number }).count, 50);
  for (const bad of [0, '0%', -1, '-5%']) assert.equal(resolveMaxUnavailable(bad, 10, 'worker').ok, false, String(bad));
  assert.deepEqual(resolveMaxUnavailable(0, 3, 'controlplane'), { ok: false, error: 'invalid input for max_unavailable_controlplane: 0, value must be > 0' });
});
