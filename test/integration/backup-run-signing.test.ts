/**
 * Signatures in unattended work: a config with backup.signingKeyFile and
 * repository.trustedSigners makes `backup run` write signed manifests, and its retention and
 * `drill --config` count only those; a manifest planted by someone with write access to the
 * repository (not to the key) is never drilled as latest and never pushes a real backup out.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RestoreDrillResult } from '../../src/backup/index.js';
import { runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, etcdctlOk, startEtcd } from '../support/etcd.js';

let etcd: EtcdProcess;
let dir: string;
let repo: string;
let keyFile: string;
let signer: string;
let recipient: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-run-signing-'));
  repo = path.join(dir, 'repo');
  keyFile = path.join(dir, 'age.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  const keygen = await runKubekeeper(['keygen', '--signing', '-o', path.join(dir, 'signing.key')]);
  assert.equal(keygen.code, 0, keygen.stderr);
  signer = /Signer public key: (kksign1\S+)/.exec(keygen.stdout)?.[1] as string;
  assert.ok(signer, keygen.stdout);
  // A signers file beside the config, as repository.trustedSigners allows.
  await writeFile(path.join(dir, 'signers.txt'), `${signer}\n`);
  etcd = await startEtcd();
  await etcdctlOk(etcd, ['put', '/registry/namespaces/default', 'real']);
});
after(async () => {
  await etcd?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(name: string, keepLast: number): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, [
    'etcd:', `  endpoints: [${etcd.clientUrl}]`,
    'repository:', `  url: ${repo}`, '  trustedSigners: [signers.txt]',
    'backup:', `  namePrefix: ${name}`, '  compression: gzip', `  recipients: [${recipient}]`, '  signingKeyFile: signing.key',
    'retention:', `  keepLast: ${keepLast}`,
    `drill:\n  enabled: true\n  identityFiles: [${keyFile}]\n  expectKeys: [/registry/namespaces/default]`,
    `lockFile: ${path.join(dir, 'lock')}`,
  ].join('\n'));
  return file;
}

test('backup run signs with backup.signingKeyFile; its retention and drill --config trust only repository.trustedSigners', async () => {
  const first = await runKubekeeper(['backup', 'run', '--config', await writeConfig('sa', 5)], { timeoutMs: 120_000 });
  assert.equal(first.code, 0, first.stderr);
  const [name] = (await readdir(path.join(repo, 'manifest'))).filter((n) => n.startsWith('sa-'));
  assert.ok(name);
  const manifest = JSON.parse(await readFile(path.join(repo, 'manifest', name), 'utf8')) as Record<string, unknown> & { objects: { name: string }[] };
  assert.equal((manifest.signature as { signer: string }).signer, signer);
  // Someone with write access plants a newer, unsigned manifest pointing at the real data.
  delete manifest.signature;
  await writeFile(path.join(repo, 'manifest', 'forged.json'), JSON.stringify({ ...manifest, name: 'forged', createdAt: new Date(Date.now() + 60_000).toISOString() }, null, 2));
  // keepLast 1: the forged manifest must not count as the one kept (the real one would be pruned).
  const second = await runKubekeeper(['backup', 'run', '--config', await writeConfig('sb', 1)], { timeoutMs: 120_000 });
  assert.equal(second.code, 0, second.stderr);
  const left = (await readdir(path.join(repo, 'manifest'))).filter((n) => n.endsWith('.json')).sort();
  assert.equal(left.length, 2, left.join(' '));
  assert.ok(left.includes('forged.json') && left.some((n) => n.startsWith('sb-')), left.join(' '));
  const work = path.join(dir, 'work');
  await mkdir(work, { recursive: true });
  const drill = await runKubekeeper(['drill', '--config', await writeConfig('sc', 1), '--work-dir', work, '-w', 'json'], { timeoutMs: 120_000 });
  assert.equal(drill.code, 0, drill.stdout + drill.stderr);
  const result = JSON.parse(drill.stdout) as RestoreDrillResult;
  assert.match(result.backupName ?? '', /^sb-/);
});

test('config check shows backup.signingKeyFile and repository.trustedSigners, never the key itself', async () => {
  const file = await writeConfig('sd', 1);
  const r = await runKubekeeper(['config', 'check', '--config', file, '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as { repository: { trustedSigners?: string[] }; backup: { signingKeyFile?: string } };
  assert.deepEqual(c.repository.trustedSigners, [path.join(dir, 'signers.txt')]);
  assert.equal(c.backup.signingKeyFile, path.join(dir, 'signing.key'));
  const secret = /^[0-9A-Z]{20,}$/m.exec((await readFile(path.join(dir, 'signing.key'), 'utf8')).replace(/^KKSIGN-SECRET-KEY-1/m, ''))?.[0];
  assert.ok(secret);
  assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));
});
