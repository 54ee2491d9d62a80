/**
 * One unattended backup, as cron, a systemd timer, a Kubernetes CronJob or the daemon runs
 * it: take the host's backup lock, save a backup from the configured etcd into the
 * repository, apply retention, release the lock. Every step is logged as one structured
 * event; nothing secret is logged. The whole run is bounded by `backup.timeout`.
 */
import {
  defaultBackupName, loadBackupRecipients, pruneBackups, saveBackup, snapshotSourceFromEtcd,
} from '../backup/index.js';
import { connectEtcd } from '../etcd/index.js';
import { AppError, messageOf } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { isEmptyPolicy } from '../schedule/index.js';
import type { KubekeeperConfig } from './config.js';
import { openConfiguredRepository } from './config-repository.js';
import { acquireLock } from './lock.js';
import { NotLeaderError, runAsLeader } from './run-election.js';

export interface RunBackupOptions {
  signal?: AbortSignal;
  logger?: Logger;
  now?: () => Date;
  /** Wait this long for another run's lock; default 0 (fail at once). */
  lockWaitMs?: number;
  /** Environment for S3 credentials not in the config; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The backup's name; default backupNameFor(config, now()). The operator names backups after their schedule slot. */
  name?: string;
}

export interface BackupRunResult {
  backupName: string;
  /** Bytes stored in the repository for this backup (all objects). */
  bytes: number;
  /** Snapshot bytes read from etcd. */
  snapshotBytes: number;
  durationMs: number;
  /** Backups removed by retention, and how many good ones remain. */
  pruned: string[];
  kept: number;
  /** True when a stale lock from a dead run was taken over. */
  lockTakenOver?: boolean;
  /** Backups in the repository dated after this host's clock (never counted as good). */
  futureDated?: string[];
}

/** The run hit `backup.timeout`. */
export class BackupTimeoutError extends AppError {
  constructor(timeoutMs: number) {
    super('backup-timeout', `The backup did not finish within ${Math.round(timeoutMs / 1000)}s (backup.timeout)`, {
      hint: 'Raise backup.timeout in the config (RKE: backup_config.timeout), or check the etcd and repository latency',
    });
  }
}

/** Backup name for this run: "<namePrefix>-<UTC time>". */
export function backupNameFor(config: KubekeeperConfig, at: Date): string {
  return `${config.backup.namePrefix ?? 'etcd'}-${defaultBackupName(at).slice('etcd-'.length)}`;
}

/**
 * Runs one backup and retention under the lock `config.lockFile`. Throws LockHeldError when
 * another run holds it past `lockWaitMs`, BackupTimeoutError after `backup.timeoutMs`, and
 * the save/prune errors otherwise; logs `backup.run.failed` with the error code first.
 */
export async function runBackupOnce(config: KubekeeperConfig, options: RunBackupOptions = {}): Promise<BackupRunResult> {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  const timeout = AbortSignal.timeout(config.backup.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  logger.log('info', 'backup.run.start', { config: config.source.path, format: config.source.format, repository: config.repository.url });
  try {
    // One node per cluster runs the slot (NotLeaderError on the others): see run-election.ts.
    return await runAsLeader(config, 'backup', { signal, logger }, async (leaderSignal = signal) => {
      const lock = await acquireLock(config.lockFile, { waitMs: options.lockWaitMs, signal: leaderSignal, logger });
      try {
        const result = await backupAndPrune(config, { ...options, signal: leaderSignal, logger, now });
        const done = { ...result, durationMs: Date.now() - started, ...(lock.takenOver ? { lockTakenOver: true } : {}) };
        logger.log('info', 'backup.run.done', { backup: done.backupName, bytes: done.bytes, snapshotBytes: done.snapshotBytes, durationMs: done.durationMs, pruned: done.pruned.length, kept: done.kept, lockTakenOver: lock.takenOver });
        return done;
      } finally {
        await lock.release();
      }
    });
  } catch (err) {
    if (err instanceof NotLeaderError) throw err; // logged as backup.skipped: not a failure
    // Stopped by the caller (SIGTERM): not a failure; nothing half-written is listed as good.
    if (options.signal?.aborted) {
      logger.log('warn', 'backup.run.interrupted', { error: messageOf(err), durationMs: Date.now() - started });
      throw err;
    }
    const error = timeout.aborted ? new BackupTimeoutError(config.backup.timeoutMs) : err;
    logger.log('error', 'backup.run.failed', { code: error instanceof AppError ? error.code : 'internal', error: messageOf(error), durationMs: Date.now() - started });
    throw error;
  }
}

async function backupAndPrune(config: KubekeeperConfig, options: RunBackupOptions & { signal: AbortSignal; logger: Logger; now: () => Date }): Promise<Omit<BackupRunResult, 'durationMs'>> {
  const { signal, logger, now } = options;
  const recipients = await loadBackupRecipients({ recipients: config.backup.recipients, passphraseFile: config.backup.passphraseFile });
  const { repo, close } = await openConfiguredRepository(config, options.env ?? process.env, logger);
  try {
    const client = await connectEtcd(config.etcd, signal);
    let saved;
    try {
      saved = await saveBackup(repo, snapshotSourceFromEtcd(client), {
        name: options.name ?? backupNameFor(config, now()), compression: config.backup.compression, recipients, include: config.backup.include, signal, logger, now,
      });
    } finally {
      client.close();
    }
    let pruned: string[] = [];
    let kept = 0;
    let futureDated: string[];
    if (!isEmptyPolicy(config.retention)) {
      const prune = await pruneBackups(repo, { policy: config.retention, signal, logger, now: now(), ...(config.deltas?.orphanGraceMs ? { deltaOrphanGraceMs: config.deltas.orphanGraceMs } : {}) });
      pruned = prune.removedBackups;
      kept = prune.plan.keep.length;
      futureDated = prune.skipped.filter((b) => b.status === 'future').map((b) => b.name);
    } else {
      const backups = (await repo.listBackups(signal, now())).backups;
      kept = backups.filter((b) => b.status === 'ok').length;
      futureDated = backups.filter((b) => b.status === 'future').map((b) => b.name);
    }
    return { backupName: saved.manifest.name, bytes: saved.storedBytes, snapshotBytes: saved.snapshotBytes, pruned, kept, futureDated };
  } finally {
    await close();
  }
}
