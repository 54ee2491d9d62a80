/**
 * Node topology and certificate settings: etcd member count (single or even), a single
 * control-plane node, kubelet serving certificates signed by the cluster CA, certificate
 * rotation left on, and overlong signing durations.
 */
import type { ReviewContext, ReviewFinding } from './finding.js';

/** Longest signing duration for kubelet certificates that still forces a yearly rotation. */
const MAX_SIGNING_HOURS = 8760;

function durationHours(text: string): number | undefined {
  const m = /^(\d+)h(?:0m0s)?$/.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

export function reviewTopologyAndCerts({ file, roles }: ReviewContext): ReviewFinding[] {
  const out: ReviewFinding[] = [];
  const add = (rule: string, severity: ReviewFinding['severity'], path: string[], message: string, why: string, fix: string) =>
    out.push({ rule, severity, path: path.join('.'), line: file.lineOf(path), message, why, fix });
  if (roles.etcd === 0) add('etcd.no-members', 'critical', ['nodes'], 'no node has the etcd role', '`rke up` cannot build a cluster without etcd', 'Give three nodes the etcd role');
  else if (roles.etcd === 1) add('etcd.single-member', 'high', ['nodes'], 'one etcd member', 'no fault tolerance: that node failing loses the cluster state until restored from a snapshot', 'Run three (or five) etcd members on separate machines');
  else if (roles.etcd % 2 === 0) add('etcd.even-members', 'medium', ['nodes'], `${roles.etcd} etcd members (an even count)`, `${roles.etcd} members tolerate ${roles.etcd / 2 - 1} failure(s), the same as ${roles.etcd - 1}, while needing a larger quorum: more ways to lose it`, `Use ${roles.etcd - 1} or ${roles.etcd + 1} members`);
  if (roles.controlplane === 1) add('controlplane.single-node', 'medium', ['nodes'], 'one control-plane node', 'its failure or upgrade takes the Kubernetes API down', 'Run at least two control-plane nodes behind a load balancer');

  const kubelet = ['services', 'kubelet'];
  if (file.get([...kubelet, 'generate_serving_certificate']) !== true) {
    add('certs.kubelet-serving-self-signed', 'medium', file.has([...kubelet, 'generate_serving_certificate']) ? [...kubelet, 'generate_serving_certificate'] : kubelet,
      'services.kubelet.generate_serving_certificate is not true',
      'kubelets serve a self-signed certificate, so kube-apiserver cannot verify the kubelet it talks to (logs, exec, port-forward)',
      'Set services.kubelet.generate_serving_certificate: true (and kube-api extra_args kubelet-certificate-authority)');
  }
  const rotate = file.get([...kubelet, 'extra_args', 'rotate-certificates']);
  if (String(rotate) === 'false') {
    add('certs.kubelet-rotation-off', 'medium', [...kubelet, 'extra_args', 'rotate-certificates'], 'kubelet rotate-certificates is "false"', 'kubelet client certificates expire and the node drops out of the cluster', 'Remove the flag (rotation is on by default)');
  }
  for (const flag of ['cluster-signing-duration', 'experimental-cluster-signing-duration']) {
    const path = ['services', 'kube-controller', 'extra_args', flag];
    const value = file.get(path);
    const h = typeof value === 'string' ? durationHours(value) : undefined;
    if (h !== undefined && h > MAX_SIGNING_HOURS) {
      add('certs.signing-duration-long', 'low', path, `${flag}: ${String(value)} (${Math.round(h / 24)} days)`, 'certificates signed by the controller-manager live that long; a leaked kubelet key stays valid for years', `Keep it at or below ${MAX_SIGNING_HOURS}h (one year)`);
    }
  }
  return out;
}
