/** Issue 18 item 10: messages and exit codes a user meets when something is off. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { buildBolt, revKey } from '../support/bolt-builder.js';
import { runKubekeeper } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

test('certs check on a directory without certificates exits non-zero instead of passing', async (t) => {
  const dir = await tempDir(t);
  await mkdir(path.join(dir, 'pki'));
  const r = await runKubekeeper(['certs', 'check', '--pki-dir', path.join(dir, 'pki'), '--kubeconfig-dir', dir]);
  assert.equal(r.code, 3, r.stdout);
  assert.match(r.stderr, /^Error: No certificate found in ".*pki" or ".*"\nHint: Check --pki-dir/);
  assert.doesNotMatch(r.stdout, /OK: nothing expires/);
});

test('a missing file is named in words, never as a raw ENOENT', async (t) => {
  const missing = path.join(await tempDir(t), 'missing.yaml');
  for (const args of [['audit', 'lint', missing], ['review', missing], ['health', '--kubeconfig', missing]]) {
    const r = await runKubekeeper(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`"${missing.replace(/[.]/g, '\\.')}": it does not exist\\n`), args.join(' '));
    assert.doesNotMatch(r.stderr, /ENOENT|no such file/, args.join(' '));
  }
});

test('snapshot diff names which of the two files is corrupt', async (t) => {
  const dir = await tempDir(t);
  const good = path.join(dir, 'good.db');
  const bad = path.join(dir, 'bad.db');
  await writeFile(good, buildBolt([{ name: 'key', entries: [] }, { name: 'meta', entries: [] }]).bytes);
  await writeFile(bad, randomBytes(16384));
  for (const [a, b] of [[good, bad], [bad, good]]) {
    const r = await runKubekeeper(['snapshot', 'diff', a as string, b as string]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^Error: Cannot open snapshot "${bad.replace(/[.]/g, '\\.')}": no valid bbolt meta page`));
  }
});

test('restore tells only a whole bbolt db to try --skip-hash-check, not random bytes or a cut file', async (t) => {
  const dir = await tempDir(t);
  const db = buildBolt([{ name: 'key', entries: [[revKey(2), 'v']] }, { name: 'meta', entries: [] }], { freelist: true, freePages: 6 }).bytes;
  const files = { random: randomBytes(100_000), cut: db.subarray(0, db.length - 4096), whole: db };
  for (const [name, bytes] of Object.entries(files)) {
    const file = path.join(dir, `${name}.db`);
    await writeFile(file, bytes);
    const r = await runKubekeeper(['snapshot', 'restore', file, '--data-dir', path.join(dir, `${name}-restored`)]);
    assert.equal(r.code, 1, r.stderr);
    if (name === 'whole') assert.match(r.stderr, /pass --skip-hash-check to restore it/);
    else {
      assert.doesNotMatch(r.stderr, /skip-hash-check/, name);
      assert.match(r.stderr, /not a snapshot \(no sha256 trailer\) and not a bbolt db/, name);
    }
  }
});

test('upgrade plan --to banana fails before connecting', async (t) => {
  const kubeconfig = path.join(await tempDir(t), 'kubeconfig');
  // A server nobody listens on: reaching the network would show up as a connection error.
  await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
  const r = await runKubekeeper(['upgrade', 'plan', '--to', 'banana', '--kubeconfig', kubeconfig]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^Error: Invalid value for --to: "banana" is not a Kubernetes version/);
  assert.doesNotMatch(r.stderr, /127\.0\.0\.1|reach/);
});

test('demo load refuses a negative --replicas before connecting', async () => {
  const r = await runKubekeeper(['demo', 'load', '--replicas', '-1', '--endpoints', '127.0.0.1:1']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^Error: Invalid value for --replicas: -1/);
});
