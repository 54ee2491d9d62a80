/**
 * The parts of Kubernetes objects that kubekeeper reads, in their JSON shape (field names as
 * the API server sends them, timestamps as RFC 3339 strings). Roles return these plain
 * objects, so fakes and the client-node implementation are interchangeable.
 */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid?: string;
  /** Only the reference with `controller: true` is the pod's controller (drain's filters use it). */
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string;
  /** Set once deletion started; the object stays until finalizers and the kubelet are done. */
  deletionTimestamp?: string;
}

export interface Volume {
  name: string;
  emptyDir?: Record<string, unknown>;
  hostPath?: { path: string; type?: string };
  [source: string]: unknown;
}

export interface Container {
  name: string;
  image?: string;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Pod {
  metadata: ObjectMeta;
  spec?: { nodeName?: string; volumes?: Volume[]; containers?: Container[] };
  status?: { phase?: string; conditions?: Condition[] };
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Node {
  metadata: ObjectMeta;
  spec?: { unschedulable?: boolean; taints?: Taint[] };
  status?: {
    conditions?: Condition[];
    nodeInfo?: { kubeletVersion?: string; kubeProxyVersion?: string; containerRuntimeVersion?: string };
  };
}

/** "namespace/name", the way kubectl names pods in messages. */
export function podKey(pod: Pick<Pod, 'metadata'>): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}

/** True when the node's Ready condition is "True" (missing or Unknown counts as not ready). */
export function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The role labels of a node (`node-role.kubernetes.io/<role>`), e.g. ["control-plane"]. */
export function nodeRoles(node: Node): string[] {
  const prefix = 'node-role.kubernetes.io/';
  return Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length))
    .sort();
}

/** Control-plane nodes carry the control-plane role (or the pre-1.24 "master" role, or RKE's). */
export function isControlPlaneNode(node: Node): boolean {
  const roles = nodeRoles(node);
  return roles.includes('control-plane') || roles.includes('master') || roles.includes('controlplane');
}

export interface DaemonSet {
  metadata: ObjectMeta;
  spec?: { template?: { spec?: { containers?: Container[] } } };
}
