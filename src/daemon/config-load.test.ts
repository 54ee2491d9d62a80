import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../test/support/paths.js';
import { tempDir } from '../../test/support/temp.js';
import { ConfigError } from './config.js';
import { loadConfig, loadConfigWithWarnings, parseConfigText } from './config-load.js';
import { redactConfig } from './config-redact.js';

const fixture = path.join(repoRoot, 'test/fixtures/config/kubekeeper.yaml');
const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const minimal = (extra = '') => `repository:\n  url: /var/backups/kk\nbackup:\n  recipients: [${RECIPIENT}]\n${extra}`;

/** The ConfigError thrown by parsing `text`, for line/field assertions. */
function errorOf(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfigText('/etc/kubekeeper/config.yaml', text, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail('expected a ConfigError');
}

test('loadConfig reads every section of the full fixture, with secrets from env and a file beside it', async () => {
  const config = await loadConfig(fixture, { KK_TEST_ACCESS_KEY: 'AKID' });
  assert.deepEqual(config.source, { path: fixture, format: 'kubekeeper' });
  assert.deepEqual(config.etcd.endpoints, ['https://127.0.0.1:2379']);
  assert.equal(config.etcd.keyFile, '/etc/kubernetes/pki/etcd/healthcheck-client.key');
  assert.equal(config.etcd.dialTimeoutMs, 3000);
  assert.equal(config.repository.url, 's3://etcd-backups/prod/cluster-a');
  assert.equal(config.repository.s3?.accessKeyId, 'AKID');
  assert.equal(config.repository.s3?.secretAccessKey, 's3-secret-value');
  assert.equal(config.repository.s3?.pathStyle, true);
  assert.deepEqual(config.backup, {
    namePrefix: 'prod-a', compression: 'gzip', recipients: [RECIPIENT, '/etc/kubekeeper/recipients.txt'], passphraseFile: undefined,
    include: ['/etc/kubernetes/pki'], timeoutMs: 20 * 60_000,
  });
  assert.deepEqual(config.schedule, { intervalMs: undefined, cron: '0 */6 * * *', jitterMs: 5 * 60_000 });
  assert.deepEqual(config.retention, { keepLast: 6, keepWithinMs: 30 * 86_400_000, keepHourly: undefined, keepDaily: 14, keepWeekly: undefined, keepMonthly: undefined, keepYearly: undefined });
  assert.equal(config.drill.enabled, true);
  assert.deepEqual(config.drill.expectKeys, ['/registry/namespaces/default']);
  assert.equal(config.metrics.listen, '127.0.0.1:9477');
  assert.equal(config.lockFile, '/run/kubekeeper/backup.lock');
});

test('redactConfig hides the etcd password and S3 keys when they are set', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'c.yaml');
  await writeFile(file, `etcd:\n  user: root\n  password: { env: PW }\n${minimal().replace('/var/backups/kk', 's3://b-1/f')}`.replace('  url: s3://b-1/f\n', '  url: s3://b-1/f\n  s3:\n    accessKeyId: AKIDPLAIN\n    secretAccessKey: { env: SK }\n'));
  const { config, warnings } = await loadConfigWithWarnings(file, { PW: 'hunter2-pw', SK: 'very-secret-key' });
  assert.equal(config.etcd.password, 'hunter2-pw');
  const shown = JSON.stringify(redactConfig(config));
  for (const secret of ['hunter2-pw', 'very-secret-key', 'AKIDPLAIN']) assert.ok(!shown.includes(secret), `${secret} leaked`);
  assert.match(warnings.join('\n'), /c\.yaml:\d+: repository\.s3\.accessKeyId is written in plain text/);
});

test('parseConfigText applies defaults when a minimal config is given', () => {
  const { config } = parseConfigText('/etc/kk/c.yaml', minimal(), { XDG_RUNTIME_DIR: '/run/user/1000' });
  assert.deepEqual(config.etcd.endpoints, ['127.0.0.1:2379']);
  assert.equal(config.backup.namePrefix, 'etcd');
  assert.equal(config.backup.timeoutMs, 30 * 60_000);
  assert.equal(config.drill.enabled, false);
  assert.equal(config.metrics.listen, '127.0.0.1:9477');
  assert.equal(config.metrics.staleAfterMs, 26 * 3_600_000);
  assert.match(config.lockFile, /kubekeeper.*backup\.lock$/);
});

test('config errors name line, column, field and the allowed keys when a key is misspelled', () => {
  const err = errorOf(minimal('retention:\n  keepLast: 3\n  keepDayly: 7\n'));
  assert.equal(err.line, 7);
  assert.equal(err.column, 3);
  assert.equal(err.field, 'retention.keepDayly');
  assert.match(err.message, /config\.yaml:7:3: retention\.keepDayly: unknown field/);
  assert.match(err.hint ?? '', /keepLast, keepWithin, keepHourly, keepDaily/);
});

test('config errors point at the value when it has the wrong type or is out of range', () => {
  const cases: [string, number, string, RegExp][] = [
    [minimal('  compression: lz4\n'), 5, 'backup.compression', /gzip, none/],
    [minimal('schedule:\n  interval: 6 hours\n'), 6, 'schedule.interval', /duration such as/],
    [minimal('schedule:\n  cron: "0 25 * * *"\n'), 6, 'schedule.cron', /five fields/],
    [minimal('retention:\n  keepLast: -1\n'), 6, 'retention.keepLast', /^Edit .*config\.yaml at retention\.keepLast; the README/],
    [minimal('metrics:\n  listen: localhost\n'), 6, 'metrics.listen', /host:port/],
    [minimal('drill:\n  enabled: yes please\n'), 6, 'drill.enabled', /true, false/],
  ];
  for (const [text, line, field, hint] of cases) {
    const err = errorOf(text);
    assert.equal(err.field, field, text);
    assert.equal(err.line, line, field);
    assert.match(err.hint ?? '', hint, field);
  }
});

test('config errors refuse unencrypted backups and conflicting settings when the file asks for them', () => {
  assert.equal(errorOf('repository:\n  url: /x\n').field, 'backup.recipients');
  assert.equal(errorOf(minimal('schedule:\n  interval: 1h\n  cron: "@daily"\n')).field, 'schedule.cron');
  assert.equal(errorOf(minimal().replace('/var/backups/kk', 'ftp://x/y')).field, 'repository.url');
  assert.equal(errorOf(minimal('etcd:\n  cert: /a.crt\n')).field, 'etcd.cert');
  assert.equal(errorOf(minimal('etcd:\n  password: { env: X }\n')).field, 'etcd.password');
});

test('config errors give the YAML position when the file is not valid YAML', () => {
  const err = errorOf('repository:\n  url: [unclosed\nbackup: {}\n');
  assert.ok(err.line !== undefined && err.line >= 2, `line ${err.line}`);
  assert.match(err.message, /not valid YAML/);
});

test('loadConfig names the variable when a secret env var is missing and the file when a secret file is', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'c.yaml');
  await writeFile(file, `etcd:\n  user: root\n  password: { env: KK_MISSING }\n${minimal()}`);
  await assert.rejects(loadConfig(file, {}), (err: ConfigError) => err.line === 3 && /KK_MISSING is not set/.test(err.message));
  await writeFile(file, `etcd:\n  user: root\n  password: { file: nope.txt }\n${minimal()}`);
  await assert.rejects(loadConfig(file, {}), (err: ConfigError) => err.message.includes(path.join(dir, 'nope.txt')) && /ENOENT/.test(err.message));
});

test('an RKE cluster.yml as RKE documents it (region and folder empty strings) reads as unset, with and without custom_ca', async () => {
  const env = { KUBEKEEPER_RECIPIENTS: RECIPIENT };
  const plain = await loadConfigWithWarnings(path.join(repoRoot, 'test/fixtures/config/rke-documented-s3.yml'), env);
  assert.equal(plain.config.source.format, 'rke');
  assert.equal(plain.config.repository.url, 's3://s3-bucket-name');
  assert.equal(plain.config.repository.s3?.region, undefined);
  assert.equal(plain.config.repository.s3?.endpoint, undefined, 'AWS\'s own endpoint is left to the SDK');
  assert.equal(plain.config.repository.s3?.accessKeyId, 'S3_ACCESS_KEY');
  assert.deepEqual([plain.config.schedule.intervalMs, plain.config.retention], [12 * 3_600_000, { keepLast: 6 }]);
  const ca = await loadConfigWithWarnings(path.join(repoRoot, 'test/fixtures/config/rke-documented-s3-custom-ca.yml'), env);
  assert.equal(ca.config.repository.url, 's3://s3-bucket-name');
  assert.equal(ca.config.repository.s3?.endpoint, 'https://minio.example.internal:9000');
  assert.match(ca.config.repository.s3?.caBundlePem ?? '', /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----$/);
});

test('an RKE s3backupconfig with an empty access and secret key leaves the credentials to the environment', () => {
  const text = 'nodes:\n  - address: 10.0.0.1\n    role: [etcd]\nservices:\n  etcd:\n    backup_config:\n      s3backupconfig:\n        access_key: ""\n        secret_key: ""\n        bucket_name: b\n';
  const draft = parseConfigText('/etc/rke/cluster.yml', text, { KUBEKEEPER_RECIPIENTS: RECIPIENT });
  assert.equal(draft.config.repository.s3?.accessKeyId, undefined);
  assert.equal(draft.config.repository.s3?.secretAccessKey, undefined);
});

test('backup.signingKeyFile and repository.trustedSigners are read (files beside the config), shown by redactConfig, and a bad key names its line', async () => {
  const { generateSigningKey } = await import('../crypto/index.js');
  const signer = generateSigningKey().key.publicKey.toString();
  const config = parseConfigText('/etc/kubekeeper/config.yaml', [
    'repository:', '  url: /var/backups/kk', `  trustedSigners: [${signer}, signers.txt]`,
    'backup:', `  recipients: [${RECIPIENT}]`, '  signingKeyFile: keys/signing.key',
  ].join('\n'), {}).config;
  assert.equal(config.backup.signingKeyFile, '/etc/kubekeeper/keys/signing.key');
  assert.deepEqual(config.repository.trustedSigners, [signer, '/etc/kubekeeper/signers.txt']);
  const shown = JSON.stringify(redactConfig(config));
  assert.match(shown, /"signingKeyFile":"\/etc\/kubekeeper\/keys\/signing.key"/);
  assert.ok(shown.includes(signer));
  const bad = errorOf(`repository:\n  url: /var/backups/kk\n  trustedSigners: [kksign1notakey]\nbackup:\n  recipients: [${RECIPIENT}]\n`);
  assert.equal(bad.field, 'repository.trustedSigners');
  assert.equal(bad.line, 3);
  assert.match(bad.message, /not a signer public key/);
  assert.equal(parseConfigText('/etc/kubekeeper/config.yaml', minimal(), {}).config.backup.signingKeyFile, undefined);
});
