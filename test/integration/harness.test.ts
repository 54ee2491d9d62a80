import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etcdctl, etcdctlOk, startEtcd } from '../support/etcd.js';

test('test harness starts a plain etcd on 127.0.0.1 that etcdctl can write to, and stops it by PID', async () => {
  const etcd = await startEtcd();
  try {
    assert.match(etcd.clientUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    await etcdctlOk(etcd, ['put', 'k', 'v']);
    assert.equal((await etcdctlOk(etcd, ['get', 'k', '--print-value-only'])).trim(), 'v');
  } finally {
    await etcd.stop();
  }
  assert.throws(() => process.kill(etcd.pid, 0), /ESRCH/);
});

test('test harness starts an etcd with mutual TLS that refuses a client without a certificate', async () => {
  const etcd = await startEtcd({ tls: true });
  try {
    await etcdctlOk(etcd, ['put', 'k', 'v']);
    const tls = etcd.tls;
    assert.ok(tls);
    const noCert = await etcdctl({ clientFlags: [`--endpoints=${etcd.clientUrl}`, `--cacert=${tls.caCert}`] }, ['get', 'k', '--dial-timeout=2s', '--command-timeout=3s']);
    assert.notEqual(noCert.code, 0);
  } finally {
    await etcd.stop();
  }
});
