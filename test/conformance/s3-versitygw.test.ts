/**
 * The backup repository on a real S3 server that verifies SigV4 signatures: versitygw over a
 * POSIX directory (issue 16, item 4), with a real etcd (3.6) to back up and to drill with.
 * Every case goes through the built CLI as an operator runs it, and is recorded for
 * docs/compatibility.md through check(). s3rver stays in test/integration/backup-s3.test.ts
 * for the faults it can inject (a server killed mid-upload).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, utimes } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { runKubekeeper } from '../support/cli.js';
import { check } from '../support/conformance.js';
import { type EtcdProcess, etcdctlOk, startEtcd } from '../support/etcd.js';
import { findEtcd, findVersitygw, pinnedVersions } from '../support/peers.js';
import { tempDir } from '../support/temp.js';
import { generateTls } from '../support/tls.js';
import { type VersitygwServer, startVersitygw } from '../support/versitygw.js';

const version = pinnedVersions.VERSITYGW as string;
const vgw = findVersitygw(version);
const etcdPeer = findEtcd(pinnedVersions.ETCD_36 as string);
const missing = vgw.missing ?? etcdPeer.missing;
const MiB = 1024 * 1024;

/** Env without AWS settings from the machine, so each case says exactly what it uses. */
const cleanAws: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ENDPOINT_URL: '', AWS_ENDPOINT_URL_S3: '', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
};

const cap = (capability: string) => ({ suite: 's3', peer: 'versitygw', version, capability });

const CAPABILITIES = {
  cycle: 'backup save/list/verify/download/prune (path-style, SigV4 verified)',
  drill: 'drill from the S3 repository (etcd 3.6)',
  wrongSecret: 'wrong secret refused: error names the credential source, nothing listed',
  multipart: 'multipart upload above the part size',
  race: 'two saves of one name: one wins, the other fails, the winner is whole',
  unfinished: 'save killed mid-upload: unfinished upload listed with its age, kept while young, aborted by prune',
  https: 'HTTPS with a custom CA (--s3-ca-file)',
  virtualHosted: 'virtual-hosted addressing (<bucket>.localhost)',
} as const;

interface Ctx {
  etcd: EtcdProcess;
  dir: string;
  keyFile: string;
  recipient: string;
  server: VersitygwServer;
}

function kk(server: Pick<VersitygwServer, 'endpoint' | 'env'>, args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (child: ChildProcess) => void) {
  return runKubekeeper([...args, '--s3-endpoint', server.endpoint], { env: { ...cleanAws, ...server.env, ...env }, timeoutMs: 180_000, onSpawn });
}

interface ListJson {
  backups: { name: string; status: string; manifest?: { objects: { name: string; sizeBytes: number }[] } }[];
  orphans: unknown[];
  unfinishedUploads?: { object: string; uploadId: string; startedAt?: string }[];
}

async function list(server: VersitygwServer, repo: string): Promise<ListJson> {
  const r = await kk(server, ['backup', 'list', '--repo', repo, '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as ListJson;
}

test('backup repository on versitygw', { timeout: 900_000 }, async (t) => {
  if (missing) {
    for (const capability of Object.values(CAPABILITIES)) await check(t, cap(capability), async () => undefined, missing);
    return;
  }
  const dir = await tempDir(t, 'kk-conf-s3-');
  const keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  const etcd = await startEtcd({ binDir: etcdPeer.peer?.binDir });
  t.after(() => etcd.stop());
  for (let i = 0; i < 10; i++) await etcdctlOk(etcd, ['put', `/registry/secrets/kube-system/s-${i}`, `secret-${i}`]);
  const server = await startVersitygw({ bin: vgw.peer as string });
  t.after(() => server.stop());
  const ctx: Ctx = { etcd, dir, keyFile, recipient, server };

  await check(t, cap(CAPABILITIES.cycle), () => cycle(ctx));
  await check(t, cap(CAPABILITIES.drill), (st) => drill(ctx, st));
  await check(t, cap(CAPABILITIES.wrongSecret), () => wrongSecret(ctx));
  await check(t, cap(CAPABILITIES.multipart), () => multipart(ctx));
  await check(t, cap(CAPABILITIES.race), () => race(ctx));
  await check(t, cap(CAPABILITIES.unfinished), (st) => unfinished(ctx, st));
  await check(t, cap(CAPABILITIES.https), (st) => httpsWithCa(ctx, st));
  await check(t, cap(CAPABILITIES.virtualHosted), (st) => virtualHosted(ctx, st));
});

async function cycle({ etcd, dir, keyFile, recipient, server }: Ctx): Promise<void> {
  const repo = 's3://kk-test/prod/cycle';
  for (const name of ['first', 'second', 'third']) {
    const saved = await kk(server, ['backup', 'save', ...etcd.clientFlags, '--repo', repo, '-r', recipient, '--include', keyFile, '--name', name]);
    assert.equal(saved.code, 0, saved.stderr);
  }
  assert.deepEqual((await list(server, repo)).backups.map((b) => [b.name, b.status]).sort(), [['first', 'ok'], ['second', 'ok'], ['third', 'ok']]);
  const verify = await kk(server, ['backup', 'verify', 'second', '--repo', repo, '-i', keyFile]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  const out = path.join(dir, 'cycle.db');
  const download = await kk(server, ['backup', 'download', 'latest', '--repo', repo, '-i', keyFile, '-o', out]);
  assert.equal(download.code, 0, download.stderr);
  const status = JSON.parse(await etcdctlOk(undefined, ['snapshot', 'status', out, '-w', 'json'])) as { revision: number };
  assert.ok(status.revision >= 11);
  const prune = await kk(server, ['backup', 'prune', '--repo', repo, '--keep-last', '1']);
  assert.equal(prune.code, 0, prune.stderr);
  const after = await list(server, repo);
  assert.equal(after.backups.length, 1);
  // Objects sit under the folder in versitygw's POSIX tree: path-style addressing reached the bucket.
  assert.deepEqual((await readdir(path.join(server.dir, 'kk-test', 'prod', 'cycle', 'data'))).length, 2, 'snapshot and bundle of the kept backup');
}

async function drill({ keyFile, server }: Ctx, t: TestContext): Promise<void> {
  const workDir = await tempDir(t, 'kk-conf-drill-');
  const r = await kk(server, ['drill', '--repo', 's3://kk-test/prod/cycle', '-i', keyFile, '--work-dir', workDir,
    '--etcd-binary', path.join(etcdPeer.peer?.binDir as string, 'etcd'), '--expect-key', '/registry/secrets/', '-w', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, true);
}

async function wrongSecret({ server }: Ctx): Promise<void> {
  const repo = 's3://kk-test/prod/cycle';
  const env = { AWS_SECRET_ACCESS_KEY: `${server.secretAccessKey}-wrong` };
  const r = await kk(server, ['backup', 'list', '--repo', repo, '-w', 'json'], env);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '', 'nothing listed');
  assert.match(r.stderr, /access denied by endpoint http:\/\/127\.0\.0\.1:\d+ with the credentials from AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY \(SignatureDoesNotMatch\)/);
  assert.match(r.stderr, /Hint: Check the credentials/);
  assert.doesNotMatch(r.stdout + r.stderr, new RegExp(server.secretAccessKey));
  // The same key pair with the right secret is accepted: the server checked the signature.
  assert.equal((await list(server, repo)).backups.length, 1);
}

async function multipart({ etcd, keyFile, recipient, server }: Ctx): Promise<void> {
  // ~12 MiB that does not compress: two 8 MiB parts at least.
  for (let i = 0; i < 12; i++) {
    await fetch(`${etcd.clientUrl}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: Buffer.from(`/big/${i}`).toString('base64'), value: randomBytes(MiB).toString('base64') }) });
  }
  const repo = 's3://kk-test/prod/big';
  const saved = await kk(server, ['backup', 'save', ...etcd.clientFlags, '--repo', repo, '-r', recipient, '--name', 'big']);
  assert.equal(saved.code, 0, saved.stderr);
  const listed = await list(server, repo);
  const size = listed.backups[0]?.manifest?.objects[0]?.sizeBytes ?? 0;
  assert.ok(size > 8 * MiB, `stored ${size} bytes: above one part`);
  const verify = await kk(server, ['backup', 'verify', 'big', '--repo', repo, '-i', keyFile]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
}

async function race({ etcd, keyFile, recipient, server }: Ctx): Promise<void> {
  const repo = 's3://kk-test/prod/race';
  const save = () => kk(server, ['backup', 'save', ...etcd.clientFlags, '--repo', repo, '-r', recipient, '--name', 'same']);
  const results = await Promise.all([save(), save()]);
  const ok = results.filter((r) => r.code === 0);
  assert.equal(ok.length, 1, results.map((r) => r.stderr).join('\n'));
  const lost = results.find((r) => r.code !== 0);
  assert.match(lost?.stderr ?? '', /Backup "same" (already exists|was created in "s3:\/\/kk-test\/prod\/race" by another save)/);
  const listed = await list(server, repo);
  assert.deepEqual(listed.backups.map((b) => [b.name, b.status]), [['same', 'ok']]);
  const verify = await kk(server, ['backup', 'verify', 'same', '--repo', repo, '-i', keyFile]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
}

async function unfinished({ etcd, recipient, server }: Ctx, t: TestContext): Promise<void> {
  const repo = 's3://kk-test/prod/cut';
  // A slow link (4 MiB/s towards the server), so the upload is still running when the save is killed.
  const proxy = await throttlingProxy(server.port, 4 * MiB);
  t.after(() => proxy.close());
  const slow = { ...server, endpoint: `http://127.0.0.1:${proxy.port}` };
  const client = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } });
  try {
    let saver: ChildProcess | undefined;
    const saving = kk(slow, ['backup', 'save', ...etcd.clientFlags, '--repo', repo, '-r', recipient, '--name', 'cut', '--compression', 'none'], {}, (c) => (saver = c));
    let uploads: { Key?: string; UploadId?: string }[] = [];
    for (let i = 0; i < 2000 && uploads.length === 0; i++) {
      uploads = (await client.send(new ListMultipartUploadsCommand({ Bucket: 'kk-test', Prefix: 'prod/cut/' }))).Uploads ?? [];
      if (uploads.length === 0) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(uploads.length, 1, 'the save started a multipart upload');
    saver?.kill('SIGKILL');
    const killed = await saving;
    assert.equal(killed.signal, 'SIGKILL', 'killed before it finished');
    const uploadId = uploads[0]?.UploadId as string;
    const text = await kk(server, ['backup', 'list', '--repo', repo]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^unfinished upload of "data/cut\\.[0-9a-f]{8}\\.snapshot\\.db\\.age" started .* UTC \\(\\d+s ago\\), ID ${uploadId}: `, 'm'));
    // Young: may be a save in progress on another node, so prune keeps it.
    const young = await kk(server, ['backup', 'prune', '--repo', repo, '--keep-last', '1']);
    assert.equal(young.code, 0, young.stderr);
    assert.match(young.stdout, /keep\s+data\/cut\.[0-9a-f]{8}\.snapshot\.db\.age \(upload [^)]+\)\s+started recently/);
    // Two days later (versitygw dates an upload by its directory's mtime): aborted.
    await ageUploadDirs(path.join(server.dir, 'kk-test', '.sgwtmp', 'multipart'), new Date(Date.now() - 48 * 3_600_000));
    assert.match(await kk(server, ['backup', 'list', '--repo', repo]).then((r) => r.stdout), /\(2d 0h ago\)/);
    const prune = await kk(server, ['backup', 'prune', '--repo', repo, '--keep-last', '1']);
    assert.equal(prune.code, 0, prune.stderr);
    assert.match(prune.stdout, /aborted\s+data\/cut\.[0-9a-f]{8}\.snapshot\.db\.age/);
    assert.deepEqual((await list(server, repo)).unfinishedUploads, []);
    assert.deepEqual((await client.send(new ListMultipartUploadsCommand({ Bucket: 'kk-test', Prefix: 'prod/cut/' }))).Uploads ?? [], []);
  } finally {
    client.destroy();
  }
}

/** A TCP proxy on 127.0.0.1 that forwards to `port`, client-to-server at most `bytesPerSecond`. */
async function throttlingProxy(port: number, bytesPerSecond: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    outbound.pipe(inbound);
    inbound.on('data', (chunk: Buffer) => {
      outbound.write(chunk);
      inbound.pause();
      setTimeout(() => inbound.resume(), Math.ceil((chunk.length / bytesPerSecond) * 1000));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

async function ageUploadDirs(root: string, at: Date): Promise<void> {
  for (const object of await readdir(root)) {
    for (const upload of await readdir(path.join(root, object))) await utimes(path.join(root, object, upload), at, at);
  }
}

async function httpsWithCa({ etcd, recipient, keyFile }: Ctx, t: TestContext): Promise<void> {
  const tlsDir = await tempDir(t, 'kk-conf-s3-tls-');
  const tls = generateTls(tlsDir);
  const server = await startVersitygw({ bin: vgw.peer as string, tls: { keyFile: tls.serverKey, certFile: tls.serverCert } });
  t.after(() => server.stop());
  const repo = 's3://kk-test/tls';
  const untrusted = await kk(server, ['backup', 'list', '--repo', repo]);
  assert.equal(untrusted.code, 1);
  assert.match(untrusted.stderr, /TLS certificate of endpoint https:\/\/127\.0\.0\.1:\d+ not trusted/);
  assert.match(untrusted.stderr, /--s3-ca-file/);
  const saved = await kk(server, ['backup', 'save', ...etcd.clientFlags, '--repo', repo, '-r', recipient, '--name', 'tls', '--s3-ca-file', tls.caCert]);
  assert.equal(saved.code, 0, saved.stderr);
  const verify = await kk(server, ['backup', 'verify', 'tls', '--repo', repo, '-i', keyFile, '--s3-ca-file', tls.caCert]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
}

async function virtualHosted({ etcd, recipient, keyFile }: Ctx, t: TestContext): Promise<void> {
  const server = await startVersitygw({ bin: vgw.peer as string, virtualDomain: 'localhost' });
  t.after(() => server.stop());
  // http://localhost:PORT with path-style off: the client sends Host: kk-test.localhost:PORT.
  const endpoint = `http://localhost:${server.port}`;
  const vh = { ...server, endpoint };
  const repo = 's3://kk-test/vhost';
  const saved = await kk(vh, ['backup', 'save', ...etcd.clientFlags, '--repo', repo, '-r', recipient, '--name', 'vh', '--s3-path-style', 'false']);
  assert.equal(saved.code, 0, saved.stderr);
  const verify = await kk(vh, ['backup', 'verify', 'vh', '--repo', repo, '-i', keyFile, '--s3-path-style', 'false']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.ok((await readdir(path.join(server.dir, 'kk-test', 'vhost', 'manifest'))).includes('vh.json'));
}

