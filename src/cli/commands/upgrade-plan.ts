/** `kubekeeper upgrade plan`: versions, what the skew policy allows, and the ordered upgrade steps. */
import { ExitCode, UsageError } from '../../errors.js';
import { connectEtcd } from '../../etcd/index.js';
import type { ClusterInventory } from '../../k8s/index.js';
import { collectInventory, planUpgrade, withLiveEtcdVersions } from '../../k8s/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import type { EtcdConnectOptions } from '../../etcd/index.js';
import { etcdCheckFlags, etcdOptionsFromCheckFlags } from '../etcd-check-flags.js';
import { kubeClientFromFlags, kubeFlags } from '../kube-flags.js';
import { renderUpgradePlanText } from '../output/upgrade.js';

/** 1.30, 1.30.4, v1.30.4, 1.31.0-rc.1, 1.30.4+rke2r1. */
const KUBE_VERSION = /^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.+-]+)?$/;

/** Asks every etcd member for its version (members that cannot be reached keep the image tag's). */
async function withMemberVersions(inventory: ClusterInventory, options: EtcdConnectOptions, signal: AbortSignal): Promise<ClusterInventory> {
  const client = await connectEtcd(options, signal);
  try {
    const versions: Array<{ name: string; version: string }> = [];
    for (const member of await client.memberList()) {
      const url = member.clientURLs[0];
      if (!url) continue;
      try {
        versions.push({ name: member.name, version: (await client.status(url)).version });
      } catch {
        // Unreachable now: the plan falls back to the image tag; `health` reports the member.
      }
    }
    return withLiveEtcdVersions(inventory, versions);
  } finally {
    client.close();
  }
}

export default defineCommand({
  name: 'upgrade plan',
  summary: 'Show component versions, version skew, and the ordered, checked steps to upgrade to --to',
  flags: {
    ...kubeFlags,
    to: { type: 'string', valueName: 'VERSION', description: 'Target Kubernetes version, e.g. 1.29.3' },
    ...etcdCheckFlags,
    'write-out': writeOutFlag(['text', 'json'], 'text'),
  },
  details: [
    'Reads /version, the nodes (kubelet versions), the kubeadm static pods in kube-system',
    '(kube-apiserver, kube-controller-manager, kube-scheduler, etcd images) and the kube-proxy',
    'DaemonSet. Applies the skew policy: one minor at a time, kubelets at most 3 minors behind',
    '(2 before 1.28/1.25), etcd one minor at a time and never downgraded. The steps start with a',
    'verified etcd backup, then etcd, control-plane nodes one by one, workers, kube-proxy.',
    'With --etcd-endpoints the etcd versions are the ones the members report (not image tags).',
    'Changes nothing. Exit code 3 when --to is refused or the cluster violates the skew policy.',
  ].join('\n'),
  async run({ flags, io, signal }) {
    // Checked before anything connects: a typo must not wait for the API server first.
    if (flags.to !== undefined && !KUBE_VERSION.test(flags.to)) {
      throw new UsageError(`Invalid value for --to: "${flags.to}" is not a Kubernetes version`, 'Use a version such as 1.30.4 or v1.30.4');
    }
    const client = await kubeClientFromFlags(flags, io);
    const etcd = etcdOptionsFromCheckFlags(flags);
    let inventory = await collectInventory(client);
    if (etcd) inventory = await withMemberVersions(inventory, etcd, signal);
    const plan = planUpgrade({ inventory, target: flags.to });
    io.stdout.write(flags['write-out'] === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : renderUpgradePlanText(plan));
    return plan.blockers.length > 0 || plan.skew.length > 0 ? ExitCode.checkFailed : ExitCode.ok;
  },
});
