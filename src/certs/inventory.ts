/**
 * What was found on disk, layout-independent: the CAs and the certificates of one node, each
 * with its files' bytes and metadata, so the pure checks, planners and the renewal all work
 * on the same snapshot and the renewal can detect a file that changed under it.
 */
import type { KeyObject } from 'node:crypto';
import type { CertificateInfo } from './certificate-info.js';
import type { StaticPodName } from './static-pod-names.js';

export type PkiLayout = 'kubeadm' | 'rke';

/** One file as read: content, its hash (to detect concurrent changes) and what to restore. */
export interface SourceFile {
  path: string;
  text: string;
  sha256: string;
  /** Permission bits (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
}

/** How a private key was encoded, so a renewed key is written the same way. */
export type KeyPemFormat = 'pkcs1' | 'sec1' | 'pkcs8';

/** Which IP a certificate must list as a SAN: the node's own address, or a fixed one (RKE kube-etcd-<ip>). */
export type SanRule = { kind: 'node-address' } | { kind: 'ip'; ip: string };

export interface AuthorityEntry {
  name: string;
  certPath: string;
  keyPath: string;
  certFile?: SourceFile;
  keyFile?: SourceFile;
  /** Every certificate in the CA file; more than one while a CA rotation bundles old and new. */
  certs: CertificateInfo[];
  key?: KeyObject;
  /** Why the file could not be read, when it exists but is corrupt. */
  error?: string;
}

export interface CertificateEntry {
  name: string;
  kind: 'pair' | 'kubeconfig';
  /** The PEM certificate file, or the kubeconfig for `kind: 'kubeconfig'`. */
  certPath: string;
  /** The PEM key file, or the kubeconfig again when the key is embedded. */
  keyPath: string;
  /** The CA that must have signed it: from kubeadm's table, or found by signature (RKE). */
  caName: string | undefined;
  certFile?: SourceFile;
  keyFile?: SourceFile;
  cert?: CertificateInfo;
  key?: KeyObject;
  keyFormat?: KeyPemFormat;
  /** kubeconfig only: the kubeconfig file itself (certPath is a referenced PEM when not embedded). */
  kubeconfigPath?: string;
  /** kubeconfig only: credentials are base64 data inside the file (not paths to files). */
  embedded?: boolean;
  /** A missing file that is normal on some nodes (super-admin.conf on joined control planes). */
  optional?: boolean;
  /** Why `renew` leaves it alone (kubelet rotates kubelet.conf itself), when it does. */
  notRenewable?: string;
  /** Human name used by `renew` output, as kubeadm prints it. */
  longName: string;
  /** Static pods that read the file at start and must restart to use a renewed one. */
  staticPods: readonly StaticPodName[];
  sanRules: readonly SanRule[];
  error?: string;
}

export interface NodeAddress {
  address: string;
  /** Where it came from: a flag, a manifest annotation, a kubeconfig server URL. */
  source: string;
}

export interface PkiInventory {
  layout: PkiLayout;
  pkiDir: string;
  kubeconfigDir: string | undefined;
  authorities: AuthorityEntry[];
  certificates: CertificateEntry[];
  nodeAddresses: NodeAddress[];
}

/** The certificate in a CA file that signs: the one matching the key, else the first. */
export function signingCertificate(authority: AuthorityEntry): CertificateInfo | undefined {
  if (authority.key) {
    const key = authority.key;
    const match = authority.certs.find((c) => {
      try {
        return c.x509.checkPrivateKey(key);
      } catch {
        return false;
      }
    });
    if (match) return match;
  }
  return authority.certs[0];
}

/** A CA is managed outside this node (kubeadm's "externally managed") when its key is absent. */
export function isExternallyManaged(authority: AuthorityEntry | undefined): boolean {
  return authority !== undefined && authority.certs.length > 0 && authority.keyFile === undefined && authority.error === undefined;
}
