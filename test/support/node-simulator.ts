/**
 * Nodes without a container runtime, for a real control plane that has no kubelet and no
 * scheduler: through the API (client certificate), every `intervalMs` it
 * - registers its Nodes (Ready, kubelet version, capacity) and drops the not-ready taint the
 *   TaintNodesByCondition admission plugin puts on a new Node (the node-lifecycle controller's job);
 * - renews their Leases in kube-node-lease;
 * - binds pending pods that belong on one of its nodes (a DaemonSet pod's node affinity, a
 *   hostname nodeSelector, else its first schedulable node) as the scheduler would;
 * - marks pods bound to its nodes Running and Ready (what a kubelet reports);
 * - deletes (grace 0, UID precondition) pods whose deletion grace period has passed, as a kubelet
 *   does once the containers stopped, so evictions and drains really complete.
 * It stops itself after `lifetimeMs`, and every request is time-bounded.
 */
import { kubeRequest, type KubeCredentials } from './kube-http.js';

export interface NodeSimulatorOptions {
  nodes: readonly string[];
  kubeletVersion?: string;
  /** Nodes labelled node-role.kubernetes.io/control-plane (as kubeadm labels them). */
  controlPlane?: readonly string[];
  intervalMs?: number;
  /** The simulator stops itself after this long (default 10 min). */
  lifetimeMs?: number;
}

export interface NodeSimulator {
  /** Errors seen so far (conflicts are expected and retried next tick). */
  errors: string[];
  /** Resolves once one full tick has run after the call (to wait for a state to be reflected). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const micro = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function startNodeSimulator(c: KubeCredentials, options: NodeSimulatorOptions): Promise<NodeSimulator> {
  const ours = new Set(options.nodes);
  const errors: string[] = [];
  const kubeletVersion = options.kubeletVersion ?? 'v1.37.2';
  const req = async (method: string, path: string, body?: unknown, contentType?: string) => {
    const r = await kubeRequest(c, method, path, body, { timeoutMs: 5000, contentType });
    if (r.status >= 300 && r.status !== 404 && r.status !== 409) errors.push(`${method} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
    return r;
  };

  const registerNode = async (name: string, index: number) => {
    await req('POST', '/api/v1/nodes', {
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
          ...(options.controlPlane?.includes(name) ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
        },
      },
    });
    await req('PATCH', `/api/v1/nodes/${name}`, { spec: { taints: null } });
    await setNodeStatus(name, index);
  };
  const setNodeStatus = async (name: string, index: number) => {
    const now = iso(new Date());
    await req('PATCH', `/api/v1/nodes/${name}/status`, {
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status (simulated)', lastHeartbeatTime: now, lastTransitionTime: now }],
        addresses: [{ type: 'InternalIP', address: `10.200.0.${index + 1}` }, { type: 'Hostname', address: name }],
        capacity: { cpu: '8', memory: '16Gi', pods: '110' },
        allocatable: { cpu: '8', memory: '16Gi', pods: '110' },
        nodeInfo: {
          kubeletVersion, kubeProxyVersion: '', osImage: 'simulated', kernelVersion: '6.1.0', operatingSystem: 'linux', architecture: 'amd64',
          containerRuntimeVersion: 'containerd://2.0.0', machineID: '', systemUUID: '', bootID: '',
        },
      },
    });
  };
  const renewLease = async (name: string) => {
    const body = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro(new Date()) },
    };
    const r = await req('PATCH', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`, { spec: body.spec });
    if (r.status === 404) await req('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', body);
  };

  const pickNode = (pod: Obj, schedulable: string[]): string | undefined => {
    const terms: Obj[] = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    for (const term of terms) {
      for (const f of term.matchFields ?? []) {
        if (f.key === 'metadata.name' && f.operator === 'In') {
          const n = (f.values as string[]).find((v) => ours.has(v));
          return n;
        }
      }
    }
    const host = pod.spec?.nodeSelector?.['kubernetes.io/hostname'];
    // Like the scheduler: never onto a cordoned node (DaemonSet pods above tolerate it).
    if (typeof host === 'string') return schedulable.includes(host) ? host : undefined;
    return schedulable[0];
  };

  const podStatus = (pod: Obj, nodeIndex: number) => {
    const now = iso(new Date());
    const conditions = ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled']
      .map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now }));
    return {
      status: {
        phase: 'Running', conditions, hostIP: `10.200.0.${nodeIndex + 1}`, podIP: `10.244.${nodeIndex}.${1 + Math.floor(Math.random() * 250)}`, startTime: now,
        containerStatuses: (pod.spec?.containers ?? []).map((ct: Obj) => ({
          name: ct.name, image: ct.image, imageID: '', containerID: `containerd://${ct.name}`, ready: true, started: true, restartCount: 0,
          state: { running: { startedAt: now } },
        })),
      },
    };
  };

  const tickPods = async () => {
    const nodeList = (await req('GET', '/api/v1/nodes')).json as Obj | undefined;
    const schedulable = (nodeList?.items ?? [])
      .filter((n: Obj) => ours.has(n.metadata.name) && !n.spec?.unschedulable)
      .map((n: Obj) => n.metadata.name as string);
    const pods = (await req('GET', '/api/v1/pods')).json as Obj | undefined;
    const now = Date.now();
    for (const pod of pods?.items ?? []) {
      const { name, namespace, uid, deletionTimestamp } = pod.metadata;
      const node: string | undefined = pod.spec?.nodeName;
      const base = `/api/v1/namespaces/${namespace}/pods/${name}`;
      if (!node) {
        if (deletionTimestamp) continue;
        const target = pickNode(pod, schedulable);
        if (target) await req('POST', `${base}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid }, target: { apiVersion: 'v1', kind: 'Node', name: target } });
        continue;
      }
      if (!ours.has(node)) continue;
      if (deletionTimestamp) {
        if (Date.parse(deletionTimestamp) <= now) {
          await req('DELETE', `${base}`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid } });
        }
        continue;
      }
      const ready = (pod.status?.conditions ?? []).some((x: Obj) => x.type === 'Ready' && x.status === 'True');
      if (pod.status?.phase !== 'Running' || !ready) await req('PATCH', `${base}/status`, podStatus(pod, options.nodes.indexOf(node)));
    }
  };

  for (const [i, n] of options.nodes.entries()) {
    await registerNode(n, i);
    await renewLease(n);
  }
  let running = true;
  let ticks = 0;
  const tickWaiters: (() => void)[] = [];
  const started = Date.now();
  const intervalMs = options.intervalMs ?? 300;
  const loop = (async () => {
    let lastHeartbeat = Date.now();
    while (running && Date.now() - started < (options.lifetimeMs ?? 600_000)) {
      try {
        await tickPods();
        if (Date.now() - lastHeartbeat > 10_000) {
          lastHeartbeat = Date.now();
          for (const [i, n] of options.nodes.entries()) {
            await renewLease(n);
            await setNodeStatus(n, i);
          }
        }
      } catch (err) {
        errors.push(String(err));
      }
      ticks++;
      tickWaiters.splice(0).forEach((w) => w());
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    running = false;
    tickWaiters.splice(0).forEach((w) => w());
  })();
  return {
    errors,
    async settled() {
      const target = ticks + 2;
      while (running && ticks < target) await new Promise<void>((r) => tickWaiters.push(r));
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
