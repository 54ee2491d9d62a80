import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { kubekeeperCommand, runProcess } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';

// The README promises that scripts/demo.sh tells the runbook story end to end; this keeps it true.
test('the demo saves, inspects, diffs and restores a snapshot, and the restored etcd serves only what it held', async () => {
  const [command, cli] = kubekeeperCommand();
  const report = { KUBEKEEPER_REPORT: path.join(os.tmpdir(), `kk-demo-report-${process.pid}.html`) };
  const env = cli === undefined ? { KUBEKEEPER_CLI: command, ...report } : { KUBEKEEPER_CLI: cli, KUBEKEEPER_NODE: command, ...report };
  const r = await runProcess('bash', [path.join(repoRoot, 'scripts/demo.sh')], { cwd: repoRoot, env, timeoutMs: 180_000 });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Snapshot ".*etcd-snapshot\.db" passed all checks/);
  assert.match(r.stdout, /^\+ deployments default\/mongo$/m, 'mongo exists only live after the snapshot');
  assert.match(r.stdout, /revision bumped by 1000000000/);
  const header = 'Deployments served by the restored etcd';
  const served = r.stdout.slice(r.stdout.indexOf(header)).split('\n== ')[0]?.split('\n').slice(1) ?? [];
  assert.deepEqual(served.map((l) => l.trim()).filter((l) => l), ['/registry/deployments/default/nginx']);
  assert.match(r.stdout, /== The restored cluster holds exactly what the snapshot held\n.*\nNo differences\./);
  assert.match(r.stdout, /Drill passed: backup "demo-2" restores/);
  assert.match(r.stdout, /Drill FAILED at expected-keys: missing: "\/registry\/deployments\/default\/mongo"/);
  // It ends by writing the static dashboard report and printing its path.
  const reportFile = /^Static report: (.+)$/m.exec(r.stdout)?.[1] ?? '';
  assert.equal(reportFile, report.KUBEKEEPER_REPORT);
  assert.match(await readFile(reportFile, 'utf8'), /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
  await rm(reportFile);
  assert.match(r.stdout, /Stopping etcd \(PID \d+\)/);
});
