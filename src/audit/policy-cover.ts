/**
 * Set reasoning over policy rules, for the linter: does one rule match every request another
 * matches (so the later one is dead, because the first match wins), and can a rule ever match
 * a given resource. Conservative: `ruleCovers` answers true only when it can prove it, so the
 * linter never reports a shadow that is not real. Pure.
 */
import type { GroupResources, PolicyRule } from './policy.js';

/** Every value `inner` allows is allowed by `outer`; an empty list allows everything. */
function listCovers(outer: readonly string[] | undefined, inner: readonly string[] | undefined): boolean {
  if (!outer?.length) return true;
  if (!inner?.length) return false;
  return inner.every((v) => outer.includes(v));
}

/** Pattern `outer` matches every resource[/sub] that pattern `inner` matches (policy-match rules). */
export function resourcePatternCovers(outer: string, inner: string): boolean {
  if (outer === '*' || outer === inner) return true;
  if (outer.endsWith('/*')) {
    const base = outer.slice(0, -2);
    // "pods/*" matches "pods", "pods/log" and "pods/*"; inner "*" or "*/x" spans other resources.
    return inner === base || inner.startsWith(`${base}/`);
  }
  if (outer.startsWith('*/')) return inner.endsWith(outer.slice(1)) && inner.includes('/') && !inner.endsWith('/*');
  return false;
}

function nameListCovers(outer: GroupResources, inner: GroupResources): boolean {
  return listCovers(outer.resourceNames, inner.resourceNames);
}

/** `outer` (one GroupResources) matches every request that `inner` matches. */
function groupResourcesCovers(outer: GroupResources, inner: GroupResources): boolean {
  if ((outer.group ?? '') !== (inner.group ?? '')) return false;
  if (!outer.resources?.length) return true;
  if (!inner.resources?.length) return false;
  if (!nameListCovers(outer, inner)) return false;
  return inner.resources.every((r) => outer.resources?.some((o) => resourcePatternCovers(o, r)));
}

function nonResourceCovers(outer: readonly string[], inner: readonly string[]): boolean {
  return inner.every((u) =>
    outer.some((o) => o === '*' || o === u || (o.endsWith('*') && u !== '*' && u.startsWith(o.replace(/\*+$/, '')))),
  );
}

type Scope = 'all' | 'resource' | 'nonResource';

function scopeOf(rule: PolicyRule): Scope {
  if (rule.namespaces?.length || rule.resources?.length) return 'resource';
  if (rule.nonResourceURLs?.length) return 'nonResource';
  return 'all';
}

/** True when `outer` provably matches every request `inner` matches. */
export function ruleCovers(outer: PolicyRule, inner: PolicyRule): boolean {
  if (!listCovers(outer.users, inner.users)) return false;
  // A user in any of inner's groups is in one of outer's when inner's groups are a subset.
  if (!listCovers(outer.userGroups, inner.userGroups)) return false;
  if (!listCovers(outer.verbs, inner.verbs)) return false;
  const outerScope = scopeOf(outer);
  const innerScope = scopeOf(inner);
  if (outerScope === 'all') return true;
  if (outerScope !== innerScope) return false;
  if (outerScope === 'nonResource') return nonResourceCovers(outer.nonResourceURLs ?? [], inner.nonResourceURLs ?? []);
  if (!listCovers(outer.namespaces, inner.namespaces)) return false;
  if (!outer.resources?.length) return true;
  if (!inner.resources?.length) return false;
  return inner.resources.every((gr) => outer.resources?.some((o) => groupResourcesCovers(o, gr)));
}

/** A resource as the linter probes it: group, resource, optional subresource. */
export interface ResourceProbe {
  group: string;
  resource: string;
  subresource?: string;
  /** Cluster-scoped resources only match rules whose namespaces include "". */
  namespaced: boolean;
}

function patternCanMatch(pattern: string, probe: ResourceProbe): boolean {
  const combined = probe.subresource ? `${probe.resource}/${probe.subresource}` : probe.resource;
  if (pattern === '*' || pattern === combined) return true;
  if (probe.subresource && pattern === `*/${probe.subresource}`) return true;
  return pattern === `${probe.resource}/*`;
}

function namespacesAllow(rule: PolicyRule, probe: ResourceProbe): boolean {
  if (!rule.namespaces?.length) return true;
  return probe.namespaced ? rule.namespaces.some((ns) => ns !== '') : rule.namespaces.includes('');
}

/** True when `rule` matches some request for `probe` (for some user, verb, namespace or name). */
export function ruleCanMatchResource(rule: PolicyRule, probe: ResourceProbe): boolean {
  if (scopeOf(rule) === 'nonResource') return false;
  if (!namespacesAllow(rule, probe)) return false;
  if (!rule.resources?.length) return true;
  return rule.resources.some(
    (gr) => (gr.group ?? '') === probe.group && (!gr.resources?.length || gr.resources.some((p) => patternCanMatch(p, probe))),
  );
}

/** True when `rule` matches every request for `probe`, whoever sends it and whatever the verb. */
export function ruleMatchesAllOfResource(rule: PolicyRule, probe: ResourceProbe): boolean {
  if (rule.users?.length || rule.userGroups?.length || rule.verbs?.length) return false;
  if (rule.namespaces?.length) return false;
  if (scopeOf(rule) === 'nonResource') return false;
  if (!rule.resources?.length) return true;
  return rule.resources.some(
    (gr) =>
      (gr.group ?? '') === probe.group &&
      !gr.resourceNames?.length &&
      (!gr.resources?.length || gr.resources.some((p) => patternCanMatch(p, probe))),
  );
}
