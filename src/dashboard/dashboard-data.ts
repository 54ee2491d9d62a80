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
  /** The daemon's streamer lag when it streams; else now - the newest restorable point (full backup or stored delta revision); absent without one. */
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
  /** A full backup's revision (first = last), or a delta segment's revision range. */
  firstRevision?: number;
  lastRevision?: number;
  /** Events stored in a delta segment. */
  events?: number;
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

/** One full backup and the revisions a restore from it reaches (toRevision === fromRevision: the backup alone). */
export interface RestorableRange {
  full: string;
  at: string;
  fromRevision: number;
  toRevision: number;
  /** When the streamer received toRevision, when a segment read says so. */
  toAt?: string;
}

/** The repository's delta segments, as `backup list` counts them. */
export interface DeltasView {
  segments: number;
  /** Revision ranges etcd compacted away before they were stored. */
  gaps: { fromRevision: number; toRevision: number }[];
  /** The newest stored revision and when the streamer received it. */
  recoveryPoint?: { revision: number; receivedAt?: string };
  /** Segments older than the timeline shows. */
  omitted: number;
}

/** The daemon's delta streamer, live (what its kubekeeper_delta_* metrics say). */
export interface DeltaStreamView {
  /** Whether this daemon streams or another node does (or the election is pending). */
  leader: boolean;
  storedRevision: number;
  /** etcd's revision as the streamer last saw it. */
  etcdRevision: number;
  /** Seconds since the oldest change not yet stored was received (0: all stored), and revisions behind etcd. */
  lagSeconds: number;
  lagRevisions: number;
  segmentsWritten: number;
  gaps: number;
  restarts: number;
  failingSince?: string;
}

export interface RecoveryPointView {
  /** The newest point a restore reaches (a full backup, or the newest delta revision a chain reaches), and its age. */
  newestGoodAt?: string;
  lagMs?: number;
  newestRevision?: number;
  /** Live etcd revision minus newestRevision, when etcd's revision is known. */
  revisionsBehind?: number;
  ranges: RestorableRange[];
  deltas?: DeltasView;
  /** This host's daemon streamer; unavailable in a report, for a fleet member or without a deltas section. */
  stream: Section<DeltaStreamView>;
  /** Why there are no delta ranges (not configured, nothing stored yet); absent once the repository holds segments. */
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
  /** Every member's db detail as `endpoint status --detail` shows it (in use, fragmentation, quota, alarms). */
  members: Section<{ rows: EtcdMemberRow[]; unreachable: { endpoint: string; error: string }[] }>;
}

export interface EtcdMemberRow {
  name: string;
  endpoint: string;
  version: string;
  isLeader: boolean;
  isLearner: boolean;
  dbSizeBytes: number;
  dbSizeInUseBytes: number;
  /** Allocated but unused (what a defrag gives back), and its share of the db in percent. */
  freeBytes: number;
  fragmentationPercent: number;
  quotaBytes: number;
  /** "member": reported by etcd 3.6+; "assumed": the configured or default quota. */
  quotaSource: 'member' | 'assumed';
  quotaPercent: number;
  alarms: string[];
}

export interface ScheduleView {
  nextBackupAt?: string;
  nextDrillAt?: string;
}
