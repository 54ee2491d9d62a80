/** The type of the daemon's `maintenance:` config section (read by config-maintenance.ts). */
import type { DefragPolicy } from '../maintenance/index.js';

export interface MaintenanceConfig {
  /** Serve kubekeeper_etcd_* gauges (default true when the section is present). */
  metrics: boolean;
  quotaBytes: number;
  defrag: {
    enabled: boolean;
    intervalMs?: number;
    cron?: string;
    policy: DefragPolicy;
    healthTimeoutMs: number;
    defragTimeoutMs: number;
  };
}
