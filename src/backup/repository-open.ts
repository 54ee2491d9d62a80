/** Opens a BackupRepository from a --repo reference (path, file:// or s3:// URL). */
import { type Logger, silentLogger } from '../logger.js';
import { type RetryOptions, type S3Config, openBackend, parseRepository } from '../storage/index.js';
import type { SigningKey } from '../crypto/index.js';
import type { ManifestTrust } from './manifest-signature.js';
import { BackupRepository } from './repository.js';

export interface OpenRepositoryOptions {
  /** S3 settings from flags; they override the URL's query parameters. */
  s3?: Partial<S3Config>;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  retry?: RetryOptions | false;
  /** Signs the manifests this repository writes. */
  signer?: SigningKey;
  /** Trusted signers of the manifests it reads. */
  trust?: ManifestTrust;
}

/** The repository at `ref`, its backend wrapped in withRetry(). Close it with `repo.backend.close()`. */
export async function openBackupRepository(ref: string, options: OpenRepositoryOptions = {}): Promise<BackupRepository> {
  const logger = options.logger ?? silentLogger;
  const backend = await openBackend(parseRepository(ref, options.s3), { env: options.env, logger, retry: options.retry });
  return new BackupRepository(backend, { logger, signer: options.signer, trust: options.trust });
}
