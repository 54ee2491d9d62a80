/**
 * A restore drill as the config describes it (`drill --config` and the daemon's drill
 * schedule): the configured repository, the drill's identities or passphrase, etcd binary,
 * expected keys and timeout. The drill itself is backup/runRestoreDrill.
 */
import { type RestoreDrillResult, loadBackupIdentities, runRestoreDrill } from '../backup/index.js';
import { AppError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import type { KubekeeperConfig } from './config.js';
import { openConfiguredRepository } from './config-repository.js';
import { drillErrorRecord, drillRunRecord } from '../dashboard/index.js';
import { storeRunRecord } from './daemon-records.js';

export interface ConfiguredDrillOptions {
  /** A backup name or "latest" (default). */
  ref?: string;
  signal?: AbortSignal;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  workDir?: string;
  /** Store the result as a run record in the repository (default true). */
  record?: boolean;
}

/** Runs one drill under `drill.timeoutMs`; a timeout throws an AppError ("drill-timeout") naming the limit. */
export async function runConfiguredDrill(config: KubekeeperConfig, options: ConfiguredDrillOptions = {}): Promise<RestoreDrillResult> {
  const logger = options.logger ?? silentLogger;
  const env = options.env ?? process.env;
  const timeout = AbortSignal.timeout(config.drill.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const identities = await loadBackupIdentities({
    identityFiles: config.drill.identityFiles, passphraseFile: config.drill.passphraseFile, passphrase: env.KUBEKEEPER_PASSPHRASE || undefined, unattended: true,
  });
  const { repo, close } = await openConfiguredRepository(config, env, logger, true);
  const started = new Date();
  try {
    const result = await runRestoreDrill(repo, {
      ref: options.ref ?? 'latest', identities, etcdBinary: config.drill.etcdBinary, expectKeys: config.drill.expectKeys,
      startTimeoutMs: Math.min(config.drill.timeoutMs, 120_000), workDir: options.workDir, signal, logger, env,
    });
    // The repository keeps the drill history (the dashboard reads it there).
    if (options.record !== false) await storeRunRecord(config, repo.backend, drillRunRecord(result), logger);
    return result;
  } catch (err) {
    let failure = err;
    if (timeout.aborted && !options.signal?.aborted) {
      failure = new AppError('drill-timeout', `The restore drill did not finish within ${Math.round(config.drill.timeoutMs / 1000)}s (drill.timeout)`, {
        hint: 'Raise drill.timeout in the config, or give the drill a faster --work-dir',
      });
    }
    // A drill stopped by shutdown is no result; one that could not run (timeout, no etcd) is a failed drill.
    if (options.record !== false && !options.signal?.aborted && failure instanceof AppError) {
      await storeRunRecord(config, repo.backend, drillErrorRecord(started, Date.now() - started.getTime(), failure.code, failure.message), logger);
    }
    throw failure;
  } finally {
    await close();
  }
}
