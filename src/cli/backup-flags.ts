/**
 * Flags shared by the `backup *` commands: where the repository is (--repo and the S3
 * settings) and the keys (recipients to save, identities or a passphrase to read). The
 * daemon builds the same options from its config file.
 */
import { type BackupKeySources, type BackupRepository, loadBackupIdentities, openBackupRepository, withBackupSnapshot } from '../backup/index.js';
import { type SignerPublicKey, type SigningKey, loadSigningKey, loadTrustedSigners } from '../crypto/index.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DEFAULT_REPOSITORY, type S3Config } from '../storage/index.js';
import type { FlagDef, FlagValues } from './command.js';

export const repoFlags = {
  repo: {
    type: 'string', env: ['KUBEKEEPER_REPO'], default: DEFAULT_REPOSITORY, valueName: 'REPO',
    description: 'Backup repository: a directory, file:///DIR or s3://BUCKET/FOLDER',
  },
  's3-endpoint': { type: 'string', env: ['KUBEKEEPER_S3_ENDPOINT'], valueName: 'URL', description: 'S3-compatible endpoint (MinIO, Ceph, ...); default AWS, or AWS_ENDPOINT_URL_S3' },
  's3-region': { type: 'string', valueName: 'REGION', description: 'S3 region; default AWS_REGION, else us-east-1' },
  's3-path-style': { type: 'string', choices: ['auto', 'true', 'false'], default: 'auto', description: 'Path-style URLs (auto: on with a custom endpoint)' },
  's3-ca-file': { type: 'string', env: ['KUBEKEEPER_S3_CA_FILE'], valueName: 'FILE', description: 'PEM CA bundle trusted for the endpoint (like RKE custom_ca)' },
  's3-credentials-file': {
    type: 'string', env: ['KUBEKEEPER_S3_CREDENTIALS_FILE'], valueName: 'FILE',
    description: 'Credentials file (AWS INI or KEY=value); default AWS_ACCESS_KEY_ID/..., AWS_PROFILE, ~/.aws',
  },
  's3-profile': { type: 'string', valueName: 'NAME', description: 'Profile in --s3-credentials-file' },
  's3-timeout': {
    type: 'duration', env: ['KUBEKEEPER_S3_TIMEOUT'], valueName: 'DURATION',
    description: 'Bound of each S3 request: connect, first byte, every idle gap (default 60s; 3 attempts per request)',
  },
  'trusted-signer': {
    type: 'list', env: ['KUBEKEEPER_TRUSTED_SIGNERS'], valueName: 'KKSIGN1...|FILE',
    description: 'Trust manifests signed by this key (repeatable; a file of keys). With any, unsigned backups are never latest, never counted for retention, and need --allow-unsigned',
  },
  'allow-unsigned': {
    type: 'boolean',
    description: 'Use a backup named explicitly even though no trusted signer signed its manifest; without --trusted-signer, read a repository holding signed backups as before (trusting every manifest)',
  },
} as const satisfies Record<string, FlagDef>;

export const identityFlags = {
  identity: { type: 'list', short: 'i', env: ['KUBEKEEPER_IDENTITY'], valueName: 'FILE', description: 'age identity file to decrypt with (repeatable)' },
  'passphrase-file': { type: 'string', env: ['KUBEKEEPER_PASSPHRASE_FILE'], valueName: 'FILE', description: 'File whose first line is the passphrase (or set KUBEKEEPER_PASSPHRASE)' },
  'insecure-no-encryption': {
    type: 'boolean', description: 'Accept a backup whose manifest says it is unencrypted although an identity or passphrase is given (refused otherwise: a forged manifest?)',
  },
} as const satisfies Record<string, FlagDef>;

export const recipientFlags = {
  recipient: { type: 'list', short: 'r', env: ['KUBEKEEPER_RECIPIENTS'], valueName: 'AGE1...|FILE', description: 'Encrypt to this age recipient or recipients file (repeatable)' },
  'passphrase-file': identityFlags['passphrase-file'],
  'insecure-no-encryption': { type: 'boolean', description: 'Store the backup unencrypted (it holds every Secret of the cluster)' },
  'signing-key': { type: 'string', env: ['KUBEKEEPER_SIGNING_KEY'], valueName: 'FILE', description: 'Sign the manifest with this key (made by "kubekeeper keygen --signing -o FILE")' },
} as const satisfies Record<string, FlagDef>;

/** S3 settings given on the command line; unset ones fall back to the URL and env. */
export function s3Overrides(flags: FlagValues<typeof repoFlags>): Partial<S3Config> {
  const pathStyle = flags['s3-path-style'];
  return {
    endpoint: flags['s3-endpoint'],
    region: flags['s3-region'],
    forcePathStyle: pathStyle === 'auto' ? undefined : pathStyle === 'true',
    caFile: flags['s3-ca-file'],
    credentialsFile: flags['s3-credentials-file'],
    profile: flags['s3-profile'],
    timeoutMs: flags['s3-timeout'],
  };
}

/** Flags some commands add to repoFlags: what openRepositoryFromFlags also reads when present. */
interface RepoKeyFlags {
  'signing-key'?: string;
  identity?: readonly string[];
  'passphrase-file'?: string;
  'insecure-no-encryption'?: boolean;
}

/**
 * Opens --repo with the trusted signers, for commands that write manifests the signing key,
 * and for readers holding an identity or passphrase the refusal of unencrypted manifests.
 */
export async function openRepositoryFromFlags(
  flags: FlagValues<typeof repoFlags> & RepoKeyFlags, env: NodeJS.ProcessEnv, logger?: Logger,
): Promise<BackupRepository> {
  const signers: SignerPublicKey[] = [];
  for (const keyOrFile of flags['trusted-signer']) signers.push(...(await loadTrustedSigners(keyOrFile)));
  const signer: SigningKey | undefined = flags['signing-key'] ? await loadSigningKey(flags['signing-key']) : undefined;
  const expectEncrypted = (flags.identity?.length ?? 0) > 0 || flags['passphrase-file'] !== undefined || Boolean(env.KUBEKEEPER_PASSPHRASE);
  const trust = { signers, allowUnsigned: flags['allow-unsigned'], expectEncrypted, allowUnencrypted: flags['insecure-no-encryption'] === true };
  return openBackupRepository(flags.repo, { s3: s3Overrides(flags), env, logger, signer, trust });
}

/**
 * Key sources for reading backups: identity files and/or the passphrase. `unattended` (no
 * terminal: cron, systemd) caps the scrypt work of a passphrase-encrypted file.
 */
export function identitySources(flags: FlagValues<typeof identityFlags>, env: NodeJS.ProcessEnv, unattended = true): BackupKeySources {
  return { identityFiles: flags.identity, passphraseFile: flags['passphrase-file'], passphrase: env.KUBEKEEPER_PASSPHRASE || undefined, unattended };
}

/** Key sources for saving: recipients and/or the passphrase. */
export function recipientSources(flags: FlagValues<typeof recipientFlags>, env: NodeJS.ProcessEnv): BackupKeySources {
  return { recipients: flags.recipient, passphraseFile: flags['passphrase-file'], passphrase: env.KUBEKEEPER_PASSPHRASE || undefined };
}

/**
 * For commands that read a snapshot file and may take a backup instead (`snapshot restore
 * --from-backup latest`): --from-backup plus the repository and key flags.
 */
export const fromBackupFlags = {
  'from-backup': { type: 'string', valueName: 'NAME|latest', description: 'Use this backup from --repo instead of a snapshot file (fetched and checked first)' },
  ...repoFlags,
  ...identityFlags,
} as const satisfies Record<string, FlagDef>;

/**
 * Runs `work` with the snapshot file of backup `flags['from-backup']`, fetched from the
 * repository into a private temp dir and fully checked (stored hash, decryption, content
 * hash, trailer); the dir is removed afterwards.
 */
export async function withBackupFromFlags<T>(flags: FlagValues<typeof fromBackupFlags>, env: NodeJS.ProcessEnv, signal: AbortSignal, work: (snapshotPath: string) => Promise<T>): Promise<T> {
  const ref = flags['from-backup'];
  if (!ref) throw new UsageError('--from-backup needs a backup name or "latest"');
  const identities = await loadBackupIdentities(identitySources(flags, env));
  const repo = await openRepositoryFromFlags(flags, env);
  try {
    return await withBackupSnapshot(repo, ref, identities, (file) => work(file.path), { signal });
  } finally {
    await repo.backend.close();
  }
}
