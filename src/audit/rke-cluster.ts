/**
 * Plans the audit logging change to an RKE1 cluster.yml: `services.kube-api.audit_log` with
 * `enabled: true` and every configuration field set, because RKE passes a missing field as a
 * zero value (an empty --audit-log-path turns the log off). Comments and layout are kept.
 * Pure: text in, text and the list of changes out.
 */
import { isMap, type YAMLMap } from 'yaml';
import { AppError } from '../errors.js';
import { RKE_AUDIT_LOG_DIR, validateAuditLogSettings, type AuditLogSettings } from './apiserver-flags.js';
import type { ConfigChange, ConfigPlan } from './kubeadm-manifest.js';
import type { AuditPolicy } from './policy.js';
import { validatePolicy } from './policy-validate.js';
import { rkeEffectiveAuditLog } from './rke-audit-log.js';
import { flowScalarLists, openEditableYaml } from './yaml-edit.js';

const AUDIT_LOG = ['services', 'kube-api', 'audit_log'];
const CONFIGURATION = [...AUDIT_LOG, 'configuration'];

export interface RkePlanOptions {
  settings: AuditLogSettings;
  /** The policy to set; undefined keeps a valid existing policy, else uses `defaultPolicy`. */
  policy: AuditPolicy | undefined;
  defaultPolicy: AuditPolicy;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return 'missing';
  const rules = (value as { rules?: unknown }).rules;
  return Array.isArray(rules) ? `policy with ${rules.length} rules` : JSON.stringify(value);
}

/**
 * A cluster.yml is a mapping with nodes: or services:. A Kubernetes object (it has kind:) is
 * refused even if it happens to have such a key, so a manifest is never edited as RKE config.
 */
function checkIsClusterYml(root: unknown, file: string): void {
  const keys = isMap(root) ? root.items.map((p) => String((p.key as { value?: unknown })?.value ?? p.key)) : [];
  if (!isMap(root) || keys.includes('kind') || !(keys.includes('nodes') || keys.includes('services'))) {
    throw new AppError('cluster-yml-unrecognised', `Cannot configure "${file}": it is not an RKE cluster.yml (no top-level nodes: or services:)`, {
      hint: 'Pass the cluster.yml given to "rke up"; for kubeadm clusters use --kubeadm with the kube-apiserver manifest',
    });
  }
}

/** Plans audit logging for an RKE cluster.yml; refuses anything else. */
export function planRkeAudit(text: string, file: string, options: RkePlanOptions): ConfigPlan {
  const { settings } = options;
  validateAuditLogSettings(settings);
  const yaml = openEditableYaml(text, file);
  const { doc } = yaml;
  checkIsClusterYml(doc.contents, file);
  const before = doc.getIn(AUDIT_LOG) === undefined ? undefined : (doc.toJS() as { services?: { 'kube-api'?: { audit_log?: unknown } } }).services?.['kube-api']?.audit_log;
  const state = rkeEffectiveAuditLog(before);
  const changes: ConfigChange[] = [];
  const warnings: string[] = [];
  const set = (path: string[], value: unknown, label: string, explainMissing = '') => {
    const current = doc.getIn(path);
    const plain = isMap(current) ? (current as YAMLMap).toJSON() : current;
    if (JSON.stringify(plain) === JSON.stringify(value)) return changes.push({ action: 'unchanged', target: label, to: show(value) });
    const node = doc.createNode(value);
    flowScalarLists(node);
    doc.setIn(path, node);
    const from = plain === undefined || plain === null ? `missing${explainMissing}` : show(plain);
    changes.push({ action: plain === undefined || plain === null ? 'add' : 'update', target: label, from, to: show(value) });
  };
  set([...AUDIT_LOG, 'enabled'], true, 'audit_log.enabled');
  const values: [string, unknown][] = [
    ['max_age', settings.maxAgeDays], ['max_backup', settings.maxBackups], ['max_size', settings.maxSizeMb], ['path', settings.logPath], ['format', settings.format],
  ];
  // "RKE passes 0" only applies when a configuration block exists; without one RKE uses its defaults.
  const hasConfiguration = isMap(doc.getIn(CONFIGURATION));
  for (const [key, value] of values) {
    const zero = hasConfiguration && state.zeroFields.includes(key as never) ? `: RKE passes ${key === 'path' || key === 'format' ? '""' : '0'}` : '';
    set([...CONFIGURATION, key], value, `audit_log.configuration.${key}`, zero);
  }
  setPolicy(doc.getIn([...CONFIGURATION, 'policy']), options, (value, label) => set([...CONFIGURATION, 'policy'], value, label), changes, warnings);
  if (!settings.logPath.startsWith(`${RKE_AUDIT_LOG_DIR}/`)) {
    warnings.push(`The log path "${settings.logPath}" is outside ${RKE_AUDIT_LOG_DIR}, the only directory RKE mounts from the host: the log will be lost with the container`);
  }
  const extraArgs = doc.getIn(['services', 'kube-api', 'extra_args']);
  const overrides = isMap(extraArgs) ? extraArgs.items.map((p) => String((p.key as { value?: unknown })?.value ?? p.key)).filter((k) => k.startsWith('audit-')) : [];
  if (overrides.length) warnings.push(`services.kube-api.extra_args sets ${overrides.join(', ')}: extra_args win over audit_log (and with audit-policy-file set RKE writes no policy); remove them`);
  const changed = changes.some((c) => c.action !== 'unchanged');
  return { text: changed ? yaml.render() : text, changes, warnings };
}

/** Sets the requested policy, keeps a valid existing one, or replaces an invalid one (with a warning). */
function setPolicy(
  current: unknown,
  options: RkePlanOptions,
  set: (value: unknown, label: string) => void,
  changes: ConfigChange[],
  warnings: string[],
): void {
  const label = 'audit_log.configuration.policy';
  if (options.policy) return void set(options.policy, label);
  if (!isMap(current)) return void set(options.defaultPolicy, label);
  const existing = (current as YAMLMap).toJSON() as Partial<AuditPolicy>;
  const problems = Array.isArray(existing.rules) ? validatePolicy(existing as AuditPolicy) : [{ message: 'no rules' }];
  if (problems.length === 0) {
    changes.push({ action: 'unchanged', target: label, to: `existing policy (${existing.rules?.length ?? 0} rules; --profile replaces it)` });
    return;
  }
  warnings.push(`The existing policy is invalid (${problems[0]?.message}); replaced`);
  set(options.defaultPolicy, label);
}
