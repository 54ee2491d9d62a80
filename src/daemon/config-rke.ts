/**
 * An RKE1 cluster.yml read as a kubekeeper config: `services.etcd.backup_config` as RKE
 * reads it (enabled, interval_hours, retention, safe_timestamp, timeout, s3backupconfig),
 * or the legacy `snapshot`/`creation`/`retention` when backup_config is absent. What RKE
 * does not hold comes from the environment: encryption (KUBEKEEPER_RECIPIENTS or
 * KUBEKEEPER_PASSPHRASE_FILE), the etcd client (ETCDCTL_*; else this node's RKE certs),
 * S3 keys from files (KUBEKEEPER_S3_ACCESS_KEY_FILE, KUBEKEEPER_S3_SECRET_KEY_FILE), the DR
 * bundle (KUBEKEEPER_INCLUDE, e.g. /etc/kubernetes/ssl,/etc/rke/cluster.rkestate). As in
 * RKE, an empty string in s3backupconfig (`region: ""`, `folder: ""`) means unset. Pure:
 * text and env in.
 */
import { isMap, isScalar } from 'yaml';
import { defaultCompression } from '../crypto/index.js';
import { DEFAULT_REPOSITORY } from '../storage/index.js';
import { CONFIG_DEFAULTS, type KubekeeperConfig, type S3RepositorySettings } from './config.js';
import { type ConfigDraft, type SecretSlot, plainSecretWarning } from './config-draft.js';
import { staleDefault } from './config-kubekeeper.js';
import { type ConfigPath, ConfigReader, fieldName } from './config-yaml.js';

const ETCD: ConfigPath = ['services', 'etcd'];
const BACKUP: ConfigPath = [...ETCD, 'backup_config'];
const S3: ConfigPath = [...BACKUP, 's3backupconfig'];
const BACKUP_KEYS = ['enabled', 'interval_hours', 'retention', 'safe_timestamp', 'timeout', 's3backupconfig'];
const S3_KEYS = ['access_key', 'secret_key', 'bucket_name', 'region', 'folder', 'endpoint', 'custom_ca'];
/** Where RKE puts the cluster CA and node certificates on every host. */
export const RKE_SSL_DIR = '/etc/kubernetes/ssl';
const RKE_DEFAULTS = { intervalHours: 12, retention: 6, timeoutSeconds: 300 };

/** True when the parsed YAML looks like a cluster.yml (top-level nodes: or services:). */
export function isRkeClusterYml(r: ConfigReader): boolean {
  const keys = r.keys([]);
  return (keys.includes('nodes') || keys.includes('services')) && !keys.includes('repository');
}

function warnUnknown(r: ConfigReader, path: ConfigPath, known: readonly string[], warnings: string[]): void {
  for (const key of r.keys(path)) {
    if (!known.includes(key)) warnings.push(`${r.file}:${r.position([...path, key]).line ?? 1}: ${fieldName([...path, key])} is not an RKE field and is ignored`);
  }
}

/** RKE's PEM is written as is or base64-encoded (as RKE passes it on). */
function readCustomCa(r: ConfigReader): string | undefined {
  const text = r.optionalString([...S3, 'custom_ca']);
  if (text === undefined) return undefined;
  if (text.includes('-----BEGIN')) return text;
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  if (decoded.includes('-----BEGIN')) return decoded;
  throw r.error([...S3, 'custom_ca'], 'is neither PEM nor base64-encoded PEM', 'the CA certificate(s) of the S3 endpoint, PEM text');
}

/** AWS's own endpoint is left to the SDK (virtual-hosted URLs, region routing). */
function s3Endpoint(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined || /^(https:\/\/)?s3([.-][a-z0-9-]+)?\.amazonaws\.com\/?$/.test(endpoint)) return undefined;
  return /^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`;
}

function readS3(r: ConfigReader, env: NodeJS.ProcessEnv, warnings: string[]): { url: string; s3: S3RepositorySettings; secrets: SecretSlot[] } {
  warnUnknown(r, S3, S3_KEYS, warnings);
  const bucket = r.optionalString([...S3, 'bucket_name']);
  if (!bucket) throw r.error([...S3, 'bucket_name'], 'is required with s3backupconfig', 'the S3 bucket RKE uploads snapshots to');
  const folder = (r.optionalString([...S3, 'folder']) ?? '').replace(/^\/+|\/+$/g, '');
  const s3: S3RepositorySettings = { endpoint: s3Endpoint(r.optionalString([...S3, 'endpoint'])), region: r.optionalString([...S3, 'region']), caBundlePem: readCustomCa(r) };
  const secrets: SecretSlot[] = [];
  const slot = (key: string, envFile: string, apply: (s: S3RepositorySettings, v: string) => void) => {
    const path = [...S3, key];
    const fromFile = env[envFile];
    // An empty key means unset in RKE (credentials from the environment or the instance role).
    const ref = fromFile ? { file: fromFile } : r.optionalString(path) === undefined && r.scalar(path) !== undefined ? undefined : r.secret(path);
    if (!ref) return;
    const position = fromFile ? { file: `$${envFile}` } : r.position(path);
    if ('value' in ref) warnings.push(plainSecretWarning(fieldName(path), position, `remove it and set ${envFile} (or AWS_* env vars)`));
    secrets.push({ field: fieldName(path), position, ref, apply: (c, v) => c.repository.s3 && apply(c.repository.s3, v) });
  };
  slot('access_key', 'KUBEKEEPER_S3_ACCESS_KEY_FILE', (s, v) => (s.accessKeyId = v));
  slot('secret_key', 'KUBEKEEPER_S3_SECRET_KEY_FILE', (s, v) => (s.secretAccessKey = v));
  return { url: `s3://${bucket}${folder ? `/${folder}` : ''}`, s3, secrets };
}

/** The etcd client of this node: ETCDCTL_* env, else RKE's certificate of the only etcd node. */
function rkeEtcd(r: ConfigReader, env: NodeJS.ProcessEnv): KubekeeperConfig['etcd'] {
  let certFile = env.ETCDCTL_CERT || undefined;
  let keyFile = env.ETCDCTL_KEY || undefined;
  if (!certFile || !keyFile) {
    const addresses = etcdNodeAddresses(r);
    const address = env.KUBEKEEPER_NODE_ADDRESS || (addresses.length === 1 ? addresses[0] : undefined);
    if (!address) {
      throw r.error(['nodes'], `cannot tell which of the ${addresses.length} etcd nodes this is`, undefined,
        'Set KUBEKEEPER_NODE_ADDRESS to this node\'s address (its kube-etcd-ADDRESS.pem is used), or ETCDCTL_CERT and ETCDCTL_KEY');
    }
    // RKE names node certificates after the address with dots as dashes (pki.GetCrtNameForHost).
    const base = `${RKE_SSL_DIR}/kube-etcd-${address.replace(/[.:]/g, '-')}`;
    certFile = `${base}.pem`;
    keyFile = `${base}-key.pem`;
  }
  return {
    endpoints: env.ETCDCTL_ENDPOINTS ? env.ETCDCTL_ENDPOINTS.split(',') : ['https://127.0.0.1:2379'],
    caFile: env.ETCDCTL_CACERT || `${RKE_SSL_DIR}/kube-ca.pem`,
    certFile,
    keyFile,
    dialTimeoutMs: CONFIG_DEFAULTS.dialTimeoutMs,
    commandTimeoutMs: CONFIG_DEFAULTS.commandTimeoutMs,
  };
}

function etcdNodeAddresses(r: ConfigReader): string[] {
  const nodes = r.node(['nodes']);
  if (!nodes || !('items' in nodes) || !Array.isArray(nodes.items)) return [];
  return nodes.items.flatMap((_, i) => (r.list(['nodes', i, 'role']).includes('etcd') ? [r.string(['nodes', i, 'address']) ?? ''] : [])).filter(Boolean);
}

/** Reads `services.etcd` of a cluster.yml into a config draft. */
export function parseRkeClusterYml(r: ConfigReader, env: NodeJS.ProcessEnv, defaultLock: string): ConfigDraft {
  const warnings: string[] = [];
  const hasBackupConfig = isMap(r.node(BACKUP));
  if (r.node(BACKUP) !== undefined && !hasBackupConfig && !(isScalar(r.node(BACKUP)) && (r.node(BACKUP) as { value: unknown }).value === null)) {
    throw r.error(BACKUP, 'must be a mapping');
  }
  let intervalMs: number;
  let retention: KubekeeperConfig['retention'];
  let timeoutMs = RKE_DEFAULTS.timeoutSeconds * 1000;
  let repo: { url: string; s3?: S3RepositorySettings; secrets: SecretSlot[] } = { url: env.KUBEKEEPER_REPO || DEFAULT_REPOSITORY, secrets: [] };
  if (hasBackupConfig) {
    warnUnknown(r, BACKUP, BACKUP_KEYS, warnings);
    if (r.bool([...BACKUP, 'enabled']) === false) throw r.error([...BACKUP, 'enabled'], 'etcd backups are disabled in this cluster.yml', 'true (or remove the line: RKE defaults to true)');
    const hours = r.int([...BACKUP, 'interval_hours'], 1) ?? RKE_DEFAULTS.intervalHours;
    intervalMs = hours * 3_600_000;
    // RKE keeps `retention` snapshots (it passes retention x interval_hours as an age limit).
    retention = { keepLast: r.int([...BACKUP, 'retention'], 1) ?? RKE_DEFAULTS.retention };
    r.bool([...BACKUP, 'safe_timestamp']); // checked only: kubekeeper names never hold ':' or other special characters
    timeoutMs = (r.int([...BACKUP, 'timeout'], 1) ?? RKE_DEFAULTS.timeoutSeconds) * 1000;
    if (isMap(r.node(S3))) repo = readS3(r, env, warnings);
  } else {
    if (r.bool([...ETCD, 'snapshot']) === false) throw r.error([...ETCD, 'snapshot'], 'etcd snapshots are disabled in this cluster.yml', 'true, or a backup_config section');
    intervalMs = r.duration([...ETCD, 'creation'], 60_000) ?? RKE_DEFAULTS.intervalHours * 3_600_000;
    retention = { keepWithinMs: r.duration([...ETCD, 'retention'], 60_000) ?? 72 * 3_600_000 };
  }
  if (!repo.s3 && !repo.url.startsWith('s3://')) warnings.push(`${r.file}: no s3backupconfig: backups stay on this node in ${repo.url}; an off-node copy is needed for disaster recovery`);
  const recipients = (env.KUBEKEEPER_RECIPIENTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const passphraseFile = env.KUBEKEEPER_PASSPHRASE_FILE || undefined;
  if (recipients.length === 0 && !passphraseFile) {
    throw r.error(BACKUP, 'RKE has no encryption settings and kubekeeper backups must be encrypted', undefined,
      'Set KUBEKEEPER_RECIPIENTS=age1...[,FILE] or KUBEKEEPER_PASSPHRASE_FILE=FILE in the environment of kubekeeper');
  }
  // RKE has no signing settings either: the same env vars as the backup commands' flags.
  const signingKeyFile = env.KUBEKEEPER_SIGNING_KEY || undefined;
  const trustedSigners = (env.KUBEKEEPER_TRUSTED_SIGNERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const config: KubekeeperConfig = {
    source: { path: r.file, format: 'rke' },
    etcd: rkeEtcd(r, env),
    repository: { url: repo.url, ...(repo.s3 ? { s3: repo.s3 } : {}), ...(trustedSigners.length > 0 ? { trustedSigners } : {}) },
    backup: { namePrefix: CONFIG_DEFAULTS.namePrefix, compression: defaultCompression(), recipients, passphraseFile, ...(signingKeyFile ? { signingKeyFile } : {}), include: (env.KUBEKEEPER_INCLUDE ?? '').split(',').map((s) => s.trim()).filter(Boolean), timeoutMs },
    schedule: { intervalMs, jitterMs: 0 },
    retention,
    drill: { enabled: false, identityFiles: [], expectKeys: [], etcdBinary: CONFIG_DEFAULTS.etcdBinary, timeoutMs: CONFIG_DEFAULTS.drillTimeoutMs },
    metrics: { listen: CONFIG_DEFAULTS.metricsListen, staleAfterMs: staleDefault(intervalMs) },
    lockFile: defaultLock,
  };
  return { config, secrets: repo.secrets, warnings };
}
