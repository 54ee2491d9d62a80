/**
 * Multi-member restore: one snapshot restored three times, each with its own --name and
 * peer URL and the shared --initial-cluster and token (the documented procedure), gives
 * three data dirs from which real etcd 3.4 members form one cluster on loopback: they elect
 * a leader, serve the same data, and keep serving when one member stops.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseEtcdJson, loadSampleData, memberList, planMembers, readServedState, restoreFlags, startRestored, type ServedState } from '../support/restore.js';
import { runKubekeeper } from '../support/cli.js';
import { etcdctlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';

describe('three members restored from one snapshot', () => {
  let dir: string;
  let snapshot: string;
  let source: ServedState;
  const started: EtcdProcess[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kk-restore-3-'));
    const etcd = await startEtcd({ dataDir: path.join(dir, 'source'), extraArgs: ['--max-txn-ops', '500'] });
    started.push(etcd);
    await loadSampleData(etcd);
    source = await readServedState(etcd);
    snapshot = path.join(dir, 'snap.db');
    await etcdctlOk(etcd, ['snapshot', 'save', snapshot]);
    await etcd.stop();
  });

  after(async () => {
    for (const m of started) await m.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('form a cluster with one leader, agree on the data and survive one member stopping', async () => {
    const { members, initialCluster } = await planMembers(['m1', 'm2', 'm3']);
    for (const m of members) {
      const r = await runKubekeeper(['snapshot', 'restore', snapshot, '--data-dir', path.join(dir, m.name), ...restoreFlags(m, initialCluster, 'tok-three')]);
      assert.equal(r.code, 0, r.stderr);
    }
    // No member is healthy alone: start all three, then wait for each.
    const etcds = await Promise.all(members.map((m) => startRestored(path.join(dir, m.name), m, initialCluster, true)));
    started.push(...etcds);
    await Promise.all(etcds.map((e) => e.waitHealthy()));

    const leaders = new Set<string>();
    for (const e of etcds) {
      const status = parseEtcdJson<{ Status: { leader: string; header: { cluster_id: string } } }[]>(await etcdctlOk(e, ['endpoint', 'status', '-w', 'json']));
      leaders.add(status[0]?.Status.leader ?? '');
    }
    assert.equal(leaders.size, 1);
    assert.notEqual([...leaders][0], '0');

    const list = await memberList(etcds[0] as EtcdProcess);
    assert.deepEqual(list.map((m) => [m.name, m.peerURLs]).sort(), members.map((m) => [m.name, [m.peerUrl]]));
    // Every member serves the snapshot's data, bumped once (Kubernetes keys, default restore).
    const states = await Promise.all(etcds.map((e) => readServedState(e)));
    for (const s of states) assert.deepEqual(s, { ...source, revision: source.revision + 1_000_000_000 });

    const [m1, m2, m3] = etcds as [EtcdProcess, EtcdProcess, EtcdProcess];
    await m3.stop();
    await etcdctlOk(m1, ['put', 'after-one-stopped', 'still-serving']);
    assert.equal((await etcdctlOk(m2, ['get', 'after-one-stopped', '--print-value-only'])).trim(), 'still-serving');
  });
});
