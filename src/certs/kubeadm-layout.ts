/**
 * kubeadm's certificate table (spec §2.1/§2.4): which file holds each certificate
 * `kubeadm certs check-expiration` reports, the CA that signs it, the name `renew` prints,
 * and which static pods read it. kubelet.conf is added (kubeadm omits it because the kubelet
 * rotates its own client certificate; we still show when that certificate expires).
 */
import type { SanRule } from './inventory.js';
import type { StaticPodName } from './static-pod-names.js';

export type KubeadmCaName = 'ca' | 'etcd-ca' | 'front-proxy-ca';

export interface KubeadmAuthoritySpec {
  name: KubeadmCaName;
  /** Path of `<base>.crt`/`<base>.key` relative to the PKI dir. */
  base: string;
}

export interface KubeadmCertificateSpec {
  name: string;
  kind: 'pair' | 'kubeconfig';
  /** `pair`: `<base>.crt/.key` under the PKI dir; `kubeconfig`: file name under the kubeconfig dir. */
  file: string;
  ca: KubeadmCaName;
  longName: string;
  staticPods: readonly StaticPodName[];
  sanRules: readonly SanRule[];
  optional?: boolean;
  notRenewable?: string;
}

/** The three kubeadm CAs and their files. */
export const KUBEADM_AUTHORITIES: readonly KubeadmAuthoritySpec[] = [
  { name: 'ca', base: 'ca' },
  { name: 'etcd-ca', base: 'etcd/ca' },
  { name: 'front-proxy-ca', base: 'front-proxy-ca' },
];

const NODE_SAN: readonly SanRule[] = [{ kind: 'node-address' }];

/** Sorted by name, the order kubeadm prints them. */
export const KUBEADM_CERTIFICATES: readonly KubeadmCertificateSpec[] = [
  { name: 'admin.conf', kind: 'kubeconfig', file: 'admin.conf', ca: 'ca', staticPods: [], sanRules: [],
    longName: 'certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself' },
  { name: 'apiserver', kind: 'pair', file: 'apiserver', ca: 'ca', staticPods: ['kube-apiserver'], sanRules: NODE_SAN,
    longName: 'certificate for serving the Kubernetes API' },
  { name: 'apiserver-etcd-client', kind: 'pair', file: 'apiserver-etcd-client', ca: 'etcd-ca', staticPods: ['kube-apiserver'], sanRules: [],
    longName: 'certificate the apiserver uses to access etcd' },
  { name: 'apiserver-kubelet-client', kind: 'pair', file: 'apiserver-kubelet-client', ca: 'ca', staticPods: ['kube-apiserver'], sanRules: [],
    longName: 'certificate for the API server to connect to kubelet' },
  { name: 'controller-manager.conf', kind: 'kubeconfig', file: 'controller-manager.conf', ca: 'ca', staticPods: ['kube-controller-manager'], sanRules: [],
    longName: 'certificate embedded in the kubeconfig file for the controller manager to use' },
  // Read by health probes and etcdctl on each call, never cached by a running process.
  { name: 'etcd-healthcheck-client', kind: 'pair', file: 'etcd/healthcheck-client', ca: 'etcd-ca', staticPods: [], sanRules: [],
    longName: 'certificate for liveness probes to healthcheck etcd' },
  { name: 'etcd-peer', kind: 'pair', file: 'etcd/peer', ca: 'etcd-ca', staticPods: ['etcd'], sanRules: NODE_SAN,
    longName: 'certificate for etcd nodes to communicate with each other' },
  { name: 'etcd-server', kind: 'pair', file: 'etcd/server', ca: 'etcd-ca', staticPods: ['etcd'], sanRules: NODE_SAN,
    longName: 'certificate for serving etcd' },
  { name: 'front-proxy-client', kind: 'pair', file: 'front-proxy-client', ca: 'front-proxy-ca', staticPods: ['kube-apiserver'], sanRules: [],
    longName: 'certificate for the front proxy client' },
  { name: 'kubelet.conf', kind: 'kubeconfig', file: 'kubelet.conf', ca: 'ca', staticPods: [], sanRules: [],
    longName: 'certificate the kubelet uses to authenticate to the API server',
    notRenewable: 'the kubelet rotates its own client certificate' },
  { name: 'scheduler.conf', kind: 'kubeconfig', file: 'scheduler.conf', ca: 'ca', staticPods: ['kube-scheduler'], sanRules: [],
    longName: 'certificate embedded in the kubeconfig file for the scheduler manager to use' },
  // Only on the node where `kubeadm init` ran (1.29+); elsewhere kubeadm prints !MISSING!.
  { name: 'super-admin.conf', kind: 'kubeconfig', file: 'super-admin.conf', ca: 'ca', staticPods: [], sanRules: [], optional: true,
    longName: 'certificate embedded in the kubeconfig file for the super-admin' },
];

/** The names `kubekeeper certs renew` accepts on a kubeadm node, besides `all`. */
export const KUBEADM_RENEWABLE_NAMES: readonly string[] = KUBEADM_CERTIFICATES.filter((c) => !c.notRenewable).map((c) => c.name);
