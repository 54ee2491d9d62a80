/**
 * A hardened systemd service + timer running `kubekeeper backup run`. The service is
 * read-only on the whole file system (ProtectSystem=strict) except the lock directory and
 * a local repository; it cannot gain privileges, see /home or devices, or load modules.
 * Pure: config in, unit file text out.
 */
import path from 'node:path';
import { parseRepository } from '../storage/index.js';
import type { KubekeeperConfig } from './config.js';
import { backupCron, cronForInterval, systemdCalendar } from './generate-schedule.js';

export interface SystemdOptions {
  /** Path of the kubekeeper executable; default /usr/local/bin/kubekeeper. */
  binary?: string;
  /** Unit name without suffix; default kubekeeper-backup. */
  unitName?: string;
}

export interface SystemdUnits {
  serviceName: string;
  service: string;
  timerName: string;
  timer: string;
}

const seconds = (ms: number) => `${Math.ceil(ms / 1000)}s`;

/** Directories the run writes: the lock's, and a local repository. */
export function writablePaths(config: KubekeeperConfig): string[] {
  const location = parseRepository(config.repository.url);
  return [path.dirname(config.lockFile), ...(location.kind === 'local' ? [location.path] : [])];
}

function timerSchedule(config: KubekeeperConfig): string[] {
  const { cron, intervalMs } = config.schedule;
  // A calendar schedule survives downtime (Persistent=); a bare interval does not.
  if (cron || intervalMs === undefined || cronForInterval(intervalMs)) return [`OnCalendar=${systemdCalendar(backupCron(config))}`, 'Persistent=true'];
  return [`OnBootSec=${seconds(5 * 60_000)}`, `OnUnitActiveSec=${seconds(intervalMs)}`];
}

/** The .service and .timer for `config` (read from `config.source.path`). */
export function generateSystemdUnits(config: KubekeeperConfig, options: SystemdOptions = {}): SystemdUnits {
  const unit = options.unitName ?? 'kubekeeper-backup';
  const binary = options.binary ?? '/usr/local/bin/kubekeeper';
  const rw = writablePaths(config);
  const runtimeDir = path.dirname(config.lockFile).startsWith('/run/') ? path.dirname(config.lockFile).slice('/run/'.length) : undefined;
  const service = [
    '[Unit]',
    `Description=kubekeeper etcd backup (${config.source.path})`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${binary} backup run --config ${config.source.path}`,
    // The directories must exist before the sandbox is set up; "+" runs this outside it.
    ...rw.filter((d) => !runtimeDir || d !== path.dirname(config.lockFile)).map((d) => `ExecStartPre=+/usr/bin/install -d -m 0700 ${d}`),
    ...(runtimeDir ? [`RuntimeDirectory=${runtimeDir}`, 'RuntimeDirectoryMode=0700', 'RuntimeDirectoryPreserve=yes'] : []),
    `TimeoutStartSec=${seconds(config.backup.timeoutMs + 5 * 60_000)}`,
    'EnvironmentFile=-/etc/kubekeeper/backup.env',
    'UMask=0077',
    'Nice=10',
    'IOSchedulingClass=best-effort',
    'IOSchedulingPriority=7',
    '# Sandbox: everything read-only but the lock and repository directories.',
    'ProtectSystem=strict',
    `ReadWritePaths=${rw.join(' ')}`,
    ...(config.backup.signingKeyFile
      ? [`# Manifests are signed with backup.signingKeyFile (keep it 0600 root); the run only reads it.`, `ReadOnlyPaths=${config.backup.signingKeyFile}`]
      : []),
    'ProtectHome=read-only',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'NoNewPrivileges=yes',
    'CapabilityBoundingSet=CAP_DAC_READ_SEARCH',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'SystemCallArchitectures=native',
    'SystemCallFilter=@system-service',
    '# No MemoryDenyWriteExecute=: the Node.js JIT needs writable executable memory.',
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    `Description=Schedule for ${unit}.service`,
    '',
    '[Timer]',
    ...timerSchedule(config),
    ...(config.schedule.jitterMs > 0 ? [`RandomizedDelaySec=${seconds(config.schedule.jitterMs)}`] : []),
    'AccuracySec=1min',
    `Unit=${unit}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return { serviceName: `${unit}.service`, service, timerName: `${unit}.timer`, timer };
}
