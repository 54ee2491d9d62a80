/**
 * An /etc/cron.d entry running `kubekeeper backup run` on the config's schedule. cron.d
 * lines carry the user; cron's own environment is minimal, so PATH is set and output goes
 * to a log file (the JSON events) instead of mail. Pure.
 */
import type { KubekeeperConfig } from './config.js';
import { backupCron } from './generate-schedule.js';

export interface CrontabOptions {
  binary?: string;
  /** User the job runs as; default root (etcd's client key is root-only on kubeadm and RKE). */
  user?: string;
  logFile?: string;
}

/** The cron.d file text for `config`. */
export function generateCrontab(config: KubekeeperConfig, options: CrontabOptions = {}): string {
  const binary = options.binary ?? '/usr/local/bin/kubekeeper';
  const logFile = options.logFile ?? '/var/log/kubekeeper-backup.log';
  return [
    `# /etc/cron.d/kubekeeper-backup: etcd backup from ${config.source.path}`,
    '# kubekeeper holds a lock, so a slow run makes the next one fail fast instead of overlapping.',
    ...(config.backup.signingKeyFile ? [`# Manifests are signed with ${config.backup.signingKeyFile} (backup.signingKeyFile): readable by the job's user only.`] : []),
    'SHELL=/bin/sh',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `${backupCron(config)} ${options.user ?? 'root'} ${binary} backup run --config ${config.source.path} >>${logFile} 2>&1`,
    '',
  ].join('\n');
}
