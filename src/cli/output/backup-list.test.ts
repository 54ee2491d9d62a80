import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackupListing, Manifest } from '../../backup/index.js';
import { renderBackupList, renderBackupShow } from './backup-list.js';
import { renderPrune } from './backup-prune.js';
import { renderBackupVerify } from './backup-verify.js';

const HASH = 'ab'.repeat(32);
const manifest: Manifest = {
  format: 'kubekeeper.backup/v1', name: 'etcd-20240510T120000Z', createdAt: '2024-05-10T12:00:00.000Z', completedAt: '2024-05-10T12:00:09.000Z',
  cluster: { clusterId: 'cdf818194e3a8c32', memberId: '8e9e05c52164694d', memberName: 'cp1', endpoint: 'https://10.0.0.1:2379', etcdVersion: '3.4.23', revision: 1234, dbSizeBytes: 2_097_152 },
  snapshot: { sizeBytes: 2_097_184, sha256: HASH, dbSha256: HASH },
  compression: 'gzip', encryption: { scheme: 'age', recipients: ['0123456789abcdef'] },
  objects: [
    { role: 'bundle', name: 'etcd-20240510T120000Z.bundle.tar.gz.age', compression: 'gzip', sizeBytes: 4096, sha256: HASH, contentSizeBytes: 10240, contentSha256: HASH },
    { role: 'snapshot', name: 'etcd-20240510T120000Z.snapshot.db.gz.age', compression: 'gzip', sizeBytes: 524_288, sha256: HASH, contentSizeBytes: 2_097_184, contentSha256: HASH },
  ],
  bundle: { files: [
    { path: 'etc/kubernetes/pki/', type: 'directory', mode: 0o755, sizeBytes: 0 },
    { path: 'etc/kubernetes/pki/ca.key', type: 'file', mode: 0o600, sizeBytes: 1679, sha256: HASH },
  ] },
  kubekeeperVersion: '0.1.0',
};

const listing: BackupListing = {
  backups: [
    { name: manifest.name, status: 'ok', problems: [], manifest, signature: { status: 'unsigned' } },
    { name: 'broken', status: 'invalid', problems: ['Manifest of backup "broken" is invalid: not JSON'] },
  ],
  orphans: [{ name: 'half.snapshot.db.gz.age', backupName: 'half', sizeBytes: 2048 }],
};

test('renderBackupList draws a table, then the problems and the orphan count', () => {
  assert.equal(renderBackupList('/var/backups/kubekeeper', listing, 'table'), [
    '+-----------------------+---------------------+---------+----------+-----------+----------+------------------+------------+--------+-------------------+',
    '|         NAME          |    CREATED (UTC)    | STATUS  | SNAPSHOT |  STORED   | REVISION |    CLUSTER ID    | ENCRYPTION | BUNDLE |     SIGNATURE     |',
    '+-----------------------+---------------------+---------+----------+-----------+----------+------------------+------------+--------+-------------------+',
    '| etcd-20240510T120000Z | 2024-05-10 12:00:00 | ok      | 2.0 MiB  | 516.0 KiB | 1234     | cdf818194e3a8c32 | age (1)    | yes    | unsigned (legacy) |',
    '| broken                | -                   | invalid | -        | -         | -        | -                | -          | -      | -                 |',
    '+-----------------------+---------------------+---------+----------+-----------+----------+------------------+------------+--------+-------------------+',
    'broken: invalid: Manifest of backup "broken" is invalid: not JSON',
    '1 data object(s) without a manifest (2.0 KiB, interrupted saves; not backups): "kubekeeper backup prune" removes them after 24h',
    '',
  ].join('\n'));
});

test('renderBackupList says so when the repository is empty, and gives JSON for scripts', () => {
  assert.equal(renderBackupList('/r', { backups: [], orphans: [] }, 'table'), 'No backups in "/r"\n');
  const json = JSON.parse(renderBackupList('/r', listing, 'json')) as { repository: string; backups: { name: string; status: string }[] };
  assert.equal(json.repository, '/r');
  assert.deepEqual(json.backups.map((b) => [b.name, b.status]), [[manifest.name, 'ok'], ['broken', 'invalid']]);
});

test('renderBackupShow lists cluster, keys, objects and bundle files', () => {
  const out = renderBackupShow({ name: manifest.name, status: 'ok', problems: [], manifest, signature: { status: 'unsigned' } }, 'text');
  assert.match(out, /^Name: {10}etcd-20240510T120000Z$/m);
  assert.match(out, /^Member: {8}8e9e05c52164694d \(cp1\) at https:\/\/10\.0\.0\.1:2379$/m);
  assert.match(out, /^Encryption: {4}age, recipients 0123456789abcdef$/m);
  assert.match(out, /^ {2}0600 etc\/kubernetes\/pki\/ca\.key {2}1679 bytes$/m);
});

test('renderBackupVerify prints one line per check and a summary naming the failures', () => {
  const out = renderBackupVerify({
    name: 'b', manifest, ok: false, bytesRead: 1, durationMs: 1,
    checks: [{ name: 'manifest', ok: true, detail: 'ok' }, { name: 'stored:snapshot', ok: false, detail: 'truncated' }, { name: 'content:snapshot', ok: true, skipped: true, detail: 'no key' }],
  }, 'text');
  assert.equal(out, [
    'ok    manifest          ok',
    'FAIL  stored:snapshot   truncated',
    'skip  content:snapshot  no key',
    'Backup "b" failed 1 check: stored:snapshot',
    '',
  ].join('\n'));
});

test('renderPrune shows each decision with its reasons and what a dry run would remove', () => {
  const createdAt = new Date('2024-05-10T12:00:00Z');
  const keep = { name: 'new', createdAt, action: 'keep' as const, reasons: ['keep-last 1: #1 newest'] };
  const remove = { name: 'old', createdAt: new Date('2024-05-01T00:00:00Z'), action: 'remove' as const, reasons: ['matched no keep rule'] };
  const out = renderPrune({
    plan: { decisions: [keep, remove], keep: [keep], remove: [remove] }, skipped: [], orphans: [], dryRun: true,
    removedBackups: ['old'], removedObjects: 2, removedBytes: 1024, durationMs: 1,
  }, 'text');
  assert.equal(out, [
    'keep          new  2024-05-10 12:00:00  keep-last 1: #1 newest',
    'would remove  old  2024-05-01 00:00:00  matched no keep rule',
    'Would remove 1 backup(s), 2 object(s), 1.0 KiB; kept 1 (dry run: nothing was removed)',
    '',
  ].join('\n'));
});

test('renderBackupList shows each unfinished multipart upload with its start, age and ID', () => {
  const withUploads: BackupListing = {
    backups: [], orphans: [],
    unfinishedUploads: [{ object: 'data/cut.0badc0de.snapshot.db.age', uploadId: 'U1', startedAt: new Date('2024-05-08T10:00:00Z') }],
  };
  assert.equal(renderBackupList('s3://b/f', withUploads, 'table', new Date('2024-05-10T12:30:00Z')),
    'No backups in "s3://b/f"\nunfinished upload of "data/cut.0badc0de.snapshot.db.age" started 2024-05-08 10:00:00 UTC (2d 2h ago), ID U1: parts are billed until "kubekeeper backup prune" aborts it (after 24h)\n');
  const json = JSON.parse(renderBackupList('s3://b/f', withUploads, 'json')) as { unfinishedUploads: { object: string; startedAt: string }[] };
  assert.deepEqual(json.unfinishedUploads, [{ object: 'data/cut.0badc0de.snapshot.db.age', uploadId: 'U1', startedAt: '2024-05-08T10:00:00.000Z' }]);
  // Local repositories have no such thing: the JSON keeps its old shape.
  assert.equal('unfinishedUploads' in (JSON.parse(renderBackupList('/r', { backups: [], orphans: [] }, 'json')) as object), false);
});
