import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackupEntry, BackupListing, Manifest } from '../backup/index.js';
import { buildClusterView } from './cluster-view.js';
import { RUN_RECORD_FORMAT, type StoredRunRecord } from './run-record.js';

const now = new Date('2026-12-06T12:00:00Z');

function entry(name: string, createdAt: string, extra: Record<string, unknown> = {}): BackupEntry {
  const manifest = {
    format: 'kubekeeper.backup/v1', name, createdAt, completedAt: new Date(Date.parse(createdAt) + 4000).toISOString(),
    cluster: { clusterId: '1', memberId: '2', endpoint: 'e', etcdVersion: '3.5.16', revision: 1000 + Date.parse(createdAt) / 3_600_000 % 100, dbSizeBytes: 4096 },
    snapshot: { sizeBytes: 20_512, sha256: 'x', dbSha256: 'y' }, compression: 'zstd', encryption: { scheme: 'none' },
    objects: [{ role: 'snapshot', name: `${name}.snapshot.db.zst`, compression: 'zstd', sizeBytes: 2000, sha256: 'a', contentSizeBytes: 20_512, contentSha256: 'b' }],
    kubekeeperVersion: '0.1.0', ...extra,
  } as unknown as Manifest;
  return { name, status: 'ok', problems: [], manifest, signature: { status: 'unsigned' } };
}

const record = (kind: 'drill' | 'backup', startedAt: string, ok: boolean, signed: boolean): StoredRunRecord => ({
  name: `run-${kind}-x.record`, signature: signed ? { status: 'signed', keyId: 'k' } : { status: 'unsigned' },
  record: { format: RUN_RECORD_FORMAT, kind, startedAt, durationMs: 5000, ok, ...(ok ? {} : { failedStep: 'etcd-unreachable', reason: 'no member answered' }), stepsMs: { download: 1000, restore: 2000, start: 1500, keys: 300, revision: 200 } },
});

const listing = (backups: BackupEntry[]): BackupListing => ({ backups, orphans: [] });

test('cluster view shows failed backup runs from records, the drill split, retention reasons and the recovery point lag', () => {
  const v = buildClusterView({
    name: 'a', repository: '/r', self: true, now, signersRequired: true, retention: { keepLast: 1 },
    listing: listing([entry('b2', '2026-12-06T10:00:00Z'), entry('b1', '2026-12-05T10:00:00Z')]),
    records: [record('drill', '2026-12-06T11:00:00Z', true, false), record('backup', '2026-12-06T11:30:00Z', false, true), record('drill', '2026-12-06T10:30:00Z', false, true)],
  });
  assert.deepEqual(v.backups.map((b) => [b.name, b.result, b.storedBytes, b.durationMs]), [
    ['run-backup-x.record', 'failed', undefined, 5000], ['b2', 'ok', 2000, 4000], ['b1', 'ok', 2000, 4000],
  ]);
  assert.deepEqual(v.backups[0]?.problems, ['etcd-unreachable: no member answered']);
  assert.deepEqual(v.drills[0]?.split, { downloadMs: 1000, restoreMs: 2000, startMs: 1500, checksMs: 500 });
  // The newest drill record is unsigned and signers are required: the last drill counted is the signed, failed one.
  assert.deepEqual([v.summary.lastDrillAt, v.summary.lastDrillOk], ['2026-12-06T10:30:00Z', false]);
  assert.equal(v.summary.lastBackupOk, false);
  assert.equal(v.summary.recoveryPointLagMs, 2 * 3_600_000);
  assert.ok(v.retention.state === 'ok');
  assert.deepEqual(v.retention.value.decisions.map((d) => [d.name, d.action]), [['b2', 'keep'], ['b1', 'remove']]);
  assert.match(v.recoveryPoint.deltasNote ?? '', /No delta backups/);
  assert.equal(v.certificates.state, 'unavailable', 'no PKI dir given');
});

test('cluster view lights up delta ranges when manifests name a base backup', () => {
  const v = buildClusterView({
    name: 'a', repository: '/r', self: false, now, signersRequired: false,
    listing: listing([entry('d2', '2026-12-06T11:00:00Z', { kind: 'delta', base: 'f1' }), entry('d1', '2026-12-06T10:30:00Z', { kind: 'delta', base: { name: 'f1' } }), entry('f1', '2026-12-06T10:00:00Z')]),
    records: [],
  });
  assert.deepEqual(v.recoveryPoint.ranges, [{ full: 'f1', from: '2026-12-06T10:00:00Z', to: '2026-12-06T11:00:00Z', deltas: 2 }]);
  assert.equal(v.recoveryPoint.deltasNote, undefined);
  assert.deepEqual(v.backups.map((b) => b.kind), ['delta', 'delta', 'full']);
  assert.equal(v.retention.state, 'unavailable', 'a fleet member has no retention policy here');
});
