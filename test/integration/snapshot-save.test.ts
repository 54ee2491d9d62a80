/**
 * saveSnapshot and connectEtcd against real etcd 3.4 on 127.0.0.1: plain, mutual TLS, auth,
 * a dead first endpoint, etcd killed mid-stream, and the files checked by the real etcdctl.
 */
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { saveSnapshot } from '../../src/backup/index.js';
import { connectEtcd, type EtcdConnectOptions } from '../../src/etcd/index.js';
import type { AppError } from '../../src/errors.js';
import { etcdctlOk, freePort, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { tempDir } from '../support/temp.js';

function optionsFor(member: EtcdProcess, extra: Partial<EtcdConnectOptions> = {}): EtcdConnectOptions {
  return {
    endpoints: [member.clientUrl], caFile: member.tls?.caCert, certFile: member.tls?.clientCert, keyFile: member.tls?.clientKey,
    dialTimeoutMs: 2000, commandTimeoutMs: 5000, ...extra,
  };
}

type DbStatus = { hash: number; revision: number; totalKey: number; totalSize: number };
async function etcdctlStatus(file: string): Promise<DbStatus> {
  return JSON.parse(await etcdctlOk(undefined, ['snapshot', 'status', file, '-w', 'json'])) as DbStatus;
}

let plain: EtcdProcess;
let mtls: EtcdProcess;

before(async () => {
  [plain, mtls] = await Promise.all([startEtcd({ name: 'plain' }), startEtcd({ name: 'mtls', tls: true })]);
  for (const member of [plain, mtls]) {
    const client = await connectEtcd(optionsFor(member));
    try {
      for (let i = 0; i < 50; i++) await client.put(`/registry/configmaps/default/cm-${i}`, JSON.stringify({ kind: 'ConfigMap', data: { i } }));
    } finally {
      client.close();
    }
  }
});
after(() => Promise.all([plain?.stop(), mtls?.stop()]));

test('saveSnapshot over plain text writes a file that etcdctl snapshot status reads like its own save', async (t) => {
  const dir = await tempDir(t);
  const client = await connectEtcd(optionsFor(plain));
  const ours = path.join(dir, 'kubekeeper.db');
  let result;
  try {
    result = await saveSnapshot({ client, path: ours });
  } finally {
    client.close();
  }
  await etcdctlOk(plain, ['snapshot', 'save', path.join(dir, 'etcdctl.db')]);
  const [mine, theirs] = await Promise.all([etcdctlStatus(ours), etcdctlStatus(path.join(dir, 'etcdctl.db'))]);
  assert.deepEqual({ ...mine, revision: 0 }, { ...theirs, revision: 0 });
  assert.ok(mine.revision <= theirs.revision);
  assert.equal(BigInt(mine.revision), result.revision);
  assert.equal(mine.totalKey >= 50, true);
  assert.equal(result.sizeBytes, (await stat(ours)).size);
  assert.equal((await stat(ours)).mode & 0o777, 0o600);
  assert.equal(result.endpoint, plain.clientUrl);
});

test('saveSnapshot over mutual TLS verifies the server and presents the client certificate', async (t) => {
  const dir = await tempDir(t);
  const client = await connectEtcd(optionsFor(mtls));
  try {
    const result = await saveSnapshot({ client, path: path.join(dir, 's.db') });
    assert.match(result.sha256, /^[0-9a-f]{64}$/);
  } finally {
    client.close();
  }
  const status = await etcdctlStatus(path.join(dir, 's.db'));
  assert.ok(status.totalKey >= 50);
});

test('connectEtcd picks the second endpoint when the first is dead, and says so', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const client = await connectEtcd(optionsFor(plain, { endpoints: [dead, plain.clientUrl] }));
  try {
    assert.equal(client.endpoint, plain.clientUrl);
    assert.equal((await client.memberList()).length, 1);
  } finally {
    client.close();
  }
});

test('saveSnapshot stops with AbortedError and leaves nothing when aborted mid-stream', async (t) => {
  const dir = await tempDir(t);
  const client = await connectEtcd(optionsFor(plain));
  const controller = new AbortController();
  try {
    await assert.rejects(saveSnapshot({ client, path: path.join(dir, 's.db'), signal: controller.signal, onProgress: () => controller.abort() }), { code: 'aborted' });
  } finally {
    client.close();
  }
  assert.deepEqual(await readdir(dir), []);
});

test('snapshot with auth: root with the right password saves, a wrong password or no user fails clearly', async (t) => {
  const dir = await tempDir(t);
  const etcd = await startEtcd({ name: 'auth' });
  t.after(() => etcd.stop());
  await etcdctlOk(etcd, ['user', 'add', 'root:s3cret-pw']);
  await etcdctlOk(etcd, ['auth', 'enable']);
  const client = await connectEtcd(optionsFor(etcd, { user: 'root', password: 's3cret-pw' }));
  try {
    await saveSnapshot({ client, path: path.join(dir, 'ok.db') });
  } finally {
    client.close();
  }
  await assert.rejects(connectEtcd(optionsFor(etcd, { user: 'root', password: 'wrong' })), (err: AppError) => {
    assert.equal(err.code, 'etcd-auth-failed');
    assert.doesNotMatch(`${err.message} ${err.hint}`, /wrong|s3cret/);
    return true;
  });
  const anonymous = await connectEtcd(optionsFor(etcd));
  try {
    await assert.rejects(saveSnapshot({ client: anonymous, path: path.join(dir, 'anon.db') }), (err: AppError) => err.code === 'etcd-auth-required' && /--user/.test(err.hint ?? ''));
  } finally {
    anonymous.close();
  }
  assert.deepEqual(await readdir(dir), ['ok.db']);
});

test('saveSnapshot fails cleanly when etcd is killed as the first bytes arrive', async (t) => {
  const dir = await tempDir(t);
  const etcd = await startEtcd({ name: 'victim' });
  t.after(() => etcd.stop());
  const client = await connectEtcd(optionsFor(etcd));
  t.after(() => client.close());
  // 40 MiB: far more than the 8 MiB flow-control window plus socket buffers, so the kill lands mid-stream.
  const value = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) & 0xff);
  for (let i = 0; i < 40; i++) await client.put(`/registry/secrets/big-${i}`, value);
  let killed = false;
  const onProgress = () => {
    if (killed) return;
    killed = true;
    etcd.kill('SIGKILL');
  };
  await assert.rejects(saveSnapshot({ client, path: path.join(dir, 's.db'), onProgress }), (err: AppError) => {
    assert.equal(err.code, 'etcd-connection-lost', err.message);
    assert.match(err.message, /^Cannot stream the snapshot: /);
    assert.ok(err.hint);
    return true;
  });
  assert.ok(killed);
  assert.deepEqual(await readdir(dir), []);
});
