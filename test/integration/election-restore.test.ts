/**
 * A snapshot taken while a scheduled run holds its election key: inspection does not show the
 * key, and `snapshot restore` drops it with its lease, so the restored cluster has no stale
 * holder and a campaign there wins at once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { campaign, connectEtcd, type EtcdClient } from '../../src/etcd/index.js';
import { RESERVED_PREFIX } from '../../src/snapshot/index.js';
import { runKubekeeper } from '../support/cli.js';
import { etcdctlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { planMembers, restoreFlags, startRestored } from '../support/restore.js';

const TIMEOUTS = { dialTimeoutMs: 2000, commandTimeoutMs: 5000 };
let dir: string;
let source: EtcdProcess;
let client: EtcdClient;
let snapshot: string;
const started: EtcdProcess[] = [];

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-election-restore-'));
  source = await startEtcd();
  await etcdctlOk(source, ['put', 'plain', '1']);
  client = await connectEtcd({ endpoints: [source.clientUrl], ...TIMEOUTS });
  const held = await campaign(client, { job: 'backup', identity: 'node-a/1/held' });
  assert.ok(held.won);
  // Without the filter these would show: the key and its lease are in the live cluster.
  assert.equal(await etcdctlOk(source, ['get', '--prefix', '--keys-only', RESERVED_PREFIX]), `${RESERVED_PREFIX}election/backup\n\n`);
  assert.match(await etcdctlOk(source, ['lease', 'list']), /found 1 leases/);
  snapshot = path.join(dir, 'held.db');
  const saved = await runKubekeeper(['snapshot', 'save', snapshot, ...source.clientFlags]);
  assert.equal(saved.code, 0, saved.stderr);
});
after(async () => {
  client?.close();
  for (const m of started) await m.stop();
  await source?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('snapshot keys does not show the reserved prefix even when asked for it', async () => {
  const all = await runKubekeeper(['snapshot', 'keys', snapshot]);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /^plain$/m);
  assert.doesNotMatch(all.stdout, /kubekeeper\.io/);
  const asked = await runKubekeeper(['snapshot', 'keys', snapshot, '--prefix', RESERVED_PREFIX]);
  assert.equal(asked.stdout.trim(), '');
});

test('snapshot restore drops the election key and its lease; a campaign on the restored cluster wins', async () => {
  const { members, initialCluster } = await planMembers(['restored-1']);
  const m = members[0] as (typeof members)[0];
  const dataDir = path.join(dir, 'restored');
  const r = await runKubekeeper(['snapshot', 'restore', snapshot, '--data-dir', dataDir, ...restoreFlags(m, initialCluster, 'tok-el'), '--bump-revision', '0']);
  assert.equal(r.code, 0, r.stderr);
  const etcd = await startRestored(dataDir, m, initialCluster);
  started.push(etcd);
  assert.equal(await etcdctlOk(etcd, ['get', '--prefix', '--keys-only', RESERVED_PREFIX]), '');
  assert.match(await etcdctlOk(etcd, ['lease', 'list']), /found 0 leases/);
  assert.equal(await etcdctlOk(etcd, ['get', '--print-value-only', 'plain']), '1\n');
  const restored = await connectEtcd({ endpoints: [etcd.clientUrl], ...TIMEOUTS });
  try {
    const result = await campaign(restored, { job: 'backup' });
    assert.ok(result.won, 'the restored cluster still had a holder');
    await result.leadership.resign();
  } finally {
    restored.close();
  }
});
