/**
 * The audit log settings kubekeeper puts in place and the kube-apiserver flags they become
 * (spec §3.2). Pure.
 */
import { AppError, ExitCode } from '../errors.js';

export interface AuditLogSettings {
  /** Policy file, on the host and (same path) in the API server's container. */
  policyFile: string;
  /** Log file; its directory is mounted from the host so the log survives the container. */
  logPath: string;
  /** Days to keep rotated files (by the time in their name); 0 = no age limit. */
  maxAgeDays: number;
  /** Rotated files to keep; 0 = keep all. */
  maxBackups: number;
  /** Size in MB at which the log rotates; 0 = the rotation library's default of 100 MB. */
  maxSizeMb: number;
  /** One JSON event per line: the only format `audit search` reads. */
  format: 'json';
}

export const KUBEADM_AUDIT_DEFAULTS: AuditLogSettings = {
  policyFile: '/etc/kubernetes/audit-policy.yaml',
  logPath: '/var/log/kubernetes/audit/audit.log',
  maxAgeDays: 30,
  maxBackups: 10,
  maxSizeMb: 100,
  format: 'json',
};

/** RKE bind-mounts only /var/log/kube-audit into kube-apiserver; its own defaults live there. */
export const RKE_AUDIT_LOG_DIR = '/var/log/kube-audit';
/** Where RKE (>= 1.1.0) writes the policy on control-plane hosts. */
export const RKE_POLICY_FILE = '/etc/kubernetes/audit-policy.yaml';

export const RKE_AUDIT_DEFAULTS: AuditLogSettings = {
  policyFile: RKE_POLICY_FILE,
  logPath: `${RKE_AUDIT_LOG_DIR}/audit-log.json`,
  maxAgeDays: 30,
  maxBackups: 10,
  maxSizeMb: 100,
  format: 'json',
};

function invalid(message: string, hint: string): AppError {
  return new AppError('audit-settings-invalid', message, { hint, exitCode: ExitCode.usage });
}

/** Throws AppError for settings kube-apiserver would refuse or that would lose the log. */
export function validateAuditLogSettings(settings: AuditLogSettings): void {
  const counts: [string, number][] = [['max age', settings.maxAgeDays], ['max backups', settings.maxBackups], ['max size', settings.maxSizeMb]];
  for (const [what, value] of counts) {
    if (!Number.isInteger(value) || value < 0) throw invalid(`Invalid audit log ${what} ${value}: kube-apiserver accepts whole numbers >= 0 only`, 'Use 0 for "no limit" (max size 0 means 100 MB)');
  }
  for (const [what, p] of [['log path', settings.logPath], ['policy file', settings.policyFile]] as const) {
    if (!p.startsWith('/') || p.endsWith('/')) throw invalid(`Invalid audit ${what} "${p}": it must be an absolute file path`, 'Use for example /var/log/kubernetes/audit/audit.log');
  }
}

/** The kube-apiserver flags, in kubeadm's (alphabetical) order, without the leading dashes. */
export function auditFlags(settings: AuditLogSettings): [string, string][] {
  validateAuditLogSettings(settings);
  return [
    ['audit-log-format', settings.format],
    ['audit-log-maxage', String(settings.maxAgeDays)],
    ['audit-log-maxbackup', String(settings.maxBackups)],
    ['audit-log-maxsize', String(settings.maxSizeMb)],
    ['audit-log-path', settings.logPath],
    ['audit-policy-file', settings.policyFile],
  ];
}

/** What the settings mean in practice, for the plan printed to the user. */
export function describeAuditLogSettings(settings: AuditLogSettings): string[] {
  const notes = [`Log ${settings.logPath}, rotated at ${settings.maxSizeMb || 100} MB${settings.maxSizeMb === 0 ? ' (0 means the default, 100 MB)' : ''}`];
  notes.push(settings.maxBackups === 0 ? 'All rotated files are kept (max backups 0)' : `${settings.maxBackups} rotated files kept`);
  notes.push(settings.maxAgeDays === 0 ? 'Rotated files are never removed for age (max age 0)' : `Rotated files removed after ${settings.maxAgeDays} days`);
  return notes;
}
