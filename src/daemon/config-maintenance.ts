/**
 * The daemon's optional `maintenance:` config section (issue 19): etcd db metrics per member
 * on /metrics, and an optional need-based defrag schedule. Additive: a config without the
 * section behaves as before. Pure.
 *
 *   maintenance:
 *     metrics: true              # per-member db size, in use, fragmentation, quota, alarms
 *     quotaBytes: 2147483648     # assumed quota for etcd < 3.6 (3.6+ report theirs)
 *     defrag:
 *       enabled: true
 *       cron: "30 3 * * *"        # or interval: 24h
 *       fragmentationThreshold: 30
 *       minReclaimBytes: 16777216
 *       quotaPressure: 80
 *       healthTimeout: 60s
 *       defragTimeout: 5m
 */
import { DEFAULT_DEFRAG_POLICY, DEFAULT_QUOTA_BYTES } from '../maintenance/index.js';
import type { MaintenanceConfig } from './config-maintenance-types.js';

export type { MaintenanceConfig } from './config-maintenance-types.js';
import { parseCron } from '../schedule/index.js';
import type { ConfigPath, ConfigReader } from './config-yaml.js';

const MAINTENANCE = ['metrics', 'quotaBytes', 'defrag'];
const DEFRAG = ['enabled', 'interval', 'cron', 'fragmentationThreshold', 'minReclaimBytes', 'quotaPressure', 'healthTimeout', 'defragTimeout'];

function readCron(r: ConfigReader, path: ConfigPath): string | undefined {
  const cron = r.string(path);
  if (cron === undefined) return undefined;
  try {
    parseCron(cron);
  } catch (err) {
    throw r.error(path, `${JSON.stringify(cron)} is not a cron expression: ${(err as Error).message}`, 'five fields "minute hour day-of-month month day-of-week", e.g. "30 3 * * *", or @daily');
  }
  return cron;
}

/** Reads `maintenance:`; undefined when the section is absent. */
export function readMaintenance(r: ConfigReader): MaintenanceConfig | undefined {
  if (!r.has(['maintenance'])) return undefined;
  r.keys(['maintenance'], MAINTENANCE);
  r.keys(['maintenance', 'defrag'], DEFRAG);
  const d = (k: string): ConfigPath => ['maintenance', 'defrag', k];
  const percent = (k: string) => r.int(d(k), 0, 100);
  const config: MaintenanceConfig = {
    metrics: r.bool(['maintenance', 'metrics']) ?? true,
    quotaBytes: r.int(['maintenance', 'quotaBytes'], 1) ?? DEFAULT_QUOTA_BYTES,
    defrag: {
      enabled: r.bool(d('enabled')) ?? false,
      ...(r.duration(d('interval'), 60_000) !== undefined ? { intervalMs: r.duration(d('interval'), 60_000) as number } : {}),
      ...(readCron(r, d('cron')) !== undefined ? { cron: readCron(r, d('cron')) as string } : {}),
      policy: {
        fragmentationThresholdPercent: percent('fragmentationThreshold') ?? DEFAULT_DEFRAG_POLICY.fragmentationThresholdPercent,
        minReclaimBytes: r.int(d('minReclaimBytes'), 0) ?? DEFAULT_DEFRAG_POLICY.minReclaimBytes,
        quotaPressurePercent: percent('quotaPressure') ?? DEFAULT_DEFRAG_POLICY.quotaPressurePercent,
        force: false,
      },
      healthTimeoutMs: r.duration(d('healthTimeout'), 1000) ?? 60_000,
      defragTimeoutMs: r.duration(d('defragTimeout'), 1000) ?? 300_000,
    },
  };
  if (config.defrag.intervalMs !== undefined && config.defrag.cron !== undefined) throw r.error(d('cron'), 'give either maintenance.defrag.interval or maintenance.defrag.cron, not both');
  return config;
}
