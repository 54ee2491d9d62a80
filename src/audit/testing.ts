/**
 * Realistic audit events for tests and benchmarks: many users (people, service accounts,
 * nodes, controllers), verbs, resources and namespaces, impersonation, errors, watch
 * streams, request/response bodies on writes, and the byte-level quirks of the real writer
 * (Go's JSON field order and HTML escaping). Deterministic for a given seed. The events a test
 * looks for are planted among them: one `delete` of pod "pod-with-special-name", and near
 * misses that share its name, verb or namespace.
 */
import type { AuditEvent, AuditUserInfo } from './event.js';
import { seededRandom } from '../seeded-random.js';

/** The object name the planted delete targets. */
export const SPECIAL_POD_NAME = 'pod-with-special-name';
export const SPECIAL_NAMESPACE = 'payments';

/** The same seed gives the same log. */
export { seededRandom };

/** MicroTime as the API server writes it: UTC, exactly 6 fractional digits. */
export function formatMicroTime(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`;
}

/** JSON as Go's encoding/json writes it: < > & and U+2028/2029 escaped. */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const K8S = 'v1.29.4 (linux/amd64) kubernetes/55019c8';
const NAMESPACES = ['default', 'kube-system', SPECIAL_NAMESPACE, 'monitoring', 'ingress-nginx', 'team-a', 'team-b', 'ci'];

interface Actor {
  user: AuditUserInfo;
  agent: string;
  ip: string[];
  weight: number;
}

const ACTORS: readonly Actor[] = [
  { user: { username: 'system:kube-controller-manager', groups: ['system:authenticated'] }, agent: `kube-controller-manager/${K8S}/leader-election`, ip: ['10.0.0.11'], weight: 20 },
  { user: { username: 'system:serviceaccount:kube-system:replicaset-controller', uid: 'c0a1', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] }, agent: `kube-controller-manager/${K8S}/system:serviceaccount:kube-system:replicaset-controller`, ip: ['10.0.0.11'], weight: 15 },
  { user: { username: 'system:kube-scheduler', groups: ['system:authenticated'] }, agent: `kube-scheduler/${K8S}/scheduler`, ip: ['10.0.0.11'], weight: 10 },
  { user: { username: 'system:node:worker-1', groups: ['system:nodes', 'system:authenticated'] }, agent: `kubelet/${K8S}`, ip: ['10.0.1.21'], weight: 15 },
  { user: { username: 'system:node:worker-2', groups: ['system:nodes', 'system:authenticated'] }, agent: `kubelet/${K8S}`, ip: ['10.0.1.22'], weight: 15 },
  { user: { username: 'system:kube-proxy', groups: ['system:authenticated'] }, agent: `kube-proxy/${K8S}`, ip: ['10.0.1.21'], weight: 5 },
  { user: { username: 'system:serviceaccount:argocd:argocd-application-controller', uid: 'a7f3', groups: ['system:serviceaccounts', 'system:authenticated'] }, agent: 'argocd-application-controller/v0.0.0 (linux/amd64) kubernetes/$Format', ip: ['10.244.3.17'], weight: 8 },
  { user: { username: 'alice@example.com', groups: ['oidc:platform', 'system:authenticated'] }, agent: `kubectl/${K8S}`, ip: ['203.0.113.7', '10.0.0.5'], weight: 3 },
  { user: { username: 'bob@example.com', groups: ['oidc:developers', 'system:authenticated'] }, agent: `kubectl/${K8S}`, ip: ['198.51.100.23'], weight: 3 },
  { user: { username: 'https://sso.example.com#carol&ops', groups: ['system:authenticated'] }, agent: 'Mozilla/5.0 <dashboard> & co', ip: ['192.0.2.44'], weight: 1 },
  { user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, agent: 'Go-http-client/2.0', ip: ['10.0.0.1'], weight: 2 },
];

interface Kind {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
  weight: number;
}

const KINDS: readonly Kind[] = [
  { group: '', version: 'v1', resource: 'pods', namespaced: true, weight: 25 },
  { group: '', version: 'v1', resource: 'configmaps', namespaced: true, weight: 10 },
  { group: '', version: 'v1', resource: 'secrets', namespaced: true, weight: 6 },
  { group: '', version: 'v1', resource: 'services', namespaced: true, weight: 5 },
  { group: '', version: 'v1', resource: 'events', namespaced: true, weight: 10 },
  { group: '', version: 'v1', resource: 'nodes', namespaced: false, weight: 5 },
  { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, weight: 8 },
  { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true, weight: 6 },
  { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespaced: true, weight: 15 },
  { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true, weight: 5 },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false, weight: 2 },
];

const VERBS = [['get', 30], ['list', 15], ['watch', 8], ['update', 15], ['patch', 12], ['create', 10], ['delete', 6]] as const;

function pick<T extends { weight: number }>(items: readonly T[], r: number): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let x = r * total;
  for (const item of items) if ((x -= item.weight) < 0) return item;
  return items[items.length - 1] as T;
}

function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export interface EventSpec {
  actor: { user: AuditUserInfo; agent: string; ip: string[] };
  impersonated?: AuditUserInfo;
  verb: string;
  kind: Pick<Kind, 'group' | 'version' | 'resource' | 'namespaced'>;
  namespace?: string;
  name?: string;
  subresource?: string;
  code: number;
  stage: AuditEvent['stage'];
  receivedMicros: number;
  latencyMicros: number;
  auditID: string;
  /** Size of the request/response bodies written for writes, in containers (0 = none). */
  bodyContainers: number;
}

function body(spec: EventSpec, random: () => number): object {
  const containers = Array.from({ length: spec.bodyContainers }, (_, i) => ({
    name: `app-${i}`,
    image: `registry.example.com/team/app-${i}:1.${Math.floor(random() * 100)}.0`,
    env: Array.from({ length: 6 }, (_, j) => ({ name: `SETTING_${j}`, value: `value-${Math.floor(random() * 1e9).toString(36)}` })),
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  }));
  return {
    kind: spec.kind.resource === 'pods' ? 'Pod' : 'Object',
    apiVersion: spec.kind.group ? `${spec.kind.group}/${spec.kind.version}` : spec.kind.version,
    metadata: { name: spec.name, namespace: spec.namespace, labels: { app: 'web', 'pod-template-hash': '7d4b9c' }, uid: uuid(random) },
    spec: { containers, nodeName: 'worker-1', serviceAccountName: 'default' },
  };
}

/** Builds one event in the API server's field order. */
export function buildEvent(spec: EventSpec, random: () => number = seededRandom(1)): AuditEvent {
  const { kind } = spec;
  const prefix = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  const nsPart = kind.namespaced && spec.namespace ? `/namespaces/${spec.namespace}` : '';
  const namePart = spec.name ? `/${spec.name}${spec.subresource ? `/${spec.subresource}` : ''}` : '';
  const query = spec.verb === 'list' ? '?limit=500' : spec.verb === 'watch' ? `?allowWatchBookmarks=true&resourceVersion=${Math.floor(random() * 1e7)}&watch=true` : '';
  const write = ['create', 'update', 'patch'].includes(spec.verb) && spec.bodyContainers > 0 && spec.stage === 'ResponseComplete';
  const failed = spec.code >= 400;
  const event: AuditEvent = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: write ? 'RequestResponse' : 'Metadata',
    auditID: spec.auditID,
    stage: spec.stage,
    requestURI: `${prefix}${nsPart}/${kind.resource}${namePart}${query}`,
    verb: spec.verb,
    user: spec.actor.user,
    ...(spec.impersonated && { impersonatedUser: spec.impersonated }),
    sourceIPs: spec.actor.ip,
    userAgent: spec.actor.agent,
    objectRef: {
      resource: kind.resource,
      ...(kind.namespaced && spec.namespace && { namespace: spec.namespace }),
      ...(spec.name && { name: spec.name }),
      ...(kind.group && { apiGroup: kind.group }),
      apiVersion: kind.version,
      ...(spec.subresource && { subresource: spec.subresource }),
    },
    ...(spec.stage !== 'RequestReceived' && {
      responseStatus: failed
        ? { metadata: {}, status: 'Failure', message: `${kind.resource} "${spec.name ?? ''}" ${spec.code === 404 ? 'not found' : 'is forbidden'}`, reason: spec.code === 404 ? 'NotFound' : 'Forbidden', code: spec.code }
        : { metadata: {}, code: spec.code },
    }),
    ...(write && { requestObject: body(spec, random), responseObject: body(spec, random) }),
    requestReceivedTimestamp: formatMicroTime(spec.receivedMicros),
    stageTimestamp: formatMicroTime(spec.receivedMicros + (spec.stage === 'RequestReceived' ? 0 : spec.latencyMicros)),
    annotations: { 'authorization.k8s.io/decision': failed && spec.code === 403 ? 'forbid' : 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "system:controller" of ClusterRole "system:controller" to User' },
  };
  return event;
}

export interface EventGenerator {
  /** The next random event; stage timestamps never go backwards. */
  next(): AuditEvent;
  /** The time the next event will be received at, in microseconds since the epoch. */
  readonly nowMicros: number;
}

export interface GeneratorOptions {
  seed?: number;
  /** Microseconds since the epoch of the first event; default 2024-05-01T00:00:00Z. */
  startMicros?: number;
  /** Mean gap between requests. */
  meanGapMicros?: number;
}

/** An endless, deterministic stream of background events. */
export function createEventGenerator(options: GeneratorOptions = {}): EventGenerator {
  const random = seededRandom(options.seed ?? 42);
  const gap = options.meanGapMicros ?? 20_000;
  let now = options.startMicros ?? Date.UTC(2024, 4, 1) * 1000;
  const nameFor = (kind: Kind) => (kind.resource === 'pods' && random() < 0.02 ? `${SPECIAL_POD_NAME}-${Math.floor(random() * 9)}` : `${kind.resource.slice(0, -1)}-${Math.floor(random() * 5000).toString(36)}`);
  return {
    get nowMicros() {
      return now;
    },
    next() {
      now += 1 + Math.floor(random() * gap * 2);
      // Events are written when a stage completes: stage times rise, receive times need not.
      const latency = Math.floor(random() * Math.min(gap, 50_000));
      const actor = pick(ACTORS, random());
      const kind = pick(KINDS, random());
      const verb = pick(VERBS.map(([v, weight]) => ({ v, weight })), random()).v;
      const named = verb !== 'list' && verb !== 'watch';
      const r = random();
      const stage = verb === 'watch' ? 'ResponseStarted' : r > 0.95 ? 'RequestReceived' : 'ResponseComplete';
      const waited = stage === 'RequestReceived' ? 0 : latency;
      return buildEvent({
        actor,
        verb,
        kind,
        namespace: kind.namespaced ? NAMESPACES[Math.floor(random() * NAMESPACES.length)] : undefined,
        name: named ? nameFor(kind) : undefined,
        subresource: kind.resource === 'pods' && verb === 'get' && r < 0.1 ? 'log' : undefined,
        code: r < 0.03 ? 404 : r < 0.05 ? 403 : verb === 'create' ? 201 : 200,
        stage,
        receivedMicros: now - waited,
        latencyMicros: waited,
        auditID: uuid(random),
        bodyContainers: 1 + Math.floor(random() * 3),
      }, random);
    },
  };
}

/** The delete everyone is looking for: both of its stages, as the API server writes them. */
export function specialDeleteEvents(receivedMicros: number, auditID = '7f3e2d1c-0b9a-4c8d-a7e6-5f4e3d2c1b0a'): AuditEvent[] {
  const base: EventSpec = {
    actor: { user: { username: 'alice@example.com', groups: ['oidc:platform', 'system:authenticated'] }, agent: `kubectl/${K8S}`, ip: ['203.0.113.7'] },
    impersonated: { username: 'system:serviceaccount:payments:cleanup', groups: ['system:serviceaccounts'] },
    verb: 'delete',
    kind: { group: '', version: 'v1', resource: 'pods', namespaced: true },
    namespace: SPECIAL_NAMESPACE,
    name: SPECIAL_POD_NAME,
    code: 200,
    stage: 'RequestReceived',
    receivedMicros,
    latencyMicros: 8_412,
    auditID,
    bodyContainers: 0,
  };
  return [buildEvent(base), buildEvent({ ...base, stage: 'ResponseComplete' })];
}

/** Near misses: the same name read or evicted, a configmap of that name deleted, a similar pod name deleted. */
export function nearMissEvents(receivedMicros: number): AuditEvent[] {
  const actor = { user: { username: 'bob@example.com' }, agent: `kubectl/${K8S}`, ip: ['198.51.100.23'] };
  const common = { actor, code: 200, stage: 'ResponseComplete' as const, latencyMicros: 900, bodyContainers: 0 };
  const pods = { group: '', version: 'v1', resource: 'pods', namespaced: true };
  return [
    buildEvent({ ...common, verb: 'get', kind: pods, namespace: SPECIAL_NAMESPACE, name: SPECIAL_POD_NAME, receivedMicros, auditID: 'near-1' }),
    buildEvent({ ...common, verb: 'delete', kind: pods, namespace: SPECIAL_NAMESPACE, name: `${SPECIAL_POD_NAME}-2`, receivedMicros: receivedMicros + 1, auditID: 'near-2' }),
    buildEvent({ ...common, verb: 'delete', kind: { ...pods, resource: 'configmaps' }, namespace: 'team-a', name: SPECIAL_POD_NAME, receivedMicros: receivedMicros + 2, auditID: 'near-3' }),
    buildEvent({ ...common, verb: 'create', code: 201, kind: pods, namespace: SPECIAL_NAMESPACE, name: SPECIAL_POD_NAME, subresource: 'eviction', receivedMicros: receivedMicros + 3, auditID: 'near-4' }),
  ];
}
