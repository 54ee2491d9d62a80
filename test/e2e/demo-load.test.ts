import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { etcdctlOk, startEtcd } from '../support/etcd.js';

test('demo load writes the sample objects into a loopback etcd', async () => {
  const etcd = await startEtcd();
  try {
    const r = await runKubekeeper(['demo', 'load', '--base', '--app', 'nginx=nginx:1.25', '--replicas', '1', ...etcd.clientFlags]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Wrote 11 objects to /);
    const keys = (await etcdctlOk(etcd, ['get', '--prefix', '/registry/', '--keys-only'])).split('\n').filter((l) => l);
    assert.equal(keys.length, 11);
    assert.ok(keys.includes('/registry/deployments/default/nginx'));
  } finally {
    await etcd.stop();
  }
});

test('demo load refuses an endpoint that is not on loopback, before connecting', async () => {
  const r = await runKubekeeper(['demo', 'load', '--base', '--endpoints', 'https://10.0.0.1:2379']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Refusing to write demo data to "https:\/\/10\.0\.0\.1:2379": not a loopback address/);
});
