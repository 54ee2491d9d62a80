/**
 * Issue 20, item 3 (retention), orphaned delta data: a streamer killed between storing a
 * segment's data object and its manifest leaves data no manifest names. Against a real etcd
 * 3.6: the streamer is SIGKILLed, the kill's leftovers are made with the store's own writer
 * (a segment whose manifest was never written, one reaching far beyond anything etcd has, and
 * a second data object under a stored segment's name); the restarted streamer resumes from the
 * last manifest, `backup list` ignores the orphans, `backup prune` keeps them within the grace
 * and removes them past it with the reason, and a restore into that range gives the source's
 * `get --rev R`.
 */
import assert from 'node:assert/strict';
import { copyFile, readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { listDeltas, openBackupRepository, readDeltaManifest } from '../../src/backup/index.js';
import { deltaName } from '../../src/backup/delta-manifest.js';
import { writeDeltaSegment } from '../../src/backup/delta-store.js';
import { loadRecipients } from '../../src/crypto/index.js';
import { runKubekeeper } from '../support/cli.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { restoredStateAt, withoutLeases } from '../support/pitr-check.js';
import { startPitr } from '../support/pitr-setup.js';
import { etcdctlState } from '../support/pitr-workload.js';
import { until } from '../support/poll.js';

const peer = findEtcd(pinnedVersions.ETCD_36 as string);

interface PruneJson { deltas?: { name: string; kind: string; action: string; reason: string }[] }

test('orphaned delta data: the resumed streamer ignores it, backup list does not show it, prune removes it only past the grace, restore is unaffected', { timeout: 300_000, skip: peer.missing }, async (t) => {
  const { dir, keyFile, recipient, repoDir, etcd, workload } = await startPitr(t, { prefix: 'kk-pitr-orphan-', binDir: peer.peer?.binDir, seed: 23, operations: 20 });
  const repo = await openBackupRepository(repoDir);
  t.after(() => repo.backend.close());
  const stored = async () => (await listDeltas(repo)).segments.reduce((m, s) => Math.max(m, s.lastRevision), 0);
  const stream = () => {
    let child: import('node:child_process').ChildProcess | undefined;
    const done = runKubekeeper(['backup', 'stream', ...etcd.clientFlags, '--repo', repoDir, '-r', recipient, '--flush-interval', '200ms', '--election-ttl', '5s'], { timeoutMs: 200_000, onSpawn: (c) => (child = c) });
    t.after(() => child?.kill('SIGKILL'));
    return { done, kill: async (sig: NodeJS.Signals) => { child?.kill(sig); await done; } };
  };

  const first = stream();
  const phase1 = await workload.run(40);
  const p1 = phase1[phase1.length - 1] as number;
  await until(`revision ${p1} stored`, async () => ((await stored()) >= p1 ? true : undefined));
  // Killed: its election lease (5 s) blocks the next streamer until it expires.
  await first.kill('SIGKILL');
  const killedAt = await stored();

  // What a kill between data and manifest leaves: the next range's data, no manifest. It
  // reaches far past etcd's revision, so a listing, resume or restore that used it would show.
  const recipients = await loadRecipients(recipient);
  const far = killedAt + 100_000;
  const written = await writeDeltaSegment(repo, { clusterId: 'x', firstRevision: killedAt + 1, lastRevision: far, records: [], receivedAt: [[far, Date.now()]], compression: 'gzip', recipients });
  await repo.backend.remove({ type: 'manifest', name: `${written.name}.json` });
  const farOrphan = written.object.name;
  // And a second object under a stored segment's name (a retried write of the same range).
  const listed = await listDeltas(repo);
  const kept = listed.segments[listed.segments.length - 1] as (typeof listed.segments)[number];
  const keptObject = (await readDeltaManifest(repo, kept)).object.name;
  const twin = keptObject.replace(/\.[0-9a-f]{8}\.kkd/, '.0badf00d.kkd');
  await copyFile(path.join(repoDir, 'data', keptObject), path.join(repoDir, 'data', twin));
  const orphans = [farOrphan, twin].sort();

  const second = stream();
  const phase2 = await workload.run(40);
  const p2 = phase2[phase2.length - 1] as number;
  await until(`revision ${p2} stored`, async () => ((await stored()) >= p2 ? true : undefined));
  await second.kill('SIGTERM');
  const after = await listDeltas(repo);
  assert.ok(after.segments.some((s) => s.firstRevision === killedAt + 1 && s.lastRevision < far), `the restarted streamer resumed at ${killedAt + 1}, after the last manifest`);
  assert.equal(await stored(), Math.max(...after.segments.map((s) => s.lastRevision)));
  assert.ok((await stored()) < far);
  assert.equal(after.segments.some((s) => s.name === deltaName(killedAt + 1, far)), false);

  const list = await runKubekeeper(['backup', 'list', '--repo', repoDir, '-w', 'json']);
  assert.equal(list.code, 0, list.stderr);
  const pit = (JSON.parse(list.stdout) as { pointInTime: { segments: number; recoveryPoint: { revision: number } } }).pointInTime;
  assert.equal(pit.recoveryPoint.revision, await stored());
  assert.equal(pit.segments, after.segments.length);
  const text = await runKubekeeper(['backup', 'list', '--repo', repoDir]);
  assert.ok(!text.stdout.includes(String(far)) && !text.stdout.includes('0badf00d'), text.stdout);

  // Within the grace (the objects are seconds old): kept, with why.
  const prune = async () => {
    const r = await runKubekeeper(['backup', 'prune', '--repo', repoDir, '--keep-last', '5', '-w', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return ((JSON.parse(r.stdout) as PruneJson).deltas ?? []).filter((d) => d.kind === 'orphan');
  };
  const young = await prune();
  assert.deepEqual(young.map((d) => [d.name, d.action]).sort(), orphans.map((o) => [o, 'keep']));
  for (const d of young) assert.match(d.reason, /^orphaned delta data: no manifest .* within the 1h grace: may be a segment being written/);
  const data = async () => (await readdir(path.join(repoDir, 'data'))).filter((x) => x.startsWith('delta.')).sort();
  assert.deepEqual((await data()).filter((x) => orphans.includes(x)), orphans);

  // Past it (aged as a killed streamer's leftovers would be): removed, with the reason; every segment's own data stays.
  const old = new Date(Date.now() - 2 * 3_600_000);
  for (const o of orphans) await utimes(path.join(repoDir, 'data', o), old, old);
  const dry = await runKubekeeper(['backup', 'prune', '--repo', repoDir, '--keep-last', '5', '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`would remove +${farOrphan.replace(/\./g, '\\.')} +orphaned delta data: no manifest`));
  assert.deepEqual((await data()).filter((x) => orphans.includes(x)), orphans, 'a dry run removes nothing');
  const removed = await prune();
  assert.deepEqual(removed.map((d) => [d.name, d.action]).sort(), orphans.map((o) => [o, 'remove']));
  for (const d of removed) assert.match(d.reason, /^orphaned delta data: no manifest "delta\.\d+-\d+" names it \(older than the 1h grace/);
  const left = await listDeltas(repo);
  assert.deepEqual(left.objects.filter((x) => orphans.includes(x)), []);
  assert.equal(left.objects.length, left.segments.length, 'each segment keeps its data object');
  assert.equal((await readDeltaManifest(repo, kept)).object.name, keptObject);

  // A restore into the range the orphan claimed gives the source's keyspace at that revision.
  const target = phase2[20] as number;
  assert.ok(target > killedAt);
  const expected = withoutLeases(await etcdctlState(etcd, target));
  assert.deepEqual(await restoredStateAt({ dir, repoDir, keyFiles: [keyFile], backup: 'full1', revision: target, binDir: peer.peer?.binDir }), expected);
});
