/**
 * The policies kubekeeper writes. Every profile keeps credentials out of the log (Secrets,
 * ConfigMaps, service account tokens and TokenReviews at Metadata, before any rule that could
 * log a body), drops the RequestReceived stage (it doubles the volume and says nothing the
 * ResponseComplete event does not), and drops health probes. They differ in how much else
 * they keep. Each rule carries the reason it exists, printed as a YAML comment. Pure.
 */
import { Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { AUDIT_POLICY_API_VERSION, type AuditPolicy, type PolicyRule } from './policy.js';
import { flowScalarLists } from './yaml-edit.js';

export const AUDIT_PROFILES = ['minimal', 'recommended', 'strict'] as const;
export type AuditProfile = (typeof AUDIT_PROFILES)[number];

/** A rule plus the comment explaining it. */
interface ExplainedRule {
  why: string;
  rule: PolicyRule;
}

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

const HEALTH_CHECKS: ExplainedRule = {
  why: 'Health probes and version checks: thousands a minute, no one to blame.',
  rule: { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version', '/version/'] },
};

const EVENT_WRITES: ExplainedRule = {
  why: 'Events are written by every controller all the time; the events themselves are the record.',
  rule: {
    level: 'None',
    verbs: ['create', 'update', 'patch'],
    resources: [{ group: '', resources: ['events'] }, { group: 'events.k8s.io', resources: ['events'] }],
  },
};

const HEARTBEATS: ExplainedRule[] = [
  {
    why: 'Node heartbeats (leases) and status updates from kubelets, every few seconds per node.',
    rule: {
      level: 'None',
      userGroups: ['system:nodes'],
      verbs: ['get', 'update', 'patch'],
      resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }, { group: '', resources: ['nodes/status'] }],
    },
  },
  {
    why: 'Leader election of the control plane components.',
    rule: {
      level: 'None',
      users: ['system:kube-controller-manager', 'system:kube-scheduler', 'system:apiserver'],
      verbs: ['get', 'update'],
      resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }],
    },
  },
  {
    why: 'kube-proxy watching endpoints and services.',
    rule: {
      level: 'None',
      users: ['system:kube-proxy'],
      verbs: ['watch'],
      resources: [{ group: '', resources: ['endpoints', 'services'] }, { group: 'discovery.k8s.io', resources: ['endpointslices'] }],
    },
  },
];

const CREDENTIALS: ExplainedRule = {
  why: 'Never log the bodies of objects that hold credentials: who touched them is enough.',
  rule: {
    level: 'Metadata',
    resources: [
      { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
      { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
    ],
  },
};

const STREAMS: ExplainedRule = {
  why: 'Logs, exec, attach, port-forward and proxy are streams: there is no body worth keeping.',
  rule: {
    level: 'Metadata',
    resources: [
      { group: '', resources: ['pods/log', 'pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy', 'nodes/proxy'] },
    ],
  },
};

function writes(level: PolicyRule['level']): ExplainedRule {
  return {
    why: level === 'Metadata' ? 'Every change: who, what, when, and whether it worked.' : 'Every change with what was sent and what the API server answered.',
    rule: { level, verbs: WRITE_VERBS },
  };
}

function catchAll(level: PolicyRule['level']): ExplainedRule {
  return {
    why: level === 'None' ? 'Reads are not logged in this profile.' : 'Everything else (reads, watches): who and what, no bodies.',
    rule: { level },
  };
}

function profileRules(profile: AuditProfile): ExplainedRule[] {
  switch (profile) {
    case 'minimal':
      return [HEALTH_CHECKS, EVENT_WRITES, ...HEARTBEATS, CREDENTIALS, writes('Metadata'), catchAll('None')];
    case 'recommended':
      return [HEALTH_CHECKS, EVENT_WRITES, ...HEARTBEATS, CREDENTIALS, STREAMS, writes('RequestResponse'), catchAll('Metadata')];
    case 'strict':
      return [HEALTH_CHECKS, CREDENTIALS, STREAMS, writes('RequestResponse'), catchAll('Metadata')];
  }
}

/** The policy of `profile`. */
export function buildPolicy(profile: AuditProfile): AuditPolicy {
  return {
    apiVersion: AUDIT_POLICY_API_VERSION,
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    // managedFields are large and change on every write; strict keeps them for forensics.
    omitManagedFields: profile !== 'strict',
    rules: profileRules(profile).map((r) => r.rule),
  };
}

/** The policy of `profile` as commented YAML, ready for --audit-policy-file. */
export function renderPolicyYaml(profile: AuditProfile): string {
  const explained = profileRules(profile);
  const doc = new Document(buildPolicy(profile));
  doc.commentBefore = ` kube-apiserver audit policy, profile "${profile}", written by kubekeeper.\n The first matching rule decides the level; check changes with "kubekeeper audit lint".`;
  const rules = (doc.contents as YAMLMap).get('rules', true) as unknown as YAMLSeq;
  rules.items.forEach((item, i) => {
    (item as YAMLMap).commentBefore = ` ${explained[i]?.why ?? ''}`;
  });
  flowScalarLists(doc);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
