/**
 * kubekeeper's own config format (YAML). The etcd section uses etcdctl's flag names, so a
 * working etcdctl command line carries over key by key. Every field is checked; an unknown
 * key is an error (a typo must not silently drop a setting). Pure.
 */
import { defaultCompression, parseSignerPublicKey, zstdAvailable } from '../crypto/index.js';
import { parseRepository } from '../storage/index.js';
import { CONFIG_COMPRESSIONS, CONFIG_DEFAULTS, type KubekeeperConfig } from './config.js';
import { type ConfigDraft, type SecretSlot, plainSecretWarning } from './config-draft.js';
import { parseCron } from '../schedule/index.js';
import { readMaintenance } from './config-maintenance.js';
import { type ConfigPath, ConfigReader, fieldName } from './config-yaml.js';
import { readDashboardSection } from './config-dashboard.js';
import { deltaMergeKeys, readDeltas } from './config-deltas.js';

const TOP = ['etcd', 'repository', 'backup', 'schedule', 'retention', 'drill', 'metrics', 'lockFile', 'dashboard', 'maintenance', 'deltas'];

const ETCD = ['endpoints', 'cacert', 'cert', 'key', 'user', 'password', 'dial-timeout', 'command-timeout', 'insecure-skip-tls-verify', 'insecure-transport'];
const REPOSITORY = ['url', 's3', 'trustedSigners'];
const S3 = ['endpoint', 'region', 'pathStyle', 'caFile', 'accessKeyId', 'secretAccessKey'];
const BACKUP = ['namePrefix', 'compression', 'recipients', 'passphraseFile', 'signingKeyFile', 'include', 'timeout'];
const SCHEDULE = ['interval', 'cron', 'jitter', 'election', 'electionTtl'];
const RETENTION = ['keepLast', 'keepWithin', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'];
const DRILL = ['enabled', 'interval', 'cron', 'identityFiles', 'passphraseFile', 'expectKeys', 'etcdBinary', 'timeout'];
const METRICS = ['listen', 'staleAfter'];

/** Reads `cron` at `path`, checking it parses. */
export function readCron(r: ConfigReader, path: ConfigPath): string | undefined {
  const cron = r.string(path);
  if (cron === undefined) return undefined;
  try {
    parseCron(cron);
  } catch (err) {
    throw r.error(path, `${JSON.stringify(cron)} is not a cron expression: ${(err as Error).message}`, 'five fields "minute hour day-of-month month day-of-week", e.g. "0 */6 * * *", or @daily');
  }
  return cron;
}

/** Checks host:port for the metrics listener. */
export function readListen(r: ConfigReader, path: ConfigPath): string | undefined {
  const listen = r.string(path);
  if (listen === undefined) return undefined;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):(\d{1,5})$/.exec(listen);
  if (!m || Number(m[2]) > 65535) throw r.error(path, `${JSON.stringify(listen)} is not host:port`, 'host:port, e.g. 127.0.0.1:9477 or :9477 (all interfaces)');
  return listen;
}

function secretSlot(r: ConfigReader, path: ConfigPath, warnings: string[], apply: SecretSlot['apply']): SecretSlot[] {
  const ref = r.secret(path);
  if (!ref) return [];
  const position = r.position(path);
  if ('value' in ref) warnings.push(plainSecretWarning(fieldName(path), position, 'use { env: NAME } or { file: PATH }'));
  return [{ field: fieldName(path), position, ref, apply }];
}

function readEtcd(r: ConfigReader, warnings: string[]): { etcd: KubekeeperConfig['etcd']; secrets: SecretSlot[] } {
  r.keys(['etcd'], ETCD);
  const e = (k: string): ConfigPath => ['etcd', k];
  const endpoints = r.list(e('endpoints'));
  const etcd: KubekeeperConfig['etcd'] = {
    endpoints: endpoints.length ? endpoints : ['127.0.0.1:2379'],
    caFile: r.path(e('cacert')),
    certFile: r.path(e('cert')),
    keyFile: r.path(e('key')),
    user: r.string(e('user')),
    insecureSkipVerify: r.bool(e('insecure-skip-tls-verify')),
    // etcdctl's default is --insecure-transport=true: plain text unless TLS files are given.
    useTls: r.bool(e('insecure-transport')) === false ? true : undefined,
    dialTimeoutMs: r.duration(e('dial-timeout')) ?? CONFIG_DEFAULTS.dialTimeoutMs,
    commandTimeoutMs: r.duration(e('command-timeout')) ?? CONFIG_DEFAULTS.commandTimeoutMs,
  };
  if ((etcd.certFile === undefined) !== (etcd.keyFile === undefined)) throw r.error(e(etcd.certFile ? 'cert' : 'key'), 'cert and key must be given together');
  const secrets = secretSlot(r, e('password'), warnings, (c, v) => (c.etcd.password = v));
  if (secrets.length && !etcd.user) throw r.error(e('password'), 'a password needs etcd.user');
  if (etcd.user?.includes(':')) throw r.error(e('user'), 'put the password in etcd.password, not in user', 'a user name; the password as etcd.password: { env: ETCDCTL_PASSWORD }');
  return { etcd, secrets };
}

function readRepository(r: ConfigReader, warnings: string[]): { repository: KubekeeperConfig['repository']; secrets: SecretSlot[] } {
  r.keys(['repository'], REPOSITORY);
  const url = r.string(['repository', 'url']);
  if (url === undefined) throw r.error(['repository', 'url'], 'is required', 'a directory, file:///DIR or s3://BUCKET/FOLDER');
  let kind: string;
  try {
    kind = parseRepository(url).kind;
  } catch (err) {
    throw r.error(['repository', 'url'], (err as Error).message, 'a directory, file:///DIR or s3://BUCKET/FOLDER[?endpoint=URL&region=R]');
  }
  const trustedSigners = readTrustedSigners(r);
  const signers = trustedSigners.length > 0 ? { trustedSigners } : {};
  const s = (k: string): ConfigPath => ['repository', 's3', k];
  if (r.keys(['repository', 's3'], S3).length === 0) return { repository: { url, ...signers }, secrets: [] };
  if (kind !== 's3') throw r.error(['repository', 's3'], `only applies to an s3:// url, and url is ${JSON.stringify(url)}`);
  const repository = {
    url, ...signers,
    s3: { endpoint: r.string(s('endpoint'), 'a URL'), region: r.string(s('region')), pathStyle: r.bool(s('pathStyle')), caBundleFile: r.path(s('caFile')) },
  };
  const secrets = [
    ...secretSlot(r, s('accessKeyId'), warnings, (c, v) => c.repository.s3 && (c.repository.s3.accessKeyId = v)),
    ...secretSlot(r, s('secretAccessKey'), warnings, (c, v) => c.repository.s3 && (c.repository.s3.secretAccessKey = v)),
  ];
  if (secrets.length === 1) throw r.error(s(secrets[0]?.field.endsWith('accessKeyId') ? 'secretAccessKey' : 'accessKeyId'), 'accessKeyId and secretAccessKey must be given together');
  return { repository, secrets };
}

/** repository.trustedSigners: kksign1... keys (checked here) or files of them (resolved beside the config, read when used). */
function readTrustedSigners(r: ConfigReader): string[] {
  const path: ConfigPath = ['repository', 'trustedSigners'];
  return r.list(path).map((x) => {
    if (!x.toLowerCase().startsWith('kksign1')) return r.resolve(x);
    try {
      parseSignerPublicKey(x);
    } catch (err) {
      throw r.error(path, `${JSON.stringify(x)} is not a signer public key: ${(err as Error).message}`, 'kksign1... public keys (kubekeeper keygen --signing prints one) or paths of files of them');
    }
    return x;
  });
}

/** schedule.election (auto|on|off) and schedule.electionTtl, only when set. */
function readElection(r: ConfigReader): Pick<KubekeeperConfig['schedule'], 'election' | 'electionTtlMs'> {
  const election = r.choice(['schedule', 'election'], ['auto', 'on', 'off'] as const);
  const electionTtlMs = r.duration(['schedule', 'electionTtl'], 2000);
  return { ...(election ? { election } : {}), ...(electionTtlMs ? { electionTtlMs } : {}) };
}

/** Reads the retention section at `path`. */
function readRetention(r: ConfigReader): KubekeeperConfig['retention'] {
  r.keys(['retention'], RETENTION);
  const n = (k: string) => r.int(['retention', k], 0);
  return {
    keepLast: n('keepLast'), keepWithinMs: r.duration(['retention', 'keepWithin']), keepHourly: n('keepHourly'), keepDaily: n('keepDaily'),
    keepWeekly: n('keepWeekly'), keepMonthly: n('keepMonthly'), keepYearly: n('keepYearly'),
  };
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } => (value === undefined ? {} : { [key]: value } as { [k in K]?: V });

/** Reads a kubekeeper config; `defaults` supplies the lock file. */
export function parseKubekeeperConfig(r: ConfigReader, defaultLock: string): ConfigDraft {
  const { file } = r;
  r.keys([], TOP);
  const warnings: string[] = [];
  const { etcd, secrets: etcdSecrets } = readEtcd(r, warnings);
  const { repository, secrets: repoSecrets } = readRepository(r, warnings);
  r.keys(['backup'], BACKUP);
  const b = (k: string): ConfigPath => ['backup', k];
  const namePrefix = r.string(b('namePrefix'));
  if (namePrefix !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/.test(namePrefix)) throw r.error(b('namePrefix'), `${JSON.stringify(namePrefix)} cannot start a backup name`, 'letters, digits, "-" and "_", at most 41, starting with a letter or digit');
  r.keys(['schedule'], SCHEDULE);
  r.keys(['drill'], DRILL);
  r.keys(['metrics'], METRICS);
  const config: KubekeeperConfig = {
    source: { path: file, format: 'kubekeeper' },
    etcd,
    repository,
    backup: {
      namePrefix: namePrefix ?? CONFIG_DEFAULTS.namePrefix,
      compression: r.choice(b('compression'), CONFIG_COMPRESSIONS) ?? defaultCompression(),
      recipients: r.list(b('recipients')).map((x) => (x.startsWith('age1') ? x : r.resolve(x))),
      passphraseFile: r.path(b('passphraseFile')),
      ...optional('signingKeyFile', r.path(b('signingKeyFile'))),
      include: r.list(b('include')).map((x) => r.resolve(x)),
      timeoutMs: r.duration(b('timeout'), 1000) ?? CONFIG_DEFAULTS.backupTimeoutMs,
    },
    schedule: { intervalMs: r.duration(['schedule', 'interval'], 60_000), cron: readCron(r, ['schedule', 'cron']), jitterMs: r.duration(['schedule', 'jitter'], 0) ?? 0, ...readElection(r) },
    retention: readRetention(r),
    drill: {
      enabled: r.bool(['drill', 'enabled']) ?? false,
      intervalMs: r.duration(['drill', 'interval'], 60_000),
      cron: readCron(r, ['drill', 'cron']),
      identityFiles: r.list(['drill', 'identityFiles']).map((x) => r.resolve(x)),
      passphraseFile: r.path(['drill', 'passphraseFile']),
      expectKeys: r.list(['drill', 'expectKeys']),
      etcdBinary: r.string(['drill', 'etcdBinary']) ?? CONFIG_DEFAULTS.etcdBinary,
      timeoutMs: r.duration(['drill', 'timeout'], 1000) ?? CONFIG_DEFAULTS.drillTimeoutMs,
    },
    metrics: { listen: readListen(r, ['metrics', 'listen']) ?? CONFIG_DEFAULTS.metricsListen, staleAfterMs: 0 },
    lockFile: r.path(['lockFile']) ?? defaultLock,
    ...optional('dashboard', readDashboardSection(r)),
    ...optional('maintenance', readMaintenance(r)),
    ...optional('deltas', readDeltas(r)),
  };
  if (config.backup.compression === 'zstd' && !zstdAvailable()) {
    throw r.error(b('compression'), `zstd needs the zstd program or Node 22.15+ (this is ${process.version}, no zstd on PATH)`, 'gzip, none, or install zstd (apt-get install zstd)');
  }
  if (config.schedule.intervalMs !== undefined && config.schedule.cron !== undefined) throw r.error(['schedule', 'cron'], 'give either schedule.interval or schedule.cron, not both');
  if (config.drill.intervalMs !== undefined && config.drill.cron !== undefined) throw r.error(['drill', 'cron'], 'give either drill.interval or drill.cron, not both');
  if (config.backup.recipients.length > 0 && config.backup.passphraseFile) throw r.error(b('passphraseFile'), 'age encrypts to recipients or to one passphrase, not both');
  if (config.backup.recipients.length === 0 && !config.backup.passphraseFile) {
    throw r.error(b('recipients'), 'backups must be encrypted: give at least one recipient or a passphraseFile', 'age1... public keys or paths of recipients files (kubekeeper keygen makes one)');
  }
  if (config.drill.enabled && config.drill.identityFiles.length === 0 && !config.drill.passphraseFile) {
    throw r.error(['drill', 'identityFiles'], 'a drill must decrypt the backup: give identityFiles or passphraseFile');
  }
  deltaMergeKeys(config, (problem, hint) => r.error(['deltas', 'merge'], problem, undefined, hint));
  config.metrics.staleAfterMs = r.duration(['metrics', 'staleAfter'], 60_000) ?? staleDefault(config.schedule.intervalMs);
  return { config, secrets: [...etcdSecrets, ...repoSecrets], warnings };
}

/** Two missed intervals make a backup stale; a day plus slack without an interval. */
export function staleDefault(intervalMs: number | undefined): number {
  return intervalMs === undefined ? CONFIG_DEFAULTS.staleAfterMs : 2 * intervalMs + 60 * 60_000;
}
