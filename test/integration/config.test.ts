/**
 * `kubekeeper config check` and the generators through the built CLI: an RKE cluster.yml
 * read as is (backup_config, s3backupconfig, legacy fields), errors with file:line:column,
 * and generator output parsed back.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

/** `config check -w json`: the effective config in the config file's own key names. */
interface EffectiveConfig {
  etcd: { endpoints: string[]; cacert?: string; cert?: string; key?: string };
  repository: { url: string; s3?: Record<string, unknown> };
  backup: { namePrefix?: string; recipients?: string[]; timeout?: string };
  schedule: { interval?: string };
  retention: Record<string, unknown>;
}
import { runKubekeeper } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

const fixtures = path.join(repoRoot, 'test/fixtures/config');
const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const rkeEnv = { KUBEKEEPER_RECIPIENTS: RECIPIENT, KUBEKEEPER_LOCK_FILE: '/tmp/kk-config-test.lock', ETCDCTL_CERT: '', ETCDCTL_KEY: '', ETCDCTL_ENDPOINTS: '', ETCDCTL_CACERT: '', KUBEKEEPER_NODE_ADDRESS: '' };

const check = (file: string, env: NodeJS.ProcessEnv = {}) => runKubekeeper(['config', 'check', '--config', file, '-w', 'json'], { env: { ...rkeEnv, ...env } });

test('config check reads an RKE cluster.yml backup_config and s3backupconfig as RKE does', async () => {
  const r = await check(path.join(fixtures, 'rke-cluster.yml'));
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as EffectiveConfig;
  assert.equal(c.repository.url, 's3://rke-etcd-backups/prod/cluster-b');
  assert.deepEqual(c.repository.s3, { endpoint: 'https://minio.example.internal:9000', region: 'us-west-2' }, 'keys and the custom_ca PEM are not shown');
  assert.equal(c.schedule.interval, '8h', 'interval_hours: 8');
  assert.deepEqual(c.retention, { keepLast: 9 }, 'retention: 9 snapshots');
  assert.equal(c.backup.timeout, '10m', 'timeout: 600 (seconds)');
  assert.deepEqual(c.backup.recipients, [RECIPIENT]);
  assert.deepEqual(c.etcd.endpoints, ['https://127.0.0.1:2379']);
  assert.equal(c.etcd.cacert, '/etc/kubernetes/ssl/kube-ca.pem');
  assert.equal(c.etcd.cert, '/etc/kubernetes/ssl/kube-etcd-10-0-0-11.pem');
  assert.equal(c.etcd.key, '/etc/kubernetes/ssl/kube-etcd-10-0-0-11-key.pem');
  assert.ok(!r.stdout.includes('wJalrXUtnFEMI'), 'secret key redacted');
  assert.match(r.stderr, /Warning: .*rke-cluster\.yml:21: services\.etcd\.backup_config\.s3backupconfig\.secret_key is written in plain text/);
});

test('config check uses the legacy creation/retention only when backup_config is absent', async (t) => {
  const file = path.join(await tempDir(t), 'cluster.yml');
  await writeFile(file, 'nodes:\n  - address: 10.1.2.3\n    role: [etcd]\nservices:\n  etcd:\n    snapshot: true\n    creation: 6h\n    retention: 24h\n');
  const r = await check(file);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as EffectiveConfig;
  assert.equal(c.schedule.interval, '6h');
  assert.deepEqual(c.retention, { keepWithin: '1d' });
  assert.equal(c.repository.url, '/var/backups/kubekeeper');
  assert.match(r.stderr, /^Warning: .*cluster\.yml: no s3backupconfig: backups stay on this node/m);
});

test('config check names the line when an RKE file disables backups or lacks encryption settings', async (t) => {
  const file = path.join(await tempDir(t), 'cluster.yml');
  await writeFile(file, 'nodes:\n  - address: 10.1.2.3\n    role: [etcd]\nservices:\n  etcd:\n    backup_config:\n      enabled: false\n');
  const disabled = await check(file);
  assert.equal(disabled.code, 2);
  assert.match(disabled.stderr, /^Error: Invalid config .*cluster\.yml:7:16: services\.etcd\.backup_config\.enabled: etcd backups are disabled/m);
  const noKeys = await check(path.join(fixtures, 'rke-cluster.yml'), { KUBEKEEPER_RECIPIENTS: '' });
  assert.equal(noKeys.code, 2);
  assert.match(noKeys.stderr, /rke-cluster\.yml:14:7: services\.etcd\.backup_config: RKE has no encryption settings/);
  assert.match(noKeys.stderr, /^Hint: Set KUBEKEEPER_RECIPIENTS=/m);
});

test('config check asks which node this is when the RKE cluster has several etcd nodes', async (t) => {
  const file = path.join(await tempDir(t), 'cluster.yml');
  await writeFile(file, 'nodes:\n  - address: 10.0.0.1\n    role: [etcd]\n  - address: 10.0.0.2\n    role: [etcd]\nservices:\n  etcd:\n    backup_config: {}\n');
  const ambiguous = await check(file);
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.stderr, /cannot tell which of the 2 etcd nodes/);
  const chosen = await check(file, { KUBEKEEPER_NODE_ADDRESS: '10.0.0.2' });
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.equal((JSON.parse(chosen.stdout) as EffectiveConfig).etcd.cert, '/etc/kubernetes/ssl/kube-etcd-10-0-0-2.pem');
});

test('config check fails with file:line:column, field and allowed values when a kubekeeper config has a typo', async (t) => {
  const file = path.join(await tempDir(t), 'kk.yaml');
  await writeFile(file, `repository:\n  url: /var/backups/kk\nbackup:\n  recipients: [${RECIPIENT}]\n  compresion: gzip\n`);
  const r = await check(file);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^Error: Invalid config ${file.replace(/[.]/g, '\\.')}:5:3: backup\\.compresion: unknown field$`, 'm'));
  assert.match(r.stderr, /^Hint: Allowed: namePrefix, compression, recipients, passphraseFile, signingKeyFile, include, timeout$/m);
});

test('config check prints YAML by default and never the secrets', async () => {
  const r = await runKubekeeper(['config', 'check', '--config', path.join(fixtures, 'kubekeeper.yaml')], { env: { KK_TEST_ACCESS_KEY: 'AKID-from-env' } });
  assert.equal(r.code, 0, r.stderr);
  const c = parse(r.stdout) as EffectiveConfig;
  assert.equal(c.repository.s3?.accessKeyId, undefined);
  assert.match(r.stdout, /^# Effective config from .*kubekeeper\.yaml \(kubekeeper format\), defaults applied\n# Set but not shown \(secrets\): repository\.s3\.accessKeyId, repository\.s3\.secretAccessKey\n/);
  assert.equal(c.backup.namePrefix, 'prod-a');
  assert.ok(!r.stdout.includes('AKID-from-env') && !r.stdout.includes('s3-secret-value'));
});

test('generate cronjob, systemd and crontab print output built from the config', async () => {
  const config = path.join(fixtures, 'kubekeeper.yaml');
  const env = { KK_TEST_ACCESS_KEY: 'AKID' };
  const cron = await runKubekeeper(['generate', 'cronjob', '--config', config, '--image', 'reg.example/kk:1'], { env });
  assert.equal(cron.code, 0, cron.stderr);
  const job = parse(cron.stdout) as { kind: string; spec: { schedule: string; concurrencyPolicy: string } };
  assert.deepEqual([job.kind, job.spec.schedule, job.spec.concurrencyPolicy], ['CronJob', '0 */6 * * *', 'Forbid']);
  assert.ok(!cron.stdout.includes('&a') && !cron.stdout.includes('*a'), 'no YAML aliases');
  const systemd = await runKubekeeper(['generate', 'systemd', '--config', config, '--unit', 'timer'], { env });
  assert.match(systemd.stdout, /^OnCalendar=\*-\*-\* 00,06,12,18:00:00$/m);
  const crontab = await runKubekeeper(['generate', 'crontab', '--config', config], { env });
  assert.match(crontab.stdout, new RegExp(`^0 \\*/6 \\* \\* \\* root /usr/local/bin/kubekeeper backup run --config ${config}`, 'm'));
});
