/** Issue 18 item 11: first-run set-up says what it installs and why, and keeps apt's noise out of sight. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runProcess } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

/**
 * A PATH holding the few programs setup.sh uses, none of the packages it installs, and a fake
 * apt-get (and sudo) that print what the real ones print and record their arguments.
 */
async function fakeMachine(t: Parameters<typeof tempDir>[0], aptExit = 0): Promise<{ bin: string; calls: string; env: NodeJS.ProcessEnv }> {
  const dir = await tempDir(t);
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  for (const tool of ['bash', 'dirname', 'id', 'tail', 'env', 'cat']) {
    const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((f) => existsSync(f));
    assert.ok(found, `${tool} is on this machine`);
    await symlink(found, path.join(bin, tool));
  }
  const calls = path.join(dir, 'apt-calls');
  await writeFile(path.join(bin, 'apt-get'), [
    '#!/bin/bash',
    `echo "$*" >> ${calls}`,
    'echo "Reading package lists... Done"',
    'echo "debconf: delaying package configuration, since apt-utils is not installed" >&2',
    aptExit === 0 ? 'exit 0' : 'echo "E: Unable to locate package etcd-server" >&2; exit 100',
    '',
  ].join('\n'));
  await writeFile(path.join(bin, 'sudo'), '#!/bin/bash\n[ "$1" = -n ] && shift\nexec "$@"\n');
  await chmod(path.join(bin, 'apt-get'), 0o755);
  await chmod(path.join(bin, 'sudo'), 0o755);
  return { bin, calls, env: { PATH: bin, TMPDIR: dir } };
}

const setup = (args: string[], env: NodeJS.ProcessEnv) => runProcess('/bin/bash', [path.join(repoRoot, 'scripts/setup.sh'), ...args], { env });

test('setup --dry-run names each missing package and why, and installs nothing', async (t) => {
  const machine = await fakeMachine(t);
  const r = await setup(['--dry-run'], machine.env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^kubekeeper setup: missing Debian packages, to install with apt-get:\n {2}etcd-server: etcd 3\.4, .*\n {2}etcd-client: etcdctl, .*\n {2}age: the age CLI, .*\n {2}openssl: .*\n {2}zstd: .*\n/);
  assert.match(r.stdout, /kubekeeper setup: building: TypeScript to dist\/ \(tsc\)\n$/);
  await assert.rejects(readFile(machine.calls), { code: 'ENOENT' });
});

test('setup installs the missing packages with apt-get and shows none of apt-get\'s output', async (t) => {
  const machine = await fakeMachine(t);
  const r = await setup(['--system-only'], machine.env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.doesNotMatch(r.stdout, /Reading package lists|debconf/);
  assert.match(r.stdout, /^kubekeeper setup: apt-get install etcd-server etcd-client age openssl zstd chromium$/m);
  assert.deepEqual((await readFile(machine.calls, 'utf8')).trim().split('\n'), ['update -q', 'install -y -q --no-install-recommends etcd-server etcd-client age openssl zstd chromium']);
});

test('setup shows the end of apt-get\'s log when it fails', async (t) => {
  const machine = await fakeMachine(t, 100);
  const r = await setup(['--system-only'], machine.env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^kubekeeper setup: ".*apt-get update -q" failed; the last lines of .*kubekeeper-setup\.log:\n/);
  assert.match(r.stderr, /E: Unable to locate package etcd-server/);
});
