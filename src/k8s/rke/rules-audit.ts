/**
 * API server audit log rules (spec §3.4, RKE `services.kube-api.audit_log`): disabled, a
 * `configuration` that leaves fields at zero (RKE only defaults the policy then), a path outside
 * the bind-mounted /var/log/kube-audit, and policies that record nothing or record Secrets.
 */
import { asBool, asNumber } from './cluster-file.js';
import type { ReviewContext, ReviewFinding } from './finding.js';

const AL = ['services', 'kube-api', 'audit_log'];
const CONF = [...AL, 'configuration'];
/** The only host directory RKE bind-mounts into kube-apiserver for audit logs. */
const AUDIT_HOST_DIR = '/var/log/kube-audit';

interface PolicyRule {
  level?: string;
  resources?: Array<{ group?: string; resources?: string[] }>;
  nonResourceURLs?: string[];
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  namespaces?: string[];
}

/** True when a rule applies to every request (no selector narrows it). */
function matchesEverything(rule: PolicyRule): boolean {
  return !rule.resources && !rule.nonResourceURLs && !rule.users && !rule.userGroups && !rule.verbs && !rule.namespaces;
}

function coversSecrets(rule: PolicyRule): boolean {
  if (matchesEverything(rule)) return true;
  if (rule.nonResourceURLs || rule.users || rule.userGroups || rule.verbs || rule.namespaces) return false;
  return (rule.resources ?? []).some((r) => (r.group ?? '') === '' && (!r.resources || r.resources.length === 0 || r.resources.includes('secrets') || r.resources.includes('*')));
}

export function reviewAudit({ file }: ReviewContext): ReviewFinding[] {
  const out: ReviewFinding[] = [];
  const add = (rule: string, severity: ReviewFinding['severity'], path: string[], message: string, why: string, fix: string) =>
    out.push({ rule, severity, path: path.join('.'), line: file.lineOf(path), message, why, fix });
  if (!file.has(AL)) return out; // RKE enables it by default (1.15.11+/1.16.8+/1.17.4+) with the defaults.
  if (asBool(file.get([...AL, 'enabled'])) === false) {
    add('audit.disabled', 'high', [...AL, 'enabled'], 'audit_log.enabled: false', 'no record of who read or changed what: incidents cannot be investigated, and most compliance regimes require it', 'Set audit_log.enabled: true');
    return out;
  }
  if (!file.has(CONF)) return out;
  const conf = (key: string) => file.get([...CONF, key]);
  const path = conf('path');
  if (typeof path !== 'string' || path === '') {
    add('audit.path-empty', 'high', CONF, 'audit_log.configuration has no path: RKE passes --audit-log-path="" instead of the default', 'with an empty path the log backend writes nothing: auditing looks enabled but records nothing', `Set path: ${AUDIT_HOST_DIR}/audit-log.json`);
  } else if (!path.startsWith(`${AUDIT_HOST_DIR}/`)) {
    add('audit.path-not-persisted', 'medium', [...CONF, 'path'], `audit_log.configuration.path: ${path} is outside ${AUDIT_HOST_DIR}`, `only ${AUDIT_HOST_DIR} is mounted from the host: the log stays inside the container and is lost when it is recreated`, `Put the log under ${AUDIT_HOST_DIR}/`);
  }
  if (asNumber(conf('max_backup')) === undefined || asNumber(conf('max_backup')) === 0) {
    add('audit.max-backup-zero', 'medium', file.has([...CONF, 'max_backup']) ? [...CONF, 'max_backup'] : CONF, 'audit_log.configuration.max_backup is 0 or missing (RKE does not default it when configuration is given)', 'rotated audit files are never removed by count and can fill the control-plane disk', 'Set max_backup: 10 (RKE\'s default)');
  }
  if (asNumber(conf('max_age')) === undefined || asNumber(conf('max_age')) === 0) {
    add('audit.max-age-zero', 'low', file.has([...CONF, 'max_age']) ? [...CONF, 'max_age'] : CONF, 'audit_log.configuration.max_age is 0 or missing', 'old audit files are never removed by age', 'Set max_age: 30 (RKE\'s default)');
  }
  const policy = conf('policy') as { rules?: PolicyRule[] } | undefined;
  if (policy !== undefined) {
    const rules = policy.rules ?? [];
    const first = rules[0];
    if (rules.length === 0) add('audit.policy-empty', 'high', [...CONF, 'policy'], 'the audit policy has no rules', 'kube-apiserver refuses a policy without rules, or records nothing', 'Start from a rule list ending with "- level: Metadata"');
    else if (first && first.level === 'None' && matchesEverything(first)) add('audit.policy-records-nothing', 'high', [...CONF, 'policy'], 'the first audit rule is "level: None" for every request', 'first match wins: no request is ever recorded', 'Move catch-all "None" rules to the end or narrow them');
    else {
      const secretRule = rules.find(coversSecrets);
      if (secretRule && (secretRule.level === 'Request' || secretRule.level === 'RequestResponse')) {
        add('audit.policy-logs-secrets', 'medium', [...CONF, 'policy'], `Secrets are recorded at level ${secretRule.level}`, 'Secret values are written in clear text into the audit log', 'Add a rule before the broader ones: level Metadata for group "" resources secrets and configmaps');
      }
      if (!rules.some((r) => r.level && r.level !== 'None')) add('audit.policy-records-nothing', 'high', [...CONF, 'policy'], 'every audit rule has level None', 'nothing is recorded', 'End the rules with "- level: Metadata"');
    }
  }
  return out;
}
