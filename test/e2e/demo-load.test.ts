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

test('demo load adds to an etcd that holds only demo objects, as the demo does twice', async () => {
  const etcd = await startEtcd();
  try {
    const first = await runKubekeeper(['demo', 'load', '--base', '--app', 'nginx=nginx:1.25', ...etcd.clientFlags]);
    assert.equal(first.code, 0, first.stderr);
    const second = await runKubekeeper(['demo', 'load', '--app', 'mongo=mongo:7', '--replicas', '1', ...etcd.clientFlags]);
    assert.equal(second.code, 0, second.stderr);
  } finally {
    await etcd.stop();
  }
});

test('demo load refuses a loopback etcd that holds keys it did not write, writing nothing, unless --force', async () => {
  const etcd = await startEtcd();
  try {
    await etcdctlOk(etcd, ['put', '/registry/leases/kube-node-lease/cp-1', 'real']);
    const r = await runKubekeeper(['demo', 'load', '--base', ...etcd.clientFlags]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Refusing to write demo data to ".*": it holds "\/registry\/leases\/kube-node-lease\/cp-1", which demo load did not write/);
    assert.match(r.stderr, /--force/);
    assert.equal((await etcdctlOk(etcd, ['get', '--prefix', '/', '--keys-only'])).split('\n').filter((l) => l).length, 1, 'nothing was written');
    const forced = await runKubekeeper(['demo', 'load', '--base', '--force', ...etcd.clientFlags]);
    assert.equal(forced.code, 0, forced.stderr);
  } finally {
    await etcd.stop();
  }
});

test('demo load refuses an etcd reached with a client certificate, as kubeadm\'s is, unless --force', async () => {
  const etcd = await startEtcd({ tls: true });
  try {
    const r = await runKubekeeper(['demo', 'load', '--base', ...etcd.clientFlags]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /it is reached with a client certificate/);
    assert.equal(await etcdctlOk(etcd, ['get', '--prefix', '/', '--keys-only']), '', 'nothing was written');
    const forced = await runKubekeeper(['demo', 'load', '--base', '--force', ...etcd.clientFlags]);
    assert.equal(forced.code, 0, forced.stderr);
  } finally {
    await etcd.stop();
  }
});
