/**
 * A restore drill as the config describes it (`drill --config` and the daemon's drill
 * schedule): the configured repository, the drill's identities or passphrase, etcd binary,
 * expected keys and timeout. The drill itself is backup/runRestoreDrill.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BackupRepository, type RestoreDrillResult, loadBackupIdentities, openBackupRepository, runRestoreDrill } from '../backup/index.js';
import { AppError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import type { KubekeeperConfig } from './config.js';

export interface ConfiguredDrillOptions {
  /** A backup name or "latest" (default). */
  ref?: string;
  signal?: AbortSignal;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  workDir?: string;
}

/**
 * Opens the configured repository with the config's S3 settings; an inline CA (RKE's
 * custom_ca) goes to a private temp file removed by `close()`. Config keys win over the
 * machine's AWS_* variables, as in `backup run`.
 */
export async function openConfiguredRepository(config: KubekeeperConfig, env: NodeJS.ProcessEnv, logger: Logger): Promise<{ repo: BackupRepository; close(): Promise<void> }> {
  const s3 = config.repository.s3;
  let tmp: string | undefined;
  let caFile = s3?.caBundleFile;
  if (s3?.caBundlePem) {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'kubekeeper-ca-'));
    caFile = path.join(tmp, 'ca.pem');
    await writeFile(caFile, s3.caBundlePem, { mode: 0o600 });
  }
  const removeTmp = async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  };
  const s3Env = s3?.accessKeyId && s3.secretAccessKey
    ? { ...env, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_SESSION_TOKEN: '' }
    : env;
  try {
    const repo = await openBackupRepository(config.repository.url, {
      s3: s3 ? { endpoint: s3.endpoint, region: s3.region, forcePathStyle: s3.pathStyle, caFile } : undefined, env: s3Env, logger,
    });
    return { repo, close: async () => { await repo.backend.close(); await removeTmp(); } };
  } catch (err) {
    await removeTmp();
    throw err;
  }
}

/** Runs one drill under `drill.timeoutMs`; a timeout throws an AppError ("drill-timeout") naming the limit. */
export async function runConfiguredDrill(config: KubekeeperConfig, options: ConfiguredDrillOptions = {}): Promise<RestoreDrillResult> {
  const logger = options.logger ?? silentLogger;
  const env = options.env ?? process.env;
  const timeout = AbortSignal.timeout(config.drill.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const identities = await loadBackupIdentities({
    identityFiles: config.drill.identityFiles, passphraseFile: config.drill.passphraseFile, passphrase: env.KUBEKEEPER_PASSPHRASE || undefined,
  });
  const { repo, close } = await openConfiguredRepository(config, env, logger);
  try {
    return await runRestoreDrill(repo, {
      ref: options.ref ?? 'latest', identities, etcdBinary: config.drill.etcdBinary, expectKeys: config.drill.expectKeys,
      startTimeoutMs: Math.min(config.drill.timeoutMs, 120_000), workDir: options.workDir, signal, logger, env,
    });
  } catch (err) {
    if (timeout.aborted && !options.signal?.aborted) {
      throw new AppError('drill-timeout', `The restore drill did not finish within ${Math.round(config.drill.timeoutMs / 1000)}s (drill.timeout)`, {
        hint: 'Raise drill.timeout in the config, or give the drill a faster --work-dir',
      });
    }
    throw err;
  } finally {
    await close();
  }
}
