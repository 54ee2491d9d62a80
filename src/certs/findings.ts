/**
 * Problems kubeadm's check-expiration does not show, found from the inventory alone: expiry
 * (and near expiry), a leaf outliving its CA, a certificate its CA did not sign, a key that
 * is not the certificate's, a missing SAN for the node's address, missing or corrupt files.
 */
import { isSignedBy, keyMatchesCertificate, type CertificateInfo } from './certificate-info.js';
import { isExternallyManaged, type AuthorityEntry, type CertificateEntry, type NodeAddress, type PkiInventory } from './inventory.js';
import { formatExpires, formatResidualTime } from './residual-time.js';

export type FindingSeverity = 'error' | 'warning' | 'info';

export type FindingCode =
  | 'missing' | 'unreadable' | 'expired' | 'expiring' | 'not-yet-valid' | 'key-missing' | 'key-mismatch'
  | 'not-signed-by-ca' | 'unknown-issuer' | 'outlives-ca' | 'missing-san' | 'not-a-ca' | 'ca-key-missing' | 'ca-bundle';

export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  /** The certificate or CA name as in the report rows. */
  name: string;
  path: string;
  message: string;
}

export interface FindingOptions {
  now: Date;
  warnWithinMs: number;
}

function expiryFindings(name: string, path: string, cert: CertificateInfo, options: FindingOptions): Finding[] {
  const left = cert.notAfter.getTime() - options.now.getTime();
  // An expired certificate is only "expired": also saying "expiring" would double-count it.
  const when = formatExpires(cert.notAfter);
  if (left <= 0) return [{ code: 'expired', severity: 'error', name, path, message: `expired on ${when}` }];
  const out: Finding[] = [];
  if (left <= options.warnWithinMs) {
    out.push({ code: 'expiring', severity: 'warning', name, path, message: `expires in ${formatResidualTime(left)}, on ${when}` });
  }
  if (cert.notBefore.getTime() > options.now.getTime()) {
    out.push({ code: 'not-yet-valid', severity: 'warning', name, path, message: `not valid before ${formatExpires(cert.notBefore)} (clock skew?)` });
  }
  return out;
}

/** IPs must be IP SANs and names DNS SANs: TLS clients never match an IP against a DNS SAN. */
function hasSan(cert: CertificateInfo, address: string): boolean {
  return address.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(address) ? cert.ipAddresses.includes(address) : cert.dnsNames.includes(address);
}

function sanFindings(entry: CertificateEntry, cert: CertificateInfo, nodeAddresses: readonly NodeAddress[]): Finding[] {
  const wanted: { address: string; why: string }[] = [];
  for (const rule of entry.sanRules) {
    if (rule.kind === 'ip') wanted.push({ address: rule.ip, why: 'the address in its name' });
    else for (const a of nodeAddresses) wanted.push({ address: a.address, why: `the node's address (from ${a.source})` });
  }
  return wanted
    .filter((w) => !hasSan(cert, w.address))
    .map((w) => ({
      code: 'missing-san' as const, severity: 'warning' as const, name: entry.name, path: entry.certPath,
      message: `has no SAN for ${w.address}, ${w.why}; clients connecting to that address will reject it`,
    }));
}

function caFindings(entry: CertificateEntry, cert: CertificateInfo, ca: AuthorityEntry | undefined): Finding[] {
  const base = { name: entry.name, path: entry.certPath };
  if (entry.caName === undefined) {
    return [{ ...base, code: 'unknown-issuer', severity: 'warning', message: `signed by "${cert.issuer.replace(/\n/g, ', ')}", which is not a CA in this directory` }];
  }
  if (!ca || ca.certs.length === 0) return []; // the CA's own "missing" finding says it once
  const signer = ca.certs.find((c) => isSignedBy(cert, c));
  // Any certificate of a bundled CA file may be the signer (mid-rotation both are trusted).
  if (!signer) {
    return [{ ...base, code: 'not-signed-by-ca', severity: 'error', message: `not signed by the CA next to it, "${ca.name}" (${ca.certPath})` }];
  }
  // Clients stop trusting the chain when the CA expires, whatever the leaf says.
  if (cert.notAfter.getTime() > signer.notAfter.getTime()) {
    return [{ ...base, code: 'outlives-ca', severity: 'warning', message: `valid until ${formatExpires(cert.notAfter)}, after its CA "${ca.name}" expires on ${formatExpires(signer.notAfter)}` }];
  }
  return [];
}

function certificateFindings(entry: CertificateEntry, inventory: PkiInventory, options: FindingOptions): Finding[] {
  const base = { name: entry.name, path: entry.certPath };
  if (entry.error) return [{ ...base, code: 'unreadable', severity: 'error', message: entry.error }];
  const cert = entry.cert;
  if (!cert) {
    return [entry.optional
      ? { ...base, code: 'missing', severity: 'info', message: 'not present (normal on a control-plane node other than the one where "kubeadm init" ran)' }
      : { ...base, code: 'missing', severity: 'warning', message: 'file is missing' }];
  }
  const out = expiryFindings(entry.name, entry.certPath, cert, options);
  // A wrong key is how a half-done manual renewal usually shows: the component will not start.
  if (!entry.key) out.push({ ...base, path: entry.keyPath, code: 'key-missing', severity: 'error', message: 'its private key is missing' });
  else if (!keyMatchesCertificate(cert, entry.key)) {
    out.push({ ...base, path: entry.keyPath, code: 'key-mismatch', severity: 'error', message: 'its private key does not match the certificate' });
  }
  const ca = inventory.authorities.find((a) => a.name === entry.caName);
  out.push(...caFindings(entry, cert, ca), ...sanFindings(entry, cert, inventory.nodeAddresses));
  return out;
}

function authorityFindings(ca: AuthorityEntry, options: FindingOptions): Finding[] {
  const base = { name: ca.name, path: ca.certPath };
  if (ca.error) return [{ ...base, code: 'unreadable', severity: 'error', message: ca.error }];
  if (ca.certs.length === 0) return [{ ...base, code: 'missing', severity: 'warning', message: 'CA certificate is missing' }];
  const out: Finding[] = [];
  for (const cert of ca.certs) out.push(...expiryFindings(ca.name, ca.certPath, cert, options));
  if (ca.certs.some((c) => !c.isCA)) out.push({ ...base, code: 'not-a-ca', severity: 'error', message: 'has no CA:TRUE basic constraint' });
  if (ca.certs.length > 1) out.push({ ...base, code: 'ca-bundle', severity: 'info', message: `holds ${ca.certs.length} certificates (a CA rotation in progress?)` });
  if (isExternallyManaged(ca)) {
    out.push({ ...base, path: ca.keyPath, code: 'ca-key-missing', severity: 'info', message: 'CA key is absent: externally managed, certificates it signs cannot be renewed here' });
  } else if (ca.key && !ca.certs.some((c) => keyMatchesCertificate(c, ca.key as NonNullable<typeof ca.key>))) {
    out.push({ ...base, path: ca.keyPath, code: 'key-mismatch', severity: 'error', message: 'CA key does not match the CA certificate' });
  }
  return out;
}

/** Every finding for the inventory, CAs first, each list in the inventory's order. */
export function findProblems(inventory: PkiInventory, options: FindingOptions): Finding[] {
  return [
    ...inventory.authorities.flatMap((ca) => authorityFindings(ca, options)),
    ...inventory.certificates.flatMap((entry) => certificateFindings(entry, inventory, options)),
  ];
}
