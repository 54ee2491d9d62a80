/**
 * Re-signing a certificate the way `kubeadm certs renew` does (spec §2.4): the current
 * certificate is the source of truth (subject, SANs, key usages and every other extension are
 * copied byte for byte), a new private key of the same algorithm is generated, the on-disk CA
 * signs, NotBefore is the CA's NotBefore and NotAfter is now + validity.
 */
import { generateKeyPair, randomBytes, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { AppError } from '../errors.js';
import { describeCertificate, isSignedBy, keyMatchesCertificate, type CertificateInfo, type KeyAlgorithm } from './certificate-info.js';
import type { KeyPemFormat } from './inventory.js';
import { x509 } from './x509-lib.js';

/** kubeadm's default leaf validity, 8760h. */
export const DEFAULT_LEAF_VALIDITY_MS = 365 * 24 * 3600 * 1000;

const AUTHORITY_KEY_ID_OID = '2.5.29.35';
const SUBJECT_KEY_ID_OID = '2.5.29.14';

export interface ReissueRequest {
  /** The certificate being renewed. */
  current: CertificateInfo;
  /** How the current key is encoded; the new key is written the same way. */
  keyFormat: KeyPemFormat;
  ca: CertificateInfo;
  caKey: KeyObject;
  now: Date;
  validityMs: number;
}

export interface ReissuedCertificate {
  certPem: string;
  keyPem: string;
  cert: CertificateInfo;
  /** NotAfter was cut to the CA's NotAfter, since a leaf cannot usefully outlive its CA. */
  clampedToCa: boolean;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** A new key like `alg`, on libuv's thread pool so several renewals generate keys in parallel. */
async function newKeyPair(alg: KeyAlgorithm, format: KeyPemFormat): Promise<{ privateKey: KeyObject; publicKey: KeyObject; pem: string }> {
  if (alg.type === 'other') {
    throw new AppError('cert-unsupported-key', `Cannot renew a certificate with a ${alg.name} key`, { hint: 'Only RSA and ECDSA keys are supported, as kubeadm uses' });
  }
  const { privateKey, publicKey } = alg.type === 'rsa'
    ? await generateKeyPairAsync('rsa', { modulusLength: alg.modulusBits })
    : await generateKeyPairAsync('ec', { namedCurve: alg.curve });
  // kubeadm writes RSA keys as PKCS#1 and EC keys as SEC1; keep whatever the old file used.
  const type = format === 'pkcs8' ? 'pkcs8' : alg.type === 'rsa' ? 'pkcs1' : 'sec1';
  return { privateKey, publicKey, pem: privateKey.export({ format: 'pem', type }) as string };
}

/** Go's crypto/x509 picks the hash by curve for ECDSA and SHA-256 for RSA; so do we. */
function signingAlgorithm(alg: KeyAlgorithm): { importParams: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams; sign: { name: string; hash: string } } {
  if (alg.type === 'rsa') return { importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } };
  if (alg.type === 'ec') {
    const [curve, hash] = ({ prime256v1: ['P-256', 'SHA-256'], secp384r1: ['P-384', 'SHA-384'], secp521r1: ['P-521', 'SHA-512'] } as const)[alg.curve as 'prime256v1'] ?? [];
    if (curve) return { importParams: { name: 'ECDSA', namedCurve: curve }, sign: { name: 'ECDSA', hash } };
  }
  throw new AppError('cert-unsupported-key', 'Cannot sign with the CA: its key is neither RSA nor ECDSA on P-256/384/521');
}

/** A positive serial below 2^63, like kubeadm's. */
function randomSerialHex(): string {
  const bytes = randomBytes(8);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01; // positive, and no leading zero byte to trim
  return bytes.toString('hex');
}

async function extensionsFor(current: x509.X509Certificate, ca: x509.X509Certificate, spki: ArrayBuffer): Promise<x509.Extension[]> {
  const out = current.extensions
    .filter((e) => e.type !== AUTHORITY_KEY_ID_OID && e.type !== SUBJECT_KEY_ID_OID)
    .map((e) => new x509.Extension(e.rawData));
  // The key identifiers depend on the keys, so they are recomputed rather than copied.
  if (current.getExtension(SUBJECT_KEY_ID_OID)) out.push(await x509.SubjectKeyIdentifierExtension.create(spki));
  const caKeyId = ca.getExtension(x509.SubjectKeyIdentifierExtension);
  if (caKeyId) out.push(new x509.AuthorityKeyIdentifierExtension(caKeyId.keyId));
  return out;
}

/** Issues the replacement certificate and key; verifies the result before returning it. */
export async function reissueCertificate(request: ReissueRequest): Promise<ReissuedCertificate> {
  const { current, ca, caKey } = request;
  const signing = signingAlgorithm(ca.keyAlgorithm);
  const { privateKey, publicKey, pem: keyPem } = await newKeyPair(current.keyAlgorithm, request.keyFormat);
  const pkcs8 = caKey.export({ format: 'der', type: 'pkcs8' });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, signing.importParams, false, ['sign']);
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })).slice().buffer;
  const currentX = new x509.X509Certificate(current.pem);
  const caX = new x509.X509Certificate(ca.pem);
  const wantedNotAfter = Math.floor((request.now.getTime() + request.validityMs) / 1000) * 1000;
  const clampedToCa = wantedNotAfter > ca.notAfter.getTime();
  const issued = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    // Name objects, not strings: re-encoding a string can change the ASN.1 string types, and
    // Go (etcd, the API server) matches issuer to CA subject byte for byte; openssl does not.
    subject: currentX.subjectName,
    issuer: caX.subjectName,
    notBefore: ca.notBefore,
    notAfter: new Date(clampedToCa ? ca.notAfter.getTime() : wantedNotAfter),
    publicKey: spki,
    signingKey: signingKey as unknown as CryptoKeyLike,
    signingAlgorithm: signing.sign,
    extensions: await extensionsFor(currentX, caX, spki),
  });
  const certPem = `${issued.toString('pem')}\n`;
  const cert = describeCertificate(new X509Certificate(certPem), certPem);
  if (!isSignedBy(cert, ca) || !keyMatchesCertificate(cert, privateKey)) {
    throw new AppError('cert-reissue-failed', `Renewed certificate for "${current.commonName}" does not verify against its CA`, {
      hint: 'This is a bug in kubekeeper; nothing was written. Rerun with KUBEKEEPER_DEBUG=1 and report the output',
    });
  }
  return { certPem, keyPem, cert, clampedToCa };
}

type CryptoKeyLike = Parameters<typeof x509.X509CertificateGenerator.create>[0] extends infer P ? P extends { signingKey: infer K } ? K : never : never;
