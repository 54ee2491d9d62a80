/**
 * `kubekeeper snapshot restore` against the real etcd 3.4: snapshots taken by etcdctl and by
 * `kubekeeper snapshot save` are restored without any etcd binary, and a
 * real etcd started on the restored dir must serve every key, value, lease and revision as
 * the source did, with the member the flags asked for. With Kubernetes data, the default
 * restore bumps the revision by 1e9 and a watch from an old revision is told "compacted".
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runKubekeeper, runProcess } from '../support/cli.js';
import { etcdctl, etcdctlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import {
  headerIds, loadSampleData, memberList, planMembers, readServedState, restoreFlags, startRestored, type ServedState,
} from '../support/restore.js';

describe('snapshot restore served by a real etcd', () => {
  let dir: string;
  let before0: ServedState;
  const snapshots: Record<string, string> = {};
  const started: EtcdProcess[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kk-restore-'));
    const source = await startEtcd({ dataDir: path.join(dir, 'source'), extraArgs: ['--max-txn-ops', '500'] });
    started.push(source);
    await loadSampleData(source);
    before0 = await readServedState(source);
    snapshots.etcdctl = path.join(dir, 'etcdctl.db');
    await etcdctlOk(source, ['snapshot', 'save', snapshots.etcdctl]);
    snapshots.kubekeeper = path.join(dir, 'kubekeeper.db');
    const saved = await runKubekeeper(['snapshot', 'save', snapshots.kubekeeper, ...source.clientFlags]);
    assert.equal(saved.code, 0, saved.stderr);
    await source.stop();
  });

  after(async () => {
    for (const m of started) await m.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const origin of ['etcdctl', 'kubekeeper'] as const) {
    test(`restore of a ${origin} snapshot serves every key, value, lease and revision when --bump-revision is 0`, async () => {
      const snapshot = snapshots[origin] as string;
      const { members, initialCluster } = await planMembers(['restored-1']);
      const m = members[0] as (typeof members)[0];
      const dataDir = path.join(dir, `${origin}-restored`);
      const r = await runKubekeeper(['snapshot', 'restore', snapshot, '--data-dir', dataDir, ...restoreFlags(m, initialCluster, 'tok-restore'), '--bump-revision', '0']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Revisions kept as in the snapshot/);
      const etcd = await startRestored(dataDir, m, initialCluster);
      started.push(etcd);
      const after0 = await readServedState(etcd);
      assert.deepEqual(after0, before0);
      const list = await memberList(etcd);
      assert.deepEqual(list, [{ id: list[0]?.id, name: 'restored-1', peerURLs: [m.peerUrl] }]);
      // etcd's formulas (spec §5.3), written out here independently of kubekeeper's code; the
      // side-by-side test compares with IDs from etcdctl's own restore.
      const memberId = createHash('sha1').update(`${m.peerUrl}tok-restore`).digest().readBigUInt64BE(0);
      const idBytes = Buffer.alloc(8);
      idBytes.writeBigUInt64BE(memberId);
      const clusterId = createHash('sha1').update(idBytes).digest().readBigUInt64BE(0);
      assert.equal(list[0]?.id, memberId.toString(16));
      assert.deepEqual(await headerIds(etcd), { clusterId: clusterId.toString(16), memberId: memberId.toString(16) });
      assert.match(r.stdout, new RegExp(`this member: restored-1 \\(${memberId.toString(16)}\\)`));
      // The restored member takes writes after the old history.
      await etcdctlOk(etcd, ['put', 'after-restore', '1']);
      assert.equal((await readServedState(etcd)).revision, before0.revision + 1);
      await etcd.stop();
    });
  }

  test('default restore of Kubernetes data bumps the revision by 1e9 and compacts, so old watches fail', async () => {
    const { members, initialCluster } = await planMembers(['k8s-1']);
    const m = members[0] as (typeof members)[0];
    const dataDir = path.join(dir, 'bumped');
    const r = await runKubekeeper(['snapshot', 'restore', snapshots.etcdctl as string, '--data-dir', dataDir, ...restoreFlags(m, initialCluster, 'tok-k8s')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`holds Kubernetes data .*revision bumped by 1000000000 \\(revision ${before0.revision} -> ${before0.revision + 1_000_000_000}\\) and marked compacted`));
    const etcd = await startRestored(dataDir, m, initialCluster);
    started.push(etcd);
    const served = await readServedState(etcd);
    assert.equal(served.revision, before0.revision + 1_000_000_000);
    assert.deepEqual(served.kvs, before0.kvs);
    assert.deepEqual(served.leases, before0.leases);
    // A client resuming a watch from before the restore must re-list, not miss changes.
    const watch = await runProcess('etcdctl', [...etcd.clientFlags, 'watch', '--rev', String(before0.revision), 'foo'], { env: { ETCDCTL_API: '3' }, timeoutMs: 15_000 });
    assert.match(watch.stdout + watch.stderr, /required revision has been compacted/);
    const old = await etcdctl(etcd, ['get', 'foo', '--rev', String(before0.revision)]);
    assert.notEqual(old.code, 0);
    assert.match(old.stderr, /required revision has been compacted/);
    await etcdctlOk(etcd, ['put', 'foo', 'new']);
    assert.equal((await readServedState(etcd)).revision, before0.revision + 1_000_000_001);
    await etcd.stop();
  });

  test('dry run prints the plan, revision before and after included, and writes nothing', async () => {
    const dataDir = path.join(dir, 'never');
    const r = await runKubekeeper(['snapshot', 'restore', snapshots.etcdctl as string, '--data-dir', dataDir, '--dry-run', '-w', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { dryRun: boolean; revision: { before: number; after: number }; members: { id: string }[]; files: { path: string }[] };
    assert.equal(plan.dryRun, true);
    assert.deepEqual(plan.revision, { ...plan.revision, before: before0.revision, after: before0.revision + 1_000_000_000 });
    assert.deepEqual(plan.members.map((x) => x.id), ['8e9e05c52164694d']);
    assert.deepEqual(plan.files.map((f) => path.relative(dataDir, f.path)), ['member/snap/db', 'member/snap/0000000000000001-0000000000000001.snap', 'member/wal/0000000000000000-0000000000000000.wal']);
    assert.equal(existsSync(dataDir), false);
  });
});
