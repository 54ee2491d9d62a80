/**
 * The repository a config names, opened with the config's S3 settings: `backup run`, the
 * daemon and configured drills all go through here. An inline CA (RKE's custom_ca) goes to
 * a private temp file that `close()` removes; keys from the config win over the machine's
 * AWS_* variables (and a stray session token).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BackupRepository, openBackupRepository } from '../backup/index.js';
import { type SignerPublicKey, loadSigningKey, loadTrustedSigners } from '../crypto/index.js';
import type { Logger } from '../logger.js';
import type { KubekeeperConfig } from './config.js';

/** The config's trusted signers (repository.trustedSigners: keys or files of them), loaded. */
export async function configuredSigners(config: KubekeeperConfig): Promise<SignerPublicKey[]> {
  const signers: SignerPublicKey[] = [];
  for (const keyOrFile of config.repository.trustedSigners ?? []) signers.push(...(await loadTrustedSigners(keyOrFile)));
  return signers;
}

/**
 * Opens the configured repository: manifests it writes are signed with backup.signingKeyFile,
 * manifests it reads count only when one of repository.trustedSigners signed them (when any
 * is set). `expectEncrypted`: the reader holds an identity (drills), so an "encryption: none"
 * manifest is refused.
 */
export async function openConfiguredRepository(config: KubekeeperConfig, env: NodeJS.ProcessEnv, logger: Logger, expectEncrypted = false): Promise<{ repo: BackupRepository; close(): Promise<void> }> {
  const signers = await configuredSigners(config);
  const signer = config.backup.signingKeyFile ? await loadSigningKey(config.backup.signingKeyFile) : undefined;
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
  const keysInConfig = Boolean(s3?.accessKeyId && s3.secretAccessKey);
  const s3Env = s3?.accessKeyId && s3.secretAccessKey
    ? { ...env, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_SESSION_TOKEN: '' }
    : env;
  try {
    const repo = await openBackupRepository(config.repository.url, {
      s3: s3 ? {
        endpoint: s3.endpoint, region: s3.region, forcePathStyle: s3.pathStyle, caFile,
        ...(keysInConfig ? { credentialSource: 'repository.s3.accessKeyId/secretAccessKey in the config' } : {}),
      } : undefined,
      env: s3Env, logger, signer, trust: { signers, expectEncrypted },
    });
    return {
      repo,
      close: async () => {
        try {
          await repo.backend.close();
        } finally {
          await removeTmp();
        }
      },
    };
  } catch (err) {
    await removeTmp();
    throw err;
  }
}
