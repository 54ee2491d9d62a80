/**
 * Issue 20, item 2, end to end with the built CLI and real etcd (3.6 and 3.4): a full backup,
 * `backup stream` under a seeded random workload, then `snapshot restore --from-backup
 * --to-revision R` for several R and `--to-time T`; each restored data dir starts in the
 * same etcd version and serves exactly the source's `get "" --prefix --rev R` (keys, values,
 * create and mod revisions, versions); every lease a restored key keeps exists in the
 * restored etcd (lease rule). A tampered segment is refused with its name and no data dir.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { listDeltas, openBackupRepository } from '../../src/backup/index.js';
import { runKubekeeper } from '../support/cli.js';
import { etcdctlOk, startEtcd } from '../support/etcd.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { type KvJson, etcdctlState } from '../support/pitr-workload.js';
import { until } from '../support/poll.js';
import { planMembers } from '../support/restore.js';
import { startPitr } from '../support/pitr-setup.js';

interface RestoreJson {
  revision: { before: string | number };
  pointInTime?: { toRevision: number; segments: number; leases: number; detachedKeys: number };
}

async function scenario(t: TestContext, binDir: string | undefined, seed: number): Promise<void> {
  const { dir, keyFile, recipient, repoDir, etcd, workload } = await startPitr(t, { prefix: 'kk-pitr-restore-', binDir, seed, operations: 50 });
  let child: import('node:child_process').ChildProcess | undefined;
  const done = runKubekeeper(['backup', 'stream', ...etcd.clientFlags, '--repo', repoDir, '-r', recipient, '--flush-interval', '300ms'], { timeoutMs: 300_000, onSpawn: (c) => (child = c) });
  t.after(() => child?.kill('SIGKILL'));
  const repo = await openBackupRepository(repoDir);
  t.after(() => repo.backend.close());
  const stored = async () => (await listDeltas(repo)).segments.reduce((m, s) => Math.max(m, s.lastRevision), 0);
  const targets: { rev: number; state: KvJson[] }[] = [];
  const phase1 = await workload.run(120);
  for (const rev of [phase1[10], phase1[60]] as number[]) targets.push({ rev, state: await etcdctlState(etcd, rev) });
  const p1 = phase1[phase1.length - 1] as number;
  await until('phase 1 stored', async () => ((await stored()) >= p1 ? true : undefined));
  // A time between two phases, a second clear of each (receive times have 1 s precision).
  await new Promise((r) => setTimeout(r, 1100));
  const at = new Date();
  await new Promise((r) => setTimeout(r, 1100));
  const phase2 = await workload.run(120);
  for (const rev of [phase2[50], phase2[phase2.length - 1]] as number[]) targets.push({ rev, state: await etcdctlState(etcd, rev) });
  await until('phase 2 stored', async () => ((await stored()) >= (phase2[phase2.length - 1] as number) ? true : undefined));
  child?.kill('SIGTERM');
  await done;

  let n = 0;
  const restoreTo = async (target: string[]) => {
    const { members, initialCluster } = await planMembers([`r${++n}`]);
    const m = members[0] as (typeof members)[number];
    const dataDir = path.join(dir, `restored-${n}`);
    const r = await runKubekeeper(['snapshot', 'restore', '--from-backup', 'full1', '--repo', repoDir, '-i', keyFile, ...target, '--data-dir', dataDir,
      '--name', m.name, '--initial-cluster', initialCluster, '--initial-advertise-peer-urls', m.peerUrl, '-w', 'json'], { timeoutMs: 120_000 });
    return { r, dataDir, m, initialCluster };
  };
  const serve = async (dataDir: string, m: Awaited<ReturnType<typeof restoreTo>>['m'], initialCluster: string) => {
    const restored = await startEtcd({ dataDir, name: m.name, peerPort: m.peerPort, clientPort: m.clientPort, initialCluster, binDir });
    const member = restored;
    try {
      const state = await etcdctlState(member);
      for (const kv of state.filter((x) => x.lease)) {
        const ttl = await etcdctlOk(member, ['lease', 'timetolive', BigInt(kv.lease as string).toString(16)]);
        assert.doesNotMatch(ttl, /already expired|not found/, `lease of ${Buffer.from(kv.key, 'base64')} exists in the restored etcd`);
      }
      return state;
    } finally {
      await restored.stop();
    }
  };
  const strip = (kvs: KvJson[]) => kvs.map(({ lease: _l, ...rest }) => rest);
  let leasesRecreated = 0;
  for (const { rev, state } of targets) {
    const { r, dataDir, m, initialCluster } = await restoreTo(['--to-revision', String(rev)]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as RestoreJson;
    assert.equal(report.pointInTime?.toRevision, rev);
    leasesRecreated += report.pointInTime?.leases ?? 0;
    assert.deepEqual(strip(await serve(dataDir, m, initialCluster)), strip(state), `restored keyspace at revision ${rev}`);
  }
  assert.ok(leasesRecreated > 0, 'leases granted after the full backup were recreated (and their keys served with them)');
  const { r, dataDir, m, initialCluster } = await restoreTo(['--to-time', at.toISOString()]);
  assert.equal(r.code, 0, r.stderr);
  const reached = (JSON.parse(r.stdout) as RestoreJson).pointInTime?.toRevision as number;
  assert.ok(reached >= p1 && reached < (phase2[0] as number), `--to-time reached revision ${reached}, between ${p1} and ${phase2[0]}`);
  assert.deepEqual(strip(await serve(dataDir, m, initialCluster)), strip(await etcdctlState(etcd, reached)));

  // A tampered segment: refused with its name, nothing written.
  const { segments } = await listDeltas(repo);
  const victim = segments[1] as (typeof segments)[number];
  const object = (await readdir(path.join(repoDir, 'data'))).find((x) => x.startsWith(`${victim.name}.`)) as string;
  const bytes = await readFile(path.join(repoDir, 'data', object));
  bytes.writeUInt8(bytes.readUInt8(100) ^ 1, 100);
  await writeFile(path.join(repoDir, 'data', object), bytes);
  const bad = await restoreTo(['--to-revision', String(targets[targets.length - 1]?.rev)]);
  assert.notEqual(bad.r.code, 0);
  assert.match(bad.r.stderr, new RegExp(victim.name.replace(/\./g, '\\.')));
  assert.equal(existsSync(bad.dataDir), false);
}

for (const key of ['ETCD_36', 'ETCD_34_DEBIAN']) {
  const version = pinnedVersions[key] as string;
  const peer = findEtcd(version);
  test(`snapshot restore --to-revision/--to-time on etcd ${version}: the restored member serves the source's keyspace at that revision`, { timeout: 600_000, skip: peer.missing }, async (t) => {
    await scenario(t, peer.peer?.binDir, 40 + version.length);
  });
}
