/** The daemon domain: configuration, unattended backup runs, locks, generators (cron, systemd, Kubernetes). */
export { CONFIG_COMPRESSIONS, CONFIG_DEFAULTS, ConfigError, defaultLockFile, type ConfigCompression, type ConfigPosition, type KubekeeperConfig, type S3RepositorySettings } from './config.js';
export { loadConfig, loadConfigWithWarnings, parseConfigText, MAX_CONFIG_FILE_BYTES, type LoadedConfig } from './config-load.js';
export { redactConfig, REDACTED } from './config-redact.js';
export { parseDurationMs } from './config-yaml.js';
export { BackupTimeoutError, backupNameFor, runBackupOnce, type BackupRunResult, type RunBackupOptions } from './backup-run.js';
export { acquireLock, LockHeldError, type AcquireLockOptions, type HeldLock, type LockOwner } from './lock.js';
export { runConfiguredDrill, type ConfiguredDrillOptions } from './daemon-drill.js';
export { openConfiguredRepository } from './config-repository.js';
export { backupCron, cronForInterval, systemdCalendar } from './generate-schedule.js';
export { generateSystemdUnits, writablePaths, type SystemdOptions, type SystemdUnits } from './generate-systemd.js';
export { generateCrontab, type CrontabOptions } from './generate-crontab.js';
export { CONTAINER_CONFIG_DIR, CONTAINER_SECRETS_DIR, generateCronJob, hostMounts, type CronJobOptions } from './generate-cronjob.js';
export { DEFAULT_BACKUP_INTERVAL_MS, DEFAULT_DRILL_INTERVAL_MS, runDaemon, type DaemonOptions } from './daemon.js';
export { type Clock, systemClock } from './clock.js';
export { type DaemonState, createDaemonState, daemonMetricFamilies, recordBackup, recordDrill } from './daemon-state.js';
export { checkHealth, type HealthReport } from './health.js';
export { METRICS_CONTENT_TYPE, renderMetrics, type MetricFamily } from './metrics.js';
export { ELECTION_MODES, NotLeaderError, runAsLeader, type ElectionMode } from './run-election.js';
