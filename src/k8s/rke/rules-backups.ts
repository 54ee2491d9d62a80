/**
 * etcd backup rules (spec §5.2): recurring snapshots on, at least a day of them kept, an
 * off-node (S3) copy, and no S3 credentials committed in the file.
 */
import { asBool, asNumber } from './cluster-file.js';
import type { ReviewContext, ReviewFinding } from './finding.js';

const ETCD = ['services', 'etcd'];
const BC = [...ETCD, 'backup_config'];
const MIN_RETENTION_HOURS = 24;

/** "72h" / "12h" / "30m" (Go durations RKE passes through) in hours; undefined when unreadable. */
function hours(value: unknown): number | undefined {
  const m = /^(\d+)(h|m)$/.exec(String(value ?? '').trim());
  if (!m) return undefined;
  return m[2] === 'h' ? Number(m[1]) : Number(m[1]) / 60;
}

export function reviewBackups({ file }: ReviewContext): ReviewFinding[] {
  const out: ReviewFinding[] = [];
  const add = (rule: string, severity: ReviewFinding['severity'], path: string[], message: string, why: string, fix: string) =>
    out.push({ rule, severity, path: path.join('.'), line: file.lineOf(path), message, why, fix });

  if (asBool(file.get([...ETCD, 'snapshot'])) === false) {
    add('backup.snapshots-disabled', 'critical', [...ETCD, 'snapshot'], 'services.etcd.snapshot: false — no recurring etcd snapshots',
      'without snapshots, losing etcd quorum or data means rebuilding the cluster from nothing', 'Set snapshot: true and configure backup_config');
  }
  const hasBackupConfig = file.has(BC);
  if (hasBackupConfig && asBool(file.get([...BC, 'enabled'])) === false) {
    add('backup.backup-config-disabled', 'critical', [...BC, 'enabled'], 'backup_config.enabled: false — recurring snapshots are off',
      'without snapshots, losing etcd quorum or data means rebuilding the cluster from nothing', 'Set backup_config.enabled: true');
  }
  if (hasBackupConfig) {
    const interval = asNumber(file.get([...BC, 'interval_hours'])) ?? 12;
    const retention = asNumber(file.get([...BC, 'retention'])) ?? 6;
    if (retention * interval < MIN_RETENTION_HOURS) {
      add('backup.retention-short', 'medium', [...BC, 'retention'], `backup_config keeps ${retention} snapshot(s) every ${interval}h = ${retention * interval}h of history`,
        'a problem noticed the next morning (bad deploy, deleted namespace) is older than every snapshot', `Keep at least ${MIN_RETENTION_HOURS}h: retention × interval_hours ≥ ${MIN_RETENTION_HOURS}`);
    }
    if (interval > 24) add('backup.interval-long', 'low', [...BC, 'interval_hours'], `backup_config.interval_hours: ${interval}`, 'a restore loses up to that many hours of changes', 'Snapshot at least every 12 hours');
  } else {
    const retention = hours(file.get([...ETCD, 'retention']) ?? '72h');
    if (retention !== undefined && retention < MIN_RETENTION_HOURS) {
      add('backup.retention-short', 'medium', [...ETCD, 'retention'], `services.etcd.retention: ${String(file.get([...ETCD, 'retention']))}`,
        'a problem noticed the next morning is older than every snapshot', `Keep at least ${MIN_RETENTION_HOURS}h of snapshots`);
    }
  }
  const s3 = [...BC, 's3backupconfig'];
  if (!file.has(s3)) {
    add('backup.no-offsite-copy', 'high', hasBackupConfig ? BC : ETCD, 'snapshots are kept only on the etcd nodes (/opt/rke/etcd-snapshots): no s3backupconfig',
      'the nodes that fail are the nodes holding the backups; a lost or wiped control plane takes its snapshots with it',
      'Add backup_config.s3backupconfig (bucket_name, endpoint, region, folder) so every snapshot is uploaded off the cluster');
    return out;
  }
  if (!file.get([...s3, 'bucket_name'])) add('backup.s3-incomplete', 'high', s3, 's3backupconfig has no bucket_name', 'snapshot uploads fail, so there is no off-site copy', 'Set s3backupconfig.bucket_name');
  for (const key of ['access_key', 'secret_key']) {
    if (file.get([...s3, key])) {
      add('backup.s3-credentials-in-file', 'medium', [...s3, key], `s3backupconfig.${key} is written in cluster.yml`,
        'whoever can read the file (repository, CI logs, backups of it) can read and delete every etcd snapshot, and snapshots contain every Secret',
        'Use an instance profile / IAM role and remove the keys, or keep cluster.yml out of version control and encrypted');
    }
  }
  return out;
}
