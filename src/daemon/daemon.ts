/**
 * `kubekeeper daemon`: composition only. Backups on the configured schedule (every N as RKE
 * does, or cron) with jitter and retention after each success (runBackupOnce), restore
 * drills on their own schedule, a /metrics and /healthz endpoint, JSON logs. Backups and
 * drills run one at a time. When `signal` fires (SIGTERM/SIGINT) no new run starts, the
 * run in flight is aborted through the same signal (an aborted upload never gets its
 * manifest, so nothing half-written is listed as good), the server closes, and the
 * promise resolves.
 */
import { type RestoreDrillResult } from '../backup/index.js';
import { AppError, messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { type Schedule, firstPlannedRun, parseCron } from '../schedule/index.js';
import { type BackupRunResult, type RunBackupOptions, runBackupOnce } from './backup-run.js';
import { type Clock, systemClock } from './clock.js';
import type { KubekeeperConfig } from './config.js';
import { openConfiguredRepository } from './config-repository.js';
import { type ConfiguredDrillOptions, runConfiguredDrill } from './daemon-drill.js';
import { type DaemonState, createDaemonState, daemonMetricFamilies, recordBackup, recordDrill } from './daemon-state.js';
import { checkHealth } from './health.js';
import { backupFailureRecord, type DashboardServer } from '../dashboard/index.js';
import { startConfiguredDashboard } from './daemon-dashboard.js';
import { recordRun } from './daemon-records.js';
import { renderMetrics } from './metrics.js';
import { type MetricsServer, startMetricsServer } from './metrics-server.js';
import { type RetryBackoff, createSerialQueue, runSchedule } from './scheduler.js';
import { countSkip, runAsLeader, skipMetricFamily, type SkipCounts } from './run-election.js';
import { createMaintenanceState, maintenanceMetricFamilies, runScheduledDefrag } from './daemon-maintenance.js';
import { deltaMergeKeys } from './config-deltas.js';
import { type DeltaRunner, deltaHealth, deltaMetricFamilies, startDeltaRunner } from './daemon-deltas.js';

/** RKE's default `interval_hours: 12` when the config names no schedule. */
export const DEFAULT_BACKUP_INTERVAL_MS = 12 * 3_600_000;
/** Retries of a failed scheduled backup: 30 s, 1 min, 2 min, ... at most 15 min apart, within the slot. */
export const DEFAULT_BACKUP_RETRY: RetryBackoff = { initialMs: 30_000, maxMs: 15 * 60_000 };
/** A drill a day when drills are enabled without a schedule. */
export const DEFAULT_DRILL_INTERVAL_MS = 24 * 3_600_000;

export interface DaemonOptions {
  signal: AbortSignal;
  logger: Logger;
  clock?: Clock;
  random?: () => number;
  env?: NodeJS.ProcessEnv;
  /** Serve certificate expiry gauges for this PKI dir (kubeadm or RKE layout). */
  pkiDir?: string;
  /** Told the metrics address once the server listens. */
  onListening?: (address: { host: string; port: number }) => void;
  /** Told the dashboard's URL once it listens (config.dashboard set). */
  onDashboard?: (url: string) => void;
  /** Seams for tests; default the real backup run and drill. */
  runBackup?: (config: KubekeeperConfig, options: RunBackupOptions) => Promise<BackupRunResult>;
  runDrill?: (config: KubekeeperConfig, options: ConfiguredDrillOptions) => Promise<RestoreDrillResult>;
  /** Backoff for retries of a failed backup within its slot; default DEFAULT_BACKUP_RETRY. */
  backupRetry?: RetryBackoff;
}

function scheduleOf(interval: number | undefined, cron: string | undefined, fallbackMs: number): Schedule {
  return cron !== undefined ? { cron: parseCron(cron) } : { intervalMs: interval ?? fallbackMs };
}

const codeOf = (err: unknown) => (err instanceof AppError ? err.code : 'internal');

/** Runs until `options.signal` fires; throws only when it cannot start (metrics port taken). */
export async function runDaemon(config: KubekeeperConfig, options: DaemonOptions): Promise<DaemonState> {
  const { signal, logger } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const env = options.env ?? process.env;
  // A deltas merge without a key to read segments with is refused now, not at the first merge.
  deltaMergeKeys(config);
  const state = createDaemonState(clock.now());
  const skips: SkipCounts = new Map();
  const backupSchedule = scheduleOf(config.schedule.intervalMs, config.schedule.cron, DEFAULT_BACKUP_INTERVAL_MS);
  const drillSchedule = scheduleOf(config.drill.intervalMs, config.drill.cron, DEFAULT_DRILL_INTERVAL_MS);
  await seedLastSuccess(config, state, env, logger);
  const maintenanceState = createMaintenanceState();

  let server: MetricsServer | undefined;
  let deltaRunner: DeltaRunner | undefined;
  if (config.metrics.listen) {
    server = await startMetricsServer({
      listen: config.metrics.listen,
      metrics: async () => (await renderAll(state, clock, options.pkiDir, skips, deltaRunner)) + renderMetrics(await maintenanceMetricFamilies(config, maintenanceState, signal)),
      health: () => {
        const backups = checkHealth(state, clock.now(), config.metrics.staleAfterMs);
        if (!deltaRunner || !config.deltas) return backups;
        const deltas = deltaHealth(deltaRunner, clock.now(), config.deltas.maxLagMs);
        return { ...backups, healthy: backups.healthy && deltas.healthy, reason: `${backups.reason}; ${deltas.reason}` };
      },
    });
    options.onListening?.({ host: server.host, port: server.port });
  }
  let dashboard: DashboardServer | undefined;
  try {
    dashboard = await startConfiguredDashboard(config, { env, logger, pkiDir: options.pkiDir, clock, state, deltaRunner: () => deltaRunner });
  } catch (err) {
    await server?.close();
    throw err;
  }
  if (dashboard) {
    options.onDashboard?.(dashboard.url);
    logger.log('info', 'dashboard.listening', { url: dashboard.url });
  }
  logger.log('info', 'daemon.start', {
    config: config.source.path, repository: config.repository.url, schedule: config.schedule.cron ?? `every ${Math.round(('intervalMs' in backupSchedule ? backupSchedule.intervalMs : 0) / 1000)}s`,
    jitterMs: config.schedule.jitterMs, drill: config.drill.enabled, metrics: server ? `${server.host}:${server.port}` : 'off',
  });

  const serial = createSerialQueue();
  const backupJob = () => serial(async (): Promise<boolean> => {
    if (signal.aborted) return true;
    const started = clock.now();
    try {
      const r = await (options.runBackup ?? runBackupOnce)(config, { signal, logger, now: () => clock.now(), env });
      recordBackup(state, { at: clock.now(), ok: true, durationMs: r.durationMs, backupName: r.backupName, bytes: r.bytes, kept: r.kept });
      if (r.futureDated) state.futureDated = r.futureDated;
      return true;
    } catch (err) {
      const durationMs = clock.now().getTime() - started.getTime();
      // Interrupted by shutdown: not a failure of the backup, and nothing was listed as good.
      if (signal.aborted) {
        logger.log('warn', 'backup.run.interrupted', { durationMs });
        return true;
      }
      // Another node ran this slot (logged as backup.skipped): done here, nothing to retry.
      if (countSkip(skips, err)) return true;
      recordBackup(state, { at: clock.now(), ok: false, durationMs, reason: codeOf(err) });
      // No manifest tells of a failed run: a record in the repository does (the dashboard's timeline).
      await recordRun(config, env, logger, backupFailureRecord(started, durationMs, codeOf(err), messageOf(err)));
      return false;
    }
  });
  const drillJob = () => serial(async () => {
    if (signal.aborted) return;
    const started = clock.now();
    try {
      const r = await runAsLeader(config, 'drill', { signal, logger }, (s) => (options.runDrill ?? runConfiguredDrill)(config, { signal: s, logger, env }));
      recordDrill(state, { at: clock.now(), ok: r.ok, durationMs: r.durationMs, backupName: r.backupName, reason: r.failedStep });
    } catch (err) {
      if (signal.aborted) return logger.log('warn', 'drill.interrupted', {});
      if (countSkip(skips, err)) return;
      logger.log('error', 'drill.failed', { code: codeOf(err), error: messageOf(err) });
      recordDrill(state, { at: clock.now(), ok: false, durationMs: clock.now().getTime() - started.getTime(), reason: codeOf(err) });
    }
  });

  if (config.deltas?.enabled) {
    deltaRunner = startDeltaRunner(config, {
      signal, logger, env,
      // After a compaction gap: a full backup through the same serial job as scheduled ones.
      takeFullBackup: async () => {
        if (!(await backupJob())) throw new AppError('delta-full-backup-failed', 'The full backup after a delta gap failed', { hint: 'See the backup.run.failed log' });
        const { repo, close } = await openConfiguredRepository(config, env, logger);
        try {
          const newest = (await repo.listBackups(signal)).backups.find((b) => b.status === 'ok');
          return newest?.manifest?.cluster.revision ?? 0;
        } finally {
          await close();
        }
      },
    });
  }
  const loops = [runSchedule({
    name: 'backup', schedule: backupSchedule, jitterMs: config.schedule.jitterMs, run: backupJob,
    firstPlanned: firstPlannedRun(backupSchedule, clock.now(), state.lastSuccessAt),
    retry: options.backupRetry ?? DEFAULT_BACKUP_RETRY,
    onRetry: (attempt, at) => {
      state.retries++;
      logger.log('warn', 'backup.retry', { attempt, at: at.toISOString() });
    },
    onNext: (at) => {
      state.nextBackupAt = at;
      logger.log('info', 'backup.next', { at: at.toISOString() });
    },
  }, { clock, signal, random })];
  if (config.drill.enabled) {
    loops.push(runSchedule({
      name: 'drill', schedule: drillSchedule, jitterMs: config.schedule.jitterMs, run: drillJob,
      // The first drill waits one period (or the next cron match): the first backup comes first.
      firstPlanned: firstPlannedRun(drillSchedule, clock.now(), clock.now()),
      onNext: (at) => {
        state.nextDrillAt = at;
        logger.log('info', 'drill.next', { at: at.toISOString() });
      },
    }, { clock, signal, random }));
  }
  const defrag = config.maintenance?.defrag;
  if (defrag?.enabled) {
    const defragSchedule = scheduleOf(defrag.intervalMs, defrag.cron, DEFAULT_DRILL_INTERVAL_MS);
    const defragJob = () => serial(async () => {
      if (signal.aborted) return;
      await runAsLeader(config, 'defrag', { signal, logger }, (s) => runScheduledDefrag(config, maintenanceState, { signal: s, logger, now: () => clock.now() }))
        .catch((err: unknown) => void countSkip(skips, err));
    });
    loops.push(runSchedule({
      name: 'defrag', schedule: defragSchedule, jitterMs: config.schedule.jitterMs, run: defragJob,
      firstPlanned: firstPlannedRun(defragSchedule, clock.now(), clock.now()),
      onNext: (at) => logger.log('info', 'defrag.next', { at: at.toISOString() }),
    }, { clock, signal, random }));
  }
  try {
    await Promise.all([...loops, deltaRunner?.done]);
  } finally {
    await server?.close();
    await dashboard?.close();
    logger.log('info', 'daemon.stop', { backups: state.successes, failures: [...state.failures.values()].reduce((a, b) => a + b, 0) });
  }
  return state;
}

/** The newest good backup already in the repository, so health and the first run know it. */
async function seedLastSuccess(config: KubekeeperConfig, state: DaemonState, env: NodeJS.ProcessEnv, logger: Logger): Promise<void> {
  try {
    const { repo, close } = await openConfiguredRepository(config, env, logger);
    try {
      // Only the daemon's own clock and history decide the schedule: a manifest dated in the
      // future is never the newest good backup; it is reported and makes health not OK.
      const listing = await repo.listBackups(undefined, state.startedAt);
      const newest = listing.backups.find((b) => b.status === 'ok');
      if (newest?.manifest) state.lastSuccessAt = new Date(newest.manifest.createdAt);
      state.futureDated = listing.backups.filter((b) => b.status === 'future').map((b) => b.name);
      for (const b of listing.backups.filter((x) => x.status === 'future')) logger.log('error', 'backup.future-dated', { name: b.name, createdAt: b.manifest?.createdAt ?? null });
    } finally {
      await close();
    }
  } catch (err) {
    // Not fatal: the first run will say what is wrong, and count it as a failure.
    logger.log('warn', 'daemon.repository.unreadable', { code: codeOf(err), error: messageOf(err) });
  }
}

async function renderAll(state: DaemonState, clock: Clock, pkiDir: string | undefined, skips: SkipCounts, deltas?: DeltaRunner): Promise<string> {
  const text = renderMetrics([...daemonMetricFamilies(state), skipMetricFamily(skips), ...(deltas ? deltaMetricFamilies(deltas.status, clock.now()) : [])]);
  if (!pkiDir) return text;
  // Loaded on first use: the X.509 library costs idle memory a daemon without --pki-dir never needs.
  const { buildExpirationReport, certificateExpiryMetrics, readPki } = await import('../certs/index.js');
  // An unreadable PKI dir drops the certificate gauges, never the backup metrics.
  const certs = await readPki({ pkiDir }).then(
    (inventory) => certificateExpiryMetrics(buildExpirationReport(inventory, { now: clock.now(), warnWithinMs: 0 }), clock.now()),
    () => '',
  );
  return text + certs;
}
