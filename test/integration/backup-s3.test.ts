/**
 * `kubekeeper backup *` against an S3-protocol server (s3rver, in a child process on
 * 127.0.0.1) and a real etcd, for the faults s3rver lets a test inject: a missing bucket,
 * unknown credentials, the server down before the upload or killed in the middle, and an
 * endpoint that accepts connections and never answers. s3rver accepts any SigV4 signature
 * and lacks AbortMultipartUpload and ListMultipartUploads; what needs a server that verifies
 * signatures (wrong secret, create-only writes, unfinished uploads, HTTPS, virtual hosts) is
 * proven against versitygw in test/conformance/s3-versitygw.test.ts.
 */
import net from 'node:net';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, etcdctlOk, startEtcd } from '../support/etcd.js';
import { type S3Server, S3RVER_ACCESS_KEY_ID, S3RVER_SECRET_ACCESS_KEY, startS3Server } from '../support/s3.js';

let etcd: EtcdProcess;
let dir: string;
let keyFile: string;
let recipient: string;
const servers: S3Server[] = [];

/** Env without AWS settings from the machine, so each test says exactly what it uses. */
const cleanAws: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ENDPOINT_URL: '', AWS_ENDPOINT_URL_S3: '', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
};

before(async () => {
  etcd = await startEtcd();
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-backup-s3-'));
  keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  for (let i = 0; i < 10; i++) await etcdctlOk(etcd, ['put', `/registry/secrets/kube-system/s-${i}`, `secret-${i}`]);
});
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await etcd.stop();
  await rm(dir, { recursive: true, force: true });
});

async function server(options: Parameters<typeof startS3Server>[0] = {}): Promise<S3Server> {
  const s = await startS3Server(options);
  servers.push(s);
  return s;
}

function kk(s: Pick<S3Server, 'endpoint'>, args: string[], env: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY }) {
  return runKubekeeper([...args, '--s3-endpoint', s.endpoint], { env: { ...cleanAws, ...env }, timeoutMs: 120_000 });
}

test('backup save, list, verify and download work against an S3 server, with credentials from a file', async () => {
  const s = await server();
  const creds = path.join(dir, 'creds');
  await writeFile(creds, `[default]\naws_access_key_id = ${S3RVER_ACCESS_KEY_ID}\naws_secret_access_key = ${S3RVER_SECRET_ACCESS_KEY}\n`, { mode: 0o600 });
  const repo = ['--repo', 's3://kk-test/prod/cluster-a'];
  const saved = await kk(s, ['backup', 'save', ...etcd.clientFlags, ...repo, '-r', recipient, '--include', keyFile, '--name', 'nightly', '--s3-credentials-file', creds], {});
  assert.equal(saved.code, 0, saved.stderr);
  const list = await kk(s, ['backup', 'list', ...repo, '-w', 'json']);
  assert.deepEqual((JSON.parse(list.stdout) as { backups: { name: string; status: string }[] }).backups.map((b) => [b.name, b.status]), [['nightly', 'ok']]);
  const verify = await kk(s, ['backup', 'verify', 'nightly', ...repo, '-i', keyFile]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  const out = path.join(dir, 'nightly.db');
  const download = await kk(s, ['backup', 'download', 'latest', ...repo, '-i', keyFile, '-o', out]);
  assert.equal(download.code, 0, download.stderr);
  const status = await etcdctlOk(undefined, ['snapshot', 'status', out, '-w', 'json']);
  assert.ok((JSON.parse(status) as { revision: number }).revision >= 11);
  // Objects sit under the folder, in s3rver's data dir.
  assert.ok((await readdir(path.join(s.dir, 'kk-test', 'prod', 'cluster-a'))).includes('data'));
});

test('backup save names the missing bucket with a hint when the bucket does not exist', async () => {
  const s = await server();
  const r = await kk(s, ['backup', 'save', ...etcd.clientFlags, '--repo', 's3://no-such-bucket/x', '-r', recipient]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: .*bucket "no-such-bucket" does not exist at endpoint http:\/\/127\.0\.0\.1:\d+/);
  assert.match(r.stderr, /Hint: Create the bucket "no-such-bucket"/);
});

test('backup list reports access denied with a hint and never prints the credentials, even in debug mode', async () => {
  const s = await server();
  const env = { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEYMARKER', AWS_SECRET_ACCESS_KEY: 'very-secret-marker', KUBEKEEPER_DEBUG: '1' };
  const r = await kk(s, ['backup', 'list', '--repo', 's3://kk-test/x'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /access denied by endpoint .* \(InvalidAccessKeyId\)/);
  assert.match(r.stderr, /Hint: Check the credentials/);
  assert.doesNotMatch(r.stdout + r.stderr, /AKIAUNKNOWNKEYMARKER|very-secret-marker/);
});

test('backup save fails with "unavailable" and a hint when the S3 server is down before the upload', async () => {
  const s = await server();
  await s.stop();
  const r = await kk(s, ['backup', 'save', ...etcd.clientFlags, '--repo', 's3://kk-test/x', '-r', recipient]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unavailable \(.*ECONNREFUSED\)/);
  assert.match(r.stderr, /Hint: Check that the S3 endpoint is up/);
});

test('backup save fails cleanly when the S3 server is killed mid-upload, and nothing is listed afterwards', async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'kk-s3-kill-'));
  after(() => rm(data, { recursive: true, force: true }));
  // ~24 MiB that does not compress: several 8 MiB parts, so the kill lands mid-stream.
  for (let i = 0; i < 24; i++) {
    const value = execFileSync('head', ['-c', String(1024 * 1024), '/dev/urandom']);
    await fetch(`${etcd.clientUrl}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: Buffer.from(`/big/${i}`).toString('base64'), value: value.toString('base64') }) });
  }
  const first = await server({ dir: data });
  const saving = kk(first, ['backup', 'save', ...etcd.clientFlags, '--repo', 's3://kk-test/prod', '-r', recipient, '--compression', 'none', '--name', 'cut']);
  await waitForFirstPart(path.join(data, 'kk-test', '._S3rver_uploads'));
  first.kill('SIGKILL');
  await first.exited;
  const r = await saving;
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /Error: Cannot save "data\/cut\.[0-9a-f]{8}\.snapshot\.db\.age" to "s3:\/\/kk-test\/prod": endpoint .* unavailable/);
  // The dead server could not abort the upload: the error says what was left behind.
  assert.match(r.stderr, /its unfinished multipart upload \(ID [^)]+\) was left in the bucket/);
  assert.match(r.stderr, /Hint: .*"kubekeeper backup prune" aborts the upload/);
  assert.match(r.stderr, /^Hint: /m);
  // Restarted on the same port and data dir: no backup, and no object, was left behind.
  const second = await server({ dir: data, port: first.port });
  const list = await kk(second, ['backup', 'list', '--repo', 's3://kk-test/prod', '-w', 'json']);
  // s3rver cannot list multipart uploads: none reported.
  assert.deepEqual(JSON.parse(list.stdout), { repository: 's3://kk-test/prod', backups: [], orphans: [], temporaries: [], unfinishedUploads: [] });
});

test('backup list fails within --s3-timeout, naming it, when the endpoint accepts connections and never answers', async () => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const endpoint = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const r = await kk({ endpoint }, ['backup', 'list', '--repo', 's3://kk-test/x', '--s3-timeout', '1s']);
    assert.equal(r.signal, null, 'ended by itself, not by the harness');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`Error: Cannot list "data" in "s3://kk-test/x": no answer from endpoint ${endpoint} within 1 s per request \\(3 attempts\\)`));
    assert.match(r.stderr, /Hint: .*--s3-timeout/);
    assert.doesNotMatch(r.stdout + r.stderr, /\[WARN\]|smithy|@aws-sdk|node_modules/);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

/** Polls s3rver's data dir until part 1 of a multipart upload is stored (its .md5 exists). */
async function waitForFirstPart(uploads: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    for (const id of await readdir(uploads).catch(() => [] as string[])) {
      if ((await readdir(path.join(uploads, id)).catch(() => [] as string[])).includes('1.md5')) return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the upload never stored its first part');
}
