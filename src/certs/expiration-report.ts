/**
 * The result of `certs check`: kubeadm's check-expiration rows (certificates, then CAs, each
 * sorted by name) plus the findings, computed from an inventory at a given instant.
 */
import type { CertificateInfo, KeyAlgorithm } from './certificate-info.js';
import { findProblems, type Finding } from './findings.js';
import { isExternallyManaged, signingCertificate, type NodeAddress, type PkiInventory, type PkiLayout } from './inventory.js';

export interface ExpirationRow {
  name: string;
  path: string;
  missing: boolean;
  notBefore?: Date;
  notAfter?: Date;
  /** Certificates only: the CA that must sign it (undefined for an RKE leaf no local CA signed). */
  caName?: string;
  externallyManaged: boolean;
  commonName?: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  extKeyUsages?: string[];
  /** kubeadm's spelling: RSA-2048, ECDSA-P256. */
  keyAlgorithm?: string;
}

export interface ExpirationReport {
  layout: PkiLayout;
  pkiDir: string;
  kubeconfigDir: string | undefined;
  checkedAt: Date;
  warnWithinMs: number;
  nodeAddresses: NodeAddress[];
  certificates: ExpirationRow[];
  authorities: ExpirationRow[];
  findings: Finding[];
}

export interface ReportOptions {
  now: Date;
  warnWithinMs: number;
}

/** kubeadm's `encryptionAlgorithm` names. */
export function keyAlgorithmName(alg: KeyAlgorithm): string {
  if (alg.type === 'rsa') return `RSA-${alg.modulusBits}`;
  if (alg.type === 'ec') return { prime256v1: 'ECDSA-P256', secp384r1: 'ECDSA-P384', secp521r1: 'ECDSA-P521' }[alg.curve] ?? `ECDSA-${alg.curve}`;
  return alg.name;
}

function details(cert: CertificateInfo | undefined): Partial<ExpirationRow> {
  if (!cert) return {};
  return {
    notBefore: cert.notBefore, notAfter: cert.notAfter, commonName: cert.commonName, organizations: cert.organizations,
    dnsNames: cert.dnsNames, ipAddresses: cert.ipAddresses, extKeyUsages: cert.extKeyUsages, keyAlgorithm: keyAlgorithmName(cert.keyAlgorithm),
  };
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Builds the report; pure, so the same inventory checked at two instants gives two reports. */
export function buildExpirationReport(inventory: PkiInventory, options: ReportOptions): ExpirationReport {
  const certificates = inventory.certificates.map((entry): ExpirationRow => {
    const ca = inventory.authorities.find((a) => a.name === entry.caName);
    return {
      name: entry.name, path: entry.certPath, missing: !entry.cert && !entry.error, caName: entry.caName,
      externallyManaged: isExternallyManaged(ca), ...details(entry.cert),
    };
  });
  const authorities = inventory.authorities.map((ca): ExpirationRow => ({
    name: ca.name, path: ca.certPath, missing: ca.certs.length === 0 && !ca.error,
    externallyManaged: isExternallyManaged(ca), ...details(signingCertificate(ca)),
  }));
  return {
    layout: inventory.layout,
    pkiDir: inventory.pkiDir,
    kubeconfigDir: inventory.kubeconfigDir,
    checkedAt: options.now,
    warnWithinMs: options.warnWithinMs,
    nodeAddresses: inventory.nodeAddresses,
    certificates: certificates.sort(byName),
    authorities: authorities.sort(byName),
    findings: findProblems(inventory, options),
  };
}

/**
 * Whether `certs check` must exit non-zero: something expires within the warning window
 * (or already has), or an error finding (wrong key, wrong CA, unreadable file) was made.
 */
export function needsAttention(report: ExpirationReport): boolean {
  return report.findings.some((f) => f.severity === 'error' || f.code === 'expiring');
}
