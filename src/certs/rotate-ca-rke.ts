/**
 * RKE1's CA rotation is one command run from the workstation, `rke cert rotate --rotate-ca`
 * (spec §2.6). Unlike kubeadm's manual procedure it does not bundle old and new CA, so
 * components briefly disagree while they restart; the plan says so and what RKE leaves to you.
 */
import type { RotationContext, RotationStep } from './rotation-step.js';

const WORKSTATION = 'the workstation with cluster.yml and cluster.rkestate';

/** The steps of `rke cert rotate --rotate-ca`, with what it does and what it leaves to the operator. */
export function rkeRotationSteps(ctx: RotationContext): RotationStep[] {
  return [
    { phase: 'prepare', title: 'Back up', where: WORKSTATION, actions: [
      'rke etcd snapshot-save --config cluster.yml --name before-ca-rotation',
      'copy cluster.yml, cluster.rkestate and kube_config_cluster.yml to a safe place',
    ] },
    { phase: 're-issue', title: 'Rotate the CA and every certificate', where: WORKSTATION, actions: [
      'rke cert rotate --config cluster.yml --rotate-ca',
      'RKE creates a new kube-ca and request-header CA and re-issues every service certificate with new keys; the service-account token key is kept, so existing tokens stay valid',
      `on this node that replaces ${ctx.signs.map((s) => s.name).join(', ')}`,
    ] },
    { phase: 're-issue', title: 'What RKE restarts', where: 'every node (done by rke)', actions: [
      'etcd on etcd hosts; kube-apiserver, kube-controller-manager and kube-scheduler on control-plane hosts; kubelet, kube-proxy and nginx-proxy on all hosts',
      'RKE deletes (to be re-created) pods of flannel, canal, weave, calico, ingress-nginx, metrics-server, the kube-dns/CoreDNS autoscalers, kube-api-auth and cattle-cluster-agent',
    ] },
    { phase: 'verify', title: 'Restart what RKE does not, and verify', where: 'the cluster (kubectl, the new kube_config_cluster.yml)', actions: [
      'restart every other workload using in-cluster config (their service-account Secrets now carry the new CA)',
      'hand out the new kube_config_cluster.yml; re-issue user certificates signed by the old CA',
      'kubekeeper certs check --pki-dir /etc/kubernetes/ssl on every node: kube-ca has new dates and no finding "not-signed-by-ca" remains',
    ] },
  ];
}
