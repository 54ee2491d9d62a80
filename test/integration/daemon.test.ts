/**
 * The daemon against a real etcd and the loopback S3 server (s3rver):
 * - in-process, on a 1.5 s schedule (the config file's minimum is a minute, so the config
 *   object is built here): several backups, retention to 2, a passing drill, metrics that
 *   move, /healthz 200; then a dead etcd: failures by reason and /healthz 503 once stale;
 * - as a user runs it (`kubekeeper daemon --config`): SIGTERM while the first upload is in
 *   flight stops it with exit 0, and no half-written backup is listed as good.
 * Waits poll a condition with a deadline; no test sleeps blindly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type KubekeeperConfig, runDaemon } from '../../src/daemon/index.js';
import { createJsonLogger } from '../../src/logger.js';
import { runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, etcdctlOk, freePort, startEtcd } from '../support/etcd.js';
import { etcdctlPut } from '../support/etcd-put.js';
import { repoRoot } from '../support/paths.js';
import { type S3Server, S3RVER_ACCESS_KEY_ID, startS3Server } from '../support/s3.js';
import { sample, until } from '../support/poll.js';

/** s3rver checks no signature, so a distinctive secret can be searched for in the logs. */
const SECRET = 'kk-test-secret-never-logged';

let etcd: EtcdProcess;
let s3: S3Server;
let dir: string;
let keyFile: string;
let recipient: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-daemon-'));
  keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  [etcd, s3] = await Promise.all([startEtcd(), startS3Server()]);
  for (let i = 0; i < 3; i++) await etcdctlOk(etcd, ['put', `/registry/configmaps/default/cm-${i}`, `v${i}`]);
});
after(async () => {
  await Promise.all([etcd?.stop(), s3?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

function config(name: string, overrides: { endpoints?: string[]; staleAfterMs?: number; drill?: boolean } = {}): KubekeeperConfig {
  return {
    source: { path: `${name}.yaml`, format: 'kubekeeper' },
    etcd: { endpoints: overrides.endpoints ?? [etcd.clientUrl], dialTimeoutMs: 1000, commandTimeoutMs: 5000 },
    repository: { url: `s3://${s3.bucket}/${name}`, s3: { endpoint: s3.endpoint, region: 'us-east-1', pathStyle: true, accessKeyId: S3RVER_ACCESS_KEY_ID, secretAccessKey: SECRET } },
    backup: { namePrefix: name, compression: 'gzip', recipients: [recipient], include: [], timeoutMs: 60_000 },
    schedule: { intervalMs: 1500, jitterMs: 200 },
    retention: { keepLast: 2 },
    drill: { enabled: overrides.drill ?? false, intervalMs: 2500, identityFiles: [keyFile], expectKeys: ['/registry/configmaps/default/cm-0'], etcdBinary: 'etcd', timeoutMs: 60_000 },
    metrics: { listen: '127.0.0.1:0', staleAfterMs: overrides.staleAfterMs ?? 60_000 },
    lockFile: path.join(dir, `${name}.lock`),
  };
}

test('daemon takes several backups, applies retention, passes a drill and serves moving metrics when the schedule is short', async () => {
  const controller = new AbortController();
  const lines: string[] = [];
  let port = 0;
  const done = runDaemon(config('sched', { drill: true }), {
    signal: controller.signal, logger: createJsonLogger((l) => lines.push(l)), onListening: (a) => (port = a.port),
  });
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  try {
    await until('the metrics server', async () => (port ? true : undefined));
    const first = await metrics();
    assert.match(first, /^# TYPE kubekeeper_backup_successes_total counter$/m);
    // Three backups and a passing drill (the drill waits a period, so backups come first).
    const page = await until('3 backups and a passed drill', async () => {
      const text = await metrics();
      return (sample(text, 'kubekeeper_backup_successes_total') ?? 0) >= 3 && sample(text, 'kubekeeper_drill_last_success') === 1 ? text : undefined;
    }, 90_000);
    assert.equal(sample(page, 'kubekeeper_backups_kept'), 2, 'keepLast 2');
    assert.ok((sample(page, 'kubekeeper_backup_last_size_bytes') ?? 0) > 0);
    assert.ok((sample(page, 'kubekeeper_backup_last_success_timestamp_seconds') ?? 0) > Date.now() / 1000 - 60);
    assert.equal(sample(page, 'kubekeeper_backup_last_attempt_success'), 1);
    assert.ok((sample(page, 'kubekeeper_drill_last_success_timestamp_seconds') ?? 0) > 0);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
  } finally {
    controller.abort();
    await done;
  }
  const list = await runKubekeeper(['backup', 'list', '--repo', `s3://${s3.bucket}/sched`, '--s3-endpoint', s3.endpoint, '-w', 'json'], { env: s3.env });
  const backups = (JSON.parse(list.stdout) as { backups: { name: string; status: string }[] }).backups;
  assert.equal(backups.length, 2, list.stdout);
  assert.ok(backups.every((b) => b.status === 'ok' && b.name.startsWith('sched-')));
  const events = lines.map((l) => (JSON.parse(l) as { event: string }).event);
  for (const e of ['daemon.start', 'backup.run.done', 'drill.done', 'daemon.stop']) assert.ok(events.includes(e), e);
  assert.ok(!lines.some((l) => l.includes(SECRET)), 'no secrets in logs');
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the server is closed after stop');
});

test('daemon counts failures by reason, serves certificate expiry, and /healthz turns 503 when no backup succeeds within staleAfter', async () => {
  const controller = new AbortController();
  let port = 0;
  const done = runDaemon(config('dead', { endpoints: [`127.0.0.1:${await freePort()}`], staleAfterMs: 1000 }), {
    signal: controller.signal, logger: createJsonLogger(() => undefined), onListening: (a) => (port = a.port),
    pkiDir: path.join(repoRoot, 'test', 'fixtures', 'certs', 'kubeadm-node', 'pki'),
  });
  try {
    await until('the metrics server', async () => (port ? true : undefined));
    const page = await until('a failed backup', async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return (sample(text, 'kubekeeper_backup_failures_total{reason="etcd-unreachable"}') ?? 0) >= 1 ? text : undefined;
    });
    assert.equal(sample(page, 'kubekeeper_backup_last_attempt_success'), 0);
    assert.equal(sample(page, 'kubekeeper_backup_last_success_timestamp_seconds'), 0);
    // Certificate expiry gauges from --pki-dir (a committed kubeadm tree), next to the backup metrics.
    assert.match(page, /^kubekeeper_certificate_expiry_seconds\{name="apiserver",path="[^"]+\/pki\/apiserver\.crt"\} -?\d+$/m);
    const body = await until('/healthz 503', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return res.status === 503 ? res.json() as Promise<{ healthy: boolean; reason: string }> : undefined;
    });
    assert.equal(body.healthy, false);
    assert.match(body.reason, /no good backup since the daemon started \d+s ago \(limit 1s\)/);
  } finally {
    controller.abort();
    await done;
  }
});

test('daemon stops with exit 0 on SIGTERM during an upload and lists nothing half-written as good', async () => {
  // ~48 MiB of random values: the upload takes long enough to be interrupted.
  for (let i = 0; i < 48; i++) await etcdctlPut(etcd, `/big/${i}`, randomBytes(1024 * 1024));
  const file = path.join(dir, 'term.yaml');
  const prefix = 'term';
  await writeFile(file, [
    `etcd:\n  endpoints: [${etcd.clientUrl}]`,
    `repository:\n  url: s3://${s3.bucket}/${prefix}\n  s3:\n    endpoint: ${s3.endpoint}\n    pathStyle: true\n    accessKeyId: ${S3RVER_ACCESS_KEY_ID}\n    secretAccessKey: { env: KK_TEST_S3_SECRET }`,
    `backup:\n  namePrefix: ${prefix}\n  compression: none\n  recipients: [${recipient}]`,
    'schedule:\n  interval: 1h',
    `metrics:\n  listen: 127.0.0.1:${await freePort()}`,
    `lockFile: ${path.join(dir, 'term.lock')}`,
  ].join('\n'));
  let sent = false;
  const bucketDir = path.join(s3.dir, s3.bucket);
  const r = await runKubekeeper(['daemon', '--config', file], {
    env: { ...s3.env, KK_TEST_S3_SECRET: SECRET },
    timeoutMs: 120_000,
    onSpawn: (child) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (sent || !out.includes('"backup.save.start"')) return;
        sent = true;
        // SIGTERM once the object store has received bytes of this upload.
        void until('upload bytes at the server', async () => ((await listFiles(bucketDir)).some((f) => f.includes(prefix)) ? true : undefined), 30_000)
          .finally(() => child.kill('SIGTERM'));
      });
    },
  });
  assert.ok(sent, r.stdout + r.stderr);
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string });
  assert.ok(events.some((e) => e.event === 'backup.run.interrupted'), r.stdout);
  assert.ok(!events.some((e) => e.event === 'backup.run.done'), 'the backup did not complete');
  assert.equal(events.at(-1)?.event, 'daemon.stop');
  assert.deepEqual(events.filter((e) => (e as { level?: string }).level === 'error'), [], 'a clean SIGTERM logs no error');
  assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'no secret in logs');
  const list = await runKubekeeper(['backup', 'list', '--repo', `s3://${s3.bucket}/${prefix}`, '--s3-endpoint', s3.endpoint, '-w', 'json'], { env: s3.env });
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual((JSON.parse(list.stdout) as { backups: unknown[] }).backups, [], 'no backup is listed');
});

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  return entries.map(String);
}
