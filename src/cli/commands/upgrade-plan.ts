/** `kubekeeper upgrade plan`: versions, what the skew policy allows, and the ordered upgrade steps. */
import { ExitCode } from '../../errors.js';
import { collectInventory, planUpgrade } from '../../k8s/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { kubeClientFromFlags, kubeFlags } from '../kube-flags.js';
import { renderUpgradePlanText } from '../output/upgrade.js';

export default defineCommand({
  name: 'upgrade plan',
  summary: 'Show component versions, version skew, and the ordered, checked steps to upgrade to --to',
  flags: {
    ...kubeFlags,
    to: { type: 'string', valueName: 'VERSION', description: 'Target Kubernetes version, e.g. 1.29.3' },
    write: writeOutFlag(['text', 'json'], 'text'),
  },
  details: [
    'Reads /version, the nodes (kubelet versions), the kubeadm static pods in kube-system',
    '(kube-apiserver, kube-controller-manager, kube-scheduler, etcd images) and the kube-proxy',
    'DaemonSet. Applies the skew policy: one minor at a time, kubelets at most 3 minors behind',
    '(2 before 1.28/1.25), etcd one minor at a time and never downgraded. The steps start with a',
    'verified etcd backup, then etcd, control-plane nodes one by one, workers, kube-proxy.',
    'Changes nothing. Exit code 3 when --to is refused or the cluster violates the skew policy.',
  ].join('\n'),
  async run({ flags, io }) {
    const client = await kubeClientFromFlags(flags, io);
    const plan = planUpgrade({ inventory: await collectInventory(client), target: flags.to });
    io.stdout.write(flags.write === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : renderUpgradePlanText(plan));
    return plan.blockers.length > 0 || plan.skew.length > 0 ? ExitCode.checkFailed : ExitCode.ok;
  },
});
