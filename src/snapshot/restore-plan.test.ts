import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestoreConfigError } from './member-id-url.js';
import { explainBump, planRestore, type RestorePlanOptions } from './restore-plan.js';
import type { RestoreDbResult } from './restore-db.js';

const options: RestorePlanOptions = {
  name: 'default', initialCluster: 'default=http://localhost:2380', initialClusterToken: 'etcd-cluster',
  initialAdvertisePeerUrls: ['http://localhost:2380'], markCompacted: false,
};

const result = (over: Partial<RestoreDbResult>): RestoreDbResult => ({
  revisionBefore: 41n, revisionAfter: 41n, bumpedBy: 0n, kubernetes: false, entries: 0, buckets: [], droppedMembers: [], alarms: [], reservedDropped: 0, ...over,
});

test('planRestore uses the Kubernetes default bump when --bump-revision is not given', () => {
  const plan = planRestore(options);
  assert.deepEqual(plan.bump, { mode: 'kubernetes', amount: 1_000_000_000n });
  assert.equal(plan.flavour, '3.5');
  assert.equal(plan.index, 1n);
  assert.equal(plan.wal.sizeBytes, 64_000_000);
  assert.equal(plan.snap.name, '0000000000000001-0000000000000001.snap');
});

test('planRestore requires --mark-compacted with a bump, as etcdutl does', () => {
  assert.throws(() => planRestore({ ...options, bumpRevision: 5n }), (err: unknown) =>
    err instanceof RestoreConfigError && err.message === '--mark-compacted required if --bump-revision > 0');
  assert.deepEqual(planRestore({ ...options, bumpRevision: 5n, markCompacted: true }).bump, { mode: 'fixed', amount: 5n });
  assert.deepEqual(planRestore({ ...options, bumpRevision: 0n }).bump, { mode: 'fixed', amount: 0n });
  assert.throws(() => planRestore({ ...options, bumpRevision: 1n << 63n, markCompacted: true }), /out of range/);
});

test('explainBump says what happened to the revision and why in each case', () => {
  const k8s = { mode: 'kubernetes', amount: 1_000_000_000n } as const;
  assert.match(explainBump(k8s, result({ kubernetes: true, revisionAfter: 1_000_000_041n, bumpedBy: 1_000_000_000n })),
    /^The snapshot holds Kubernetes data \(keys under \/registry\/\): revision bumped by 1000000000 \(revision 41 -> 1000000041\) and marked compacted, .*Pass --bump-revision 0 to keep the revisions\.$/);
  assert.equal(explainBump(k8s, result({})), 'No Kubernetes data in the snapshot (no keys under /registry/): revisions kept as in the snapshot (latest 41), etcdutl\'s default.');
  assert.equal(explainBump({ mode: 'fixed', amount: 0n }, result({ kubernetes: true })), 'Revisions kept as in the snapshot (latest 41): --bump-revision 0.');
  assert.equal(explainBump({ mode: 'fixed', amount: 9n }, result({ revisionAfter: 50n, bumpedBy: 9n })),
    'Revision bumped by 9 (revision 41 -> 50) and marked compacted, as requested by --bump-revision 9 --mark-compacted.');
});
