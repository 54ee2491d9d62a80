/**
 * The Kubernetes version skew policy (spec §4.1), as checks over the versions running now:
 * - kube-apiserver (HA): newest and oldest within 1 minor;
 * - kubelet: never newer than the oldest apiserver; at most 3 minors older than the newest
 *   (2 when the kubelet is older than 1.25 or the apiserver older than 1.28, when the rule began);
 * - kube-proxy: like the kubelet, and within 3 (2 before 1.25) minors of the kubelet on its node;
 * - kube-controller-manager, kube-scheduler: not newer than the oldest apiserver, at most 1 older.
 */
import type { Version } from './kube-version.js';
import { formatKubeVersion, minorDistance, parseVersion, versionRange } from './kube-version.js';

export interface ComponentVersion {
  component: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubelet' | 'kube-proxy' | 'etcd';
  /** Empty for cluster-wide components (kube-proxy DaemonSet, /version). */
  node: string;
  version: string;
}

export interface SkewFinding {
  component: ComponentVersion['component'];
  node: string;
  version: string;
  /** What is wrong and what the policy allows. */
  message: string;
}

/** How many minors a kubelet (or kube-proxy) may lag behind an apiserver at `apiserver`. */
export function allowedNodeLag(apiserver: Version, node: Version): number {
  return apiserver.minor >= 28 && node.minor >= 25 ? 3 : 2;
}

const parsed = (c: ComponentVersion) => parseVersion(c.version);

/** Checks `versions` against the skew policy; returns every violation (empty when compliant). */
export function checkSkew(versions: readonly ComponentVersion[]): SkewFinding[] {
  const findings: SkewFinding[] = [];
  const of = (component: ComponentVersion['component']) => versions.filter((v) => v.component === component && parsed(v) !== undefined);
  const range = versionRange(of('kube-apiserver').map((v) => parsed(v) as Version));
  if (!range) return findings;
  const { oldest, newest } = range;
  const add = (c: ComponentVersion, message: string) => findings.push({ component: c.component, node: c.node, version: c.version, message });
  if (minorDistance(newest, oldest) > 1) {
    for (const c of of('kube-apiserver')) {
      add(c, `kube-apiserver instances span ${formatKubeVersion(oldest)} to ${formatKubeVersion(newest)}: HA apiservers must be within 1 minor version`);
    }
  }
  for (const c of [...of('kubelet'), ...of('kube-proxy')]) {
    const v = parsed(c) as Version;
    const lag = allowedNodeLag(newest, v);
    if (minorDistance(v, oldest) > 0) add(c, `${c.component} ${c.version} is newer than kube-apiserver ${formatKubeVersion(oldest)}: it must not be newer than the oldest apiserver`);
    else if (minorDistance(newest, v) > lag) add(c, `${c.component} ${c.version} is ${minorDistance(newest, v)} minor versions behind kube-apiserver ${formatKubeVersion(newest)}: at most ${lag} are supported`);
  }
  for (const proxy of of('kube-proxy').filter((p) => p.node !== '')) {
    const kubelet = of('kubelet').find((k) => k.node === proxy.node);
    if (!kubelet) continue;
    const [p, k] = [parsed(proxy) as Version, parsed(kubelet) as Version];
    const limit = Math.min(p.minor, k.minor) >= 25 ? 3 : 2;
    if (Math.abs(minorDistance(p, k)) > limit) add(proxy, `kube-proxy ${proxy.version} and kubelet ${kubelet.version} on node "${proxy.node}" differ by more than ${limit} minor versions`);
  }
  for (const c of [...of('kube-controller-manager'), ...of('kube-scheduler')]) {
    const v = parsed(c) as Version;
    if (minorDistance(v, oldest) > 0) add(c, `${c.component} ${c.version} is newer than kube-apiserver ${formatKubeVersion(oldest)}: it must not be newer than any apiserver`);
    else if (minorDistance(newest, v) > 1) add(c, `${c.component} ${c.version} is more than 1 minor version behind kube-apiserver ${formatKubeVersion(newest)}`);
  }
  return findings;
}
