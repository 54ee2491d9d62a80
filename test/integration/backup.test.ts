/**
 * `kubekeeper backup *` as a user runs it, against a real etcd on 127.0.0.1 and a local
 * repository: save with a DR bundle, list, show, verify, download, and the age CLI and
 * etcdctl reading what kubekeeper wrote; then damage at rest and bad input.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, etcdctlOk, freePort, startEtcd } from '../support/etcd.js';
import { tempDir } from '../support/temp.js';

let etcd: EtcdProcess;
let dir: string;
let keyFile: string;
let recipient: string;
let repo: string;

before(async () => {
  etcd = await startEtcd();
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-backup-'));
  keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  repo = path.join(dir, 'repo');
  for (let i = 0; i < 20; i++) await etcdctlOk(etcd, ['put', `/registry/configmaps/default/cm-${i}`, `{"data":{"n":"${i}"}}`]);
});
after(async () => {
  await etcd.stop();
  await rm(dir, { recursive: true, force: true });
});

const kk = (args: string[], env?: NodeJS.ProcessEnv) => runKubekeeper(args, { env: { KUBEKEEPER_REPO: repo, ...env } });

async function save(name: string, extra: string[] = []) {
  const r = await kk(['backup', 'save', ...etcd.clientFlags, '--name', name, '-r', recipient, ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return r;
}

test('backup save streams a verified, encrypted backup with a DR bundle that list, show and verify accept', async () => {
  const pki = path.join(dir, 'pki');
  await mkdir(pki);
  await writeFile(path.join(pki, 'ca.key'), 'KEY\n', { mode: 0o600 });
  const saved = await save('first', ['--include', pki, '-w', 'json']);
  const result = JSON.parse(saved.stdout) as { manifest: { cluster: { revision: number; clusterId: string }; objects: { role: string }[] } };
  assert.deepEqual(result.manifest.objects.map((o) => o.role), ['bundle', 'snapshot']);
  // etcdctl's JSON loses 64-bit IDs to float precision; its "fields" output keeps them exact.
  const fields = await etcdctlOk(etcd, ['endpoint', 'status', '-w', 'fields']);
  const clusterId = BigInt(/"ClusterID" : (\d+)/.exec(fields)?.[1] ?? '0').toString(16);
  assert.equal(result.manifest.cluster.clusterId, clusterId);
  assert.ok(result.manifest.cluster.revision >= 21);

  const list = await kk(['backup', 'list', '-w', 'json']);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual((JSON.parse(list.stdout) as { backups: { name: string; status: string }[] }).backups.map((b) => [b.name, b.status]), [['first', 'ok']]);
  const show = await kk(['backup', 'show', 'first']);
  assert.match(show.stdout, /Bundle files \(2\):/);
  const verify = await kk(['backup', 'verify', 'latest', '-i', keyFile]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /ok +snapshot:structure/);
  assert.match(verify.stdout, /Backup "first" passed all checks/);
});

test('backup download writes a snapshot that etcdctl reads, and the age CLI decrypts the stored object', async () => {
  await save('second');
  const out = path.join(dir, 'second.db');
  const r = await kk(['backup', 'download', 'second', '-i', keyFile, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  const ours = await runKubekeeper(['snapshot', 'status', out, '-w', 'json']);
  const theirs = await etcdctlOk(undefined, ['snapshot', 'status', out, '-w', 'json']);
  assert.equal(JSON.parse(ours.stdout).revision, JSON.parse(theirs).revision);
  const object = (await readdir(path.join(repo, 'data'))).find((f) => /^second\.([0-9a-f]{8}\.)?snapshot/.test(f));
  assert.ok(object);
  const decrypted = execFileSync('age', ['-d', '-i', keyFile, path.join(repo, 'data', object)]);
  // The standard tools undo the compression too: zstd (the default where available) or gzip.
  const plain = object.includes('.zst') ? execFileSync('zstd', ['-d', '-c', '-q'], { input: decrypted, maxBuffer: 1 << 30 })
    : object.includes('.gz') ? execFileSync('gunzip', ['-c'], { input: decrypted, maxBuffer: 1 << 30 }) : decrypted;
  assert.deepEqual(plain, await readFile(out));
});

test('backup verify fails (exit 3) and download writes nothing when a stored byte is flipped or the object truncated', async () => {
  await save('damaged');
  const object = path.join(repo, 'data', (await readdir(path.join(repo, 'data'))).find((f) => /^damaged\.([0-9a-f]{8}\.)?snapshot/.test(f)) as string);
  const bytes = await readFile(object);
  bytes[bytes.length - 40] = (bytes[bytes.length - 40] ?? 0) ^ 0x01;
  await writeFile(object, bytes);
  const flipped = await kk(['backup', 'verify', 'damaged', '-i', keyFile]);
  assert.equal(flipped.code, 3, flipped.stdout + flipped.stderr);
  assert.match(flipped.stdout, /FAIL +stored:snapshot +.*modified at rest/);
  const out = path.join(dir, 'damaged.db');
  const download = await kk(['backup', 'download', 'damaged', '-i', keyFile, '-o', out]);
  assert.equal(download.code, 1);
  assert.match(download.stderr, /^Hint: /m);
  assert.equal(existsSync(out), false);

  await truncate(object, bytes.length - 100);
  const truncated = await kk(['backup', 'verify', 'damaged']);
  assert.equal(truncated.code, 3);
  assert.match(truncated.stdout, /truncated or appended/);
  const list = await kk(['backup', 'list']);
  assert.match(list.stdout, /damaged: incomplete: snapshot object .* has \d+ bytes, the manifest says \d+/);
});

test('backup commands fail with a hint on a wrong key, a missing recipient file, and a manifest naming a missing object', async () => {
  await save('keys');
  const otherKey = path.join(dir, 'other.txt');
  execFileSync('age-keygen', ['-o', otherKey], { stdio: 'ignore' });
  const wrong = await kk(['backup', 'verify', 'keys', '-i', otherKey]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /Error: Cannot decrypt: the identity \([0-9a-f]{16}\) does not match/);
  assert.match(wrong.stderr, /Hint: Use the identity file whose public key/);

  const noFile = await kk(['backup', 'save', ...etcd.clientFlags, '-r', path.join(dir, 'missing-recipients.txt')]);
  assert.equal(noFile.code, 1);
  assert.match(noFile.stderr, /missing-recipients\.txt.*does not exist/);
  assert.match(noFile.stderr, /^Hint: /m);

  const object = (await readdir(path.join(repo, 'data'))).find((f) => /^keys\.([0-9a-f]{8}\.)?snapshot/.test(f)) as string;
  await rm(path.join(repo, 'data', object));
  // A missing object is a problem found: exit 3, named in the report with the fix.
  const missing = await kk(['backup', 'verify', 'keys', '-i', keyFile]);
  assert.equal(missing.code, 3, missing.stderr);
  assert.match(missing.stdout, /Backup "keys" is incomplete: its snapshot object .* is missing/);
  assert.match(missing.stdout, /backup delete keys/);
  // So is a broken manifest.
  await writeFile(path.join(repo, 'manifest', 'keys.json'), '{"format": "kubekeeper.backup/v1", ');
  const broken = await kk(['backup', 'verify', 'keys', '-i', keyFile]);
  assert.equal(broken.code, 3, broken.stderr);
  assert.match(broken.stderr, /Manifest of backup "keys" is invalid/);
});

test('a backup whose manifest is gone is not listed; its data counts as an orphan', async () => {
  await save('orphaned');
  await rm(path.join(repo, 'manifest', 'orphaned.json'));
  const list = await kk(['backup', 'list', '-w', 'json']);
  const json = JSON.parse(list.stdout) as { backups: { name: string }[]; orphans: { backupName: string }[] };
  assert.ok(!json.backups.some((b) => b.name === 'orphaned'));
  assert.ok(json.orphans.some((o) => o.backupName === 'orphaned'));
  const verify = await kk(['backup', 'verify', 'orphaned']);
  assert.equal(verify.code, 1);
  assert.match(verify.stderr, /Backup "orphaned" not found/);
});

test('backup save refuses to store an unencrypted backup unless told, and prune --dry-run prints reasons', async () => {
  const plain = await kk(['backup', 'save', ...etcd.clientFlags, '--name', 'plain']);
  assert.equal(plain.code, 1);
  assert.match(plain.stderr, /Refusing to store an unencrypted backup/);
  const dry = await kk(['backup', 'prune', '--keep-last', '1', '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^keep +\S+ .*newest verified backup \(always kept\)/m);
  assert.match(dry.stdout, /would remove/);
  assert.match(dry.stdout, /dry run: nothing was removed/);
});

test('backup save is interrupted by SIGINT with exit 130 and leaves nothing in the repository', async (t) => {
  const own = path.join(await tempDir(t), 'repo');
  // 24 MiB of random values: big enough that the save is still streaming when SIGINT comes.
  for (let i = 0; i < 24; i++) {
    const value = Buffer.from(execFileSync('head', ['-c', String(768 * 1024), '/dev/urandom'])).toString('base64').slice(0, 1024 * 1024);
    await fetch(`${etcd.clientUrl}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: Buffer.from(`/big/${i}`).toString('base64'), value: Buffer.from(value).toString('base64') }) });
  }
  const dataDir = path.join(own, 'data');
  const r = await runKubekeeper(['backup', 'save', ...etcd.clientFlags, '--repo', own, '-r', recipient, '--name', 'cut'], {
    onSpawn: (child) => {
      const poll = setInterval(() => {
        // The temp file appears when the snapshot object starts streaming.
        if (existsSync(dataDir) && readdirSync(dataDir).some((f) => f.startsWith('.tmp-'))) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 5);
      child.on('exit', () => clearInterval(poll));
    },
  });
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(existsSync(dataDir) ? await readdir(dataDir) : [], []);
  assert.equal(existsSync(path.join(own, 'manifest', 'cut.json')), false);
});

test('snapshot restore --from-backup latest restores a data dir that etcd starts on and serves the keys from', async (t) => {
  const target = path.join(await tempDir(t), 'restored');
  const peerPort = await freePort();
  const peer = `http://127.0.0.1:${peerPort}`;
  await save('for-restore');
  const r = await kk(['snapshot', 'restore', '--from-backup', 'latest', '-i', keyFile, '--data-dir', target,
    '--name', 'restored', '--initial-cluster', `restored=${peer}`, '--initial-advertise-peer-urls', peer]);
  assert.equal(r.code, 0, r.stderr);
  const both = await kk(['snapshot', 'restore', 'some.db', '--from-backup', 'latest']);
  assert.equal(both.code, 2);
  const member = await startEtcd({ dataDir: target, name: 'restored', peerPort, initialCluster: `restored=${peer}` });
  try {
    assert.equal((await etcdctlOk(member, ['get', '/registry/configmaps/default/cm-7', '--print-value-only'])).trim(), '{"data":{"n":"7"}}');
  } finally {
    await member.stop();
  }
});
