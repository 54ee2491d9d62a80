/**
 * `kubekeeper backup run` as cron, systemd or a CronJob runs it: a config file, a real etcd
 * over mTLS and an S3 server (s3rver) on loopback. Checks the JSON events, retention, the
 * host lock (a held lock fails clearly or is waited for; two concurrent runs never overlap;
 * a dead run's lock is taken over and said so) and an RKE cluster.yml used as is.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { acquireLock } from '../../src/daemon/index.js';
import { type CliResult, runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, etcdctlOk, startEtcd } from '../support/etcd.js';
import { type S3Server, S3RVER_ACCESS_KEY_ID, startS3Server } from '../support/s3.js';

let etcd: EtcdProcess;
let s3: S3Server;
let dir: string;
let recipient: string;
/** A secret that must never show up in output (s3rver checks only the key ID). */
const SECRET = 'kk-secret-4f1b9c-never-print';
const env: NodeJS.ProcessEnv = {
  KK_S3_KEY: S3RVER_ACCESS_KEY_ID, KK_S3_SECRET: SECRET, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '',
  AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_ENDPOINT_URL: '', AWS_ENDPOINT_URL_S3: '',
};

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-backup-run-'));
  [etcd, s3] = await Promise.all([startEtcd({ tls: true }), startS3Server()]);
  const keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  for (let i = 0; i < 5; i++) await etcdctlOk(etcd, ['put', `/registry/configmaps/default/c-${i}`, `v-${i}`]);
});
after(async () => {
  await Promise.all([etcd?.stop(), s3?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

interface Event { time: string; level: string; event: string; [field: string]: unknown }

const eventsOf = (r: CliResult): Event[] => r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
const find = (r: CliResult, name: string) => eventsOf(r).find((e) => e.event === name);

/** Writes a kubekeeper config for `folder` in the S3 server; returns its path. */
async function writeConfig(name: string, folder: string, extra: { lockFile?: string; keepLast?: number } = {}): Promise<string> {
  const tls = etcd.tls;
  assert.ok(tls);
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, [
    'etcd:', `  endpoints: [${etcd.clientUrl}]`, `  cacert: ${tls.caCert}`, `  cert: ${tls.clientCert}`, `  key: ${tls.clientKey}`,
    'repository:', `  url: s3://${s3.bucket}/${folder}`, '  s3:', `    endpoint: ${s3.endpoint}`, '    accessKeyId: { env: KK_S3_KEY }', '    secretAccessKey: { env: KK_S3_SECRET }',
    'backup:', `  namePrefix: ${name}`, '  compression: gzip', `  recipients: [${recipient}]`, '  timeout: 2m',
    'retention:', `  keepLast: ${extra.keepLast ?? 10}`,
    `lockFile: ${extra.lockFile ?? path.join(dir, `${name}.lock`)}`,
  ].join('\n'));
  return file;
}

const run = (config: string, args: string[] = [], onSpawn?: (c: ChildProcess) => void) => runKubekeeper(['backup', 'run', '--config', config, ...args], { env, timeoutMs: 120_000, onSpawn });

test('backup run saves a backup, applies retention and logs one JSON event per line without secrets', async () => {
  const lockFile = path.join(dir, 'retention.lock');
  const results: CliResult[] = [];
  // Different prefixes: three runs may fall in the same second, and names are per second.
  for (const name of ['ra', 'rb', 'rc']) results.push(await run(await writeConfig(name, 'retention', { lockFile, keepLast: 2 })));
  for (const r of results) {
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(SECRET), 'secret leaked');
  }
  const done = results.map((r) => find(r, 'backup.run.done'));
  assert.match(String(done[0]?.backup), /^ra-\d{8}T\d{9}Z$/);
  assert.ok(Number(done[0]?.bytes) > 0);
  assert.equal(done[2]?.pruned, 1);
  assert.equal(done[2]?.kept, 2);
  assert.deepEqual(eventsOf(results[0] as CliResult).map((e) => e.event).filter((e) => e.startsWith('backup.run') || e.startsWith('lock.')), ['backup.run.start', 'lock.acquired', 'backup.run.done']);
  const list = await runKubekeeper(['backup', 'list', '--repo', `s3://${s3.bucket}/retention`, '--s3-endpoint', s3.endpoint, '-w', 'json'], {
    env: { ...env, AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET },
  });
  assert.equal(list.code, 0, list.stderr);
  assert.equal((JSON.parse(list.stdout) as { backups: unknown[] }).backups.length, 2);
});

test('backup run fails clearly when another run holds the lock, and waits for it with --wait', async () => {
  const config = await writeConfig('held', 'held');
  const lock = await acquireLock(path.join(dir, 'held.lock'));
  let released = false;
  try {
    const refused = await run(config);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`Error: Cannot start the backup: PID ${process.pid} on .* holds the lock`));
    assert.match(refused.stderr, /Hint: .*--wait/);
    assert.equal(find(refused, 'backup.run.failed')?.code, 'lock-held');
    assert.equal(find(refused, 'backup.save.start'), undefined, 'nothing was started');
    const waited = await run(config, ['--wait', '60s'], (child) => {
      child.stdout?.on('data', (d: Buffer) => {
        // Released only once the run has said it is waiting: proves it waited, with no timing.
        if (!released && d.toString().includes('"lock.waiting"')) {
          released = true;
          void lock.release();
        }
      });
    });
    assert.equal(waited.code, 0, waited.stderr);
    assert.ok(find(waited, 'lock.waiting'));
    assert.ok(find(waited, 'backup.run.done'));
  } finally {
    if (!released) await lock.release();
  }
});

test('two concurrent backup runs sharing a lock never run at the same time', async () => {
  const lockFile = path.join(dir, 'concurrent.lock');
  const [a, b] = await Promise.all([
    run(await writeConfig('ca', 'concurrent', { lockFile }), ['--wait', '90s']),
    run(await writeConfig('cb', 'concurrent', { lockFile }), ['--wait', '90s']),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const span = (r: CliResult) => [Date.parse(String(find(r, 'lock.acquired')?.time)), Date.parse(String(find(r, 'backup.run.done')?.time))] as const;
  const [first, second] = [span(a), span(b)].sort((x, y) => x[0] - y[0]);
  assert.ok(first && second);
  assert.ok(second[0] >= first[1], `overlap: ${JSON.stringify([first, second])}`);
});

test('backup run takes over a stale lock left by a dead run and says so', async () => {
  const config = await writeConfig('stale', 'stale');
  const child = execFileSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  const deadPid = Number(child.trim());
  await writeFile(path.join(dir, 'stale.lock'), JSON.stringify({ pid: deadPid, hostname: os.hostname(), acquiredAt: '2024-05-01T00:00:00.000Z', token: 'x' }));
  const r = await run(config);
  assert.equal(r.code, 0, r.stderr);
  const takeover = find(r, 'lock.takeover');
  assert.equal(takeover?.level, 'warn');
  assert.equal(takeover?.previousPid, deadPid);
  assert.equal(find(r, 'backup.run.done')?.lockTakenOver, true);
});

test('backup run works from an RKE cluster.yml with s3backupconfig, keys and CA from the environment', async () => {
  const tls = etcd.tls;
  assert.ok(tls);
  const file = path.join(dir, 'cluster.yml');
  await writeFile(file, [
    'nodes:', '  - address: 127.0.0.1', '    role: [controlplane, etcd, worker]',
    'services:', '  etcd:', '    backup_config:', '      interval_hours: 6', '      retention: 3', '      timeout: 120',
    '      s3backupconfig:', `        access_key: ${S3RVER_ACCESS_KEY_ID}`, `        bucket_name: ${s3.bucket}`, '        folder: rke/prod', `        endpoint: ${s3.endpoint}`,
  ].join('\n'));
  const secretFile = path.join(dir, 's3-secret');
  await writeFile(secretFile, `${SECRET}\n`, { mode: 0o600 });
  const r = await runKubekeeper(['backup', 'run', '--config', file], {
    env: {
      ...env, ETCDCTL_ENDPOINTS: etcd.clientUrl, ETCDCTL_CACERT: tls.caCert, ETCDCTL_CERT: tls.clientCert, ETCDCTL_KEY: tls.clientKey,
      KUBEKEEPER_RECIPIENTS: recipient, KUBEKEEPER_S3_SECRET_KEY_FILE: secretFile, KUBEKEEPER_LOCK_FILE: path.join(dir, 'rke.lock'),
    },
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(find(r, 'backup.run.start')?.format, 'rke');
  assert.equal(find(r, 'backup.run.start')?.repository, `s3://${s3.bucket}/rke/prod`);
  assert.match(String(find(r, 'backup.run.done')?.backup), /^etcd-/);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(SECRET));
});
