/**
 * The I/O edge of the checks: finds the PKI layout (kubeadm or RKE) and reads every CA,
 * certificate, key and kubeconfig into a PkiInventory. Reads only; a corrupt file becomes an
 * entry with `error`, a missing one an entry without a certificate.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import { canonicalIp } from './certificate-info.js';
import type { NodeAddress, PkiInventory, PkiLayout } from './inventory.js';
import { readKubeadmPki } from './read-kubeadm.js';
import { readRkePki } from './read-rke.js';
import { RKE_CA_FILE } from './rke-layout.js';

export const DEFAULT_KUBEADM_PKI_DIR = '/etc/kubernetes/pki';
export const DEFAULT_RKE_PKI_DIR = '/etc/kubernetes/ssl';
export const DEFAULT_KUBECONFIG_DIR = '/etc/kubernetes';

export interface ReadPkiOptions {
  /** The certificate directory; found automatically (kubeadm, then RKE) when undefined. */
  pkiDir?: string;
  /** kubeadm kubeconfigs; default /etc/kubernetes. */
  kubeconfigDir?: string;
  /** kubeadm static pod manifests (for the node's advertise address); default <kubeconfigDir>/manifests. */
  manifestsDir?: string;
  /** Addresses that must appear as SANs; when empty they are inferred from manifests and kubeconfigs. */
  nodeAddresses?: readonly string[];
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}

/** kubeadm or RKE: RKE's directory is recognised by its `kube-ca.pem`. */
export async function detectLayout(pkiDir: string | undefined): Promise<{ layout: PkiLayout; pkiDir: string }> {
  if (pkiDir !== undefined) {
    if (!(await exists(pkiDir))) {
      throw new AppError('pki-not-found', `Cannot check certificates: directory "${pkiDir}" does not exist`, { hint: 'Pass the certificate directory with --pki-dir' });
    }
    return { layout: (await exists(path.join(pkiDir, RKE_CA_FILE))) ? 'rke' : 'kubeadm', pkiDir };
  }
  if (await exists(DEFAULT_KUBEADM_PKI_DIR)) return { layout: 'kubeadm', pkiDir: DEFAULT_KUBEADM_PKI_DIR };
  if (await exists(path.join(DEFAULT_RKE_PKI_DIR, RKE_CA_FILE))) return { layout: 'rke', pkiDir: DEFAULT_RKE_PKI_DIR };
  throw new AppError('pki-not-found', `Cannot check certificates: neither "${DEFAULT_KUBEADM_PKI_DIR}" (kubeadm) nor "${DEFAULT_RKE_PKI_DIR}" (RKE) exists`, {
    hint: 'Run on a control-plane node, or pass the certificate directory with --pki-dir',
  });
}

/** Reads everything the checks and the renewal need. */
export async function readPki(options: ReadPkiOptions = {}): Promise<PkiInventory> {
  const { layout, pkiDir } = await detectLayout(options.pkiDir);
  const given: NodeAddress[] = (options.nodeAddresses ?? []).map((a) => ({ address: /^[\d.]+$|:/.test(a) ? canonicalIp(a) : a, source: '--node-address' }));
  if (layout === 'rke') return readRkePki(pkiDir, given);
  const kubeconfigDir = options.kubeconfigDir ?? DEFAULT_KUBECONFIG_DIR;
  return readKubeadmPki(pkiDir, kubeconfigDir, options.manifestsDir ?? path.join(kubeconfigDir, 'manifests'), given);
}
