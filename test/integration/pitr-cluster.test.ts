/**
 * Issue 20: the delta stream on a 3-member etcd 3.6 cluster through a leader move and the
 * loss of the member it watches: it reconnects to another member, campaigns again, resumes
 * from the last stored revision, and the chain stays contiguous with the keyspace at the last
 * revision equal to the surviving members' `etcdctl get --rev`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { listDeltas, loadBackupIdentities, loadDeltaRestore, openBackupRepository, planDeltaRestore } from '../../src/backup/index.js';
import { openBolt, randomAccessFromBytes } from '../../src/snapshot/index.js';
import { runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, etcdctlOk, startEtcd } from '../support/etcd.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { connectTo, createWorkload, etcdctlState, stateFromKeyBucket } from '../support/pitr-workload.js';
import { until } from '../support/poll.js';
import { planMembers } from '../support/restore.js';
import { tempDir } from '../support/temp.js';

const peer = findEtcd(pinnedVersions.ETCD_36 as string);

test('delta stream on a 3-member cluster survives a leader move and the loss of its member without losing or repeating a revision', { timeout: 300_000, skip: peer.missing }, async (t) => {
  const dir = await tempDir(t, 'kk-pitr-cluster-');
  const keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  const { members, initialCluster } = await planMembers(['m1', 'm2', 'm3']);
  const etcds: EtcdProcess[] = await Promise.all(members.map((m) => startEtcd({
    binDir: peer.peer?.binDir, name: m.name, peerPort: m.peerPort, clientPort: m.clientPort, initialCluster, noWait: true,
  })));
  t.after(() => Promise.all(etcds.map((e) => e.stop())));
  await Promise.all(etcds.map((e) => e.waitHealthy(60_000)));
  const [m1, m2] = etcds as [EtcdProcess, EtcdProcess, EtcdProcess];
  const endpoints = etcds.map((e) => e.clientUrl).join(',');
  const client = await connectTo(m2);
  t.after(() => client.close());
  const workload = createWorkload(client, 99);
  await workload.run(30);
  const repoDir = path.join(dir, 'repo');
  assert.equal((await runKubekeeper(['backup', 'save', '--endpoints', endpoints, '--repo', repoDir, '-r', recipient, '--name', 'full1'])).code, 0);
  let child: import('node:child_process').ChildProcess | undefined;
  const done = runKubekeeper(['backup', 'stream', '--endpoints', endpoints, '--dial-timeout', '1s', '--command-timeout', '3s', '--repo', repoDir, '-r', recipient, '--flush-interval', '300ms', '--election-ttl', '3s'], {
    timeoutMs: 300_000, onSpawn: (c) => (child = c),
  });
  t.after(() => child?.kill('SIGKILL'));
  const repo = await openBackupRepository(repoDir);
  t.after(() => repo.backend.close());
  const stored = async () => (await listDeltas(repo)).segments.reduce((m, s) => Math.max(m, s.lastRevision), 0);
  let revs = await workload.run(100);
  await until('first deltas', async () => ((await stored()) >= (revs[revs.length - 1] as number) ? true : undefined));

  // Move the leader to another member.
  const all = { clientFlags: ['--endpoints', endpoints], binDir: m2.binDir };
  const raw = await etcdctlOk(all, ['endpoint', 'status', '-w', 'fields']);
  const leader = /"Leader" : (\d+)/.exec(raw)?.[1];
  const ids = [...raw.matchAll(/"MemberID" : (\d+)/g)].map((m) => m[1] as string);
  assert.equal(ids.length, 3, raw);
  // To m2 or m3: m1 is killed below, and losing a follower must not cost the workload an election.
  const target = ids.find((id, i) => id !== leader && i > 0) as string;
  await etcdctlOk(all, ['move-leader', BigInt(target).toString(16)]);
  const moved = /"Leader" : (\d+)/.exec(await etcdctlOk(all, ['endpoint', 'status', '-w', 'fields']))?.[1];
  assert.equal(moved, target);
  revs = await workload.run(100);
  await until('deltas after the leader move', async () => ((await stored()) >= (revs[revs.length - 1] as number) ? true : undefined));

  // Lose the member the streamer watches (connectEtcd picks the first healthy endpoint: m1), a follower now.
  m1.kill('SIGKILL');
  revs = await workload.run(150);
  const last = revs[revs.length - 1] as number;
  await until(`deltas up to ${last} after losing m1`, async () => ((await stored()) >= last ? true : undefined), 120_000);
  const expected = await etcdctlState(m2, last);
  child?.kill('SIGTERM');
  const out = await done;
  assert.match(out.stdout, /"event":"delta\.stream\.(restart|leadership-lost)"/, 'the streamer noticed the lost member');

  const { segments } = await listDeltas(repo);
  const full = await repo.resolve('full1');
  let next = full.cluster.revision + 1;
  for (const s of segments) {
    assert.equal(s.firstRevision, next, `segment ${s.name} follows the one before`);
    next = s.lastRevision + 1;
  }
  const snapFile = path.join(dir, 'full1.db');
  assert.equal((await runKubekeeper(['backup', 'download', 'full1', '--repo', repoDir, '-i', keyFile, '-o', snapFile])).code, 0);
  const db = openBolt(randomAccessFromBytes(readFileSync(snapFile)));
  const entries = [...(db.bucket('key')?.entries() ?? [])].map((e) => ({ key: e.key, value: e.value as Uint8Array }));
  const snapshotRevision = Number(Buffer.from((entries[entries.length - 1] as { key: Uint8Array }).key).readBigInt64BE(0));
  const identities = await loadBackupIdentities({ identityFiles: [keyFile] });
  const loaded = await loadDeltaRestore(repo, await planDeltaRestore(repo, full, { toRevision: last }), { identities, snapshotRevision });
  const restored = stateFromKeyBucket([...entries, ...loaded.entries], last);
  const strip = (kvs: typeof expected) => kvs.map(({ lease: _l, ...rest }) => rest);
  assert.deepEqual(strip(restored), strip(expected));
});
