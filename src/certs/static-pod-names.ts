/**
 * The control-plane static pods kubeadm writes to /etc/kubernetes/manifests, in the order a
 * certificate renewal restarts them: etcd first (the API server needs it), then the API
 * server, then its clients.
 */
export const STATIC_POD_NAMES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

export type StaticPodName = (typeof STATIC_POD_NAMES)[number];

/** The given pods, without duplicates, in restart order. */
export function inRestartOrder(pods: Iterable<StaticPodName>): StaticPodName[] {
  const wanted = new Set(pods);
  return STATIC_POD_NAMES.filter((p) => wanted.has(p));
}
