/**
 * The `deltas` section of kubekeeper's config: continuous deltas for point-in-time recovery
 * run by the daemon (what `kubekeeper backup stream` does by hand). Pure.
 *
 *   deltas:
 *     enabled: true
 *     flushInterval: 10s     # a segment at least this often
 *     flushSizeMiB: 64       # or once this much is buffered
 *     maxLag: 5m             # /healthz unhealthy when the recovery point lags longer
 *     electionTtl: 30s       # one streamer per cluster; a dead one blocks others this long
 *     mergeIdentityFiles: [/etc/kubekeeper/backup-key.txt]   # merge each finished UTC day into one segment
 */
import { DEFAULT_FLUSH_BYTES, DEFAULT_FLUSH_INTERVAL_MS } from '../backup/index.js';
import type { DeltaStreamConfig } from './config.js';
import type { ConfigReader } from './config-yaml.js';

const DELTAS = ['enabled', 'flushInterval', 'flushSizeMiB', 'maxLag', 'electionTtl', 'mergeIdentityFiles'];
export const DEFAULT_MAX_LAG_MS = 5 * 60_000;
const MiB = 1024 * 1024;

/** The section, or undefined when the config has none. */
export function readDeltas(r: ConfigReader): DeltaStreamConfig | undefined {
  if (r.keys(['deltas'], DELTAS).length === 0) return undefined;
  const d = (k: string) => ['deltas', k];
  const sizeMiB = r.int(d('flushSizeMiB'), 1, 1024);
  const electionTtlMs = r.duration(d('electionTtl'), 2000);
  const mergeIdentityFiles = r.list(d('mergeIdentityFiles')).map((x) => r.resolve(x));
  return {
    enabled: r.bool(d('enabled')) ?? true,
    flushIntervalMs: r.duration(d('flushInterval'), 100) ?? DEFAULT_FLUSH_INTERVAL_MS,
    flushBytes: sizeMiB === undefined ? DEFAULT_FLUSH_BYTES : sizeMiB * MiB,
    maxLagMs: r.duration(d('maxLag'), 1000) ?? DEFAULT_MAX_LAG_MS,
    ...(electionTtlMs ? { electionTtlMs } : {}),
    ...(mergeIdentityFiles.length > 0 ? { mergeIdentityFiles } : {}),
  };
}
