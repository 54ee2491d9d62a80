/**
 * The ordered steps of an upgrade and the checks between them: verified etcd backup, health,
 * etcd members one at a time, control-plane nodes one at a time (`kubekeeper upgrade node`,
 * which itself backs up, cordons, drains, runs the operator's command, waits for the kubelet
 * version, checks health and uncordons), a control-plane check, workers one at a time,
 * kube-proxy, final health. Nodes already at the target are left out.
 */
import type { ComponentVersion } from '../versions/check-skew.js';
import { compareVersions, parseVersion } from '../versions/kube-version.js';
import type { ClusterInventory } from './inventory.js';

/** One row of the component table (like kubeadm upgrade plan's). */
export interface UpgradeComponentRow {
  component: ComponentVersion['component'];
  node: string;
  current: string;
  /** "" without a target. */
  target: string;
}

export interface UpgradeStep {
  kind: 'backup' | 'health' | 'etcd' | 'control-plane-node' | 'control-plane-check' | 'worker-node' | 'kube-proxy';
  title: string;
  node?: string;
  /** The kubekeeper command that carries out (or verifies) this step, when there is one. */
  command?: string;
  /** How the operator does it when kubekeeper cannot (it never installs packages itself). */
  detail?: string;
  /** What must hold before the next step starts. */
  checks: string[];
}

const UPGRADE_COMMAND = '<your upgrade command>';

function behind(rows: readonly UpgradeComponentRow[], node: string): UpgradeComponentRow[] {
  return rows.filter((r) => r.node === node && r.component !== 'etcd' && r.current.replace(/^v/, '') !== r.target.replace(/^v/, ''));
}

export function planSteps(inventory: ClusterInventory, rows: readonly UpgradeComponentRow[], target: string, etcdTarget: string | undefined): UpgradeStep[] {
  const steps: UpgradeStep[] = [
    {
      kind: 'backup',
      title: 'Take an etcd snapshot and verify it',
      command: `kubekeeper snapshot save pre-upgrade-${target}.db && kubekeeper snapshot verify pre-upgrade-${target}.db`,
      checks: ['the snapshot\'s SHA-256 trailer verifies', 'revision and key count are recorded', 'the file is copied off the cluster'],
    },
    {
      kind: 'health',
      title: 'Check cluster health before changing anything',
      command: 'kubekeeper health --etcd-endpoints <endpoints>',
      checks: ['/livez and /readyz pass', 'every node is Ready', 'every etcd member is healthy, one leader, no alarms'],
    },
  ];
  // "3.5.12" (reported by the member) and "3.5.12-0" (image tag) are the same release.
  const sameRelease = (a: string, b: string) => {
    const [va, vb] = [parseVersion(a), parseVersion(b)];
    return va !== undefined && vb !== undefined && compareVersions(va, vb) === 0;
  };
  for (const row of rows.filter((r) => r.component === 'etcd' && r.target !== '' && !sameRelease(r.current, r.target))) {
    steps.push({
      kind: 'etcd',
      title: `Upgrade etcd on "${row.node}" from ${row.current} to ${row.target}`,
      node: row.node,
      detail: 'one member at a time, followers before the leader: change the image in /etc/kubernetes/manifests/etcd.yaml (stacked) or the etcd package',
      checks: [`member on "${row.node}" reports ${row.target.replace(/-\d+$/, '')}`, 'every member healthy with one leader (kubekeeper health)', 'no alarms'],
    });
  }
  const cpNodes = inventory.nodes.filter((n) => n.controlPlane);
  const workers = inventory.nodes.filter((n) => !n.controlPlane);
  cpNodes.filter((n) => behind(rows, n.name).length > 0).forEach((n, i) => {
    steps.push({
      kind: 'control-plane-node',
      title: `Upgrade control-plane node "${n.name}" to ${target}`,
      node: n.name,
      command: `kubekeeper upgrade node ${n.name} --to ${target} --exec "${UPGRADE_COMMAND}" --backup-dir <dir> --etcd-endpoints <endpoints>`,
      detail: i === 0
        ? `kubeadm: "kubeadm upgrade apply ${target}" on this first control-plane node, then the kubelet package`
        : 'kubeadm: "kubeadm upgrade node", then the kubelet package',
      checks: [
        'etcd snapshot taken and verified before the node is touched',
        'node drained without bypassing a PodDisruptionBudget',
        `node Ready with kubelet ${target}`,
        ...(inventory.staticPods ? [`kube-apiserver, kube-controller-manager and kube-scheduler on "${n.name}" run ${target}`] : []),
        '/readyz passes',
        'node uncordoned',
      ],
    });
  });
  steps.push({
    kind: 'control-plane-check',
    title: 'Verify the control plane before touching workers',
    command: `kubekeeper upgrade plan --to ${target}`,
    checks: [`every kube-apiserver reports ${target}`, 'no version skew violations', etcdTarget ? `every etcd member runs ${etcdTarget}` : 'etcd healthy'],
  });
  for (const n of workers.filter((w) => behind(rows, w.name).length > 0)) {
    steps.push({
      kind: 'worker-node',
      title: `Upgrade worker node "${n.name}" to ${target}`,
      node: n.name,
      command: `kubekeeper upgrade node ${n.name} --to ${target} --exec "${UPGRADE_COMMAND}"`,
      detail: 'kubeadm: "kubeadm upgrade node", then the kubelet package',
      checks: ['node drained without bypassing a PodDisruptionBudget', `node Ready with kubelet ${target}`, '/readyz passes', 'node uncordoned'],
    });
  }
  const proxy = rows.find((r) => r.component === 'kube-proxy' && r.current.replace(/^v/, '') !== r.target.replace(/^v/, ''));
  if (proxy) {
    steps.push({
      kind: 'kube-proxy',
      title: `Upgrade the kube-proxy DaemonSet from ${proxy.current} to ${target}`,
      detail: '"kubeadm upgrade apply" updates it with the first control-plane node; otherwise set the DaemonSet image',
      checks: ['kube-proxy DaemonSet rolled out on every node'],
    });
  }
  steps.push({ kind: 'health', title: 'Final health check', command: 'kubekeeper health --etcd-endpoints <endpoints>', checks: ['/readyz passes', 'every node Ready and uncordoned', 'etcd healthy'] });
  return steps;
}
