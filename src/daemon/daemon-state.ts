/**
 * What the daemon knows about its runs, and the metrics derived from it. Pure: the daemon
 * records outcomes here, and every scrape renders the current state. Timestamps are
 * seconds since the epoch, as Prometheus expects; "never" is 0, so `time() - x > N`
 * alerts fire for a daemon that never succeeded.
 */
import type { MetricFamily } from './metrics.js';

export interface BackupOutcome {
  at: Date;
  ok: boolean;
  durationMs: number;
  /** Set on success. */
  backupName?: string;
  bytes?: number;
  kept?: number;
  /** The error code on failure ("etcd-unreachable", "backup-timeout", ...). */
  reason?: string;
}

export interface DrillOutcome {
  at: Date;
  ok: boolean;
  durationMs: number;
  backupName?: string;
  /** The failed step, or the error code when the drill could not run. */
  reason?: string;
}

export interface DaemonState {
  startedAt: Date;
  /** The newest good backup's time, from the repository at start or from a run. */
  lastSuccessAt?: Date;
  lastBackup?: BackupOutcome;
  lastSuccess?: BackupOutcome;
  successes: number;
  failures: Map<string, number>;
  lastDrill?: DrillOutcome;
  lastDrillSuccessAt?: Date;
  drillFailures: Map<string, number>;
  nextBackupAt?: Date;
  nextDrillAt?: Date;
  /** Retries of failed scheduled backups within their slot. */
  retries: number;
  /** Backups whose manifest is dated after this host's clock (never counted as good). */
  futureDated: string[];
}

export function createDaemonState(startedAt: Date): DaemonState {
  return { startedAt, successes: 0, failures: new Map(), drillFailures: new Map(), retries: 0, futureDated: [] };
}

export function recordBackup(state: DaemonState, outcome: BackupOutcome): void {
  state.lastBackup = outcome;
  if (outcome.ok) {
    state.lastSuccess = outcome;
    state.lastSuccessAt = outcome.at;
    state.successes++;
  } else {
    const reason = outcome.reason ?? 'internal';
    state.failures.set(reason, (state.failures.get(reason) ?? 0) + 1);
  }
}

export function recordDrill(state: DaemonState, outcome: DrillOutcome): void {
  state.lastDrill = outcome;
  if (outcome.ok) {
    state.lastDrillSuccessAt = outcome.at;
  } else {
    const reason = outcome.reason ?? 'internal';
    state.drillFailures.set(reason, (state.drillFailures.get(reason) ?? 0) + 1);
  }
}

const seconds = (d: Date | undefined) => (d ? d.getTime() / 1000 : 0);
const one = (value: number) => [{ value }];
const byReason = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reason, value]) => ({ labels: { reason }, value }));

/** The daemon's metric families, in a fixed order. */
export function daemonMetricFamilies(state: DaemonState): MetricFamily[] {
  const families: MetricFamily[] = [
    { name: 'kubekeeper_backup_last_success_timestamp_seconds', type: 'gauge', help: 'When the newest good backup was taken (0: none known).', samples: one(seconds(state.lastSuccessAt)) },
    { name: 'kubekeeper_backup_last_attempt_timestamp_seconds', type: 'gauge', help: 'When the last backup attempt ended (0: none yet).', samples: one(seconds(state.lastBackup?.at)) },
    { name: 'kubekeeper_backup_last_attempt_success', type: 'gauge', help: '1 if the last backup attempt succeeded, 0 if it failed or none ran yet.', samples: one(state.lastBackup?.ok ? 1 : 0) },
    { name: 'kubekeeper_backup_last_duration_seconds', type: 'gauge', help: 'Duration of the last backup attempt.', samples: one((state.lastBackup?.durationMs ?? 0) / 1000) },
    { name: 'kubekeeper_backup_last_size_bytes', type: 'gauge', help: 'Bytes stored by the last successful backup.', samples: one(state.lastSuccess?.bytes ?? 0) },
    { name: 'kubekeeper_backups_kept', type: 'gauge', help: 'Good backups in the repository after the last retention run.', samples: one(state.lastSuccess?.kept ?? 0) },
    { name: 'kubekeeper_backup_successes_total', type: 'counter', help: 'Backups completed by this daemon.', samples: one(state.successes) },
    { name: 'kubekeeper_backup_failures_total', type: 'counter', help: 'Failed backup attempts by this daemon, by error code.', samples: byReason(state.failures) },
    { name: 'kubekeeper_backup_retries_total', type: 'counter', help: 'Retries of failed scheduled backups within their slot.', samples: one(state.retries) },
    { name: 'kubekeeper_backups_future_dated', type: 'gauge', help: 'Backups dated after this host\'s clock (forged or skewed; never counted as good).', samples: one(state.futureDated.length) },
    { name: 'kubekeeper_backup_next_run_timestamp_seconds', type: 'gauge', help: 'When the next backup is due (0: none scheduled).', samples: one(seconds(state.nextBackupAt)) },
    { name: 'kubekeeper_drill_last_success_timestamp_seconds', type: 'gauge', help: 'When the last restore drill passed (0: never).', samples: one(seconds(state.lastDrillSuccessAt)) },
    { name: 'kubekeeper_drill_last_timestamp_seconds', type: 'gauge', help: 'When the last restore drill ended (0: none yet).', samples: one(seconds(state.lastDrill?.at)) },
    { name: 'kubekeeper_drill_last_success', type: 'gauge', help: '1 if the last restore drill passed, 0 if it failed or none ran yet.', samples: one(state.lastDrill?.ok ? 1 : 0) },
    { name: 'kubekeeper_drill_last_duration_seconds', type: 'gauge', help: 'Duration of the last restore drill.', samples: one((state.lastDrill?.durationMs ?? 0) / 1000) },
    { name: 'kubekeeper_drill_failures_total', type: 'counter', help: 'Failed restore drills, by failed step or error code.', samples: byReason(state.drillFailures) },
  ];
  return families;
}
