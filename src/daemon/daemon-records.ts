/**
 * Run records written by the daemon and configured drills: the drill's result (or why it
 * could not run) and failed backup runs, stored in the configured repository and signed with
 * backup.signingKeyFile when set. A record that cannot be written is logged, never fails the
 * run it describes.
 */
import { loadSigningKey } from '../crypto/index.js';
import { type RunRecord, writeRunRecord } from '../dashboard/index.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Backend } from '../storage/index.js';
import type { KubekeeperConfig } from './config.js';
import { openConfiguredRepository } from './config-repository.js';

/** A record is a few hundred bytes: a store that takes longer than this is down, and the run must not wait on it. */
export const RUN_RECORD_TIMEOUT_MS = 30_000;

/** Writes `record` to an already open repository backend; logs instead of throwing. */
export async function storeRunRecord(config: KubekeeperConfig, backend: Backend, record: RunRecord, logger: Logger): Promise<void> {
  try {
    const key = config.backup.signingKeyFile ? await loadSigningKey(config.backup.signingKeyFile) : undefined;
    const name = await writeRunRecord(backend, record, key, AbortSignal.timeout(RUN_RECORD_TIMEOUT_MS));
    logger.log('info', 'run-record.written', { kind: record.kind, name, ok: record.ok });
  } catch (err) {
    logger.log('warn', 'run-record.failed', { kind: record.kind, error: messageOf(err) });
  }
}

/** Opens the configured repository just to store `record` (a failed backup run's). */
export async function recordRun(config: KubekeeperConfig, env: NodeJS.ProcessEnv, logger: Logger, record: RunRecord): Promise<void> {
  try {
    const { repo, close } = await openConfiguredRepository(config, env, logger);
    try {
      await storeRunRecord(config, repo.backend, record, logger);
    } finally {
      await close();
    }
  } catch (err) {
    logger.log('warn', 'run-record.failed', { kind: record.kind, error: messageOf(err) });
  }
}
