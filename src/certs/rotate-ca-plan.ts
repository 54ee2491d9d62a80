/**
 * `certs rotate-ca --dry-run`: the ordered plan of a CA rotation, filled in with what this
 * node's inventory shows (key algorithm, files, which certificates the CA signs). The shape
 * of every kubeadm plan is the upstream "Manual Rotation of CA Certificates" procedure:
 * create the new CA, make everything trust old+new, re-issue with the new CA, roll the
 * components, then drop the old CA. RKE's is `rke cert rotate --rotate-ca` (spec §2.6).
 * Executing a rotation is deliberately not implemented.
 */
import { AppError } from '../errors.js';
import { keyAlgorithmName } from './expiration-report.js';
import { signingCertificate, type PkiInventory } from './inventory.js';
import { kubeadmRotationSteps } from './rotate-ca-kubeadm.js';
import { rkeRotationSteps } from './rotate-ca-rke.js';
import type { RotationContext, RotationStep } from './rotation-step.js';

export type { RotationContext, RotationPhase, RotationStep } from './rotation-step.js';

export interface CaRotationPlan {
  layout: PkiInventory['layout'];
  ca: string;
  pkiDir: string;
  /** Certificates on this node the CA signs (each re-issued by the plan). */
  signs: { name: string; path: string }[];
  warnings: string[];
  steps: RotationStep[];
}

/** The CAs `rotate-ca` can plan for on a kubeadm node. */
export const KUBEADM_ROTATABLE_CAS = ['ca', 'etcd-ca', 'front-proxy-ca'] as const;

/**
 * Plans the rotation of `caName` (ignored on RKE, which rotates kube-ca). Throws AppError
 * `certs-ca-not-found` when the CA is not in the inventory.
 */
export function planCaRotation(inventory: PkiInventory, caName: string): CaRotationPlan {
  const name = inventory.layout === 'rke' ? 'kube-ca' : caName;
  const authority = inventory.authorities.find((a) => a.name === name);
  const cert = authority ? signingCertificate(authority) : undefined;
  if (!authority || !cert) {
    throw new AppError('certs-ca-not-found', `Cannot plan a rotation of CA "${name}": it is not in "${inventory.pkiDir}"`, {
      hint: inventory.layout === 'kubeadm' ? `Use --ca with one of: ${inventory.authorities.map((a) => a.name).join(', ')}` : 'Pass RKE\'s certificate directory with --pki-dir',
    });
  }
  const signs = inventory.certificates
    .filter((c) => c.caName === name && c.cert)
    .map((c) => ({ name: c.name, path: c.certPath }));
  const context: RotationContext = {
    inventory, ca: name, certPath: authority.certPath, keyPath: authority.keyPath,
    keyAlgorithm: keyAlgorithmName(cert.keyAlgorithm), commonName: cert.commonName, signs,
  };
  const warnings: string[] = [];
  if (!authority.key) warnings.push(`"${authority.keyPath}" is absent: the CA is externally managed; the new CA and every re-issued certificate must come from whoever manages it`);
  if (authority.certs.length > 1) warnings.push(`"${authority.certPath}" already holds ${authority.certs.length} certificates: a rotation may be in progress; finish or undo it first`);
  if (inventory.layout === 'kubeadm') {
    warnings.push('Control-plane certificates are per node: run the node-local steps on every control-plane node (this plan lists the files of this node)');
    warnings.push(`While "${authority.certPath}" is a bundle, do not run "kubeadm certs", "kubeadm upgrade" or "kubeadm join": kubeadm expects a single CA certificate`);
  }
  const steps = inventory.layout === 'rke' ? rkeRotationSteps(context) : kubeadmRotationSteps(context);
  return { layout: inventory.layout, ca: name, pkiDir: inventory.pkiDir, signs, warnings, steps };
}
