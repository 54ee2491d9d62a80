/**
 * The audit.k8s.io/v1 Policy as kube-apiserver reads it (spec §3.1). Field names are the
 * exact JSON/YAML names; optional lists behave like Go's nil slices: absent and empty mean
 * the same ("match all").
 */

/** How much of a request is recorded; `None` records nothing. */
export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';

/** A point in a request's life at which an event can be written. */
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

/** Levels in increasing order of detail, as the API server validates them. */
export const AUDIT_LEVELS: readonly AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];

export const AUDIT_STAGES: readonly AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

/** The only apiVersion current API servers accept (v1alpha1/v1beta1 were removed in 1.24). */
export const AUDIT_POLICY_API_VERSION = 'audit.k8s.io/v1';

/** An API group and resources in it; `group: ""` is the core group, and never carries a version. */
export interface GroupResources {
  group?: string;
  /** "pods", "pods/log", "*", "*\/scale", "pods/*". */
  resources?: string[];
  resourceNames?: string[];
}

/** One rule; the first rule that matches a request decides its level. */
export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  /** "" selects cluster-scoped resources. */
  namespaces?: string[];
  /** "/healthz", "/api*" (trailing * is a prefix match) or "*". */
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

export interface AuditPolicy {
  apiVersion: typeof AUDIT_POLICY_API_VERSION;
  kind: 'Policy';
  rules: PolicyRule[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

/** Keys the API server knows, per object; anything else is a typo that is silently ignored. */
export const POLICY_KEYS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata', 'rules', 'omitStages', 'omitManagedFields']);
export const RULE_KEYS: ReadonlySet<string> = new Set([
  'level', 'users', 'userGroups', 'verbs', 'resources', 'namespaces', 'nonResourceURLs', 'omitStages', 'omitManagedFields',
]);
export const GROUP_RESOURCES_KEYS: ReadonlySet<string> = new Set(['group', 'resources', 'resourceNames']);

/** The request attributes a policy is evaluated against (the authorizer's view of a request). */
export interface AuditRequest {
  user: { username: string; groups?: readonly string[] };
  verb: string;
  /** Resource requests: resource, optional subresource/namespace/name, apiGroup ("" = core). */
  resource?: { apiGroup: string; resource: string; subresource?: string; namespace?: string; name?: string };
  /** Non-resource requests: the URL path. */
  path?: string;
}

/** True for a rule with no selectors at all: it matches every request. */
export function isCatchAll(rule: PolicyRule): boolean {
  return [rule.users, rule.userGroups, rule.verbs, rule.resources, rule.namespaces, rule.nonResourceURLs].every(
    (list) => list === undefined || list.length === 0,
  );
}
