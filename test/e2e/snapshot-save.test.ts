/**
 * `kubekeeper snapshot save` as a user runs it: a drop-in for `ETCDCTL_API=3 etcdctl
 * snapshot save` (same flags and ETCDCTL_* variables), checked by the real etcdctl.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { etcdctlOk, freePort, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { tempDir } from '../support/temp.js';

let mtls: EtcdProcess;

before(async () => {
  mtls = await startEtcd({ name: 'e2e-save', tls: true });
  for (let i = 0; i < 20; i++) await etcdctlOk(mtls, ['put', `/registry/pods/default/web-${i}`, `{"kind":"Pod","metadata":{"name":"web-${i}"}}`]);
});
after(() => mtls?.stop());

function tlsEnv(member: EtcdProcess): NodeJS.ProcessEnv {
  const tls = member.tls;
  assert.ok(tls);
  return { ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: member.clientUrl, ETCDCTL_CACERT: tls.caCert, ETCDCTL_CERT: tls.clientCert, ETCDCTL_KEY: tls.clientKey };
}

test('snapshot save takes etcdctl\'s ETCDCTL_* variables and writes a file both etcdctl and kubekeeper read', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'etcd.db');
  const r = await runKubekeeper(['snapshot', 'save', file], { env: tlsEnv(mtls) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Snapshot saved at ${file}\\n  size: +\\d+\\.\\d KiB \\(\\d+ bytes\\)\\n  revision: 21\\n  sha256: +[0-9a-f]{64}\\n  member: +[0-9a-f]+ at ${mtls.clientUrl} \\(etcd 3\\.4\\.23\\)\\n`));
  assert.equal(r.stderr, '');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const theirs = JSON.parse(await etcdctlOk(undefined, ['snapshot', 'status', file, '-w', 'json'])) as { revision: number; totalKey: number };
  assert.equal(theirs.revision, 21);
  const ours = await runKubekeeper(['snapshot', 'status', file, '-w', 'json']);
  assert.equal(ours.code, 0, ours.stderr);
  assert.equal(JSON.parse(ours.stdout).revision, 21);
  assert.deepEqual(await readdir(dir), ['etcd.db']);
});

test('snapshot save -w json reports path, size, revision, sha256 and member; the trailer equals the sha256', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 's.db');
  const r = await runKubekeeper(['snapshot', 'save', file, '-w', 'json', ...mtls.clientFlags]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { path: string; sizeBytes: number; revision: number; sha256: string; memberId: string; endpoint: string };
  const bytes = await readFile(file);
  assert.equal(out.path, file);
  assert.equal(out.sizeBytes, bytes.length);
  assert.equal(out.revision, 21);
  assert.equal(out.endpoint, mtls.clientUrl);
  assert.equal(out.sha256, bytes.subarray(bytes.length - 32).toString('hex'));
  const members = await etcdctlOk(mtls, ['member', 'list']);
  assert.ok(members.startsWith(out.memberId), `${out.memberId} in ${members}`);
});

test('snapshot save refuses to overwrite a file without --force and replaces it with --force', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 's.db');
  await writeFile(file, 'previous backup');
  const refused = await runKubekeeper(['snapshot', 'save', file, ...mtls.clientFlags]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, `Error: Cannot save the snapshot: "${file}" already exists\nHint: Choose another file name, remove the file, or pass --force to replace it\n`);
  assert.equal(await readFile(file, 'utf8'), 'previous backup');
  const forced = await runKubekeeper(['snapshot', 'save', file, '--force', ...mtls.clientFlags]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.ok((await stat(file)).size > 20_000);
  assert.deepEqual(await readdir(dir), ['s.db']);
});

test('snapshot save with a dead first endpoint uses the next one and names it', async (t) => {
  const dir = await tempDir(t);
  const tls = mtls.tls;
  assert.ok(tls);
  const dead = `https://127.0.0.1:${await freePort()}`;
  const r = await runKubekeeper(['snapshot', 'save', path.join(dir, 's.db'), `--endpoints=${dead},${mtls.clientUrl}`,
    `--cacert=${tls.caCert}`, `--cert=${tls.clientCert}`, `--key=${tls.clientKey}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, `Using endpoint ${mtls.clientUrl} (first healthy of 2)\n`);
  assert.match(r.stdout, new RegExp(`member: +[0-9a-f]+ at ${mtls.clientUrl} `));
});
