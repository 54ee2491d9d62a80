/**
 * Conformance, every etcd version: `kubekeeper snapshot restore` of a 3-member cluster (each
 * member restored from the same snapshot with its own --name) side by side with that
 * version's etcdutl (3.4: etcdctl). Per member the dbs match (3.4: see KNOWN_34 in the
 * single-member suite), both clusters form with the same member and cluster IDs and serve
 * the same data; kubekeeper's cluster accepts writes on one member and serves them on
 * another, survives a member restart and a defrag of every member.
 * Also the upgrade-rollback direction: a 3.5 snapshot restored by kubekeeper is started by
 * etcd 3.6, and equals etcdutl 3.6's restore of it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { check } from '../support/conformance.js';
import { endpointStatus, etcdctlOk, etcdutlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { etcdVersions, findEtcd, pinnedVersions, type EtcdPeer } from '../support/peers.js';
import { runKubekeeper } from '../support/cli.js';
import { memberList, planMembers, readServedState, restoreFlags, type RestoredPorts, type ServedState } from '../support/restore.js';
import { dbBuckets, diffBuckets, loadRestoreData, raftState } from './etcd-restore-data.js';

const CAPABILITIES = [
  'snapshot restore (3 members) dbs, raft index/term (WAL, .snap) = etcdutl snapshot restore',
  'snapshot restore (3 members): the cluster forms with the IDs etcdutl gives and serves the data',
  '3-member restored cluster accepts writes, survives a member restart and a defrag',
] as const;

/** Snapshot of a source member of `peer` loaded with the restore data set. */
async function sourceSnapshot(peer: EtcdPeer, dir: string): Promise<{ snapshot: string; served: ServedState }> {
  const source = await startEtcd({ binDir: peer.binDir, dataDir: path.join(dir, 'source'), extraArgs: ['--max-txn-ops', '500'] });
  const snapshot = path.join(dir, 'snap.db');
  try {
    await loadRestoreData(source);
    const served = await readServedState(source);
    await etcdctlOk(source, ['snapshot', 'save', snapshot]);
    return { snapshot, served };
  } finally {
    await source.stop();
  }
}

/** Restores every member with kubekeeper (bump 0: etcdutl's default) or the version's tool. */
async function restoreCluster(peer: EtcdPeer, tool: 'kk' | 'tool', snapshot: string, dir: string, members: RestoredPorts[], initialCluster: string): Promise<string[]> {
  const dirs = [];
  for (const m of members) {
    const dataDir = path.join(dir, `${tool}-${m.name}`);
    const flags = ['--data-dir', dataDir, ...restoreFlags(m, initialCluster, 'tok-cluster')];
    if (tool === 'tool') await etcdutlOk(peer, ['snapshot', 'restore', snapshot, ...flags]);
    else {
      const r = await runKubekeeper(['snapshot', 'restore', snapshot, ...flags, '--bump-revision', '0']);
      assert.equal(r.code, 0, r.stderr);
    }
    dirs.push(dataDir);
  }
  return dirs;
}

function startMember(peer: EtcdPeer, dataDir: string, m: RestoredPorts, initialCluster: string, noWait: boolean): Promise<EtcdProcess> {
  return startEtcd({ binDir: peer.binDir, dataDir, name: m.name, peerPort: m.peerPort, clientPort: m.clientPort, initialCluster, initialClusterToken: 'tok-cluster', noWait });
}

/** Starts all members together (each waits for a quorum) and waits until every one is healthy. */
async function startCluster(peer: EtcdPeer, dirs: string[], members: RestoredPorts[], initialCluster: string): Promise<EtcdProcess[]> {
  const started = await Promise.all(members.map((m, i) => startMember(peer, dirs[i] as string, m, initialCluster, true)));
  try {
    await Promise.all(started.map((e) => e.waitHealthy(60_000)));
  } catch (err) {
    for (const e of started) await e.stop();
    throw err;
  }
  return started;
}

async function stopAll(members: EtcdProcess[]): Promise<void> {
  for (const m of members) await m.stop();
}

for (const version of etcdVersions) {
  test(`etcd ${version}: snapshot restore of a 3-member cluster against its own tools`, async (t: TestContext) => {
    const { peer, missing } = findEtcd(version);
    const c = (capability: (typeof CAPABILITIES)[number]) => ({ suite: 'etcd', peer: 'etcd', version, capability });
    if (!peer) {
      for (const cap of CAPABILITIES) await check(t, c(cap), async () => undefined, missing);
      return;
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), `kk-conf-cluster-${version}-`));
    try {
      const { snapshot, served } = await sourceSnapshot(peer, dir);
      const { members, initialCluster } = await planMembers(['m1', 'm2', 'm3']);
      let kkDirs: string[] = [];
      let toolDirs: string[] = [];
      await check(t, c('snapshot restore (3 members) dbs, raft index/term (WAL, .snap) = etcdutl snapshot restore'), async () => {
        kkDirs = await restoreCluster(peer, 'kk', snapshot, dir, members, initialCluster);
        toolDirs = await restoreCluster(peer, 'tool', snapshot, dir, members, initialCluster);
        for (let i = 0; i < members.length; i++) {
          const diff = diffBuckets(dbBuckets(path.join(toolDirs[i] as string, 'member/snap/db')), dbBuckets(path.join(kkDirs[i] as string, 'member/snap/db')));
          assert.deepEqual(diff, peer.minor === '3.4' ? ['members', 'meta'] : [], `member ${i + 1}`);
          assert.deepEqual(raftState(kkDirs[i] as string), raftState(toolDirs[i] as string), `member ${i + 1} WAL and .snap`);
        }
      });
      await check(t, c('snapshot restore (3 members): the cluster forms with the IDs etcdutl gives and serves the data'), async () => {
        const seen = [];
        for (const dirs of [toolDirs, kkDirs]) {
          const cluster = await startCluster(peer, dirs, members, initialCluster);
          try {
            const ids = [];
            for (const e of cluster) {
              const s = await endpointStatus(e);
              ids.push({ memberId: s.memberId, clusterId: s.clusterId, revision: s.revision });
            }
            seen.push({ ids, list: (await memberList(cluster[0] as EtcdProcess)).sort((a, b) => a.name.localeCompare(b.name)), state: await readServedState(cluster[2] as EtcdProcess) });
          } finally {
            await stopAll(cluster);
          }
        }
        const [tool, kk] = seen as [(typeof seen)[0], (typeof seen)[0]];
        assert.deepEqual(kk.ids, tool.ids);
        assert.deepEqual(kk.list, tool.list);
        assert.deepEqual(kk.list.map((m) => m.name), ['m1', 'm2', 'm3']);
        assert.deepEqual(kk.state, tool.state);
        assert.deepEqual(kk.state, served);
      });
      await check(t, c('3-member restored cluster accepts writes, survives a member restart and a defrag'), async () => {
        const cluster = await startCluster(peer, kkDirs, members, initialCluster);
        try {
          const [m1, m2, m3] = cluster as [EtcdProcess, EtcdProcess, EtcdProcess];
          await etcdctlOk(m1, ['put', 'after-restore', 'written']);
          assert.equal((await etcdctlOk(m3, ['get', 'after-restore', '--print-value-only', '--consistency=l'])).trim(), 'written');
          await m2.stop();
          await etcdctlOk(m1, ['put', 'while-m2-down', 'quorum']);
          const again = await startMember(peer, kkDirs[1] as string, members[1] as RestoredPorts, initialCluster, false);
          cluster[1] = again;
          await etcdctlOk(again, ['put', 'after-m2-restart', 'ok']);
          assert.equal((await etcdctlOk(again, ['get', 'while-m2-down', '--print-value-only'])).trim(), 'quorum');
          for (const e of cluster) await etcdctlOk(e, ['defrag']);
          const after = await readServedState(m3);
          assert.equal(after.revision, served.revision + 3);
          assert.deepEqual(after.kvs.filter((kv) => !['after-restore', 'while-m2-down', 'after-m2-restart'].includes(kv.key)), served.kvs);
          await etcdctlOk(m3, ['put', 'after-defrag', 'ok']);
        } finally {
          await stopAll(cluster);
        }
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('etcd 3.6 starts from a 3.5 snapshot restored by kubekeeper, as from etcdutl 3.6\'s restore', async (t: TestContext) => {
  const from = findEtcd(pinnedVersions.ETCD_35_DEBIAN as string);
  const to = findEtcd(pinnedVersions.ETCD_36 as string);
  const capability = { suite: 'etcd', peer: 'etcd', version: to.peer?.version ?? (pinnedVersions.ETCD_36 as string), capability: `restore of a ${pinnedVersions.ETCD_35_DEBIAN as string} snapshot starts (upgrade rollback direction)` };
  await check(t, capability, async () => {
    const [old, next] = [from.peer as EtcdPeer, to.peer as EtcdPeer];
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kk-conf-35-36-'));
    try {
      const { snapshot, served } = await sourceSnapshot(old, dir);
      const { members, initialCluster } = await planMembers(['up']);
      const m = members[0] as RestoredPorts;
      const kkDir = (await restoreCluster(next, 'kk', snapshot, dir, members, initialCluster))[0] as string;
      const toolDir = (await restoreCluster(next, 'tool', snapshot, dir, members, initialCluster))[0] as string;
      assert.deepEqual(diffBuckets(dbBuckets(path.join(toolDir, 'member/snap/db')), dbBuckets(path.join(kkDir, 'member/snap/db'))), []);
      const etcd = await startMember(next, kkDir, m, initialCluster, false);
      try {
        assert.deepEqual(await readServedState(etcd), served);
        await etcdctlOk(etcd, ['put', 'on-3.6', 'ok']);
      } finally {
        await etcd.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, from.missing ?? to.missing);
});
