/**
 * The etcd image kubeadm installs per Kubernetes release (spec §4.3, kubeadm
 * SupportedEtcdVersion), with the patch releases that moved to a newer etcd. Only for planning:
 * the live etcd version comes from the cluster, never from this table.
 */
import type { Version } from './kube-version.js';
import { parseVersion } from './kube-version.js';

/** minor -> [[first Kubernetes patch, etcd image tag], ...] ascending. */
const ETCD_BY_KUBERNETES_MINOR: ReadonlyMap<number, ReadonlyArray<readonly [number, string]>> = new Map([
  [24, [[0, '3.5.3-0'], [8, '3.5.5-0'], [9, '3.5.6-0']]],
  [25, [[0, '3.5.4-0'], [4, '3.5.5-0'], [5, '3.5.6-0'], [15, '3.5.9-0']]],
  [26, [[0, '3.5.6-0'], [10, '3.5.9-0'], [13, '3.5.10-0']]],
  [27, [[0, '3.5.7-0'], [7, '3.5.9-0'], [10, '3.5.10-0'], [12, '3.5.12-0']]],
  [28, [[0, '3.5.9-0'], [6, '3.5.10-0'], [8, '3.5.12-0']]],
  [29, [[0, '3.5.10-0'], [3, '3.5.12-0']]],
  [30, [[0, '3.5.12-0']]],
  [31, [[0, '3.5.15-0']]],
  [32, [[0, '3.5.16-0']]],
  [33, [[0, '3.5.21-0']]],
  [34, [[0, '3.6.4-0']]],
  [35, [[0, '3.6.6-0']]],
  // kubeadm v1.36.1 and v1.36.3 (the 1.36 releases on the Go module proxy): SupportedEtcdVersion[36] = 3.6.8-0.
  [36, [[0, '3.6.8-0']]],
  // kubeadm v1.37.2: DefaultEtcdVersion 3.7.0-0; its SupportedEtcdVersion map stops at 36 (also 3.7.0-0),
  // so kubeadm itself installs 3.7.0-0 for 1.37 through its nearest-version fallback.
  [37, [[0, '3.7.0-0']]],
]);

export interface EtcdForKubernetes {
  /** Image tag, e.g. "3.5.12-0" (the "-0" is the image revision). */
  image: string;
  version: Version;
  /** kubeadm's warning when the minor is outside the table. */
  warning: string | undefined;
}

/** The etcd kubeadm pairs with Kubernetes `k` (nearest minor, with kubeadm's warning, when unknown). */
export function etcdForKubernetes(k: Version): EtcdForKubernetes {
  let minor = k.minor;
  let warning: string | undefined;
  if (k.major !== 1 || !ETCD_BY_KUBERNETES_MINOR.has(minor)) {
    const known = [...ETCD_BY_KUBERNETES_MINOR.keys()];
    const nearest = k.major > 1 ? Math.max(...known) : known.reduce((best, m) => (Math.abs(m - minor) < Math.abs(best - minor) ? m : best));
    minor = nearest;
  }
  const entries = ETCD_BY_KUBERNETES_MINOR.get(minor) as ReadonlyArray<readonly [number, string]>;
  const patch = minor === k.minor && k.major === 1 ? k.patch : 0;
  const image = [...entries].reverse().find(([from]) => patch >= from)?.[1] as string;
  if (minor !== k.minor || k.major !== 1) {
    warning = `could not find officially supported version of etcd for Kubernetes v${k.major}.${k.minor}.${k.patch}, falling back to the nearest etcd version (${image})`;
  }
  return { image, version: parseVersion(image) as Version, warning };
}
