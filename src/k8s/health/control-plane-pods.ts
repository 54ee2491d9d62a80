/**
 * Control-plane static pods (kubeadm): every control-plane node should run a mirror pod per
 * component, labelled `component=<name>` and `tier=control-plane` in kube-system, Running and
 * Ready. Stacked etcd counts only when the cluster runs etcd pods at all (external etcd does not).
 */
import type { Node, Pod } from '../types.js';
import { isControlPlaneNode } from '../types.js';

export const CONTROL_PLANE_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

export interface StaticPodStatus {
  node: string;
  component: string;
  pod: string | undefined;
  phase: string;
  ready: boolean;
}

export interface ControlPlaneReport {
  /** Why the check did not apply (e.g. RKE runs these as plain containers). */
  skipped: string | undefined;
  pods: StaticPodStatus[];
  problems: string[];
}

function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Pure: matches the control-plane nodes against the tier=control-plane pods of kube-system. */
export function assessControlPlanePods(nodes: readonly Node[], pods: readonly Pod[]): ControlPlaneReport {
  if (pods.length === 0) {
    return { skipped: 'no pods labelled tier=control-plane in kube-system (not a kubeadm cluster: RKE runs the control plane as containers)', pods: [], problems: [] };
  }
  const components: string[] = [...CONTROL_PLANE_COMPONENTS];
  if (pods.some((p) => p.metadata.labels?.component === 'etcd')) components.push('etcd');
  const hosts = new Set(pods.map((p) => p.spec?.nodeName ?? ''));
  const cpNodes = nodes.filter((n) => isControlPlaneNode(n) || hosts.has(n.metadata.name)).map((n) => n.metadata.name).sort();
  const result: StaticPodStatus[] = [];
  const problems: string[] = [];
  for (const node of cpNodes) {
    for (const component of components) {
      const pod = pods.find((p) => p.spec?.nodeName === node && p.metadata.labels?.component === component);
      const phase = pod?.status?.phase ?? 'Missing';
      const ready = pod !== undefined && phase === 'Running' && isPodReady(pod);
      result.push({ node, component, pod: pod?.metadata.name, phase, ready });
      if (!pod) problems.push(`${component} static pod is missing on node "${node}"`);
      else if (!ready) problems.push(`${component} on node "${node}" is ${phase === 'Running' ? 'Running but not Ready' : phase} (pod ${pod.metadata.name})`);
    }
  }
  return { skipped: undefined, pods: result, problems };
}
