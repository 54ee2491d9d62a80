/**
 * What the dashboard page shows, as one JSON document: served at /api/data by the daemon and
 * inlined by `report --html`. Types only (the browser code imports them too). Times are ISO
 * 8601 UTC strings, sizes bytes, durations milliseconds. Holds no key or value of the cluster:
 * backup names, sizes, times, results, reasons and certificate names only.
 */

export const DASHBOARD_DATA_FORMAT = 'kubekeeper.dashboard/v1' as const;

/** A section either has data or says why not (not configured, not built yet, unreadable). */
export type Section<T> = { state: 'ok'; value: T } | { state: 'unavailable'; reason: string };

export interface DashboardData {
  format: typeof DASHBOARD_DATA_FORMAT;
  generatedAt: string;
  /** Where the page came from: the daemon (live) or `report --html` (a static copy). */
  source: 'daemon' | 'report';
  /** This cluster first (with every section), then the fleet's other repositories. */
  clusters: ClusterView[];
}

export interface ClusterView {
  name: string;
  /** The repository location (a directory or s3://bucket/folder; never credentials). */
  repository: string;
  /** This host's cluster (daemon-only sections apply) or a fleet member (manifests and records only). */
  self: boolean;
  /** Set when the repository could not be read: every section is then unavailable. */
  error?: string;
  summary: ClusterSummary;
  backups: BackupRow[];
  drills: DrillRow[];
  verifies: VerifyRow[];
  recoveryPoint: RecoveryPointView;
  retention: Section<RetentionView>;
  certificates: Section<CertificatesView>;
  etcd: EtcdView;
  schedule: Section<ScheduleView>;
}

export interface ClusterSummary {
  lastBackupAt?: string;
  lastBackupOk?: boolean;
  lastGoodBackupAt?: string;
  lastDrillAt?: string;
  lastDrillOk?: boolean;
  /** now - newest good backup; absent without one. */
  recoveryPointLagMs?: number;
  firstCertExpiry?: { name: string; notAfter: string };
}

export type BackupResult = 'ok' | 'failed' | 'incomplete' | 'invalid' | 'untrusted' | 'future';

export interface BackupRow {
  /** Backup name; for a failed run without a manifest, the run's record name. */
  name: string;
  at: string;
  durationMs?: number;
  result: BackupResult;
  kind: 'full' | 'delta';
  /** Bytes stored (compressed, encrypted) and the snapshot's size. */
  storedBytes?: number;
  snapshotBytes?: number;
  /** Why it is not ok; empty when it is. */
  problems: string[];
  signature?: string;
}

export interface DrillSplit {
  downloadMs: number;
  restoreMs: number;
  startMs: number;
  checksMs: number;
}

export interface DrillRow {
  at: string;
  ok: boolean;
  backupName?: string;
  durationMs: number;
  split: DrillSplit;
  failedStep?: string;
  reason?: string;
  signature: string;
}

export interface VerifyRow {
  at: string;
  ok: boolean;
  backupName?: string;
  durationMs: number;
  reason?: string;
  signature: string;
}

export interface RecoveryPointView {
  newestGoodAt?: string;
  lagMs?: number;
  /** Each full backup and the range it restores to (to = its own time without deltas). */
  ranges: { full: string; from: string; to: string; deltas: number }[];
  /** Why deltas are not shown (not built or not configured); absent once the repository holds some. */
  deltasNote?: string;
}

export interface RetentionView {
  /** The policy as the config gives it ("keep last 6, within 30d"). */
  policy: string;
  decisions: { name: string; createdAt: string; action: 'keep' | 'remove'; reasons: string[] }[];
}

export interface CertificateRow {
  name: string;
  kind: 'ca' | 'leaf';
  path: string;
  notBefore?: string;
  notAfter?: string;
  missing: boolean;
}

export interface CertificatesView {
  pkiDir: string;
  layout: string;
  warnWithinMs: number;
  rows: CertificateRow[];
}

export interface EtcdLive {
  endpoint: string;
  version: string;
  dbSizeBytes: number;
  dbSizeInUseBytes: number;
  quotaBytes: number;
  revision: number;
  alarms: string[];
  at: string;
}

export interface EtcdView {
  live: Section<EtcdLive>;
  /** From the manifests: the member's db size and revision at each backup (oldest first). */
  history: { at: string; dbSizeBytes: number; revision: number }[];
  /** Revisions per hour between the two newest backups (absent with fewer than two). */
  revisionsPerHour?: number;
  /** Fragmentation detail (free pages, defrag history) lights up when present. */
  fragmentation: Section<{ freeBytes: number; ratio: number }>;
}

export interface ScheduleView {
  nextBackupAt?: string;
  nextDrillAt?: string;
}
