/**
 * One cluster state for drain comparisons, made identically for each node that a drain tool will
 * drain (each in its own namespace, so two tools can be compared on equal footing): a DaemonSet
 * pod (the DaemonSet is shared, in namespace "infra"), an unmanaged pod, a ReplicaSet pod with an
 * emptyDir, a Deployment of two replicas behind a PodDisruptionBudget (minAvailable 2, computed by
 * the real disruption controller: 0 disruptions allowed), and a ReplicaSet pod that never
 * terminates (terminationGracePeriodSeconds 3600; the node simulator removes pods only after their
 * grace). Every pod carries a `role` label, so outputs can be compared by role, not by the random
 * pod names.
 */
import type { ControlPlane } from './control-plane.js';
import { kubeOk } from './kube-http.js';

type Obj = Record<string, unknown>;

export const DRAIN_ROLES = ['daemonset', 'bare', 'emptydir', 'web', 'stuck'] as const;

const container = { name: 'c', image: 'registry.k8s.io/pause:3.10' };

function template(role: string, node: string | undefined, extra: Obj = {}): Obj {
  return {
    metadata: { labels: { role, app: role } },
    spec: { containers: [container], terminationGracePeriodSeconds: 1, ...(node ? { nodeSelector: { 'kubernetes.io/hostname': node } } : {}), ...extra },
  };
}

function replicaSet(name: string, role: string, node: string, replicas: number, extra: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
    spec: { replicas, selector: { matchLabels: { role } }, template: template(role, node, extra) },
  };
}

/** The shared DaemonSet (namespace "infra"): one pod on every node. */
export async function createDaemonSet(cp: ControlPlane): Promise<void> {
  await cp.kubectlOk(['create', 'namespace', 'infra']);
  await kubeOk(cp.credentials(), 'POST', '/apis/apps/v1/namespaces/infra/daemonsets', {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
    spec: { selector: { matchLabels: { role: 'daemonset' } }, template: template('daemonset', undefined) },
  });
}

/** The per-node state in `namespace`, with every pod placed on `node`. */
export async function createDrainState(cp: ControlPlane, namespace: string, node: string): Promise<void> {
  const c = cp.credentials();
  await cp.kubectlOk(['create', 'namespace', namespace]);
  const ns = `/namespaces/${namespace}`;
  await kubeOk(c, 'POST', `/api/v1${ns}/pods`, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bare', labels: { role: 'bare' } },
    spec: { ...(template('bare', node).spec as Obj) },
  });
  await kubeOk(c, 'POST', `/apis/apps/v1${ns}/replicasets`, replicaSet('cache', 'emptydir', node, 1, { volumes: [{ name: 'scratch', emptyDir: {} }] }));
  await kubeOk(c, 'POST', `/apis/apps/v1${ns}/replicasets`, replicaSet('stuck', 'stuck', node, 1, { terminationGracePeriodSeconds: 3600 }));
  await kubeOk(c, 'POST', `/apis/apps/v1${ns}/deployments`, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: 2, selector: { matchLabels: { role: 'web' } }, template: template('web', node) },
  });
  await kubeOk(c, 'POST', `/apis/policy/v1${ns}/poddisruptionbudgets`, {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' },
    spec: { minAvailable: 2, selector: { matchLabels: { role: 'web' } } },
  });
}

export interface PodInfo {
  namespace: string;
  name: string;
  role: string;
  node: string | undefined;
  phase: string | undefined;
  deleting: boolean;
}

/** Every pod of the cluster with its role label. */
export async function listPods(cp: ControlPlane): Promise<PodInfo[]> {
  const list = await kubeOk<{ items: { metadata: Obj; spec: Obj; status?: Obj }[] }>(cp.credentials(), 'GET', '/api/v1/pods');
  return list.items.map((p) => ({
    namespace: p.metadata.namespace as string,
    name: p.metadata.name as string,
    role: ((p.metadata.labels as Record<string, string> | undefined) ?? {}).role ?? '',
    node: p.spec.nodeName as string | undefined,
    phase: p.status?.phase as string | undefined,
    deleting: p.metadata.deletionTimestamp !== undefined,
  }));
}

/** Replaces every "namespace/pod-name" (and bare pod name) in `text` by "<role>", for comparing outputs across nodes. */
export function byRole(text: string, pods: readonly PodInfo[]): string {
  let out = text;
  for (const p of [...pods].sort((a, b) => b.name.length - a.name.length)) {
    out = out.split(`${p.namespace}/${p.name}`).join(`<${p.role}>`).split(`"${p.name}"`).join(`"<${p.role}>"`)
      .split(`pod/${p.name}`).join(`pod/<${p.role}>`).split(`"${p.namespace}"`).join('"<ns>"');
  }
  return out;
}
