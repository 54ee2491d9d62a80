/**
 * Issue 20, item 1: merging a finished day's delta segments into one keeps every revision
 * (the restorable keyspace is the same before and after, at several revisions), links the
 * segment after it, and leaves the chain contiguous; `backup list` then counts one segment.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listDeltas, loadBackupIdentities, loadDeltaRestore, openBackupRepository, planDeltaRestore } from '../../src/backup/index.js';
import { runKubekeeper } from '../support/cli.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { until } from '../support/poll.js';
import { startPitr } from '../support/pitr-setup.js';

const peer = findEtcd(pinnedVersions.ETCD_36 as string);

test('backup merge-deltas merges a finished day into one segment and every revision stays restorable', { timeout: 180_000, skip: peer.missing }, async (t) => {
  const { keyFile, recipient, repoDir, etcd, workload } = await startPitr(t, { prefix: 'kk-pitr-merge-', binDir: peer.peer?.binDir, seed: 11, operations: 20 });
  let child: import('node:child_process').ChildProcess | undefined;
  const done = runKubekeeper(['backup', 'stream', ...etcd.clientFlags, '--repo', repoDir, '-r', recipient, '--flush-interval', '200ms'], { timeoutMs: 120_000, onSpawn: (c) => (child = c) });
  t.after(() => child?.kill('SIGKILL'));
  const repo = await openBackupRepository(repoDir);
  t.after(() => repo.backend.close());
  let last = 0;
  await until('five segments', async () => {
    last = (await workload.run(15)).pop() as number;
    return (await listDeltas(repo)).segments.length >= 5 ? true : undefined;
  });
  await until(`revision ${last} stored`, async () => ((await listDeltas(repo)).segments.some((s) => s.lastRevision >= last) ? true : undefined));
  child?.kill('SIGTERM');
  await done;
  const full = await repo.resolve('full1');
  const identities = await loadBackupIdentities({ identityFiles: [keyFile] });
  const before = await listDeltas(repo);
  const probes = [before.segments[1]?.lastRevision, before.segments[3]?.firstRevision, last] as number[];
  const entries = async () => Promise.all(probes.map(async (rev) => {
    const loaded = await loadDeltaRestore(repo, await planDeltaRestore(repo, full, { toRevision: rev }), { identities, snapshotRevision: full.cluster.revision });
    return loaded.entries.map((e) => `${Buffer.from(e.key).toString('hex')}=${Buffer.from(e.value).toString('hex')}`);
  }));
  const expected = await entries();
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const merged = await runKubekeeper(['backup', 'merge-deltas', '--repo', repoDir, '-i', keyFile, '-r', recipient, '--until-day', tomorrow, '-w', 'json']);
  assert.equal(merged.code, 0, merged.stderr);
  const result = JSON.parse(merged.stdout) as { merged: { name: string; parts: string[] }[]; removedParts: number };
  assert.equal(result.merged.length, 1);
  assert.equal(result.removedParts, before.segments.length);
  const after = await listDeltas(repo);
  assert.deepEqual(after.segments.map((s) => [s.firstRevision, s.lastRevision]), [[before.segments[0]?.firstRevision, before.segments[before.segments.length - 1]?.lastRevision]]);
  assert.equal(after.objects.length, 1);
  assert.deepEqual(await entries(), expected);
});
