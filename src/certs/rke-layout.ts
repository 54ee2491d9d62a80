/**
 * RKE1's certificate directory (spec §2.6): `/etc/kubernetes/ssl/<name>.pem` with the key in
 * `<name>-key.pem`; CAs (`kube-ca`, `kube-apiserver-requestheader-ca`) sit beside the leaves
 * and are told apart by their basicConstraints, not by name.
 */
import type { SanRule } from './inventory.js';

export interface RkePemPair {
  name: string;
  certFile: string;
  /** Absent from the directory listing when the key is not on this node. */
  keyFile: string | undefined;
}

/** The file whose presence marks a directory as RKE's. */
export const RKE_CA_FILE = 'kube-ca.pem';

const KEY_SUFFIX = '-key.pem';

/** Pairs `<name>.pem` with `<name>-key.pem`; other files (kubecfg-*.yaml) are ignored. */
export function pairRkeFiles(fileNames: readonly string[]): RkePemPair[] {
  const names = new Set(fileNames);
  return fileNames
    .filter((f) => f.endsWith('.pem') && !f.endsWith(KEY_SUFFIX))
    .map((certFile) => {
      const name = certFile.slice(0, -'.pem'.length);
      const keyFile = `${name}${KEY_SUFFIX}`;
      return { name, certFile, keyFile: names.has(keyFile) ? keyFile : undefined };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * SANs an RKE certificate must carry: `kube-etcd-<ip-with-dashes>` its own IP (RKE encodes the
 * etcd host's address in the name), `kube-apiserver` the node's address.
 */
export function rkeSanRules(name: string): SanRule[] {
  const etcd = /^kube-etcd-(\d+)-(\d+)-(\d+)-(\d+)$/.exec(name);
  if (etcd) return [{ kind: 'ip', ip: etcd.slice(1).join('.') }];
  if (name === 'kube-apiserver') return [{ kind: 'node-address' }];
  return [];
}
