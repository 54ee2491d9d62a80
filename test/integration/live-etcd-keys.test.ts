import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectEtcd } from '../../src/etcd/index.js';
import { LIVE_PAGE_KEYS, liveEtcdKeys } from '../../src/inspect/index.js';
import { etcdctlOk, startEtcd } from '../support/etcd.js';

test('liveEtcdKeys pages through more keys than one Range returns, at one revision', async () => {
  const etcd = await startEtcd();
  const client = await connectEtcd({ endpoints: [etcd.clientUrl], dialTimeoutMs: 2000, commandTimeoutMs: 5000 });
  try {
    const total = LIVE_PAGE_KEYS * 2 + 7;
    await Promise.all(Array.from({ length: total }, (_, i) => client.put(`/registry/configmaps/bulk/cm-${String(i).padStart(5, '0')}`, `v${i}`)));
    await client.put('/registry/configmaps0', 'just past the prefix');
    const seen: string[] = [];
    for await (const kv of liveEtcdKeys(client, '/registry/configmaps/')) {
      seen.push(new TextDecoder().decode(kv.key));
      // Writes during the walk must not show up: the walk reads at its first revision.
      if (seen.length === 1) await client.put('/registry/configmaps/bulk/zz-late', 'late');
    }
    assert.equal(seen.length, total);
    assert.deepEqual(seen, [...seen].sort());
    const live = (await etcdctlOk(etcd, ['get', '--prefix', '/registry/configmaps/', '--keys-only'])).split('\n').filter((l) => l);
    assert.equal(live.length, total + 1, 'etcdctl sees the late key too');
  } finally {
    client.close();
    await etcd.stop();
  }
});
