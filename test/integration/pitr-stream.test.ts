/**
 * Issue 20: continuous deltas against a real etcd (3.6 and 3.4). A seeded random workload
 * (puts, deletes, multi-op txns, leases granted, revoked and expiring, a compaction) runs while
 * `kubekeeper backup stream` runs as a child process, which is SIGKILLed mid-segment and
 * restarted, and joined by a second streamer that must wait. Then, for several revisions R,
 * the keyspace rebuilt from the full backup's snapshot plus the deltas up to R equals the
 * source's `etcdctl get "" --prefix --rev R` taken before compaction: keys, values, create and
 * mod revisions, versions, and leases per the documented rule.
 */
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { type BackupRepository, loadBackupIdentities, loadDeltaRestore, listDeltas, openBackupRepository, planDeltaRestore } from '../../src/backup/index.js';
import { openBolt, randomAccessFromBytes } from '../../src/snapshot/index.js';
import { type CliResult, runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, etcdctlOk } from '../support/etcd.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { type KvJson, etcdctlState, stateFromKeyBucket } from '../support/pitr-workload.js';
import { until } from '../support/poll.js';
import { startPitr } from '../support/pitr-setup.js';

interface Streamer {
  child?: ChildProcess;
  done: Promise<CliResult>;
}

function startStreamer(etcd: EtcdProcess, repo: string, recipient: string, extra: string[] = []): Streamer {
  const s: Streamer = { done: Promise.resolve({ code: 0, signal: null, stdout: '', stderr: '' }) };
  s.done = runKubekeeper(['backup', 'stream', ...etcd.clientFlags, '--repo', repo, '-r', recipient, '--flush-interval', '300ms', '--election-ttl', '3s', ...extra], {
    timeoutMs: 600_000, onSpawn: (c) => (s.child = c),
  });
  return s;
}

async function storedUpTo(repo: BackupRepository): Promise<number> {
  const { segments } = await listDeltas(repo);
  return segments.reduce((m, s) => Math.max(m, s.lastRevision), 0);
}

function snapshotEntries(file: string): { entries: { key: Uint8Array; value: Uint8Array }[]; leases: Set<bigint>; revision: number } {
  const db = openBolt(randomAccessFromBytes(readFileSync(file)));
  const entries = [...(db.bucket('key')?.entries() ?? [])].map((e) => ({ key: e.key, value: e.value as Uint8Array }));
  const leases = new Set([...(db.bucket('lease')?.entries() ?? [])].map((e) => Buffer.from(e.key).readBigInt64BE(0)));
  const last = entries[entries.length - 1];
  return { entries, leases, revision: last ? Number(Buffer.from(last.key).readBigInt64BE(0)) : 0 };
}

function withoutLease(kvs: KvJson[]): KvJson[] {
  return kvs.map(({ lease: _lease, ...rest }) => rest);
}

async function scenario(t: TestContext, binDir: string | undefined, seed: number, streamFlags: string[]): Promise<void> {
  const { dir, keyFile, recipient, repoDir, etcd, workload } = await startPitr(t, { prefix: 'kk-pitr-', binDir, seed, operations: 60 });

  let first = startStreamer(etcd, repoDir, recipient, streamFlags);
  t.after(() => first.child?.kill('SIGKILL'));
  const repo = await openBackupRepository(repoDir);
  t.after(() => repo.backend.close());
  const targets: { rev: number; state: KvJson[] }[] = [];
  const capture = async (revs: number[]) => {
    for (const rev of [revs[Math.floor(revs.length / 3)], revs[revs.length - 1]] as number[]) targets.push({ rev, state: await etcdctlState(etcd, rev) });
  };
  await capture(await workload.run(150));
  // Killed with events buffered (a flush every 300 ms under a steady workload): they are lost
  // from the buffer, not from the chain, because the restart resumes from what is stored.
  await until('a first segment', async () => ((await storedUpTo(repo)) > 0 ? true : undefined));
  const during = workload.run(120);
  await new Promise((r) => setTimeout(r, 400));
  first.child?.kill('SIGKILL');
  await first.done;
  await capture(await during);
  first = startStreamer(etcd, repoDir, recipient, streamFlags);
  // A second streamer must wait for the election, whatever it is told.
  const second = startStreamer(etcd, repoDir, recipient, streamFlags);
  t.after(() => second.child?.kill('SIGKILL'));
  await capture(await workload.run(150));
  const finalRev = targets[targets.length - 1]?.rev as number;
  await until(`deltas stored up to revision ${finalRev}`, async () => ((await storedUpTo(repo)) >= finalRev ? true : undefined), 60_000);
  // A compaction of the source while the stream is on and caught up: the stream goes on.
  await etcdctlOk(etcd, ['compact', String(finalRev - 20)]);
  const after = await workload.run(40);
  await until('deltas stored after the compaction', async () => ((await storedUpTo(repo)) >= (after[after.length - 1] as number) ? true : undefined), 60_000);
  first.child?.kill('SIGTERM');
  second.child?.kill('SIGTERM');
  const [a, b] = await Promise.all([first.done, second.done]);
  const logs = `${a.stdout}${b.stdout}`;
  assert.match(logs, /delta\.election\.waiting/, 'the second streamer waited for the election');
  assert.doesNotMatch(logs, /delta\.stream\.gap/, 'no gap while the stream keeps up');

  // Contiguous, no overlap: nothing lost, nothing stored twice.
  const { segments } = await listDeltas(repo);
  const fullManifest = await repo.resolve('full1');
  let next = fullManifest.cluster.revision + 1;
  for (const s of segments) {
    assert.equal(s.firstRevision, next, `segment ${s.name} starts right after the one before`);
    next = s.lastRevision + 1;
  }

  const identities = await loadBackupIdentities({ identityFiles: [keyFile] });
  const snapFile = path.join(dir, 'full1.db');
  const dl = await runKubekeeper(['backup', 'download', 'full1', '--repo', repoDir, '-i', keyFile, '-o', snapFile]);
  assert.equal(dl.code, 0, dl.stderr);
  const snap = snapshotEntries(snapFile);
  for (const { rev, state } of targets) {
    const plan = await planDeltaRestore(repo, fullManifest, { toRevision: rev });
    const loaded = await loadDeltaRestore(repo, plan, { identities, snapshotRevision: snap.revision, knownLeases: snap.leases });
    const restored = stateFromKeyBucket([...snap.entries, ...loaded.entries], rev);
    assert.deepEqual(withoutLease(restored), withoutLease(state), `keyspace at revision ${rev}`);
    // Lease rule: a restored key keeps its lease when the snapshot or the stream has it, else it is detached.
    const kept = new Set([...snap.leases, ...loaded.leases.map((l) => l.id)].map(String));
    for (const kv of restored) if (kv.lease) assert.ok(kept.has(kv.lease), `lease ${kv.lease} of a restored key is recreated`);
    const expectedLeases = state.filter((kv) => kv.lease && kept.has(kv.lease)).map((kv) => [kv.key, kv.lease]);
    assert.deepEqual(restored.filter((kv) => kv.lease).map((kv) => [kv.key, kv.lease]), expectedLeases);
    assert.equal(loaded.detachedKeys >= state.filter((kv) => kv.lease && !kept.has(kv.lease)).length, true);
  }
  assert.ok(targets.length >= 6);
}

// The default polling watch (a new watch each time the last one caught up) on 3.6 and 3.4, and
// one watch held open (--watch-poll 0) on 3.6.
for (const [key, watchPoll] of [['ETCD_36', undefined], ['ETCD_34_DEBIAN', undefined], ['ETCD_36', '0']] as const) {
  const version = pinnedVersions[key] as string;
  const peer = findEtcd(version);
  const mode = watchPoll === '0' ? 'one open watch' : 'polling watch';
  test(`delta stream on etcd ${version} (${mode}): restored keyspace equals the source at every sampled revision, through a kill, a second streamer and a compaction`, { timeout: 600_000, skip: peer.missing }, async (t) => {
    await scenario(t, peer.peer?.binDir, 20 + version.length + (watchPoll ? 1 : 0), watchPoll ? ['--watch-poll', watchPoll] : []);
  });
}
