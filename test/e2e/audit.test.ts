/** The audit commands as a user runs them: the built CLI against generated logs and fixture configs. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { appendFile, copyFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { AuditEvent } from '../../src/audit/index.js';
import { goJson, SPECIAL_POD_NAME, specialDeleteEvents } from '../../src/audit/testing.js';
import { writeAuditLogSet } from '../support/audit-events.js';
import { runKubekeeper } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

const FIXTURES = path.join(repoRoot, 'test/fixtures/audit');

for (const profile of ['minimal', 'recommended', 'strict']) {
  test(`audit policy --profile ${profile} prints a policy that audit lint passes`, async (t) => {
    const dir = await tempDir(t);
    const policy = await runKubekeeper(['audit', 'policy', '--profile', profile]);
    assert.equal(policy.code, 0, policy.stderr);
    await writeFile(path.join(dir, 'policy.yaml'), policy.stdout);
    const lint = await runKubekeeper(['audit', 'lint', path.join(dir, 'policy.yaml')]);
    assert.equal(lint.code, 0, lint.stdout);
    assert.match(lint.stdout, /no problems found \(\d+ rules\)/);
  });
}

test('audit policy -w json prints the policy as JSON', async () => {
  const r = await runKubekeeper(['audit', 'policy', '-w', 'json']);
  const policy = JSON.parse(r.stdout) as { kind: string; omitStages: string[]; rules: { level: string }[] };
  assert.equal(policy.kind, 'Policy');
  assert.deepEqual(policy.omitStages, ['RequestReceived']);
  assert.equal(policy.rules.at(-1)?.level, 'Metadata');
});

test('audit lint exits 3 and prints file:line:column for each mistake', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'bad.yaml');
  await writeFile(file, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Request\n  - level: Metadata\n    resources: [{group: "", resources: [secrets]}]\n');
  const r = await runKubekeeper(['audit', 'lint', file]);
  assert.equal(r.code, 3);
  assert.match(r.stdout, new RegExp(`${file.replace(/[/.]/g, '\\$&')}:4:\\d+: error: rule 1 logs secrets at level Request`));
  assert.match(r.stdout, /:5:\d+: error: rule 2 can never apply: rule 1 \(line 4/);
  const json = JSON.parse((await runKubekeeper(['audit', 'lint', file, '-w', 'json'])).stdout) as { findings: { code: string }[] };
  assert.ok(json.findings.some((f) => f.code === 'rule-shadowed'));
});

test('audit lint exits 1 with a hint when the file is missing', async () => {
  const r = await runKubekeeper(['audit', 'lint', '/nonexistent/policy.yaml']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: Cannot read audit policy "\/nonexistent\/policy.yaml"/);
  assert.match(r.stderr, /Hint: /);
});

test('audit search answers who deleted the pod across rotated and gzipped files', async (t) => {
  const dir = await tempDir(t);
  const set = await writeAuditLogSet({ dir, files: 3, eventsPerFile: 800, gzipped: 1, plantIn: 0, malformedEvery: 500 });
  const table = await runKubekeeper(['audit', 'search', dir, '--verb', 'delete', '--resource', 'pods', '--name', SPECIAL_POD_NAME]);
  assert.equal(table.code, 0, table.stderr);
  const rows = table.stdout.split('\n').filter((l) => l.includes(SPECIAL_POD_NAME));
  assert.equal(rows.length, 2);
  assert.match(rows[1] ?? '', /alice@example\.com \(as system:serviceaccount:payments:cleanup\) \| 203\.0\.113\.7 +\| kubectl\/v1\.29\.4.*\| delete \| pods payments\/pod-with-special-name +\| 200 +\| ResponseComplete/);
  assert.match(table.stderr, /Searched 3 files .*: 2 matching events/);
  assert.match(table.stderr, new RegExp(`Skipped ${set.malformedLines} malformed lines`));

  const json = await runKubekeeper(['audit', 'search', ...set.paths, '--verb', 'delete', '--name', SPECIAL_POD_NAME, '--stage', 'ResponseComplete', '-w', 'json']);
  const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as AuditEvent);
  assert.deepEqual(events.map((e) => `${e.objectRef?.resource}/${e.objectRef?.name}`), [`pods/${SPECIAL_POD_NAME}`, `configmaps/${SPECIAL_POD_NAME}`]);
});

test('audit search refuses a bad --since with a usage error', async () => {
  const r = await runKubekeeper(['audit', 'search', FIXTURES, '--since', 'last tuesday']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Invalid value for --since: "last tuesday"/);
});

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    let seen = '';
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) resolve(seen);
    });
  });
}

test('audit search --follow prints events appended to the live log and stops on SIGTERM', async (t) => {
  const dir = await tempDir(t);
  const live = path.join(dir, 'audit.log');
  const [received, completed] = specialDeleteEvents(1_714_521_600_000_000) as [AuditEvent, AuditEvent];
  await writeFile(live, `${goJson(received)}\n`);
  let child: ChildProcess | undefined;
  const run = runKubekeeper(['audit', 'search', dir, '--name', SPECIAL_POD_NAME, '--follow'], { onSpawn: (c) => (child = c), timeoutMs: 30_000 });
  assert.ok(child);
  const first = waitForOutput(child, /RequestReceived/);
  await first;
  const second = waitForOutput(child, /ResponseComplete/);
  await appendFile(live, `${goJson(completed)}\n`);
  const out = await second;
  assert.match(out, /delete pods payments\/pod-with-special-name {2}200 ResponseComplete {2}user=alice@example\.com/);
  child.kill('SIGTERM');
  const r = await run;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /2 matching events/);
});

test('audit configure --kubeadm prints a diff, then --apply applies it with a backup and installs the policy', async (t) => {
  const dir = await tempDir(t);
  const manifest = path.join(dir, 'kube-apiserver.yaml');
  const policy = path.join(dir, 'audit-policy.yaml');
  await copyFile(path.join(FIXTURES, 'kube-apiserver.yaml'), manifest);
  const original = await readFile(manifest, 'utf8');
  const args = ['audit', 'configure', '--kubeadm', manifest, '--policy-file', policy, '--log-path', '/var/log/kubernetes/audit/audit.log'];

  const dry = await runKubekeeper(args);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /\+ {4}- --audit-policy-file=.*audit-policy.yaml\n/);
  assert.match(dry.stdout, /Dry run: nothing was written/);
  assert.equal(await readFile(manifest, 'utf8'), original);

  const applied = await runKubekeeper([...args, '--apply']);
  assert.equal(applied.code, 0, applied.stderr);
  const written = await readFile(manifest, 'utf8');
  assert.match(written, /- --audit-log-maxbackup=10\n/);
  const backups = (await readdir(dir)).filter((n) => n.startsWith('.kube-apiserver.yaml.kubekeeper-backup-'));
  assert.equal(backups.length, 1);
  assert.equal(await readFile(path.join(dir, backups[0] as string), 'utf8'), original);
  assert.equal((await stat(policy)).mode & 0o777, 0o600);
  assert.equal((await runKubekeeper(['audit', 'lint', policy])).code, 0);
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'no temp files left');

  const again = await runKubekeeper([...args, '--apply']);
  assert.match(again.stdout, /Nothing to change in the file/);
  assert.equal(await readFile(manifest, 'utf8'), written);
});

test('audit configure --rke round-trips the fixture cluster.yml', async (t) => {
  const dir = await tempDir(t);
  const clusterYml = path.join(dir, 'cluster.yml');
  await copyFile(path.join(FIXTURES, 'cluster.yml'), clusterYml);
  const r = await runKubekeeper(['audit', 'configure', '--rke', clusterYml, '--profile', 'recommended', '--apply']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\+ audit_log\.configuration\.path: "\/var\/log\/kube-audit\/audit-log\.json" \(was missing: RKE passes ""\)/);
  assert.match(r.stdout, /Run "rke up"/);
  const written = await readFile(clusterYml, 'utf8');
  assert.ok(written.includes('      interval_hours: 6   # four a day\n'));
  const again = await runKubekeeper(['audit', 'configure', '--rke', clusterYml]);
  assert.match(again.stdout, /Nothing to change in the file/);
});

test('audit configure refuses a manifest that is not kube-apiserver and bad flag combinations', async (t) => {
  const dir = await tempDir(t);
  const etcd = path.join(dir, 'etcd.yaml');
  await writeFile(etcd, (await readFile(path.join(FIXTURES, 'kube-apiserver.yaml'), 'utf8')).replace(/kube-apiserver/g, 'etcd'));
  const r = await runKubekeeper(['audit', 'configure', '--kubeadm', etcd, '--apply']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: Cannot configure ".*etcd.yaml": no container runs kube-apiserver/);
  assert.equal((await readdir(dir)).length, 1, 'nothing written');
  const both = await runKubekeeper(['audit', 'configure', '--kubeadm', etcd, '--rke', etcd]);
  assert.equal(both.code, 2);
});
