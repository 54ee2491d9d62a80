/**
 * The daemon's delta streamer (config `deltas`): runs streamDeltas beside the schedules, takes
 * a full backup through the daemon's own backup run after a compaction gap, and turns the
 * streamer's status into metrics and a health verdict. Composition only.
 */
import { type DeltaStreamStatus, loadBackupIdentities, loadBackupRecipients, mergeDeltaSegments, streamDeltas } from '../backup/index.js';
import { connectEtcd } from '../etcd/index.js';
import { abortableSleep } from '../storage/index.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { KubekeeperConfig } from './config.js';
import { DEFAULT_MERGE_INTERVAL_MS, DEFAULT_MERGE_PERIOD_MS, type DeltaMergeKeys, deltaMergeKeys } from './config-deltas.js';
import { openConfiguredRepository } from './config-repository.js';
import type { MetricFamily } from './metrics.js';

/** Wait before restarting a streamer that failed outright (its own restarts are quicker). */
const RESTART_AFTER_FAILURE_MS = 5000;

export interface DeltaRunnerOptions {
  signal: AbortSignal;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** Runs one full backup (the daemon's serial backup job) and returns its revision. */
  takeFullBackup: () => Promise<number>;
}

/** Live status for metrics and health; `status` is replaced on every report. */
export interface DeltaRunner {
  status: DeltaStreamStatus;
  /** Since when the streamer keeps failing to run (cleared by its next report). */
  failingSince?: number;
  /** The message of its newest failure (kept after a recovery, for status reports). */
  lastError?: string;
  /** Settles once `signal` fired and the streamer stopped. */
  done: Promise<void>;
}

/**
 * Starts the streamer (it restarts itself after failures until `signal` fires) and the
 * periodic merge. Throws at once when merging is on and the config holds no key for it.
 */
export function startDeltaRunner(config: KubekeeperConfig, options: DeltaRunnerOptions): DeltaRunner {
  const runner: DeltaRunner = { status: { leader: false, storedRevision: 0, etcdRevision: 0, segmentsWritten: 0, gaps: 0, restarts: 0 }, done: Promise.resolve() };
  const deltas = config.deltas;
  if (!deltas?.enabled) return runner;
  const mergeKeys = deltaMergeKeys(config);
  const { signal, logger } = options;
  let restarts = 0;
  let segments = 0;
  let gaps = 0;
  // Only the elected streamer merges: one merger per cluster, however many daemons run.
  const merging = mergeKeys ? startMerging(config, mergeKeys, options, () => runner.status.leader) : Promise.resolve();
  const streaming = (async () => {
    while (!signal.aborted) {
      try {
        const recipients = await loadBackupRecipients({ recipients: config.backup.recipients, passphraseFile: config.backup.passphraseFile });
        const { repo, close } = await openConfiguredRepository(config, options.env, logger);
        const client = await connectEtcd(config.etcd, signal);
        try {
          await streamDeltas({
            client, connect: () => connectEtcd(config.etcd, signal), repo, recipients, compression: config.backup.compression, flushIntervalMs: deltas.flushIntervalMs, watchPollMs: deltas.watchPollMs, flushBytes: deltas.flushBytes,
            electionTtlSeconds: deltas.electionTtlMs ? Math.round(deltas.electionTtlMs / 1000) : undefined, commandTimeoutMs: config.etcd.commandTimeoutMs,
            signal, logger, takeFullBackup: options.takeFullBackup,
            // Counters survive a restart of the whole streamer.
            onStatus: (s) => {
              runner.status = { ...s, segmentsWritten: segments + s.segmentsWritten, gaps: gaps + s.gaps, restarts: restarts + s.restarts };
              runner.failingSince = undefined;
            },
          });
        } finally {
          client.close();
          await close();
        }
      } catch (err) {
        if (signal.aborted) break;
        ({ segmentsWritten: segments, gaps } = runner.status);
        restarts = runner.status.restarts + 1;
        runner.status = { ...runner.status, leader: false, restarts };
        runner.failingSince ??= Date.now();
        runner.lastError = messageOf(err);
        logger.log('error', 'delta.stream.failed', { error: messageOf(err), restarts });
        await abortableSleep(RESTART_AFTER_FAILURE_MS, signal).catch(() => undefined);
      }
    }
  })();
  runner.done = Promise.all([streaming, merging]).then(() => undefined);
  return runner;
}

/**
 * Every deltas.mergeInterval (default 1 h), while this process is the elected streamer,
 * merges the finished periods' segments (deltas.mergePeriod, default UTC days; only periods
 * not merged yet have several).
 */
async function startMerging(config: KubekeeperConfig, keys: DeltaMergeKeys, options: DeltaRunnerOptions, leading: () => boolean): Promise<void> {
  const { signal, logger } = options;
  const intervalMs = config.deltas?.mergeIntervalMs ?? DEFAULT_MERGE_INTERVAL_MS;
  logger.log('info', 'delta.merge.enabled', { keys: keys.source, intervalMs, periodMs: config.deltas?.mergePeriodMs ?? DEFAULT_MERGE_PERIOD_MS });
  for (; !signal.aborted; await sleepUnlessAborted(intervalMs, signal)) {
    if (!leading()) continue;
    try {
      const identities = await loadBackupIdentities({ identityFiles: keys.identityFiles, passphraseFile: keys.passphraseFile, unattended: true });
      const recipients = await loadBackupRecipients({ recipients: config.backup.recipients, passphraseFile: config.backup.passphraseFile });
      const { repo, close } = await openConfiguredRepository(config, options.env, logger);
      try {
        const result = await mergeDeltaSegments(repo, {
          identities, recipients, compression: config.backup.compression, signal, logger, ...(config.deltas?.mergePeriodMs ? { periodMs: config.deltas.mergePeriodMs } : {}),
        });
        if (result.merged.length > 0) logger.log('info', 'delta.merge.run', { merged: result.merged.length, removedParts: result.removedParts });
      } finally {
        await close();
      }
    } catch (err) {
      if (signal.aborted) break;
      logger.log('error', 'delta.merge.failed', { error: messageOf(err) });
    }
  }
}

/** Resolves after `ms` or once `signal` fires; the timer does not keep the process alive. */
function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** Seconds and revisions the recovery point trails etcd; 0 when everything received is stored. */
export function deltaLag(status: DeltaStreamStatus, now: Date): { seconds: number; revisions: number } {
  const revisions = Math.max(0, status.etcdRevision - status.storedRevision);
  const seconds = status.oldestPendingAt === undefined ? 0 : Math.max(0, (now.getTime() - status.oldestPendingAt) / 1000);
  return { seconds, revisions };
}

export function deltaMetricFamilies(status: DeltaStreamStatus, now: Date): MetricFamily[] {
  const lag = deltaLag(status, now);
  const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'gauge', samples: [{ value }] });
  const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ value }] });
  return [
    gauge('kubekeeper_delta_leader', 'Whether this process is the cluster\'s delta streamer (1) or waits for the election (0).', status.leader ? 1 : 0),
    gauge('kubekeeper_delta_recovery_point_revision', 'The last etcd revision stored in a delta segment.', status.storedRevision),
    gauge('kubekeeper_delta_recovery_point_lag_seconds', 'Seconds since the oldest change not yet stored was received (0: all stored).', lag.seconds),
    gauge('kubekeeper_delta_recovery_point_lag_revisions', 'Revisions etcd is ahead of the last stored one.', lag.revisions),
    counter('kubekeeper_delta_segments_written_total', 'Delta segments stored.', status.segmentsWritten),
    counter('kubekeeper_delta_gaps_total', 'Revision ranges compacted away before they were stored (each answered with a full backup).', status.gaps),
    counter('kubekeeper_delta_stream_restarts_total', 'Watch streams reopened after a failure.', status.restarts),
  ];
}

/** Unhealthy when this process streams and its recovery point lags longer than `maxLagMs`. */
export function deltaHealth(runner: Pick<DeltaRunner, 'status' | 'failingSince'>, now: Date, maxLagMs: number): { healthy: boolean; reason: string } {
  const { status } = runner;
  const failingSince = runner.failingSince ?? status.failingSince;
  if (failingSince !== undefined && now.getTime() - failingSince > maxLagMs) {
    return { healthy: false, reason: `delta stream: failing for ${Math.round((now.getTime() - failingSince) / 1000)}s (see the delta.stream.* logs), more than ${Math.round(maxLagMs / 1000)}s` };
  }
  if (!status.leader) return { healthy: true, reason: 'delta stream: another node streams (or the election is pending)' };
  const lag = deltaLag(status, now);
  return lag.seconds * 1000 <= maxLagMs
    ? { healthy: true, reason: `delta stream: recovery point revision ${status.storedRevision}, ${Math.round(lag.seconds)}s behind (limit ${Math.round(maxLagMs / 1000)}s)` }
    : { healthy: false, reason: `delta stream: recovery point revision ${status.storedRevision} lags ${Math.round(lag.seconds)}s (${lag.revisions} revisions), more than ${Math.round(maxLagMs / 1000)}s` };
}
