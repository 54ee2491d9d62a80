/**
 * kubekeeper's configuration for unattended work (`backup run`, the daemon, generators):
 * the effective settings after a config file (kubekeeper's own YAML or an RKE cluster.yml)
 * was read, defaults applied and secrets resolved from env vars or files. Pure: types,
 * defaults and the error class; reading files lives in config-load.ts.
 */
import { AppError, ExitCode } from '../errors.js';
import type { EtcdConnectOptions } from '../etcd/index.js';
import type { RetentionPolicy } from '../schedule/index.js';
import type { DashboardSettings } from './dashboard-settings.js';
import type { MaintenanceConfig } from './config-maintenance-types.js';

export type ConfigCompression = 'zstd' | 'gzip' | 'none';
export const CONFIG_COMPRESSIONS: readonly ConfigCompression[] = ['zstd', 'gzip', 'none'];

export interface S3RepositorySettings {
  /** https://host:port; RKE's bare "s3.amazonaws.com" is given a scheme. */
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  /** A PEM bundle file trusted for the endpoint. */
  caBundleFile?: string;
  /** PEM text to trust (RKE's `custom_ca`); written to a private temp file while in use. */
  caBundlePem?: string;
  /** Secrets: resolved from the config, an env var or a file; never logged. */
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface KubekeeperConfig {
  source: { path: string; format: 'kubekeeper' | 'rke' };
  etcd: EtcdConnectOptions;
  /**
   * trustedSigners: kksign1... public keys or paths of files of them; with any, `backup run`'s
   * retention, `drill` and the daemon count only manifests one of them signed.
   */
  repository: { url: string; s3?: S3RepositorySettings; trustedSigners?: string[] };
  backup: {
    /** Backup names are "<namePrefix>-<UTC time>"; default "etcd". */
    namePrefix?: string;
    compression: ConfigCompression;
    /** age1... recipients or paths of recipients files. */
    recipients: string[];
    passphraseFile?: string;
    /** Signs every manifest written (a key file from `kubekeeper keygen --signing`); a secret file, never read into the config. */
    signingKeyFile?: string;
    /** Files and directories for the DR bundle. */
    include: string[];
    /** Whole backup (snapshot, upload, re-read, prune); the run is aborted after it. */
    timeoutMs: number;
  };
  /** `election`: one node at a time runs scheduled work (run-election.ts); default "auto". */
  schedule: { intervalMs?: number; cron?: string; jitterMs: number; election?: 'auto' | 'on' | 'off'; electionTtlMs?: number };
  retention: RetentionPolicy;
  drill: {
    enabled: boolean;
    intervalMs?: number;
    cron?: string;
    identityFiles: string[];
    passphraseFile?: string;
    /** Keys that must exist in a restored drill member, e.g. /registry/namespaces/default. */
    expectKeys: string[];
    etcdBinary: string;
    timeoutMs: number;
  };
  metrics: { listen?: string; staleAfterMs: number };
  lockFile: string;
  /** The dashboard the daemon serves (config-dashboard.ts); absent: none. */
  dashboard?: DashboardSettings;
  /** etcd db metrics and an optional defrag schedule (config-maintenance.ts); absent: off. */
  maintenance?: MaintenanceConfig;
  /** Continuous deltas for point-in-time recovery (the `deltas` section, config-deltas.ts); absent: off. */
  deltas?: DeltaStreamConfig;
}

/** The `deltas` section: `backup stream` inside the daemon. */
export interface DeltaStreamConfig {
  enabled: boolean;
  /** Write a segment at least this often (default 10 s) or once this much is buffered (default 64 MiB). */
  flushIntervalMs: number;
  flushBytes: number;
  /** Longest wait between two watches of the keyspace (default 1 s); 0 holds one watch open. */
  watchPollMs?: number;
  /** /healthz turns unhealthy when the recovery point lags etcd by longer than this (default 5 min). */
  maxLagMs: number;
  /** Streamer election lease TTL (default 30 s). */
  electionTtlMs?: number;
  /**
   * Merging segments (config-deltas.ts): on unless `merge: false`; it decrypts segments with
   * mergeIdentityFiles, else backup.passphraseFile, else the drill's keys (deltaMergeKeys).
   * Undefined (a config built in code): on when one of those keys is there.
   */
  merge?: boolean;
  /** age identity files to read segments with. */
  mergeIdentityFiles?: string[];
  /** Each finished period (aligned to the epoch, default 1 d: UTC days) is merged into one segment. */
  mergePeriodMs?: number;
  /** How often the daemon looks for a finished period to merge (default 1 h). */
  mergeIntervalMs?: number;
  /** Delta data no manifest names is removed by retention once older than this (default 1 h). */
  orphanGraceMs?: number;
}

/** Defaults shared by both formats. */
export const CONFIG_DEFAULTS = {
  backupTimeoutMs: 30 * 60_000,
  drillTimeoutMs: 10 * 60_000,
  metricsListen: '127.0.0.1:9477',
  /** Without a schedule, a backup older than this is stale (a day plus slack). */
  staleAfterMs: 26 * 3_600_000,
  etcdBinary: 'etcd',
  dialTimeoutMs: 2000,
  commandTimeoutMs: 5000,
  namePrefix: 'etcd',
} as const;

/** Where a value sits in the config file, for error messages. */
export interface ConfigPosition {
  file: string;
  line?: number;
  column?: number;
}

/**
 * A config file that cannot be used: names the file, line and column, the field (dotted
 * path) and what is allowed. Exit code 2, like a wrong command line.
 */
/** The config file does not exist: a wrong --config or KUBEKEEPER_CONFIG, not a bad file. */
export class ConfigNotFoundError extends AppError {
  constructor(readonly file: string) {
    super('config-not-found', `Config file "${file}" not found`, {
      hint: 'Pass --config FILE (or set KUBEKEEPER_CONFIG); the README\'s "Unattended backups" section has an example to start from',
      exitCode: ExitCode.usage,
    });
  }
}

export class ConfigError extends AppError {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly field: string | undefined;
  readonly allowed: string | undefined;

  /** `allowed` lists what the field accepts; `hint` replaces the "Allowed: ..." hint when set. */
  constructor(where: ConfigPosition, field: string | undefined, problem: string, allowed?: string, hint?: string) {
    const at = where.line === undefined ? where.file : `${where.file}:${where.line}:${where.column ?? 1}`;
    super('config-invalid', `Invalid config ${at}${field ? `: ${field}` : ''}: ${problem}`, {
      hint: hint ?? (allowed ? `Allowed: ${allowed}` : `Edit ${where.file}${field ? ` at ${field}` : ''}; the README's "Unattended backups" section shows a working config`),
      exitCode: ExitCode.usage,
    });
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.field = field;
    this.allowed = allowed;
  }
}

/** The default lock file: KUBEKEEPER_LOCK_FILE, else /run/kubekeeper as root, else the user's runtime dir. */
export function defaultLockFile(env: NodeJS.ProcessEnv, uid: number | undefined, tmpDir: string): string {
  if (env.KUBEKEEPER_LOCK_FILE) return env.KUBEKEEPER_LOCK_FILE;
  if (uid === 0) return '/run/kubekeeper/backup.lock';
  if (env.XDG_RUNTIME_DIR) return `${env.XDG_RUNTIME_DIR}/kubekeeper/backup.lock`;
  return `${tmpDir}/kubekeeper-${uid ?? 'user'}/backup.lock`;
}
