/**
 * Issue 20: a delta chain that is tampered with, missing a segment, or holding a segment
 * under another's name is refused with the segment's name and the latest restorable point,
 * before any data is used; and a compaction gap (the streamer was down while etcd compacted
 * past it) is recorded, answered with a new full backup, and said so in the logs.
 */
import assert from 'node:assert/strict';
import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DeltaChainError, listDeltas, loadBackupIdentities, loadDeltaRestore, openBackupRepository, planDeltaRestore } from '../../src/backup/index.js';
import { type CliResult, runKubekeeper } from '../support/cli.js';
import { etcdctlOk } from '../support/etcd.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { until } from '../support/poll.js';
import { startPitr } from '../support/pitr-setup.js';

const peer = findEtcd(pinnedVersions.ETCD_36 as string);

test('a tampered, missing or misnamed delta segment is refused with its name, and a compaction gap brings a new full backup', { timeout: 300_000, skip: peer.missing }, async (t) => {
  const { dir, keyFile, recipient, repoDir, etcd, workload } = await startPitr(t, { prefix: 'kk-pitr-chain-', binDir: peer.peer?.binDir, seed: 7, operations: 30 });
  const stream = () => {
    let child: import('node:child_process').ChildProcess | undefined;
    const done = runKubekeeper(['backup', 'stream', ...etcd.clientFlags, '--repo', repoDir, '-r', recipient, '--flush-interval', '200ms'], { timeoutMs: 300_000, onSpawn: (c) => (child = c) });
    t.after(() => child?.kill('SIGKILL'));
    return { stop: async (): Promise<CliResult> => { child?.kill('SIGTERM'); return done; } };
  };
  const repo = await openBackupRepository(repoDir);
  t.after(() => repo.backend.close());
  const s1 = stream();
  let last = 0;
  await until('four segments', async () => {
    last = (await workload.run(20)).pop() as number;
    return (await listDeltas(repo)).segments.length >= 4 ? true : undefined;
  });
  await until(`revision ${last} stored`, async () => ((await listDeltas(repo)).segments.some((s) => s.lastRevision >= last) ? true : undefined));
  await s1.stop();
  const { segments } = await listDeltas(repo);
  const full = await repo.resolve('full1');
  const identities = await loadBackupIdentities({ identityFiles: [keyFile] });
  const [seg1, seg2, seg3] = segments as [typeof segments[number], typeof segments[number], typeof segments[number]];
  const lastRev = segments[segments.length - 1]?.lastRevision as number;

  const variant = async (name: string, change: (dir: string) => Promise<void>) => {
    const copy = path.join(dir, name);
    await cp(repoDir, copy, { recursive: true });
    await change(copy);
    return openBackupRepository(copy);
  };
  // Tampered: one byte of the second segment's data flipped.
  const tampered = await variant('tampered', async (d) => {
    const object = (await readdir(path.join(d, 'data'))).find((n) => n.startsWith(`${seg2.name}.`)) as string;
    const bytes = await readFile(path.join(d, 'data', object));
    const at = bytes.length >> 1;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
    await writeFile(path.join(d, 'data', object), bytes);
  });
  const plan = await planDeltaRestore(tampered, full, { toRevision: lastRev });
  await assert.rejects(loadDeltaRestore(tampered, plan, { identities, snapshotRevision: full.cluster.revision }), (err: unknown) => {
    assert.ok(err instanceof DeltaChainError, String(err));
    assert.equal(err.segment, seg2.name);
    assert.match(err.message, new RegExp(seg2.name.replace(/\./g, '\\.')));
    return true;
  });
  await tampered.backend.close();
  // Missing: the second segment's manifest removed. The gap is named, and the latest restorable point offered.
  const missing = await variant('missing', (d) => rm(path.join(d, 'manifest', `${seg2.name}.json`)));
  await assert.rejects(planDeltaRestore(missing, full, { toRevision: lastRev }), (err: unknown) => {
    assert.ok(err instanceof DeltaChainError, String(err));
    assert.equal(err.latestRestorableRevision, seg1.lastRevision);
    assert.match(err.message, new RegExp(`revisions ${seg2.firstRevision}-${seg2.lastRevision} are in no segment`));
    assert.match(err.hint ?? '', new RegExp(`--to-revision ${seg1.lastRevision}`));
    return true;
  });
  assert.equal((await planDeltaRestore(missing, full, { toRevision: seg1.lastRevision })).toRevision, seg1.lastRevision);
  await missing.backend.close();
  // Misnamed: the third segment's manifest stored under the second's name.
  const swapped = await variant('swapped', async (d) => {
    await writeFile(path.join(d, 'manifest', `${seg2.name}.json`), await readFile(path.join(d, 'manifest', `${seg3.name}.json`)));
  });
  await assert.rejects(planDeltaRestore(swapped, full, { toRevision: lastRev }), (err: unknown) => {
    assert.ok(err instanceof DeltaChainError, String(err));
    assert.equal(err.segment, seg2.name);
    assert.equal(err.latestRestorableRevision, seg1.lastRevision);
    return true;
  });
  await swapped.backend.close();

  // Compaction gap: etcd compacts past the last stored revision while no streamer runs.
  const gapStart = lastRev + 1;
  const revs = await workload.run(40);
  await etcdctlOk(etcd, ['compact', String(revs[revs.length - 1])]);
  const s2 = stream();
  await until('a new full backup after the gap', async () => ((await repo.listBackups()).backups.length >= 2 ? true : undefined));
  const more = await workload.run(10);
  await until('deltas after the new full backup', async () => ((await listDeltas(repo)).segments.some((s) => s.lastRevision >= (more[more.length - 1] as number)) ? true : undefined));
  const out = await s2.stop();
  assert.match(out.stdout, /"event":"delta\.stream\.gap","fromRevision":\d+,"toRevision":\d+/);
  assert.match(out.stdout, /"event":"delta\.stream\.full-backup"/);
  const listing = await listDeltas(repo);
  assert.equal(listing.gaps.length, 1);
  assert.equal(listing.gaps[0]?.firstRevision, gapStart);
  await assert.rejects(planDeltaRestore(repo, full, { toRevision: more[more.length - 1] as number }), DeltaChainError);
  const newest = (await repo.listBackups()).backups.find((b) => b.name !== 'full1')?.manifest;
  assert.ok(newest);
  const fromNew = await planDeltaRestore(repo, newest, { toRevision: more[more.length - 1] as number });
  assert.ok(fromNew.segments.length > 0);

  const listed = await runKubekeeper(['backup', 'list', '--repo', repoDir, '-w', 'json']);
  assert.equal(listed.code, 0, listed.stderr);
  const pit = (JSON.parse(listed.stdout) as { pointInTime: { recoveryPoint: { revision: number; receivedAt: string }; gaps: number; backups: { name: string; fromRevision: number; toRevision: number }[] } }).pointInTime;
  assert.equal(pit.gaps, 1);
  assert.ok(pit.recoveryPoint.revision >= (more[more.length - 1] as number) && Date.parse(pit.recoveryPoint.receivedAt) > 0);
  assert.deepEqual(pit.backups.find((b) => b.name === 'full1'), { name: 'full1', fromRevision: full.cluster.revision, toRevision: lastRev });
  assert.equal(pit.backups.find((b) => b.name === newest.name)?.toRevision, pit.recoveryPoint.revision);
  // Retention: with only the new full backup kept, the deltas before it go, with reasons; those after it stay.
  const pruned = await runKubekeeper(['backup', 'prune', '--repo', repoDir, '--keep-last', '1', '-w', 'json']);
  assert.equal(pruned.code, 0, pruned.stderr);
  const decisions = (JSON.parse(pruned.stdout) as { deltas: { name: string; action: string; reason: string; lastRevision: number }[] }).deltas;
  for (const d of decisions) {
    assert.equal(d.action, d.lastRevision <= newest.cluster.revision ? 'remove' : 'keep', `${d.name}: ${d.reason}`);
    if (d.action === 'remove') assert.match(d.reason, /precede the oldest kept full backup/);
  }
  const left = await listDeltas(repo);
  assert.ok(left.segments.length > 0 && left.segments.every((s) => s.lastRevision > newest.cluster.revision));
  assert.deepEqual(left.gaps, []);
  assert.equal(left.objects.length, left.segments.length, 'each kept segment has its data object, removed ones none');
  assert.ok((await planDeltaRestore(repo, newest, { toRevision: more[more.length - 1] as number })).segments.length > 0);
});
