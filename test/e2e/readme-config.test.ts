/** Issue 18 items 9 and 11: the README's config works as given, config check round-trips, README stays in the repo. */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

const readme = () => readFile(path.join(repoRoot, 'README.md'), 'utf8');
/** The environment of a fresh machine: none of the variables a config may read. */
const freshEnv = { KUBEKEEPER_LOCK_FILE: '', KUBEKEEPER_CONFIG: '', KUBEKEEPER_RECIPIENTS: '', ETCDCTL_ENDPOINTS: '', ETCDCTL_CACERT: '', ETCDCTL_CERT: '', ETCDCTL_KEY: '' };

/**
 * `config check` output without its comment lines: the file it read, and the secrets that are
 * set but never printed (so a pasted copy has none; they come from the environment).
 */
const body = (stdout: string) => stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n');

test('the README config example passes config check as given, and its effective config pasted back is the same', async (t) => {
  const text = await readme();
  const section = text.slice(text.indexOf('## Unattended backups'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(yaml, 'the "Unattended backups" section has a yaml block');
  const dir = await tempDir(t);
  const file = path.join(dir, 'config.yaml');
  await writeFile(file, yaml);
  const first = await runKubekeeper(['config', 'check', '--config', file], { env: freshEnv });
  assert.equal(first.code, 0, first.stderr);
  const pasted = path.join(dir, 'pasted.yaml');
  await writeFile(pasted, first.stdout);
  const second = await runKubekeeper(['config', 'check', '--config', pasted], { env: freshEnv });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(body(second.stdout), body(first.stdout));
});

test('config check output of the full example and of an RKE cluster.yml can be pasted back as a config', async (t) => {
  const dir = await tempDir(t);
  const fixtures = path.join(repoRoot, 'test/fixtures/config');
  const env = { ...freshEnv, KK_TEST_ACCESS_KEY: 'AKID', KUBEKEEPER_RECIPIENTS: 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p', KUBEKEEPER_NODE_ADDRESS: '' };
  for (const name of ['kubekeeper.yaml', 'rke-cluster.yml']) {
    for (const format of ['yaml', 'json']) {
      const first = await runKubekeeper(['config', 'check', '--config', path.join(fixtures, name), '-w', format], { env });
      assert.equal(first.code, 0, first.stderr);
      const pasted = path.join(dir, `${name}.${format}`);
      await writeFile(pasted, first.stdout);
      const second = await runKubekeeper(['config', 'check', '--config', pasted, '-w', format], { env });
      assert.equal(second.code, 0, `${name} -w ${format} pasted back: ${second.stderr}`);
      assert.equal(format === 'json' ? second.stdout : body(second.stdout), format === 'json' ? first.stdout : body(first.stdout), `${name} -w ${format}`);
      assert.ok(!second.stdout.includes('AKID') && !second.stdout.includes('wJalrXUtnFEMI'));
    }
  }
});

test('a missing config file is "not found", with a hint that is not config check itself', async () => {
  const r = await runKubekeeper(['config', 'check', '--config', '/nonexistent/kubekeeper.yaml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^Error: Config file "\/nonexistent\/kubekeeper\.yaml" not found\nHint: Pass --config FILE/);
  assert.doesNotMatch(r.stderr, /Invalid|ENOENT|config check/);
  const unset = await runKubekeeper(['config', 'check', '--config', path.join(repoRoot, 'test/fixtures/config/kubekeeper.yaml')], { env: { KK_TEST_ACCESS_KEY: '' } });
  assert.equal(unset.code, 2);
  assert.match(unset.stderr, /^Hint: Set KK_TEST_ACCESS_KEY in kubekeeper's environment/m);
});

test('the README links nothing outside the repository', async () => {
  const text = await readme();
  const problems: string[] = [];
  for (const m of text.matchAll(/\]\(([^)]+)\)|<(https?:[^>]+)>|(?<![\w/])(\.\.\/[\w./-]+)/g)) {
    const target = (m[1] ?? m[2] ?? m[3]) as string;
    if (/^[a-z]+:/i.test(target) || target.startsWith('../') || target.startsWith('/')) problems.push(target);
  }
  assert.deepEqual(problems, []);
});
