/**
 * Manifest signatures through the CLI as a user runs it: a node signs with the key `keygen
 * --signing` made; a reader that trusts it does not take a manifest forged by someone with
 * write access to the repository as latest, and refuses it by name unless --allow-unsigned.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { BackupListing } from '../../src/backup/index.js';
import { runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, etcdctlOk, startEtcd } from '../support/etcd.js';

let etcd: EtcdProcess;
let dir: string;
let repo: string;
let signer: string;
let signingKey: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-signing-'));
  repo = path.join(dir, 'repo');
  signingKey = path.join(dir, 'signing.key');
  const keygen = await runKubekeeper(['keygen', '--signing', '-o', signingKey]);
  assert.equal(keygen.code, 0, keygen.stderr);
  signer = /Signer public key: (kksign1\S+)/.exec(keygen.stdout)?.[1] as string;
  assert.ok(signer, keygen.stdout);
  etcd = await startEtcd();
  await etcdctlOk(etcd, ['put', '/registry/namespaces/default', 'real']);
  const saved = await runKubekeeper(['backup', 'save', ...etcd.clientFlags, '--repo', repo, '--name', 'real', '--insecure-no-encryption', '--signing-key', signingKey]);
  assert.equal(saved.code, 0, saved.stderr);
  // Someone with write access to the repository (not to the signing key) adds a newer backup.
  const manifest = JSON.parse(await readFile(path.join(repo, 'manifest', 'real.json'), 'utf8')) as Record<string, unknown> & { objects: { name: string }[] };
  delete manifest.signature;
  for (const o of manifest.objects) {
    const forgedName = o.name.replace(/^real\./, 'forged.');
    await copyFile(path.join(repo, 'data', o.name), path.join(repo, 'data', forgedName));
    o.name = forgedName;
  }
  await writeFile(path.join(repo, 'manifest', 'forged.json'), JSON.stringify({ ...manifest, name: 'forged', createdAt: new Date(Date.now() + 3600_000).toISOString() }, null, 2));
});
after(async () => {
  await etcd?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('keygen --signing writes a 0600 key and prints a kksign1 public key', async () => {
  assert.equal((await stat(signingKey)).mode & 0o777, 0o600);
  assert.match(await readFile(signingKey, 'utf8'), /^KKSIGN-SECRET-KEY-1[0-9A-Z]+$/m);
});

test('backup list with --trusted-signer marks the forged manifest unsigned and the real one signed', async () => {
  const r = await runKubekeeper(['backup', 'list', '--repo', repo, '--trusted-signer', signer, '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const listing = JSON.parse(r.stdout) as BackupListing;
  assert.deepEqual(listing.backups.map((b) => [b.name, b.status, b.signature?.status]), [['forged', 'untrusted', 'unsigned'], ['real', 'ok', 'signed']]);
  const table = await runKubekeeper(['backup', 'list', '--repo', repo, '--trusted-signer', signer]);
  assert.match(table.stdout, /forged .*\| untrusted .*\| unsigned \(legacy\) +\|/);
});

test('backup download latest takes the signed backup, and the forged one only by name with --allow-unsigned', async () => {
  const latest = await runKubekeeper(['backup', 'download', 'latest', '-o', path.join(dir, 'latest.db'), '--repo', repo, '--trusted-signer', signer, '-w', 'json']);
  assert.equal(latest.code, 0, latest.stderr);
  assert.match(latest.stdout, /"name":"real"/);
  const forged = await runKubekeeper(['backup', 'download', 'forged', '-o', path.join(dir, 'forged.db'), '--repo', repo, '--trusted-signer', signer]);
  assert.equal(forged.code, 1, forged.stderr);
  assert.match(forged.stderr, /Refusing backup "forged": its manifest is unsigned \(legacy\), not signed by a trusted signer/);
  assert.match(forged.stderr, /--allow-unsigned/);
  assert.equal((await readdir(dir)).includes('forged.db'), false);
  const allowed = await runKubekeeper(['backup', 'download', 'forged', '-o', path.join(dir, 'forged.db'), '--repo', repo, '--trusted-signer', signer, '--allow-unsigned']);
  assert.equal(allowed.code, 0, allowed.stderr);
});

test('backup download with an identity refuses a backup whose manifest says it is unencrypted unless --insecure-no-encryption is repeated', async () => {
  const keyFile = path.join(dir, 'age.key');
  const keygen = await runKubekeeper(['keygen', '-o', keyFile]);
  assert.equal(keygen.code, 0, keygen.stderr);
  const refused = await runKubekeeper(['backup', 'download', 'real', '-o', path.join(dir, 'plain.db'), '--repo', repo, '--trusted-signer', signer, '-i', keyFile]);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /Refusing backup "real": its manifest says the backup is not encrypted, but an identity or passphrase was given/);
  assert.match(refused.stderr, /--insecure-no-encryption/);
  const allowed = await runKubekeeper(['backup', 'download', 'real', '-o', path.join(dir, 'plain.db'), '--repo', repo, '--trusted-signer', signer, '-i', keyFile, '--insecure-no-encryption']);
  assert.equal(allowed.code, 0, allowed.stderr);
});

test('a repository with signed backups tells readers without --trusted-signer to pass one, instead of trusting the forged latest', async () => {
  for (const args of [['backup', 'list'], ['backup', 'download', 'latest', '-o', path.join(dir, 'any.db')], ['backup', 'download', 'forged', '-o', path.join(dir, 'any.db')]]) {
    const r = await runKubekeeper([...args, '--repo', repo]);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /(holds signed backups|was marked signed by its first signed backup).*, but no trusted signer was given/, args.join(' '));
    assert.match(r.stderr, /--trusted-signer KKSIGN1\.\.\.\|FILE .*or --allow-unsigned/, args.join(' '));
  }
  // The marker alone is enough: with every signed manifest removed, readers are still refused.
  assert.match(await readFile(path.join(repo, 'manifest', 'signed-repository'), 'utf8'), /"signed":true/);
  const marked = path.join(dir, 'marked');
  await copyDir(repo, marked);
  await rm(path.join(marked, 'manifest', 'real.json'));
  const r = await runKubekeeper(['backup', 'list', '--repo', marked]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /was marked signed by its first signed backup/);
  // --allow-unsigned keeps the old behaviour for those who ask for it.
  const allowed = await runKubekeeper(['backup', 'list', '--repo', repo, '--allow-unsigned', '-w', 'json']);
  assert.equal(allowed.code, 0, allowed.stderr);
});

test('a legacy repository (never a signed manifest) reads as before without --trusted-signer', async () => {
  const legacy = path.join(dir, 'legacy');
  const saved = await runKubekeeper(['backup', 'save', ...etcd.clientFlags, '--repo', legacy, '--name', 'old', '--insecure-no-encryption']);
  assert.equal(saved.code, 0, saved.stderr);
  assert.deepEqual(await readdir(path.join(legacy, 'manifest')), ['old.json']);
  const list = await runKubekeeper(['backup', 'list', '--repo', legacy, '-w', 'json']);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual((JSON.parse(list.stdout) as BackupListing).backups.map((b) => [b.name, b.status, b.signature?.status]), [['old', 'ok', 'unsigned']]);
  const latest = await runKubekeeper(['backup', 'download', 'latest', '-o', path.join(dir, 'legacy.db'), '--repo', legacy]);
  assert.equal(latest.code, 0, latest.stderr);
});

async function copyDir(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isDirectory()) await copyDir(path.join(from, entry.name), path.join(to, entry.name));
    else await copyFile(path.join(from, entry.name), path.join(to, entry.name));
  }
}
