import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BackupEntry, type BackupListing, BackupRepository, type DeltaManifest, type Manifest, deltaCoverage } from '../backup/index.js';
import { writeDeltaSegment } from '../backup/delta-store.js';
import type { DeltaRecord } from '../backup/delta-segment.js';
import { MemoryBackend, replayableBody } from '../storage/index.js';
import { buildClusterView } from './cluster-view.js';
import { readDeltaInputs } from './delta-read.js';
import { RUN_RECORD_FORMAT, type StoredRunRecord } from './run-record.js';

const now = new Date('2026-12-06T12:00:00Z');
const CLUSTER = { clusterId: '1', memberId: '2', endpoint: 'e', etcdVersion: '3.5.16', dbSizeBytes: 4096 };

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
  assert.match(v.recoveryPoint.deltasNote ?? '', /No delta backups in this repository: continuous deltas are not configured/);
  assert.deepEqual(v.recoveryPoint.ranges.map((r) => [r.full, r.fromRevision === r.toRevision]), [['b2', true], ['b1', true]]);
  assert.equal(v.certificates.state, 'unavailable', 'no PKI dir given');
});

/** A segment of `events` puts at revisions first..last, written by the streamer's own writer, received one second apart from `t0`. */
async function segment(repo: BackupRepository, first: number, last: number, t0: number, previous?: DeltaManifest): Promise<DeltaManifest> {
  const records: DeltaRecord[] = [];
  for (let rev = first; rev <= last; rev++) records.push({ kind: 'event', main: BigInt(rev), sub: 0, type: 'put', kv: new Uint8Array([rev & 0xff, 1, 2, 3]) });
  return writeDeltaSegment(repo, {
    clusterId: '1', firstRevision: first, lastRevision: last, records, compression: 'gzip', recipients: [],
    receivedAt: [[first, t0], [last, t0 + 1000 * (last - first)]], now: () => new Date(t0 + 1000 * (last - first) + 500),
    ...(previous ? { previous: { name: previous.name, lastRevision: previous.lastRevision } } : {}),
  });
}

test('cluster view shows real delta segments in the timeline, each full backup\'s restorable range as backup list computes it, and the recovery point', async () => {
  const repo = new BackupRepository(new MemoryBackend());
  const t0 = Date.parse('2026-12-06T10:00:00Z');
  const s1 = await segment(repo, 101, 150, t0 + 60_000);
  const s2 = await segment(repo, 151, 200, t0 + 120_000, s1);
  // Revisions 201-230 are missing (a lost segment): the chain from f1 stops at 200, the newest stored revision is 240.
  const s3 = await segment(repo, 231, 240, t0 + 600_000);
  const backups = [entry('f2', '2026-12-06T10:20:00Z', { cluster: { ...CLUSTER, revision: 235 } }), entry('f1', '2026-12-06T10:00:00Z', { cluster: { ...CLUSTER, revision: 100 } })];
  const deltas = await readDeltaInputs(repo, backups);
  const v = buildClusterView({ name: 'a', repository: '/r', self: false, now, signersRequired: false, listing: listing(backups), records: [], deltas });
  // The same ranges and recovery point as `backup list` (deltaCoverage).
  const coverage = await deltaCoverage(repo, backups);
  assert.deepEqual(coverage?.backups, [{ name: 'f2', fromRevision: 235, toRevision: 240 }, { name: 'f1', fromRevision: 100, toRevision: 200 }]);
  const receivedIso = (m: DeltaManifest) => new Date((m.receivedAt.at(-1) as [number, number])[1]).toISOString();
  assert.deepEqual(v.recoveryPoint.ranges, [
    { full: 'f2', at: '2026-12-06T10:20:00Z', fromRevision: 235, toRevision: 240, toAt: receivedIso(s3) },
    { full: 'f1', at: '2026-12-06T10:00:00Z', fromRevision: 100, toRevision: 200, toAt: receivedIso(s2) },
  ]);
  assert.deepEqual(v.recoveryPoint.deltas, { segments: 3, gaps: [], recoveryPoint: coverage?.recoveryPoint, omitted: 0 });
  assert.deepEqual(coverage?.recoveryPoint, { revision: 240, receivedAt: receivedIso(s3) });
  assert.equal(v.recoveryPoint.newestRevision, 240);
  assert.equal(v.recoveryPoint.newestGoodAt, receivedIso(s3));
  assert.equal(v.summary.recoveryPointLagMs, now.getTime() - Date.parse(receivedIso(s3)));
  assert.equal(v.recoveryPoint.deltasNote, undefined);
  assert.equal(v.recoveryPoint.stream.state, 'unavailable', 'a fleet member has no live streamer here');
  // Timeline: segments as kind delta with their stored size, revisions and events, among the full backups by time.
  assert.deepEqual(v.backups.map((b) => [b.name, b.kind, b.result, b.firstRevision, b.lastRevision, b.events]), [
    ['f2', 'full', 'ok', 235, 235, undefined], [s3.name, 'delta', 'ok', 231, 240, 10],
    [s2.name, 'delta', 'ok', 151, 200, 50], [s1.name, 'delta', 'ok', 101, 150, 50], ['f1', 'full', 'ok', 100, 100, undefined],
  ]);
  assert.equal(v.backups[1]?.storedBytes, s3.object.sizeBytes);
  assert.equal(v.backups[1]?.at, s3.createdAt);
  // The last backup the fleet row shows is the newest full one, not a segment.
  assert.equal(v.summary.lastBackupAt, '2026-12-06T10:20:00Z');
});

test('cluster view marks a tampered delta segment invalid with its reason and says when deltas are configured but none is stored', async () => {
  const memory = new MemoryBackend();
  const repo = new BackupRepository(memory);
  const s1 = await segment(repo, 11, 20, Date.parse('2026-12-06T11:00:00Z'));
  await memory.remove({ type: 'manifest', name: `${s1.name}.json` });
  await memory.save({ type: 'manifest', name: `${s1.name}.json` }, replayableBody(Buffer.from(JSON.stringify({ ...s1, lastRevision: 25 }))));
  const backups = [entry('f1', '2026-12-06T10:00:00Z', { cluster: { ...CLUSTER, revision: 10 } })];
  const v = buildClusterView({ name: 'a', repository: '/r', self: false, now, signersRequired: false, listing: listing(backups), records: [], deltas: await readDeltaInputs(repo, backups) });
  const row = v.backups.find((b) => b.kind === 'delta');
  assert.equal(row?.result, 'invalid');
  assert.match(row?.problems[0] ?? '', new RegExp(`Delta manifest "${s1.name}" does not describe the segment its name says`));
  // Chain planning goes by names (as in backup list); the restore refuses the segment with the same reason.
  assert.deepEqual(v.recoveryPoint.ranges.map((r) => [r.fromRevision, r.toRevision, r.toAt]), [[10, 20, undefined]]);

  const empty = new BackupRepository(new MemoryBackend());
  const none = buildClusterView({
    name: 'a', repository: '/r', self: true, now, signersRequired: false, listing: listing(backups), records: [], deltas: await readDeltaInputs(empty, backups), deltasConfigured: true,
    deltaStream: { state: 'ok', value: { leader: true, storedRevision: 0, etcdRevision: 12, lagSeconds: 3, lagRevisions: 2, segmentsWritten: 0, gaps: 0, restarts: 0 } },
    etcdLive: { state: 'ok', value: { endpoint: 'e', version: '3.6.0', dbSizeBytes: 1, dbSizeInUseBytes: 1, quotaBytes: 2, revision: 14, alarms: [], at: now.toISOString() } },
  });
  assert.match(none.recoveryPoint.deltasNote ?? '', /deltas section is on, and the streamer has not stored a segment/);
  assert.equal(none.recoveryPoint.revisionsBehind, 4, 'live revision 14, restorable up to the full backup\'s 10');
  assert.equal(none.summary.recoveryPointLagMs, 3000, 'the streaming daemon\'s lag');
  assert.deepEqual(none.recoveryPoint.ranges, [{ full: 'f1', at: '2026-12-06T10:00:00Z', fromRevision: 10, toRevision: 10, toAt: '2026-12-06T10:00:00Z' }]);
});
