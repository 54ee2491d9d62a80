/**
 * Builds one cluster's part of the dashboard from what was read: the repository's listing and
 * run records, and (for this host's cluster) the retention policy, certificates, etcd status
 * and schedule. Pure: no I/O, the instant comes in as `now`.
 */
import { type BackupListing, describeSignature } from '../backup/index.js';
import { type RetentionPolicy, formatDuration, isEmptyPolicy, planRetention } from '../schedule/index.js';
import type {
  BackupRow, CertificatesView, ClusterSummary, ClusterView, DeltaStreamView, DrillRow, EtcdLive, EtcdView, RetentionView, ScheduleView, Section, VerifyRow,
} from './dashboard-data.js';
import type { DeltaInputs } from './delta-read.js';
import { deltaRows, recoveryPointView } from './recovery-view.js';
import type { StoredRunRecord } from './run-record.js';

export interface ClusterInputs {
  name: string;
  repository: string;
  self: boolean;
  now: Date;
  listing: BackupListing;
  records: readonly StoredRunRecord[];
  /** True when the reader trusts signers: records they did not sign are shown, never counted. */
  signersRequired: boolean;
  /** Only this host's config has one; absent for fleet members. */
  retention?: RetentionPolicy;
  certificates?: Section<CertificatesView>;
  etcdLive?: Section<EtcdLive>;
  etcdMembers?: EtcdView['members'];
  /** The repository's delta segments (every cluster's repository has them or not). */
  deltas?: DeltaInputs;
  /** This host's daemon streamer; absent for fleet members. */
  deltaStream?: Section<DeltaStreamView>;
  deltasConfigured?: boolean;
  schedule?: Section<ScheduleView>;
}

/** Shown where this host's daemon or config is the only source. */
export const FLEET_ONLY = 'Fleet member: only its manifests and run records are read; the daemon on that cluster knows the rest';

function backupRows(listing: BackupListing, records: readonly StoredRunRecord[], deltas: DeltaInputs | undefined): BackupRow[] {
  const rows: BackupRow[] = [];
  for (const b of listing.backups) {
    const m = b.manifest;
    if (!m) continue;
    const snapshot = m.objects.find((o) => o.role === 'snapshot');
    rows.push({
      name: b.name, at: m.createdAt, durationMs: Math.max(0, Date.parse(m.completedAt) - Date.parse(m.createdAt)),
      result: b.status, kind: 'full', firstRevision: m.cluster.revision, lastRevision: m.cluster.revision,
      storedBytes: m.objects.reduce((sum, o) => sum + o.sizeBytes, 0), snapshotBytes: snapshot?.contentSizeBytes ?? m.snapshot.sizeBytes,
      problems: b.problems, ...(b.signature ? { signature: describeSignature(b.signature) } : {}),
    });
  }
  for (const { name, record, signature } of records) {
    if (record.kind !== 'backup' || record.ok) continue;
    rows.push({
      name: record.backupName ?? name, at: record.startedAt, durationMs: record.durationMs, result: 'failed', kind: 'full',
      problems: [[record.failedStep, record.reason].filter(Boolean).join(': ') || 'failed'], signature: describeSignature(signature),
    });
  }
  rows.push(...deltaRows(deltas));
  return rows.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

const trusted = (r: StoredRunRecord, required: boolean) => !required || r.signature.status === 'signed';

function drillRows(records: readonly StoredRunRecord[]): DrillRow[] {
  return records.filter((r) => r.record.kind === 'drill').map(({ record, signature }) => {
    const steps = record.stepsMs ?? {};
    const step = (k: string) => steps[k] ?? 0;
    const checksMs = Object.entries(steps).filter(([k]) => !['download', 'restore', 'start'].includes(k)).reduce((s, [, v]) => s + v, 0);
    return {
      at: record.startedAt, ok: record.ok, durationMs: record.durationMs, signature: describeSignature(signature),
      split: { downloadMs: step('download'), restoreMs: step('restore'), startMs: step('start'), checksMs },
      ...(record.backupName ? { backupName: record.backupName } : {}),
      ...(record.failedStep ? { failedStep: record.failedStep } : {}),
      ...(record.reason ? { reason: record.reason } : {}),
    };
  });
}

function verifyRows(records: readonly StoredRunRecord[]): VerifyRow[] {
  return records.filter((r) => r.record.kind === 'verify').map(({ record, signature }) => ({
    at: record.startedAt, ok: record.ok, durationMs: record.durationMs, signature: describeSignature(signature),
    ...(record.backupName ? { backupName: record.backupName } : {}), ...(record.reason ? { reason: record.reason } : {}),
  }));
}

/** "keep last 6, within 30d, daily 7". */
export function describePolicy(p: RetentionPolicy): string {
  const parts = [
    p.keepLast ? `last ${p.keepLast}` : '', p.keepWithinMs ? `within ${formatDuration(p.keepWithinMs)}` : '',
    p.keepHourly ? `hourly ${p.keepHourly}` : '', p.keepDaily ? `daily ${p.keepDaily}` : '', p.keepWeekly ? `weekly ${p.keepWeekly}` : '',
    p.keepMonthly ? `monthly ${p.keepMonthly}` : '', p.keepYearly ? `yearly ${p.keepYearly}` : '',
  ].filter(Boolean);
  return parts.length ? `keep ${parts.join(', ')}` : 'no policy: everything is kept';
}

function retention(listing: BackupListing, policy: RetentionPolicy | undefined, now: Date): Section<RetentionView> {
  if (!policy) return { state: 'unavailable', reason: FLEET_ONLY };
  if (isEmptyPolicy(policy)) return { state: 'unavailable', reason: 'Retention is not configured (no retention section in the config, no --keep-* flag): the next prune keeps every backup' };
  const candidates = listing.backups.filter((b) => b.status === 'ok' && b.manifest).map((b) => ({ name: b.name, createdAt: new Date(b.manifest?.createdAt ?? 0), verified: true }));
  const plan = planRetention(candidates, policy, now);
  return {
    state: 'ok',
    value: { policy: describePolicy(policy), decisions: plan.decisions.map((d) => ({ name: d.name, createdAt: d.createdAt.toISOString(), action: d.action, reasons: d.reasons })) },
  };
}

function etcdView(listing: BackupListing, live: Section<EtcdLive> | undefined, members: EtcdView['members'] | undefined): EtcdView {
  const history = listing.backups.filter((b) => b.status === 'ok' && b.manifest)
    .map((b) => ({ at: b.manifest?.createdAt ?? '', dbSizeBytes: b.manifest?.cluster.dbSizeBytes ?? 0, revision: b.manifest?.cluster.revision ?? 0 }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const [prev, last] = history.slice(-2);
  const hours = prev && last ? (Date.parse(last.at) - Date.parse(prev.at)) / 3_600_000 : 0;
  const liveSection = live ?? { state: 'unavailable', reason: FLEET_ONLY };
  return { live: liveSection, history, ...(prev && last && hours > 0 ? { revisionsPerHour: (last.revision - prev.revision) / hours } : {}),
    members: members ?? (liveSection.state === 'ok' ? { state: 'unavailable', reason: 'The member list was not read' } : liveSection),
  };
}

function summary(view: Omit<ClusterView, 'summary'>, signersRequired: boolean, records: readonly StoredRunRecord[]): ClusterSummary {
  const fulls = view.backups.filter((b) => b.kind === 'full');
  const lastBackup = fulls[0];
  const lastGood = fulls.find((b) => b.result === 'ok');
  const lastDrill = records.find((r) => r.record.kind === 'drill' && trusted(r, signersRequired))?.record;
  const certs = view.certificates.state === 'ok' ? view.certificates.value.rows.filter((r) => r.notAfter).sort((a, b) => Date.parse(a.notAfter ?? '') - Date.parse(b.notAfter ?? '')) : [];
  const stream = view.recoveryPoint.stream;
  const lagMs = stream.state === 'ok' && stream.value.leader ? stream.value.lagSeconds * 1000 : view.recoveryPoint.lagMs;
  return {
    ...(lastBackup ? { lastBackupAt: lastBackup.at, lastBackupOk: lastBackup.result === 'ok' } : {}),
    ...(lastGood ? { lastGoodBackupAt: lastGood.at } : {}),
    ...(lastDrill ? { lastDrillAt: lastDrill.startedAt, lastDrillOk: lastDrill.ok } : {}),
    ...(lagMs !== undefined ? { recoveryPointLagMs: lagMs } : {}),
    ...(certs[0]?.notAfter ? { firstCertExpiry: { name: certs[0].name, notAfter: certs[0].notAfter } } : {}),
  };
}

/** One cluster's view. */
export function buildClusterView(input: ClusterInputs): ClusterView {
  const view: Omit<ClusterView, 'summary'> = {
    name: input.name, repository: input.repository, self: input.self,
    backups: backupRows(input.listing, input.records, input.deltas),
    drills: drillRows(input.records),
    verifies: verifyRows(input.records),
    recoveryPoint: recoveryPointView({
      listing: input.listing, now: input.now, ...(input.deltas ? { deltas: input.deltas } : {}), ...(input.deltaStream ? { stream: input.deltaStream } : {}),
      ...(input.deltasConfigured !== undefined ? { deltasConfigured: input.deltasConfigured } : {}),
      ...(input.etcdLive?.state === 'ok' ? { etcdRevision: input.etcdLive.value.revision } : {}),
    }),
    retention: retention(input.listing, input.retention, input.now),
    certificates: input.certificates ?? { state: 'unavailable', reason: FLEET_ONLY },
    etcd: etcdView(input.listing, input.etcdLive, input.etcdMembers),
    schedule: input.schedule ?? { state: 'unavailable', reason: FLEET_ONLY },
  };
  return { ...view, summary: summary(view, input.signersRequired, input.records) };
}

/** A repository that could not be read: every section says why. */
export function unreadableClusterView(name: string, repository: string, self: boolean, error: string): ClusterView {
  const reason = `Repository unreadable: ${error}`;
  const none = { state: 'unavailable', reason } as const;
  return {
    name, repository, self, error, summary: {}, backups: [], drills: [], verifies: [], recoveryPoint: { ranges: [], stream: none },
    retention: none, certificates: none, schedule: none, etcd: { live: none, history: [], members: none },
  };
}
