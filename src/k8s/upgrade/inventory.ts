/**
 * The versions running in a cluster: kubelets from Node status, kube-apiserver,
 * kube-controller-manager, kube-scheduler and etcd from kubeadm's static pods (image tags), and
 * kube-proxy from its DaemonSet. Without static pods (RKE, managed control planes) the
 * apiserver version comes from /version and the other control-plane components are unknown.
 */
import type { DaemonSet, Node, Pod } from '../types.js';
import { isControlPlaneNode, isNodeReady } from '../types.js';
import type { ComponentVersion } from '../versions/check-skew.js';
import { versionFromImage } from '../versions/kube-version.js';
import type { InventoryApi } from './inventory-api.js';

export interface InventoryNode {
  name: string;
  controlPlane: boolean;
  /** Runs an etcd static pod (stacked etcd). */
  etcd: boolean;
  kubeletVersion: string;
  ready: boolean;
  unschedulable: boolean;
}

export interface ClusterInventory {
  serverVersion: string;
  nodes: InventoryNode[];
  components: ComponentVersion[];
  /** False when no kubeadm static pods were found (component versions partly unknown). */
  staticPods: boolean;
}

const STATIC_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'] as const;

/** Pure: assembles the inventory from what was read. */
export function buildInventory(input: { serverVersion: string; nodes: readonly Node[]; controlPlanePods: readonly Pod[]; daemonSets: readonly DaemonSet[] }): ClusterInventory {
  const components: ComponentVersion[] = [];
  for (const pod of input.controlPlanePods) {
    const component = pod.metadata.labels?.component;
    const container = pod.spec?.containers?.find((c) => c.name === component) ?? pod.spec?.containers?.[0];
    const version = versionFromImage(container?.image);
    if (!STATIC_COMPONENTS.includes(component as (typeof STATIC_COMPONENTS)[number]) || version === undefined) continue;
    components.push({ component: component as ComponentVersion['component'], node: pod.spec?.nodeName ?? '', version });
  }
  const staticPods = components.some((c) => c.component === 'kube-apiserver');
  if (!staticPods) components.push({ component: 'kube-apiserver', node: '', version: input.serverVersion });
  const etcdNodes = new Set(components.filter((c) => c.component === 'etcd').map((c) => c.node));
  const nodes = [...input.nodes].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map((n): InventoryNode => ({
    name: n.metadata.name,
    controlPlane: isControlPlaneNode(n) || components.some((c) => c.node === n.metadata.name && c.component === 'kube-apiserver'),
    etcd: etcdNodes.has(n.metadata.name),
    kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
    ready: isNodeReady(n),
    unschedulable: n.spec?.unschedulable === true,
  }));
  for (const n of nodes) if (n.kubeletVersion) components.push({ component: 'kubelet', node: n.name, version: n.kubeletVersion });
  const proxy = input.daemonSets.find((d) => d.metadata.name === 'kube-proxy');
  const proxyVersion = versionFromImage(proxy?.spec?.template?.spec?.containers?.[0]?.image);
  if (proxyVersion) components.push({ component: 'kube-proxy', node: '', version: proxyVersion });
  const order = (c: ComponentVersion) => ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'].indexOf(c.component);
  components.sort((a, b) => order(a) - order(b) || a.node.localeCompare(b.node));
  return { serverVersion: input.serverVersion, nodes, components, staticPods };
}

/** Reads the inventory from the cluster. Throws KubeApiError / KubeUnreachableError. */
export async function collectInventory(api: InventoryApi): Promise<ClusterInventory> {
  const [serverVersion, nodes, controlPlanePods, daemonSets] = await Promise.all([
    api.getServerVersion(),
    api.listNodes(),
    api.listPods('kube-system', 'tier=control-plane'),
    api.listDaemonSets('kube-system'),
  ]);
  return buildInventory({ serverVersion, nodes, controlPlanePods, daemonSets });
}

/**
 * Replaces the etcd versions read from static pod images with the versions the members report
 * themselves (Maintenance.Status), which is what counts for the no-downgrade and one-minor rules.
 * Members are matched to nodes by name (kubeadm names each member after its node); a member
 * that did not answer keeps the version of its image tag.
 */
export function withLiveEtcdVersions(inventory: ClusterInventory, members: ReadonlyArray<{ name: string; version: string }>): ClusterInventory {
  const byNode = new Map(inventory.components.filter((c) => c.component === 'etcd').map((c) => [c.node, c.version]));
  for (const m of members) byNode.set(m.name, m.version);
  const etcd: ComponentVersion[] = [...byNode].sort(([a], [b]) => a.localeCompare(b)).map(([node, version]) => ({ component: 'etcd', node, version }));
  return { ...inventory, components: [...etcd, ...inventory.components.filter((c) => c.component !== 'etcd')] };
}
