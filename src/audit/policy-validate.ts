/**
 * The checks kube-apiserver applies when it loads a policy (spec §3.1, §32): an API server
 * given a policy that fails any of them refuses to start. Pure.
 */
import { AUDIT_LEVELS, AUDIT_STAGES, type AuditPolicy, type PolicyRule } from './policy.js';

/** Where in the document a problem is: ["rules", 2, "level"]. */
export type PolicyPath = readonly (string | number)[];

export interface PolicyProblem {
  path: PolicyPath;
  /** Stable identifier for scripts and tests. */
  code: string;
  message: string;
}

// Group names are DNS subdomains: lower-case labels joined by dots, at most 253 characters.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN_MAX = 253;

function checkLevel(rule: PolicyRule, at: PolicyPath, out: PolicyProblem[]): void {
  const level = rule.level as string | undefined;
  if (level === undefined || level === '') {
    out.push({ path: at, code: 'level-missing', message: 'rule has no level (one of None, Metadata, Request, RequestResponse)' });
  } else if (!AUDIT_LEVELS.includes(level as never)) {
    const fix = AUDIT_LEVELS.find((l) => l.toLowerCase() === level.toLowerCase());
    out.push({
      path: [...at, 'level'],
      code: 'level-unknown',
      message: `unknown level "${level}"${fix ? ` (levels are case-sensitive: "${fix}")` : ''}; use None, Metadata, Request or RequestResponse`,
    });
  }
}

function checkStages(stages: readonly string[] | undefined, at: PolicyPath, out: PolicyProblem[]): void {
  stages?.forEach((stage, i) => {
    if (!AUDIT_STAGES.includes(stage as never)) {
      out.push({ path: [...at, i], code: 'stage-unknown', message: `unknown stage "${stage}"; allowed: ${AUDIT_STAGES.join(', ')}` });
    }
  });
}

function checkUrls(rule: PolicyRule, at: PolicyPath, out: PolicyProblem[]): void {
  rule.nonResourceURLs?.forEach((url, i) => {
    if (url === '*') return;
    if (!url.startsWith('/')) out.push({ path: [...at, 'nonResourceURLs', i], code: 'url-no-slash', message: `non-resource URL "${url}" must begin with "/"` });
    if (url.slice(0, -1).includes('*')) {
      out.push({ path: [...at, 'nonResourceURLs', i], code: 'url-inner-wildcard', message: `non-resource URL "${url}": "*" is only allowed as the last character` });
    }
  });
  if (rule.nonResourceURLs?.length && (rule.resources?.length || rule.namespaces?.length)) {
    out.push({
      path: [...at, 'nonResourceURLs'],
      code: 'url-with-resources',
      message: 'a rule cannot apply to both resources/namespaces and non-resource URLs; split it into two rules',
    });
  }
}

function checkResources(rule: PolicyRule, at: PolicyPath, out: PolicyProblem[]): void {
  rule.resources?.forEach((gr, i) => {
    const group = gr.group ?? '';
    if (group !== '' && (group.length > DNS_SUBDOMAIN_MAX || !DNS_SUBDOMAIN.test(group))) {
      const hint = group.includes('/') ? `; drop the version: "${group.split('/')[0]}"` : '';
      out.push({ path: [...at, 'resources', i, 'group'], code: 'group-invalid', message: `group "${group}" is not a valid API group name${hint}` });
    }
    if (gr.resourceNames?.length && !gr.resources?.length) {
      out.push({ path: [...at, 'resources', i, 'resourceNames'], code: 'names-without-resources', message: 'resourceNames needs at least one entry in resources' });
    }
  });
}

/** Every reason the API server would reject `policy`; empty when it loads. */
export function validatePolicy(policy: Pick<AuditPolicy, 'rules' | 'omitStages'>): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  if (policy.rules.length === 0) out.push({ path: ['rules'], code: 'no-rules', message: 'policy has no rules; the API server refuses a policy with 0 rules' });
  checkStages(policy.omitStages, ['omitStages'], out);
  policy.rules.forEach((rule, i) => {
    const at = ['rules', i];
    checkLevel(rule, at, out);
    checkStages(rule.omitStages, [...at, 'omitStages'], out);
    checkUrls(rule, at, out);
    checkResources(rule, at, out);
  });
  return out;
}
