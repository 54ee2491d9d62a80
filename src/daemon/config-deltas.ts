/**
 * The `deltas` section of kubekeeper's config: continuous deltas for point-in-time recovery
 * run by the daemon (what `kubekeeper backup stream` does by hand). Pure.
 *
 *   deltas:
 *     enabled: true
 *     flushInterval: 10s     # a segment at least this often
 *     flushSizeMiB: 64       # or once this much is buffered
 *     watchPoll: 1s          # longest wait between two watches of the keyspace; 0: one watch held open
 *     maxLag: 5m             # /healthz unhealthy when the recovery point lags longer
 *     electionTtl: 30s       # one streamer per cluster; a dead one blocks others this long
 *     merge: true            # merge each finished period's segments into one (default on)
 *     mergePeriod: 1d        # the period: UTC days
 *     mergeInterval: 1h      # how often to look for a finished period
 *     mergeIdentityFiles: [/etc/kubekeeper/backup-key.txt]   # keys to read segments with
 *     orphanGrace: 1h        # retention removes delta data no manifest names past this age
 *
 * Merging decrypts segments: with mergeIdentityFiles, else backup.passphraseFile (the
 * passphrase decrypts what it encrypts), else the drill's identityFiles/passphraseFile. With
 * none of them and merge not turned off, the config is refused (not the first merge an hour later).
 */
import { DEFAULT_FLUSH_BYTES, DEFAULT_FLUSH_INTERVAL_MS, defaultWatchPollMs } from '../backup/index.js';
import { AppError } from '../errors.js';
import type { DeltaStreamConfig, KubekeeperConfig } from './config.js';
import type { ConfigReader } from './config-yaml.js';

const DELTAS = ['enabled', 'flushInterval', 'flushSizeMiB', 'watchPoll', 'maxLag', 'electionTtl', 'merge', 'mergePeriod', 'mergeInterval', 'mergeIdentityFiles', 'orphanGrace'];
export const DEFAULT_MAX_LAG_MS = 5 * 60_000;
export const DEFAULT_MERGE_PERIOD_MS = 86_400_000;
export const DEFAULT_MERGE_INTERVAL_MS = 3_600_000;
const MiB = 1024 * 1024;

/** The section, or undefined when the config has none. */
export function readDeltas(r: ConfigReader): DeltaStreamConfig | undefined {
  if (r.keys(['deltas'], DELTAS).length === 0) return undefined;
  const d = (k: string) => ['deltas', k];
  const sizeMiB = r.int(d('flushSizeMiB'), 1, 1024);
  const electionTtlMs = r.duration(d('electionTtl'), 2000);
  const mergeIdentityFiles = r.list(d('mergeIdentityFiles')).map((x) => r.resolve(x));
  const mergePeriodMs = r.duration(d('mergePeriod'), 1000);
  const mergeIntervalMs = r.duration(d('mergeInterval'), 1000);
  const orphanGraceMs = r.duration(d('orphanGrace'), 60_000);
  const flushIntervalMs = r.duration(d('flushInterval'), 100) ?? DEFAULT_FLUSH_INTERVAL_MS;
  const watchPollMs = r.duration(d('watchPoll'), 0) ?? defaultWatchPollMs(flushIntervalMs);
  if (watchPollMs > flushIntervalMs) throw r.error(d('watchPoll'), `must not be longer than deltas.flushInterval (${flushIntervalMs} ms), got ${watchPollMs} ms`);
  return {
    enabled: r.bool(d('enabled')) ?? true,
    flushIntervalMs,
    watchPollMs,
    flushBytes: sizeMiB === undefined ? DEFAULT_FLUSH_BYTES : sizeMiB * MiB,
    maxLagMs: r.duration(d('maxLag'), 1000) ?? DEFAULT_MAX_LAG_MS,
    ...(electionTtlMs ? { electionTtlMs } : {}),
    merge: r.bool(d('merge')) ?? true,
    ...(mergeIdentityFiles.length > 0 ? { mergeIdentityFiles } : {}),
    ...(mergePeriodMs ? { mergePeriodMs } : {}),
    ...(mergeIntervalMs ? { mergeIntervalMs } : {}),
    ...(orphanGraceMs ? { orphanGraceMs } : {}),
  };
}

/** Where the daemon's merge gets its decryption keys from. */
export interface DeltaMergeKeys {
  identityFiles: string[];
  passphraseFile?: string;
  /** The config keys they come from, for logs. */
  source: string;
}

/**
 * The keys the daemon's merge decrypts segments with, or undefined when merging is off.
 * Throws a ConfigError when merging is on (`merge: true`, the default of a config file) and
 * the config holds no key that can decrypt the segments.
 */
export function deltaMergeKeys(config: Pick<KubekeeperConfig, 'deltas' | 'backup' | 'drill'>, fail: (problem: string, hint: string) => Error = noKey): DeltaMergeKeys | undefined {
  const deltas = config.deltas;
  if (!deltas?.enabled || deltas.merge === false) return undefined;
  if (deltas.mergeIdentityFiles?.length) return { identityFiles: deltas.mergeIdentityFiles, source: 'deltas.mergeIdentityFiles' };
  if (config.backup.passphraseFile) return { identityFiles: [], passphraseFile: config.backup.passphraseFile, source: 'backup.passphraseFile' };
  if (config.drill.identityFiles.length > 0 || config.drill.passphraseFile) {
    return { identityFiles: config.drill.identityFiles, ...(config.drill.passphraseFile ? { passphraseFile: config.drill.passphraseFile } : {}), source: 'drill.identityFiles/passphraseFile' };
  }
  if (deltas.merge === undefined) return undefined;
  throw fail(
    'merging delta segments must decrypt them, and the config holds no key to do it with (backup.recipients only encrypt)',
    'Give deltas.mergeIdentityFiles (age identity files for backup.recipients), or set "deltas: merge: false" to keep every segment as written',
  );
}

function noKey(problem: string, hint: string): Error {
  return new AppError('config-invalid', `Invalid config: deltas.merge: ${problem}`, { hint });
}
