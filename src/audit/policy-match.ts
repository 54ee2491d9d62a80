/**
 * Policy evaluation exactly as kube-apiserver's policy checker does it (spec §3.1): rules are
 * tried in order and the first match wins; no match means level None. Pure.
 */
import type { AuditLevel, AuditPolicy, AuditRequest, AuditStage, GroupResources, PolicyRule } from './policy.js';

export interface PolicyDecision {
  level: AuditLevel;
  /** Union of the policy's and the matching rule's omitStages, in canonical order. */
  omitStages: AuditStage[];
  /** Index of the matching rule, or -1 when none matched. */
  ruleIndex: number;
}

function listed(list: readonly string[] | undefined, value: string): boolean {
  return list === undefined || list.length === 0 || list.includes(value);
}

/** Non-resource URL match: "*", exact, or a trailing "*" as a prefix match. */
export function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  // Go's strings.TrimRight(spec, "*") strips every trailing star, not just one.
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

/** One resource pattern against resource[/subresource]; `pods` does not match `pods/log`. */
export function resourcePatternMatches(pattern: string, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  if (pattern === '*' || pattern === combined) return true;
  if (subresource && pattern.startsWith('*/') && pattern.slice(2) === subresource) return true;
  // "pods/*" matches the pods themselves as well as every subresource.
  return pattern.endsWith('/*') && pattern.slice(0, -2) === resource;
}

function groupResourcesMatch(entries: readonly GroupResources[], res: NonNullable<AuditRequest['resource']>): boolean {
  for (const gr of entries) {
    if ((gr.group ?? '') !== res.apiGroup) continue;
    if (!gr.resources || gr.resources.length === 0) return true;
    const nameOk = !gr.resourceNames || gr.resourceNames.length === 0 || gr.resourceNames.includes(res.name ?? '');
    if (nameOk && gr.resources.some((p) => resourcePatternMatches(p, res.resource, res.subresource))) return true;
  }
  return false;
}

/** True when `rule` selects `request`. */
export function ruleMatches(rule: PolicyRule, request: AuditRequest): boolean {
  if (rule.users?.length && !rule.users.includes(request.user.username)) return false;
  if (rule.userGroups?.length && !(request.user.groups ?? []).some((g) => rule.userGroups?.includes(g))) return false;
  if (!listed(rule.verbs, request.verb)) return false;
  if (rule.namespaces?.length || rule.resources?.length) {
    const res = request.resource;
    if (!res) return false;
    if (!listed(rule.namespaces, res.namespace ?? '')) return false;
    return !rule.resources?.length || groupResourcesMatch(rule.resources, res);
  }
  if (rule.nonResourceURLs?.length) {
    if (request.resource || request.path === undefined) return false;
    const path = request.path;
    return rule.nonResourceURLs.some((spec) => pathMatches(path, spec));
  }
  return true;
}

const STAGE_ORDER: readonly AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

/** The level and omitted stages the API server would use for `request`. */
export function evaluatePolicy(policy: Pick<AuditPolicy, 'rules' | 'omitStages'>, request: AuditRequest): PolicyDecision {
  const ruleIndex = policy.rules.findIndex((rule) => ruleMatches(rule, request));
  const rule = policy.rules[ruleIndex];
  const stages = new Set<AuditStage>([...(policy.omitStages ?? []), ...(rule?.omitStages ?? [])]);
  return { level: rule?.level ?? 'None', omitStages: STAGE_ORDER.filter((s) => stages.has(s)), ruleIndex };
}
