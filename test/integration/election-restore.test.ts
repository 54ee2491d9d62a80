/**
 * A snapshot taken while a scheduled run holds its election key (etcd from PATH, 3.4, and
 * 3.6): inspection does not show the key, and `snapshot restore` drops it with its lease, so
 * the restored cluster (started by the same etcd version) has no stale holder and a campaign
 * there wins at once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { campaign, connectEtcd } from '../../src/etcd/index.js';
import { RESERVED_PREFIX } from '../../src/snapshot/index.js';
import { runKubekeeper } from '../support/cli.js';
import { etcdctlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { findEtcd } from '../support/peers.js';
import { planMembers, restoreFlags } from '../support/restore.js';

const TIMEOUTS = { dialTimeoutMs: 2000, commandTimeoutMs: 5000 };

async function restoreCases(t: test.TestContext, binDir?: string): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kk-election-restore-'));
  const started: EtcdProcess[] = [];
  try {
    const source = await startEtcd({ binDir });
    started.push(source);
    await etcdctlOk(source, ['put', 'plain', '1']);
    const client = await connectEtcd({ endpoints: [source.clientUrl], ...TIMEOUTS });
    const snapshot = path.join(dir, 'held.db');
    try {
      const held = await campaign(client, { job: 'backup', identity: 'node-a/1/held' });
      assert.ok(held.won);
      // Without the filter these would show: the key and its lease are in the live cluster.
      assert.equal(await etcdctlOk(source, ['get', '--prefix', '--keys-only', RESERVED_PREFIX]), `${RESERVED_PREFIX}election/backup\n\n`);
      assert.match(await etcdctlOk(source, ['lease', 'list']), /found 1 leases/);
      const saved = await runKubekeeper(['snapshot', 'save', snapshot, ...source.clientFlags]);
      assert.equal(saved.code, 0, saved.stderr);
    } finally {
      client.close();
    }

    await t.test('snapshot keys does not show the reserved prefix even when asked for it', async () => {
      const all = await runKubekeeper(['snapshot', 'keys', snapshot]);
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, /^plain$/m);
      assert.doesNotMatch(all.stdout, /kubekeeper\.io/);
      const asked = await runKubekeeper(['snapshot', 'keys', snapshot, '--prefix', RESERVED_PREFIX]);
      assert.equal(asked.stdout.trim(), '');
    });

    await t.test('snapshot restore drops the election key and its lease; a campaign on the restored cluster wins', async () => {
      const { members, initialCluster } = await planMembers(['restored-1']);
      const m = members[0] as (typeof members)[0];
      const dataDir = path.join(dir, 'restored');
      const r = await runKubekeeper(['snapshot', 'restore', snapshot, '--data-dir', dataDir, ...restoreFlags(m, initialCluster, 'tok-el'), '--bump-revision', '0']);
      assert.equal(r.code, 0, r.stderr);
      const etcd = await startEtcd({ binDir, dataDir, name: m.name, peerPort: m.peerPort, clientPort: m.clientPort, initialCluster });
      started.push(etcd);
      assert.equal(await etcdctlOk(etcd, ['get', '--prefix', '--keys-only', RESERVED_PREFIX]), '');
      assert.match(await etcdctlOk(etcd, ['lease', 'list']), /found 0 leases/);
      assert.equal(await etcdctlOk(etcd, ['get', '--print-value-only', 'plain']), '1\n');
      // Revision 2 was "plain", 3 the election key: the restored history ends at the last kept one.
      const header = JSON.parse(await etcdctlOk(etcd, ['get', 'plain', '-w', 'json'])) as { header: { revision: number } };
      assert.equal(header.header.revision, 2);
      const restored = await connectEtcd({ endpoints: [etcd.clientUrl], ...TIMEOUTS });
      try {
        const result = await campaign(restored, { job: 'backup' });
        assert.ok(result.won, 'the restored cluster still had a holder');
        await result.leadership.resign();
      } finally {
        restored.close();
      }
    });
  } finally {
    for (const m of started) await m.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

test('reserved prefix on etcd from PATH (3.4)', async (t) => restoreCases(t));

test('reserved prefix on etcd 3.6', async (t) => {
  const { peer, missing } = findEtcd('3.6.17');
  if (!peer) return t.skip(missing);
  await restoreCases(t, peer.binDir);
});
