/**
 * checkClusterHealth: the whole `kubekeeper health` check. Each section (API server /livez and
 * /readyz, nodes Ready, control-plane static pods, etcd) is gathered on its own, so one failing
 * section is reported next to the others instead of hiding them. `healthy` is false when any
 * section has a problem; `problems` lists them in plain words.
 */
import { messageOf, throwIfAborted } from '../../errors.js';
import type { Node } from '../types.js';
import { isNodeReady, nodeRoles } from '../types.js';
import type { ControlPlaneReport } from './control-plane-pods.js';
import { assessControlPlanePods } from './control-plane-pods.js';
import type { EtcdHealthReport } from './etcd-health.js';
import { checkEtcdHealth } from './etcd-health.js';
import type { EtcdHealthSource, HealthApi } from './health-api.js';
import type { HealthEndpointResult } from './parse-health.js';
import { parseHealthReply } from './parse-health.js';

export interface NodeHealth {
  name: string;
  roles: string[];
  ready: boolean;
  /** The Ready condition's reason when not ready (e.g. KubeletNotReady, NodeStatusUnknown). */
  reason: string | undefined;
  unschedulable: boolean;
  kubeletVersion: string;
}

export interface HealthReport {
  healthy: boolean;
  apiserver: HealthEndpointResult[];
  nodes: NodeHealth[];
  controlPlane: ControlPlaneReport | undefined;
  /** Undefined when no etcd endpoints were given (the etcd check is optional). */
  etcd: EtcdHealthReport | undefined;
  problems: string[];
  notes: string[];
}

function nodeHealth(node: Node): NodeHealth {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    name: node.metadata.name,
    roles: nodeRoles(node),
    ready: isNodeReady(node),
    reason: isNodeReady(node) ? undefined : (ready?.reason ?? 'no Ready condition'),
    unschedulable: node.spec?.unschedulable === true,
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? '',
  };
}

/** Runs every check; throws only when interrupted. */
export async function checkClusterHealth(api: HealthApi, options: { etcd?: EtcdHealthSource; signal?: AbortSignal } = {}): Promise<HealthReport> {
  const problems: string[] = [];
  const notes: string[] = [];
  const apiserver: HealthEndpointResult[] = [];
  throwIfAborted(options.signal, 'Health check');
  // All requests start together: when etcd hangs, each one waits for its timeout, and the
  // check should take one timeout, not four. Results are still reported in this order.
  const settle = <T>(p: Promise<T>) => p.then((value) => ({ value }), (error: unknown) => ({ error }));
  const replies = { livez: settle(api.getHealthEndpoint('livez')), readyz: settle(api.getHealthEndpoint('readyz')) };
  const nodesReply = settle(api.listNodes());
  const podsReply = settle(api.listPods('kube-system', 'tier=control-plane'));
  const unwrap = async <T>(p: Promise<{ value: T } | { error: unknown }>): Promise<T> => {
    const r = await p;
    if ('error' in r) throw r.error;
    return r.value;
  };
  for (const endpoint of ['livez', 'readyz'] as const) {
    try {
      const reply = await unwrap(replies[endpoint]);
      const result = parseHealthReply(endpoint, reply.statusCode, reply.body);
      apiserver.push(result);
      if (!result.healthy) {
        const what = result.failed.length > 0 ? `failed checks: ${result.failed.join(', ')}` : `HTTP ${reply.statusCode}${result.message ? `: ${result.message}` : ''}`;
        problems.push(`API server /${endpoint} is not healthy (${what})`);
      }
    } catch (err) {
      problems.push(`API server /${endpoint} cannot be checked: ${messageOf(err)}`);
    }
  }
  let nodes: NodeHealth[] = [];
  let nodeObjects: Node[] = [];
  try {
    nodeObjects = await unwrap(nodesReply);
    nodes = nodeObjects.map(nodeHealth).sort((a, b) => a.name.localeCompare(b.name));
    for (const n of nodes) if (!n.ready) problems.push(`node "${n.name}" is not Ready (${n.reason})`);
    for (const n of nodes) if (n.unschedulable) notes.push(`node "${n.name}" is cordoned`);
  } catch (err) {
    problems.push(`nodes cannot be listed: ${messageOf(err)}`);
  }
  let controlPlane: ControlPlaneReport | undefined;
  try {
    controlPlane = assessControlPlanePods(nodeObjects, await unwrap(podsReply));
    problems.push(...controlPlane.problems);
    if (controlPlane.skipped) notes.push(`control-plane static pods not checked: ${controlPlane.skipped}`);
  } catch (err) {
    problems.push(`control-plane pods cannot be listed: ${messageOf(err)}`);
  }
  let etcd: EtcdHealthReport | undefined;
  if (options.etcd) {
    throwIfAborted(options.signal, 'Health check');
    etcd = await checkEtcdHealth(options.etcd);
    problems.push(...etcd.problems);
    notes.push(...etcd.notes);
  } else notes.push('etcd not checked: no --etcd-endpoints given');
  return { healthy: problems.length === 0, apiserver, nodes, controlPlane, etcd, problems, notes };
}
