/**
 * How RKE1 turns `services.kube-api.audit_log` into kube-apiserver flags (spec §3.4), so that
 * kubekeeper can tell what a cluster.yml really does today. The trap: a `configuration` block
 * replaces RKE's defaults wholesale, and every field left out is passed as a zero value
 * (`--audit-log-path=` disables the log; maxage/maxbackup 0 keep files forever). Pure.
 */
import { RKE_AUDIT_DEFAULTS, RKE_AUDIT_LOG_DIR, RKE_POLICY_FILE } from './apiserver-flags.js';

/** The YAML keys of audit_log.configuration and the flag each becomes. */
export const RKE_CONFIGURATION_FLAGS = [
  ['max_age', 'audit-log-maxage'],
  ['max_backup', 'audit-log-maxbackup'],
  ['max_size', 'audit-log-maxsize'],
  ['path', 'audit-log-path'],
  ['format', 'audit-log-format'],
] as const;

export type RkeConfigurationKey = (typeof RKE_CONFIGURATION_FLAGS)[number][0];

export interface RkeAuditLogState {
  /** Whether RKE writes the policy file and points --audit-policy-file at it. */
  enabled: boolean;
  /** The audit flags RKE passes; undefined when it passes none. */
  flags: Record<string, string> | undefined;
  /** configuration fields that are missing (or empty strings) and so passed as zero values. */
  zeroFields: RkeConfigurationKey[];
  /** False when the log path is outside the only directory RKE mounts from the host. */
  pathPersisted: boolean;
  /** True when RKE supplies its default policy (a single Metadata rule). */
  defaultPolicy: boolean;
}

function zeroOf(key: RkeConfigurationKey): string {
  return key === 'path' || key === 'format' ? '' : '0';
}

/** The effective audit logging of an RKE cluster.yml's `services.kube-api.audit_log` (JS value). */
export function rkeEffectiveAuditLog(auditLog: unknown): RkeAuditLogState {
  const block = (typeof auditLog === 'object' && auditLog !== null ? auditLog : {}) as { enabled?: unknown; configuration?: unknown };
  // RKE creates the block with enabled: true when cluster.yml has none (Kubernetes >= 1.15.11).
  const enabled = auditLog === undefined || auditLog === null ? true : block.enabled === true;
  const configuration = typeof block.configuration === 'object' && block.configuration !== null ? (block.configuration as Record<string, unknown>) : undefined;
  if (!configuration) {
    if (!enabled) return { enabled, flags: undefined, zeroFields: [], pathPersisted: true, defaultPolicy: false };
    const d = RKE_AUDIT_DEFAULTS;
    const flags = {
      'audit-log-maxage': String(d.maxAgeDays), 'audit-log-maxbackup': String(d.maxBackups), 'audit-log-maxsize': String(d.maxSizeMb),
      'audit-log-path': d.logPath, 'audit-log-format': d.format, 'audit-policy-file': RKE_POLICY_FILE,
    };
    return { enabled, flags, zeroFields: [], pathPersisted: true, defaultPolicy: true };
  }
  const flags: Record<string, string> = {};
  const zeroFields: RkeConfigurationKey[] = [];
  for (const [key, flag] of RKE_CONFIGURATION_FLAGS) {
    const value = configuration[key];
    if (value === undefined || value === null || value === '') zeroFields.push(key);
    flags[flag] = value === undefined || value === null ? zeroOf(key) : String(value);
  }
  // The flags are emitted whenever configuration is set; the policy file only when enabled.
  if (enabled) flags['audit-policy-file'] = RKE_POLICY_FILE;
  const path = flags['audit-log-path'] ?? '';
  return {
    enabled,
    flags,
    zeroFields,
    pathPersisted: path.startsWith(`${RKE_AUDIT_LOG_DIR}/`),
    defaultPolicy: configuration.policy === undefined || configuration.policy === null,
  };
}
