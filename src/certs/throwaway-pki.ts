/**
 * A throwaway PKI for a process kubekeeper starts itself (the restore drill's etcd): a CA,
 * one certificate for the server (also its peer certificate: serverAuth and clientAuth) and one
 * client certificate, all on ECDSA P-256. The CA's private key is generated non-extractable in
 * WebCrypto and never leaves this function: nothing can sign another certificate for that CA
 * once the PKI is issued, so only the holder of the client key can talk to the server.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { x509 } from './x509-lib.js';

/** PEM text of everything a mutual-TLS server and its one client need; no CA key. */
export interface ThrowawayPki {
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

export interface ThrowawayPkiOptions {
  /** Common name prefix, e.g. "kubekeeper-drill". */
  name: string;
  /** IP addresses the server certificate is valid for (default 127.0.0.1). */
  ipAddresses?: readonly string[];
  /** Validity from now (default one day: a drill lasts minutes). */
  validityMs?: number;
  now?: Date;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DEFAULT_VALIDITY_MS = 24 * 3600 * 1000;
/** NotBefore a little in the past, so a client whose clock lags a second still accepts it. */
const BACKDATE_MS = 5 * 60 * 1000;

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function keyPair(extractable: boolean): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALG, extractable, ['sign', 'verify']);
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

type SelfSignedParams = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0];
type CaKeys = SelfSignedParams['keys'];
type PublicKey = Parameters<typeof x509.SubjectKeyIdentifierExtension.create>[0];
type SigningKey = Parameters<typeof x509.X509CertificateGenerator.create>[0] extends infer P ? P extends { signingKey: infer K } ? K : never : never;

/** Issues a fresh CA, server and client certificate; the CA key is dropped on return. */
export async function issueThrowawayPki(options: ThrowawayPkiOptions): Promise<ThrowawayPki> {
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + (options.validityMs ?? DEFAULT_VALIDITY_MS));
  const ca = await keyPair(false);
  const caName = `CN=${options.name}-ca-${randomBytes(4).toString('hex')}`;
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: caName, notBefore, notAfter, keys: ca as unknown as CaKeys, signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(ca.publicKey as unknown as PublicKey),
    ],
  });
  const authorityKeyId = new x509.AuthorityKeyIdentifierExtension((caCert.getExtension(x509.SubjectKeyIdentifierExtension) as x509.SubjectKeyIdentifierExtension).keyId);
  const leaf = async (cn: string, usages: string[], san: boolean) => {
    const keys = await keyPair(true);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(), subject: `CN=${cn}`, issuer: caCert.subjectName, notBefore, notAfter,
      publicKey: keys.publicKey as unknown as PublicKey, signingKey: ca.privateKey as unknown as SigningKey, signingAlgorithm: SIGN,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension(usages),
        authorityKeyId,
        ...(san ? [new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' }, ...(options.ipAddresses ?? ['127.0.0.1']).map((ip) => ({ type: 'ip' as const, value: ip })),
        ])] : []),
      ],
    });
    return { certPem: `${cert.toString('pem')}\n`, keyPem: await pkcs8Pem(keys.privateKey) };
  };
  const server = await leaf(`${options.name}-server`, [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], true);
  const client = await leaf(`${options.name}-client`, [x509.ExtendedKeyUsage.clientAuth], false);
  return { caCertPem: `${caCert.toString('pem')}\n`, serverCertPem: server.certPem, serverKeyPem: server.keyPem, clientCertPem: client.certPem, clientKeyPem: client.keyPem };
}
