/**
 * `kubekeeper drill` against real etcd: backups saved from a live member into a local
 * repository are restored into a throwaway etcd (started and stopped by the drill) and
 * checked. A damaged stored object, a missing expected key and a missing etcd binary each
 * fail with their reason and the documented exit code; nothing is left in the work dir.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RestoreDrillResult } from '../../src/backup/index.js';
import { processGone } from '../../src/backup/drill-reap.js';
import { runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, etcdctlOk, startEtcd } from '../support/etcd.js';

let etcd: EtcdProcess;
let dir: string;
let repo: string;
let keyFile: string;
let workDir: string;
let recipient: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-drill-'));
  repo = path.join(dir, 'repo');
  workDir = path.join(dir, 'work');
  execFileSync('mkdir', ['-p', workDir]);
  keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  etcd = await startEtcd();
  for (let i = 0; i < 5; i++) await etcdctlOk(etcd, ['put', `/registry/pods/default/pod-${i}`, `pod-${i}`]);
  await etcdctlOk(etcd, ['put', '/registry/namespaces/default', 'ns']);
  await etcdctlOk(etcd, ['put', '/other/key', 'v']);
  // A deleted key must not be counted: the drill compares live keys only.
  await etcdctlOk(etcd, ['del', '/registry/pods/default/pod-4']);
  for (const name of ['first', 'second']) {
    const r = await runKubekeeper(['backup', 'save', ...etcd.clientFlags, '--repo', repo, '--name', name, '-r', recipient]);
    assert.equal(r.code, 0, r.stderr);
  }
});
after(async () => {
  await etcd?.stop();
  await rm(dir, { recursive: true, force: true });
});

const drill = (args: string[]) => runKubekeeper(['drill', '--repo', repo, '-i', keyFile, '--work-dir', workDir, ...args], { timeoutMs: 120_000 });

test('drill passes with revision, key counts and expected keys when the backup is good', async () => {
  const r = await drill(['--expect-key', '/registry/namespaces/default', '--expect-key', '/registry/pods/', '-w', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const result = JSON.parse(r.stdout) as RestoreDrillResult;
  assert.equal(result.ok, true);
  assert.equal(result.backupName, 'second', 'latest is the newest backup');
  assert.deepEqual(result.checks.map((c) => [c.step, c.ok]), [
    ['download', true], ['restore', true], ['start', true], ['revision', true], ['alarms', true], ['keys', true], ['expected-keys', true],
  ]);
  assert.equal(result.keyCount, 6, '4 pods + 1 namespace + 1 other key');
  // Kubernetes data: kubekeeper's restore bumps the revision by 1e9 and etcd serves that.
  assert.ok((result.revision ?? 0) > 1_000_000_000, String(result.revision));
  assert.deepEqual(await readdir(workDir), [], 'the drill removes its temp dir');
});

test('drill prints each step and a summary in text when -w is not given', async () => {
  const r = await drill(['--backup', 'first']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ok {4}download/m);
  assert.match(r.stdout, /^ok {4}keys +6 keys in 3 groups, as in the snapshot/m);
  assert.match(r.stdout, /Drill passed: backup "first" restores and serves revision \d+ with 6 keys/);
});

test('drill fails with exit 3 and names the missing key when an expected key is not served', async () => {
  const r = await drill(['--expect-key', '/registry/namespaces/kube-system', '-w', 'json']);
  assert.equal(r.code, 3, r.stderr);
  const result = JSON.parse(r.stdout) as RestoreDrillResult;
  assert.equal(result.failedStep, 'expected-keys');
  assert.equal(result.reason, 'missing: "/registry/namespaces/kube-system"');
  assert.deepEqual(await readdir(workDir), []);
});

test('drill --config takes the repository, key and expected keys from the daemon config', async () => {
  const file = path.join(dir, 'config.yaml');
  await writeFile(file, [
    `repository:\n  url: ${repo}`,
    `backup:\n  recipients: [${recipient}]`,
    `drill:\n  enabled: true\n  identityFiles: [${keyFile}]\n  expectKeys: [/registry/namespaces/default, /registry/secrets/]`,
    `lockFile: ${path.join(dir, 'lock')}`,
  ].join('\n'));
  const r = await runKubekeeper(['drill', '--config', file, '--work-dir', workDir, '-w', 'json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  const result = JSON.parse(r.stdout) as RestoreDrillResult;
  assert.deepEqual([result.failedStep, result.reason], ['expected-keys', 'missing: "/registry/secrets/"']);
});

test('drill fails at download with the sha256 mismatch when the stored object is corrupted', async () => {
  const dataDir = path.join(repo, 'data');
  const object = (await readdir(dataDir)).find((n) => /^first\.([0-9a-f]{8}\.)?snapshot\.db/.test(n));
  assert.ok(object);
  const file = path.join(dataDir, object);
  const bytes = await readFile(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] as number) ^ 0xff;
  await writeFile(file, bytes);
  const r = await drill(['--backup', 'first']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /^FAIL {2}download/m);
  assert.match(r.stdout, /Drill FAILED at download: .*sha256 mismatch: expected [0-9a-f]{64}, got [0-9a-f]{64}/);
  assert.deepEqual(await readdir(workDir), []);
});

test('drill fails at restore, before writing, when the content is not the image the manifest recorded', async () => {
  // The stored object and its own hashes are intact; only the manifest's image hash differs,
  // as after a mix-up of manifests. The download no longer hashes the content: restore must.
  const r0 = await runKubekeeper(['backup', 'save', ...etcd.clientFlags, '--repo', repo, '--name', 'mixed', '-r', recipient]);
  assert.equal(r0.code, 0, r0.stderr);
  const manifestFile = path.join(repo, 'manifest', 'mixed.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { snapshot: { dbSha256: string } };
  const recorded = manifest.snapshot.dbSha256;
  manifest.snapshot.dbSha256 = recorded.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
  const r = await drill(['--backup', 'mixed', '-w', 'json']);
  assert.equal(r.code, 3, r.stderr);
  const result = JSON.parse(r.stdout) as RestoreDrillResult;
  assert.equal(result.failedStep, 'restore');
  assert.match(result.reason ?? '', /differs from the one the backup manifest recorded/);
  assert.ok(result.reason?.includes(manifest.snapshot.dbSha256) && result.reason.includes(recorded), result.reason);
  assert.deepEqual(await readdir(workDir), []);
});

test('a drill killed with SIGKILL leaves its etcd and data behind; the next drill reaps both', async () => {
  // An "etcd" that takes 30 s to become etcd: the drill is surely killed while waiting for it.
  const slowEtcd = path.join(dir, 'slow-etcd');
  await writeFile(slowEtcd, '#!/bin/sh\nsleep 30\nexec etcd "$@"\n', { mode: 0o755 });
  let killedDrill: ChildProcess | undefined;
  const killed = runKubekeeper(['drill', '--repo', repo, '-i', keyFile, '--work-dir', workDir, '--backup', 'second', '--etcd-binary', slowEtcd], {
    onSpawn: (child) => (killedDrill = child),
  });
  let etcdPid: number | undefined;
  for (let i = 0; i < 600 && etcdPid === undefined; i++) {
    await sleep(50);
    for (const name of await readdir(workDir)) {
      const marker = await readFile(path.join(workDir, name, 'drill.json'), 'utf8').catch(() => '{}');
      // The drill rewrites its marker in place: a read may catch it half-written; poll again.
      try {
        etcdPid = (JSON.parse(marker) as { etcdPid?: number }).etcdPid;
      } catch {
        etcdPid = undefined;
      }
    }
  }
  assert.ok(etcdPid, 'the drill recorded its etcd');
  killedDrill?.kill('SIGKILL');
  assert.equal((await killed).signal, 'SIGKILL');
  assert.equal(existsSync(`/proc/${etcdPid}`), true, 'its etcd outlived it');
  assert.equal((await readdir(workDir)).length, 1, 'and so did its dir');

  const next = await drill(['--backup', 'second', '-w', 'json']);
  assert.equal(next.code, 0, next.stdout + next.stderr);
  const result = JSON.parse(next.stdout) as RestoreDrillResult;
  assert.equal(result.ok, true);
  assert.deepEqual(result.reaped?.map((r) => r.killedEtcdPid), [etcdPid]);
  for (let i = 0; i < 100 && !processGone(etcdPid); i++) await sleep(50);
  assert.ok(processGone(etcdPid), 'the leftover etcd was killed');
  assert.deepEqual(await readdir(workDir), []);
});

test('the drill etcd runs with 10 ms raft ticks, which real etcd accepts', async () => {
  // Without them a single member waits up to a second after start-up for its first election.
  const argsFile = path.join(dir, 'etcd-args');
  const recordingEtcd = path.join(dir, 'recording-etcd');
  await writeFile(recordingEtcd, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\nexec etcd "$@"\n`, { mode: 0o755 });
  const r = await drill(['--backup', 'second', '--etcd-binary', recordingEtcd, '-w', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const args = (await readFile(argsFile, 'utf8')).trim().split('\n');
  const flag = (name: string) => args[args.indexOf(name) + 1];
  assert.equal(flag('--heartbeat-interval'), '10');
  assert.equal(flag('--election-timeout'), '100');
  assert.equal((JSON.parse(r.stdout) as RestoreDrillResult).ok, true);
});

test('drill says there is no etcd binary and exits 1 when the binary is missing', async () => {
  const r = await drill(['--etcd-binary', path.join(dir, 'no-such-etcd')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: Cannot run a restore drill: ".*no-such-etcd" does not exist or is not executable/);
  assert.match(r.stderr, /Hint: A drill starts a real etcd/);
  const none = await runKubekeeper(['drill', '--repo', repo, '-i', keyFile], { env: { PATH: path.join(dir, 'empty-path') } });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no "etcd" binary found in PATH/);
});
