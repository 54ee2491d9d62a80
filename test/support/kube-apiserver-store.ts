/**
 * In-memory object store behind the test API server (test/support/kube-apiserver.ts), with the
 * server-side rules the drain, health and upgrade commands depend on, taken from the spec
 * (k8s-maintenance.md §1.7) and kube-apiserver's eviction.go:
 * - graceful deletion sets deletionTimestamp; the object disappears once the simulated kubelet
 *   has finished (after `terminatingReads` GETs, default 1), a StatefulSet-like pod comes back
 *   under the same name with a NEW uid;
 * - eviction: 404 for a missing pod; terminal, Pending or terminating pods are deleted without
 *   consulting budgets; >1 matching PodDisruptionBudget is a 500; a budget whose status is not
 *   observed yet is a 429 (retryAfterSeconds 10); no disruptions allowed is a 429 naming the
 *   budget; an unready pod is allowed without decrementing while the budget is healthy;
 *   otherwise disruptionsAllowed is decremented and the pod recorded in disruptedPods.
 * It deliberately shares no code with src/k8s, so it can catch the client's mistakes.
 */
import { randomUUID } from 'node:crypto';

export type Json = Record<string, unknown>;

/** A Kubernetes Status object and its HTTP code, ready to send. */
export interface StatusReply {
  code: number;
  body: Json;
}

export function status(code: number, reason: string, message: string, details?: Json): StatusReply {
  return { code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } };
}

export const notFound = (resource: string, name: string) => status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource.split('.')[0] });

export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  [k: string]: unknown;
}

export interface StoredObject {
  metadata: Meta;
  spec?: Json;
  status?: Json;
  [k: string]: unknown;
}

/** Per-pod behaviour of the simulated kubelet and controllers. */
export interface PodBehaviour {
  /** GETs that still see the pod terminating before it is gone; Infinity = stuck. Default 1. */
  terminatingReads?: number;
  /** When gone, a controller re-creates it with the same name and a new uid on this node. */
  recreateOnNode?: string;
}

export const clone = <T>(v: T): T => structuredClone(v);

/** Equality-based label selector matching (the only kind PDBs in the tests use). */
export function matchLabels(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (selector === undefined) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function isReady(pod: StoredObject): boolean {
  const conditions = ((pod.status?.conditions as Json[] | undefined) ?? []);
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export class KubeStore {
  readonly nodes = new Map<string, StoredObject>();
  /** Keyed "namespace/name" like every namespaced map below. */
  readonly pods = new Map<string, StoredObject>();
  readonly daemonSets = new Map<string, StoredObject>();
  readonly pdbs = new Map<string, StoredObject>();
  readonly podBehaviour = new Map<string, PodBehaviour>();
  readonly terminatingNamespaces = new Set<string>();
  private readonly reads = new Map<string, number>();
  private revision = 1000;
  /** The "current time" stamped on deletions; tests may move it. */
  now: () => Date = () => new Date();

  nextResourceVersion(): string {
    return String(++this.revision);
  }

  /** Adds or replaces an object, filling uid, resourceVersion and creationTimestamp like the server. */
  put(map: Map<string, StoredObject>, object: StoredObject): StoredObject {
    const stored = clone(object);
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp ??= this.now().toISOString().replace(/\.\d+Z$/, 'Z');
    stored.metadata.resourceVersion = this.nextResourceVersion();
    const key = map === this.nodes ? stored.metadata.name : `${stored.metadata.namespace ?? 'default'}/${stored.metadata.name}`;
    if (map !== this.nodes) stored.metadata.namespace ??= 'default';
    map.set(key, stored);
    return stored;
  }

  /** GET of a pod: advances the simulated kubelet for terminating pods, then returns it or undefined. */
  readPod(key: string): StoredObject | undefined {
    const pod = this.pods.get(key);
    if (pod?.metadata.deletionTimestamp === undefined) return pod;
    const seen = (this.reads.get(key) ?? 0) + 1;
    this.reads.set(key, seen);
    if (seen > (this.podBehaviour.get(key)?.terminatingReads ?? 1)) {
      this.finishTermination(key);
      return this.pods.get(key);
    }
    return pod;
  }

  /** The kubelet confirmed the pod is gone: remove it (and let a StatefulSet-like owner re-create it). */
  finishTermination(key: string): void {
    const pod = this.pods.get(key);
    if (!pod) return;
    this.pods.delete(key);
    this.reads.delete(key);
    for (const pdb of this.pdbs.values()) delete (pdb.status?.disruptedPods as Json | undefined)?.[pod.metadata.name];
    const node = this.podBehaviour.get(key)?.recreateOnNode;
    if (node !== undefined) {
      const fresh = clone(pod);
      fresh.metadata = { ...fresh.metadata, uid: undefined, deletionTimestamp: undefined, deletionGracePeriodSeconds: undefined, creationTimestamp: undefined };
      fresh.spec = { ...fresh.spec, nodeName: node };
      this.put(this.pods, fresh);
    }
  }

  /** DELETE semantics for pods: grace 0 removes at once, otherwise the pod starts terminating. */
  deletePod(key: string, gracePeriodSeconds: number | undefined, preconditionUid?: string): StatusReply | StoredObject {
    const pod = this.pods.get(key);
    if (!pod) return notFound('pods', key.split('/')[1] as string);
    if (preconditionUid !== undefined && preconditionUid !== pod.metadata.uid) {
      return status(409, 'Conflict', `Operation cannot be fulfilled on pods "${pod.metadata.name}": Precondition failed: UID in precondition: ${preconditionUid}, UID in object meta: ${pod.metadata.uid}`);
    }
    const grace = gracePeriodSeconds ?? (pod.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30;
    const unscheduled = pod.spec?.nodeName === undefined || pod.spec.nodeName === '';
    if (grace === 0 || unscheduled) {
      this.finishTermination(key);
      return pod;
    }
    if (pod.metadata.deletionTimestamp === undefined) {
      pod.metadata.deletionTimestamp = new Date(this.now().getTime() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      pod.metadata.deletionGracePeriodSeconds = grace;
      pod.metadata.resourceVersion = this.nextResourceVersion();
    }
    return pod;
  }

  /** The PodDisruptionBudget status the disruption controller would publish now. */
  computePdbStatus(pdb: StoredObject): Json {
    const ns = pdb.metadata.namespace ?? 'default';
    const selector = (pdb.spec?.selector as Json | undefined)?.matchLabels as Record<string, string> | undefined;
    const disrupted = ((pdb.status?.disruptedPods as Json | undefined) ?? {});
    const pods = [...this.pods.values()].filter((p) => p.metadata.namespace === ns && matchLabels(selector, p.metadata.labels));
    const live = pods.filter((p) => !['Succeeded', 'Failed'].includes(String(p.status?.phase)));
    const healthy = live.filter((p) => isReady(p) && p.metadata.deletionTimestamp === undefined && !(p.metadata.name in disrupted)).length;
    const expected = (pdb.spec?.expectedPods as number | undefined) ?? live.length;
    const amount = (v: unknown) => (typeof v === 'string' && v.endsWith('%') ? Math.ceil((expected * Number(v.slice(0, -1))) / 100) : Number(v));
    const desired = pdb.spec?.minAvailable !== undefined ? amount(pdb.spec.minAvailable) : Math.max(0, expected - amount(pdb.spec?.maxUnavailable ?? 0));
    const generation = pdb.metadata.generation ?? 1;
    const observed = pdb.status?.observedGeneration as number | undefined;
    return {
      observedGeneration: observed ?? generation,
      disruptionsAllowed: Math.max(0, healthy - desired),
      currentHealthy: healthy,
      desiredHealthy: desired,
      expectedPods: expected,
      disruptedPods: disrupted,
    };
  }

  /** POST pods/{name}/eviction, following eviction.go's order of checks. */
  evict(ns: string, name: string, body: Json, dryRun: boolean): StatusReply {
    const meta = (body.metadata as Json | undefined) ?? {};
    if (meta.name !== undefined && meta.name !== name) return status(400, 'BadRequest', 'name in URL does not match name in Eviction object');
    const key = `${ns}/${name}`;
    const pod = this.pods.get(key);
    if (!pod) return notFound('pods', name);
    const options = (body.deleteOptions as Json | undefined) ?? {};
    const grace = options.gracePeriodSeconds as number | undefined;
    const success: StatusReply = { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
    const phase = String(pod.status?.phase ?? 'Pending');
    if (['Succeeded', 'Failed', 'Pending'].includes(phase) || pod.metadata.deletionTimestamp !== undefined) {
      if (!dryRun) this.deletePod(key, grace);
      return success;
    }
    if (this.terminatingNamespaces.has(ns)) {
      return status(403, 'Forbidden', `pods "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, {
        name, kind: 'pods', causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      });
    }
    const budgets = [...this.pdbs.values()].filter((b) => b.metadata.namespace === ns && matchLabels((b.spec?.selector as Json | undefined)?.matchLabels as Record<string, string>, pod.metadata.labels));
    if (budgets.length > 1) return status(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pdb = budgets[0];
    if (pdb !== undefined) {
      const st = this.computePdbStatus(pdb);
      const refused = (cause: string, retryAfterSeconds: number) => status(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [{ reason: 'DisruptionBudget', message: cause }],
        ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
      });
      const allowed = st.disruptionsAllowed as number;
      if ((st.observedGeneration as number) < (pdb.metadata.generation ?? 1)) return refused(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`, 10);
      const unreadyButBudgetHealthy = !isReady(pod) && (st.currentHealthy as number) >= (st.desiredHealthy as number) && (st.desiredHealthy as number) > 0;
      if (!unreadyButBudgetHealthy) {
        if (allowed === 0) return refused(`The disruption budget ${pdb.metadata.name} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently`, 0);
        if (!dryRun) {
          pdb.status = { ...st, disruptionsAllowed: allowed - 1, disruptedPods: { ...(st.disruptedPods as Json), [name]: this.now().toISOString() } };
        }
      }
    }
    if (!dryRun) this.deletePod(key, grace);
    return success;
  }
}
