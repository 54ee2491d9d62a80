/**
 * Reading certificates and keys with node's X509Certificate and KeyObject: the facts the
 * checks and the renewal need (names, SANs, usages, validity, key algorithm), no I/O.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { AppError } from '../errors.js';

/** The key algorithm and size, as kubeadm's `encryptionAlgorithm` distinguishes them. */
export type KeyAlgorithm = { type: 'rsa'; modulusBits: number } | { type: 'ec'; curve: string } | { type: 'other'; name: string };

export interface CertificateInfo {
  commonName: string;
  organizations: string[];
  /** Node's rendering of the subject/issuer DN, one `key=value` per line. */
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  dnsNames: string[];
  /** Canonical text form (see canonicalIp), so `::1` and `0:0:0:0:0:0:0:1` compare equal. */
  ipAddresses: string[];
  /** Extended key usages by name (`serverAuth`, `clientAuth`) or OID when unnamed. */
  extKeyUsages: string[];
  keyAlgorithm: KeyAlgorithm;
  fingerprint256: string;
  /** The PEM block this was read from (one certificate). */
  pem: string;
  x509: X509Certificate;
}

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'ocspSigning',
};

const PEM_CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** A CA bundle longer than this is not a Kubernetes PKI file; refuse rather than parse forever. */
const MAX_CERTS_PER_FILE = 64;

/** Canonical IP text: IPv4 dotted quad; IPv6 as 8 lower-case groups without leading zeros. */
export function canonicalIp(text: string): string {
  const ip = text.trim().replace(/^\[|\]$/g, '');
  if (!ip.includes(':')) return ip;
  const v4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  let body = ip;
  if (v4Tail) {
    const [a, b, c, d] = v4Tail.slice(1).map(Number) as [number, number, number, number];
    body = `${ip.slice(0, v4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = body.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16).toString(16)).join(':');
}

function dnField(dn: string, key: string): string[] {
  return dn.split('\n').filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1));
}

/** Splits node's subjectAltName text ("DNS:a, IP Address:1.2.3.4") into DNS names and IPs. */
function parseSubjectAltName(text: string | undefined): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const part of (text ?? '').split(/,\s*/)) {
    const value = part.replace(/^"|"$/g, '');
    if (value.startsWith('DNS:')) dnsNames.push(value.slice(4));
    else if (value.startsWith('IP Address:')) ipAddresses.push(canonicalIp(value.slice(11)));
  }
  return { dnsNames, ipAddresses };
}

function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return { type: 'rsa', modulusBits: details.modulusLength ?? 0 };
  if (key.asymmetricKeyType === 'ec') return { type: 'ec', curve: details.namedCurve ?? 'unknown' };
  return { type: 'other', name: key.asymmetricKeyType ?? 'unknown' };
}

/** Facts about one certificate. */
export function describeCertificate(x509: X509Certificate, pem = x509.toString()): CertificateInfo {
  const sans = parseSubjectAltName(x509.subjectAltName);
  return {
    commonName: dnField(x509.subject, 'CN')[0] ?? '',
    organizations: dnField(x509.subject, 'O'),
    subject: x509.subject,
    issuer: x509.issuer,
    serialNumber: x509.serialNumber,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    isCA: x509.ca,
    ...sans,
    extKeyUsages: (x509.keyUsage ?? []).map((oid) => EKU_NAMES[oid] ?? oid),
    keyAlgorithm: keyAlgorithmOf(x509.publicKey),
    fingerprint256: x509.fingerprint256,
    pem,
    x509,
  };
}

/**
 * Parses every certificate in a PEM text (a CA file may be a bundle during a CA rotation).
 * Throws AppError `cert-unreadable` naming `what` when there is none or one is corrupt.
 */
export function parseCertificates(pemText: string, what: string): CertificateInfo[] {
  const blocks = pemText.match(PEM_CERT_RE) ?? [];
  if (blocks.length === 0) throw new AppError('cert-unreadable', `Cannot read certificate "${what}": no PEM CERTIFICATE block`);
  if (blocks.length > MAX_CERTS_PER_FILE) {
    throw new AppError('cert-unreadable', `Cannot read certificate "${what}": ${blocks.length} certificates, more than ${MAX_CERTS_PER_FILE}`);
  }
  return blocks.map((block) => {
    try {
      return describeCertificate(new X509Certificate(block), `${block}\n`);
    } catch (err) {
      throw new AppError('cert-unreadable', `Cannot read certificate "${what}": ${(err as Error).message}`, { cause: err });
    }
  });
}

/** Parses a private key in any PEM form kubeadm or openssl writes (PKCS#1, SEC1, PKCS#8). */
export function parsePrivateKey(pemText: string, what: string): KeyObject {
  try {
    return createPrivateKey({ key: pemText, format: 'pem' });
  } catch (err) {
    throw new AppError('key-unreadable', `Cannot read private key "${what}": ${(err as Error).message}`, { cause: err });
  }
}

/** Whether `key` is the private half of `cert`'s public key. */
export function keyMatchesCertificate(cert: CertificateInfo, key: KeyObject): boolean {
  try {
    return cert.x509.checkPrivateKey(key);
  } catch {
    // node throws on a type mismatch (EC key vs RSA certificate): that is a mismatch too.
    return false;
  }
}

/** Whether `ca` issued `cert`: issuer name matches and the signature verifies with its key. */
export function isSignedBy(cert: CertificateInfo, ca: CertificateInfo): boolean {
  try {
    return cert.x509.checkIssued(ca.x509) && cert.x509.verify(ca.x509.publicKey);
  } catch {
    return false;
  }
}

const PEM_KEY_RE = /-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

/** The first private key block of a PEM text (kubelet-client-current.pem holds cert and key). */
export function privateKeyBlock(pemText: string): string | undefined {
  return PEM_KEY_RE.exec(pemText)?.[0];
}

/** The key encoding a PEM label names: PKCS#1 (RSA), SEC1 (EC) or PKCS#8. */
export function keyPemFormat(keyPem: string): 'pkcs1' | 'sec1' | 'pkcs8' {
  if (keyPem.includes('BEGIN RSA PRIVATE KEY')) return 'pkcs1';
  if (keyPem.includes('BEGIN EC PRIVATE KEY')) return 'sec1';
  return 'pkcs8';
}
