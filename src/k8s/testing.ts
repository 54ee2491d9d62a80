/**
 * Fakes for the k8s roles and builders for test objects. FakeCluster keeps nodes and pods in
 * memory, records every call, and lets a test script evictions and pod reads; createFakeClock
 * makes `sleep` advance time at once so drains and waits run in milliseconds.
 */
import { randomUUID } from 'node:crypto';
import { AbortedError } from '../errors.js';
import type { Clock } from './clock.js';
import type { DrainApi } from './drain/drain-api.js';
import type { HealthApi, HealthEndpointReply } from './health/health-api.js';
import type { KubeStatus } from './kube-api-error.js';
import { KubeApiError } from './kube-api-error.js';
import type { ReplaceApi } from './replace/replace-api.js';
import type { DaemonSet, Node, OwnerReference, Pod, Taint } from './types.js';
import { podKey } from './types.js';
import type { InventoryApi } from './upgrade/inventory-api.js';

export interface FakeClock extends Clock {
  /** Every sleep requested, in ms, in order. */
  sleeps: number[];
  advance(ms: number): void;
}

/**
 * A clock whose sleep resolves on the next macrotask and moves time forward to the sleep's end.
 * Sleeps that start at the same moment end at the same moment (time does not add up across
 * concurrent workers).
 */
export function createFakeClock(startMs = Date.parse('2024-05-01T12:00:00Z')): FakeClock {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance(ms) {
      now += ms;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) throw new AbortedError('Waiting');
      sleeps.push(ms);
      const end = now + ms;
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw new AbortedError('Waiting');
      now = Math.max(now, end);
    },
  };
}

/** A KubeApiError as the client builds it from a server Status. */
export function apiError(status: number, message: string, extra: Partial<KubeStatus> = {}): KubeApiError {
  return new KubeApiError('Request failed', status, { kind: 'Status', status: 'Failure', message, code: status, ...extra });
}

/** The 429 an API server answers when a PodDisruptionBudget allows no disruption. */
export function pdbRefusal(budget: string, desired = 2, current = 2): KubeApiError {
  return apiError(429, "Cannot evict pod as it would violate the pod's disruption budget.", {
    reason: 'TooManyRequests',
    details: { causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${budget} needs ${desired} healthy pods and has ${current} currently` }] },
  });
}

export interface NodeSpec {
  roles?: string[];
  kubeletVersion?: string;
  ready?: boolean;
  unschedulable?: boolean;
  labels?: Record<string, string>;
  taints?: Taint[];
}

export function makeNode(name: string, spec: NodeSpec = {}): Node {
  const labels: Record<string, string> = { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...spec.labels };
  for (const role of spec.roles ?? []) labels[`node-role.kubernetes.io/${role}`] = '';
  return {
    metadata: { name, uid: randomUUID(), labels },
    spec: { ...(spec.unschedulable ? { unschedulable: true } : {}), ...(spec.taints ? { taints: spec.taints } : {}) },
    status: {
      conditions: [{ type: 'Ready', status: spec.ready === false ? 'False' : 'True', reason: spec.ready === false ? 'KubeletNotReady' : 'KubeletReady' }],
      nodeInfo: { kubeletVersion: spec.kubeletVersion ?? 'v1.29.3' },
    },
  };
}

export interface PodSpec {
  namespace?: string;
  node?: string;
  /** "ReplicaSet/web-5d8f" style controller; "none" for a bare pod. Default ReplicaSet/<name>-rs. */
  owner?: string;
  ownerApiVersion?: string;
  labels?: Record<string, string>;
  emptyDir?: boolean;
  hostPath?: boolean;
  phase?: string;
  ready?: boolean;
  mirror?: boolean;
  image?: string;
  deletionTimestamp?: string;
}

export function makePod(name: string, spec: PodSpec = {}): Pod {
  const owner = spec.owner ?? `ReplicaSet/${name}-rs`;
  const refs: OwnerReference[] = owner === 'none' ? [] : [{
    apiVersion: spec.ownerApiVersion ?? (owner.startsWith('ReplicaSet/') || owner.startsWith('DaemonSet/') || owner.startsWith('StatefulSet/') ? 'apps/v1' : 'example.com/v1'),
    kind: owner.split('/')[0] as string,
    name: owner.split('/')[1] as string,
    uid: randomUUID(),
    controller: true,
  }];
  const volumes = [
    ...(spec.emptyDir ? [{ name: 'scratch', emptyDir: {} }] : []),
    ...(spec.hostPath ? [{ name: 'host', hostPath: { path: '/var/log' } }] : []),
  ];
  return {
    metadata: {
      name,
      namespace: spec.namespace ?? 'default',
      uid: randomUUID(),
      labels: spec.labels ?? {},
      ...(refs.length > 0 ? { ownerReferences: refs } : {}),
      ...(spec.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc123' } } : {}),
      ...(spec.deletionTimestamp ? { deletionTimestamp: spec.deletionTimestamp } : {}),
    },
    spec: { nodeName: spec.node ?? 'node-1', volumes, containers: [{ name: name.split('-')[0] ?? name, image: spec.image ?? 'nginx:1.25' }] },
    status: { phase: spec.phase ?? 'Running', conditions: [{ type: 'Ready', status: spec.ready === false ? 'False' : 'True' }] },
  };
}

/** An in-memory cluster implementing every k8s role, recording calls ("evict default/web-1"). */
export class FakeCluster implements DrainApi, HealthApi, InventoryApi, ReplaceApi {
  readonly nodes = new Map<string, Node>();
  readonly pods = new Map<string, Pod>();
  /** "namespace/name" of DaemonSets that exist. */
  readonly daemonSets = new Set<string>();
  readonly kubeSystemDaemonSets: DaemonSet[] = [];
  readonly calls: string[] = [];
  evictionGroupVersion: string | undefined = 'policy/v1';
  serverVersion = 'v1.29.3';
  health: Record<'livez' | 'readyz', HealthEndpointReply> = { livez: { statusCode: 200, body: 'ok' }, readyz: { statusCode: 200, body: 'ok' } };
  /** Decides an eviction: return an error to refuse it; undefined lets it through (pod removed). */
  evictScript: ((pod: Pod, attempt: number) => KubeApiError | undefined) | undefined;
  /** Decides a pod GET: a Pod, 'gone', or undefined for the stored pod. */
  getPodScript: ((key: string, call: number) => Pod | 'gone' | undefined) | undefined;
  /** Errors to throw from a call, keyed like the call log entry ("cordon node-1"). */
  readonly failures = new Map<string, KubeApiError>();
  private readonly attempts = new Map<string, number>();

  constructor(objects: { nodes?: Node[]; pods?: Pod[] } = {}) {
    for (const n of objects.nodes ?? []) this.nodes.set(n.metadata.name, structuredClone(n));
    for (const p of objects.pods ?? []) this.pods.set(podKey(p), structuredClone(p));
  }

  private record(entry: string): void {
    this.calls.push(entry);
    const failure = this.failures.get(entry);
    if (failure) throw failure;
  }

  private count(key: string): number {
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, n);
    return n;
  }

  async getNode(name: string): Promise<Node> {
    this.record(`get node ${name}`);
    const node = this.nodes.get(name);
    if (!node) throw apiError(404, `nodes "${name}" not found`, { reason: 'NotFound' });
    return structuredClone(node);
  }

  async listNodes(): Promise<Node[]> {
    this.record('list nodes');
    return [...this.nodes.values()].map((n) => structuredClone(n));
  }

  async setUnschedulable(name: string, unschedulable: boolean): Promise<void> {
    this.record(`${unschedulable ? 'cordon' : 'uncordon'} ${name}`);
    const node = this.nodes.get(name);
    if (!node) throw apiError(404, `nodes "${name}" not found`);
    node.spec = { ...node.spec };
    if (unschedulable) node.spec.unschedulable = true;
    else delete node.spec.unschedulable;
  }

  async patchNodeMetadata(name: string, change: { labels?: Record<string, string>; taints?: Taint[] }): Promise<void> {
    this.record(`patch node ${name}`);
    const node = this.nodes.get(name);
    if (!node) throw apiError(404, `nodes "${name}" not found`);
    if (change.labels) node.metadata.labels = { ...node.metadata.labels, ...change.labels };
    if (change.taints) node.spec = { ...node.spec, taints: change.taints };
  }

  async deleteNode(name: string, uid: string | undefined): Promise<void> {
    this.record(`delete node ${name}`);
    const node = this.nodes.get(name);
    if (!node) throw apiError(404, `nodes "${name}" not found`);
    if (uid !== undefined && node.metadata.uid !== uid) throw apiError(409, 'Precondition failed: UID in precondition does not match');
    this.nodes.delete(name);
  }

  async listPodsOnNode(node: string, labelSelector: string): Promise<Pod[]> {
    this.record(`list pods on ${node}${labelSelector ? ` (${labelSelector})` : ''}`);
    const wanted = labelSelector.split(',').filter(Boolean).map((t) => t.split('='));
    return [...this.pods.values()]
      .filter((p) => p.spec?.nodeName === node && wanted.every(([k, v]) => p.metadata.labels?.[k as string] === v))
      .map((p) => structuredClone(p));
  }

  async listPods(namespace: string, labelSelector: string): Promise<Pod[]> {
    this.record(`list pods in ${namespace}`);
    const wanted = labelSelector.split(',').filter(Boolean).map((t) => t.split('='));
    return [...this.pods.values()].filter((p) => p.metadata.namespace === namespace && wanted.every(([k, v]) => p.metadata.labels?.[k as string] === v));
  }

  async getDaemonSet(namespace: string, name: string): Promise<void> {
    this.record(`get daemonset ${namespace}/${name}`);
    if (!this.daemonSets.has(`${namespace}/${name}`)) throw apiError(404, `daemonsets.apps "${name}" not found`, { reason: 'NotFound' });
  }

  async listDaemonSets(): Promise<DaemonSet[]> {
    return this.kubeSystemDaemonSets;
  }

  async evictionVersion(): Promise<string | undefined> {
    this.record('discovery');
    return this.evictionGroupVersion;
  }

  async evictPod(pod: Pod, options: { version: string; gracePeriodSeconds?: number }): Promise<void> {
    const key = podKey(pod);
    this.record(`evict ${key}${options.gracePeriodSeconds !== undefined ? ` grace=${options.gracePeriodSeconds}` : ''} ${options.version}`);
    const refusal = this.evictScript?.(pod, this.count(`evict ${key}`));
    if (refusal) throw refusal;
    if (!this.pods.has(key)) throw apiError(404, `pods "${pod.metadata.name}" not found`);
    this.pods.delete(key);
  }

  async deletePod(pod: Pod, options: { gracePeriodSeconds?: number }): Promise<void> {
    const key = podKey(pod);
    this.record(`delete ${key}${options.gracePeriodSeconds !== undefined ? ` grace=${options.gracePeriodSeconds}` : ''}`);
    if (!this.pods.has(key)) throw apiError(404, `pods "${pod.metadata.name}" not found`);
    this.pods.delete(key);
  }

  async getPod(namespace: string, name: string): Promise<Pod> {
    const key = `${namespace}/${name}`;
    this.record(`get pod ${key}`);
    const scripted = this.getPodScript?.(key, this.count(`get ${key}`));
    if (scripted === 'gone') throw apiError(404, `pods "${name}" not found`);
    if (scripted) return structuredClone(scripted);
    const pod = this.pods.get(key);
    if (!pod) throw apiError(404, `pods "${name}" not found`);
    return structuredClone(pod);
  }

  async getServerVersion(): Promise<string> {
    return this.serverVersion;
  }

  async getHealthEndpoint(endpoint: 'livez' | 'readyz'): Promise<HealthEndpointReply> {
    this.record(`health ${endpoint}`);
    return this.health[endpoint];
  }
}
