/**
 * The certificates of a new etcd member, as kubeadm issues them for a stacked etcd (spec §2.2):
 * `etcd-server` and `etcd-peer`, CN = the node name, serverAuth + clientAuth, SANs DNS node
 * name and localhost, IP the node's addresses, 127.0.0.1 and ::1; signed by the etcd CA with
 * NotBefore = the CA's NotBefore and NotAfter = now + validity (cut to the CA's NotAfter). The
 * new key has the CA key's algorithm (RSA-2048 for kubeadm's default CA, else the CA's curve).
 */
import { generateKeyPair, randomBytes, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import net from 'node:net';
import { promisify } from 'node:util';
import { AppError } from '../errors.js';
import { describeCertificate, isSignedBy, keyMatchesCertificate, parseCertificates, parsePrivateKey, type CertificateInfo } from './certificate-info.js';
import { DEFAULT_LEAF_VALIDITY_MS } from './reissue.js';
import { x509 } from './x509-lib.js';

export interface EtcdMemberCertRequest {
  caCertPem: string;
  caKeyPem: string;
  /** The member's (node's) name: CN and a DNS SAN. */
  nodeName: string;
  /** IP addresses and host names the member is reached at (from its peer and client URLs). */
  hosts: readonly string[];
  now: Date;
  validityMs?: number;
}

export interface IssuedPair {
  certPem: string;
  keyPem: string;
  cert: CertificateInfo;
}

export interface EtcdMemberCertificates {
  server: IssuedPair;
  peer: IssuedPair;
}

const generateKeyPairAsync = promisify(generateKeyPair);
type SigningKey = Parameters<typeof x509.X509CertificateGenerator.create>[0] extends infer P ? P extends { signingKey: infer K } ? K : never : never;

function algorithms(caKey: KeyObject): { newKey: () => Promise<{ privateKey: KeyObject; publicKey: KeyObject }>; pemType: 'pkcs1' | 'sec1'; importParams: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams; sign: { name: string; hash: string } } {
  if (caKey.asymmetricKeyType === 'rsa') {
    return { newKey: () => generateKeyPairAsync('rsa', { modulusLength: 2048 }), pemType: 'pkcs1', importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } };
  }
  const curve = caKey.asymmetricKeyDetails?.namedCurve;
  const named = ({ prime256v1: ['P-256', 'SHA-256'], secp384r1: ['P-384', 'SHA-384'], secp521r1: ['P-521', 'SHA-512'] } as Record<string, [string, string]>)[curve ?? ''];
  if (caKey.asymmetricKeyType !== 'ec' || !named) {
    throw new AppError('cert-unsupported-key', `Cannot issue etcd member certificates: the etcd CA key is ${caKey.asymmetricKeyType ?? 'unknown'} ${curve ?? ''}`.trim(), { hint: 'Only RSA and ECDSA (P-256/384/521) CAs are supported, as kubeadm uses' });
  }
  return { newKey: () => generateKeyPairAsync('ec', { namedCurve: curve as string }), pemType: 'sec1', importParams: { name: 'ECDSA', namedCurve: named[0] }, sign: { name: 'ECDSA', hash: named[1] } };
}

/** kubeadm's SANs for etcd-server / etcd-peer. */
function subjectAltNames(nodeName: string, hosts: readonly string[]): Array<{ type: 'dns' | 'ip'; value: string }> {
  const dns = new Set([nodeName, 'localhost']);
  const ips = new Set<string>();
  for (const h of hosts) (net.isIP(h) ? ips : dns).add(h);
  for (const ip of ['127.0.0.1', '::1']) ips.add(ip);
  return [...[...dns].map((value) => ({ type: 'dns' as const, value })), ...[...ips].map((value) => ({ type: 'ip' as const, value }))];
}

/** Issues the server and peer certificates; each is checked against the CA and its key before it is returned. */
export async function issueEtcdMemberCertificates(request: EtcdMemberCertRequest): Promise<EtcdMemberCertificates> {
  const [ca] = parseCertificates(request.caCertPem, 'etcd CA');
  const caKey = parsePrivateKey(request.caKeyPem, 'etcd CA key');
  if (!ca || !keyMatchesCertificate(ca, caKey)) throw new AppError('cert-ca-key-mismatch', 'Cannot issue etcd member certificates: the etcd CA key does not belong to the CA certificate', { hint: 'Point --etcd-ca-dir at the directory holding the etcd ca.crt and ca.key (kubeadm: /etc/kubernetes/pki/etcd)' });
  const alg = algorithms(caKey);
  const signingKey = await webcrypto.subtle.importKey('pkcs8', caKey.export({ format: 'der', type: 'pkcs8' }), alg.importParams, false, ['sign']);
  const caX = new x509.X509Certificate(ca.pem);
  const caKeyId = caX.getExtension(x509.SubjectKeyIdentifierExtension);
  const wanted = Math.floor((request.now.getTime() + (request.validityMs ?? DEFAULT_LEAF_VALIDITY_MS)) / 1000) * 1000;
  const notAfter = new Date(Math.min(wanted, ca.notAfter.getTime()));
  const issue = async (): Promise<IssuedPair> => {
    const { privateKey, publicKey } = await alg.newKey();
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })).slice().buffer;
    const serial = randomBytes(8);
    serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
    const issued = await x509.X509CertificateGenerator.create({
      serialNumber: serial.toString('hex'), subject: `CN=${request.nodeName}`, issuer: caX.subjectName, notBefore: ca.notBefore, notAfter,
      publicKey: spki, signingKey: signingKey as unknown as SigningKey, signingAlgorithm: alg.sign,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.BasicConstraintsExtension(false, undefined, true),
        ...(caKeyId ? [new x509.AuthorityKeyIdentifierExtension(caKeyId.keyId)] : []),
        new x509.SubjectAlternativeNameExtension(subjectAltNames(request.nodeName, request.hosts)),
      ],
    });
    const certPem = `${issued.toString('pem')}\n`;
    const cert = describeCertificate(new X509Certificate(certPem), certPem);
    if (!isSignedBy(cert, ca) || !keyMatchesCertificate(cert, privateKey)) {
      throw new AppError('cert-issue-failed', `The certificate issued for "${request.nodeName}" does not verify against the etcd CA`, { hint: 'This is a bug in kubekeeper; nothing was written. Report it with KUBEKEEPER_DEBUG=1 output' });
    }
    return { certPem, keyPem: privateKey.export({ format: 'pem', type: alg.pemType }) as string, cert };
  };
  return { server: await issue(), peer: await issue() };
}
