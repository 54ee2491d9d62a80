import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { kubeadmPkiFixture, type KubeadmPki } from '../../test/support/kubeadm-pki.js';
import { parseCertificates, parsePrivateKey } from './certificate-info.js';
import { reissueCertificate } from './reissue.js';

const DAY = 86_400_000;
let ec: KubeadmPki & { remove(): Promise<void> };
let rsa: KubeadmPki & { remove(): Promise<void> };
after(async () => {
  await ec?.remove();
  await rsa?.remove();
});
before(async () => {
  ec = await kubeadmPkiFixture({ keyType: 'ecdsa', printableStrings: true });
  rsa = await kubeadmPkiFixture({ keyType: 'rsa', legacyOrganizations: true, caNotAfter: { 'etcd-ca': new Date(Date.now() + 100 * DAY) } });
});

/** The DER TLV at `offset`: where its content starts and where it ends. */
function tlv(der: Uint8Array, offset: number): { start: number; content: number; end: number } {
  let length = der[offset + 1] as number;
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[offset + 2 + i] as number);
    header += n;
  }
  return { start: offset, content: offset + header, end: offset + header + length };
}

/** The raw issuer and subject Name bytes of a v3 certificate (what Go compares when chaining). */
function rawNames(cert: X509Certificate): { issuer: Buffer; subject: Buffer } {
  const der = cert.raw;
  const tbs = tlv(der, tlv(der, 0).content);
  const fields: Buffer[] = [];
  for (let p = tbs.content; p < tbs.end;) {
    const f = tlv(der, p);
    fields.push(der.subarray(f.start, f.end));
    p = f.end;
  }
  // [0] version, serial, signature algorithm, issuer, validity, subject, ...
  return { issuer: fields[3] as Buffer, subject: fields[5] as Buffer };
}

function extensionsText(pem: string): string[] {
  const text = execFileSync('openssl', ['x509', '-noout', '-ext', 'basicConstraints,keyUsage,extendedKeyUsage,subjectAltName'], { input: pem }).toString();
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

function load(pki: KubeadmPki, leaf: string, ca: string) {
  const read = (f: string) => readFileSync(path.join(pki.pkiDir, f), 'utf8');
  return {
    current: parseCertificates(read(`${leaf}.crt`), leaf)[0] as NonNullable<ReturnType<typeof parseCertificates>[0]>,
    ca: parseCertificates(read(`${ca}.crt`), ca)[0] as NonNullable<ReturnType<typeof parseCertificates>[0]>,
    caKey: parsePrivateKey(read(`${ca}.key`), ca),
    caFile: path.join(pki.pkiDir, `${ca}.crt`),
  };
}

function opensslVerify(caFile: string, pem: string, dir: string): string {
  const file = path.join(dir, 'renewed.pem');
  writeFileSync(file, pem);
  return execFileSync('openssl', ['verify', '-CAfile', caFile, file]).toString().trim();
}

test('reissueCertificate keeps subject bytes, SANs and usages, with a new ECDSA key, when the CA uses PrintableString names', async () => {
  const { current, ca, caKey, caFile } = load(ec, 'etcd/server', 'etcd/ca');
  const now = new Date();
  const renewed = await reissueCertificate({ current, keyFormat: 'sec1', ca, caKey, now, validityMs: 365 * DAY });
  const oldNames = rawNames(current.x509);
  const newNames = rawNames(renewed.cert.x509);
  assert.deepEqual(newNames.subject, oldNames.subject);
  assert.deepEqual(newNames.issuer, rawNames(ca.x509).subject, 'issuer must equal the CA subject byte for byte');
  assert.equal(newNames.subject.includes(0x13), true, 'fixture names are PrintableString (tag 0x13)');
  assert.deepEqual(extensionsText(renewed.certPem), extensionsText(current.pem));
  assert.deepEqual(renewed.cert.ipAddresses, current.ipAddresses);
  assert.notEqual(renewed.cert.x509.publicKey.export({ format: 'der', type: 'spki' }).toString('hex'), current.x509.publicKey.export({ format: 'der', type: 'spki' }).toString('hex'));
  assert.ok(renewed.keyPem.startsWith('-----BEGIN EC PRIVATE KEY-----'));
  assert.equal(renewed.cert.x509.checkPrivateKey(createPrivateKey(renewed.keyPem)), true);
  assert.equal(renewed.cert.notBefore.getTime(), ca.notBefore.getTime(), 'NotBefore = the CA\'s NotBefore, as kubeadm');
  assert.equal(renewed.cert.notAfter.getTime(), Math.floor((now.getTime() + 365 * DAY) / 1000) * 1000);
  assert.equal(renewed.clampedToCa, false);
  assert.equal(renewed.cert.x509.serialNumber === current.serialNumber, false);
  assert.equal(opensslVerify(caFile, renewed.certPem, ec.root), `${path.join(ec.root, 'renewed.pem')}: OK`);
  const aki = execFileSync('openssl', ['x509', '-noout', '-ext', 'authorityKeyIdentifier'], { input: renewed.certPem }).toString();
  const ski = execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectKeyIdentifier'], { input: ca.pem }).toString();
  assert.equal(aki.split('\n')[1]?.trim().replace(/^keyid:/, ''), ski.split('\n')[1]?.trim());
});

test('reissueCertificate keeps a pre-1.29 "system:masters" organisation and an RSA-2048 PKCS#1 key', async () => {
  const { current, ca, caKey, caFile } = load(rsa, 'apiserver-etcd-client', 'etcd/ca');
  const renewed = await reissueCertificate({ current, keyFormat: 'pkcs1', ca, caKey, now: new Date(), validityMs: 30 * DAY });
  // openssl's default names are UTF8String; a re-encoded issuer string would come out PrintableString.
  assert.equal(rawNames(ca.x509).subject.includes(0x0c), true, 'fixture names are UTF8String (tag 0x0c)');
  assert.deepEqual(rawNames(renewed.cert.x509).issuer, rawNames(ca.x509).subject, 'issuer must equal the CA subject byte for byte');
  assert.deepEqual(rawNames(renewed.cert.x509).subject, rawNames(current.x509).subject);
  assert.deepEqual(renewed.cert.organizations, ['system:masters']);
  assert.equal(renewed.cert.commonName, 'kube-apiserver-etcd-client');
  assert.deepEqual(renewed.cert.keyAlgorithm, { type: 'rsa', modulusBits: 2048 });
  assert.ok(renewed.keyPem.startsWith('-----BEGIN RSA PRIVATE KEY-----'));
  assert.match(execFileSync('openssl', ['x509', '-noout', '-text'], { input: renewed.certPem }).toString(), /Signature Algorithm: sha256WithRSAEncryption/);
  assert.match(opensslVerify(caFile, renewed.certPem, rsa.root), /: OK$/);
});

test('reissueCertificate cuts NotAfter to the CA\'s when the validity would outlive the CA', async () => {
  const { current, ca, caKey } = load(rsa, 'etcd/peer', 'etcd/ca');
  const renewed = await reissueCertificate({ current, keyFormat: 'pkcs8', ca, caKey, now: new Date(), validityMs: 365 * DAY });
  assert.equal(renewed.clampedToCa, true);
  assert.equal(renewed.cert.notAfter.getTime(), ca.notAfter.getTime());
  assert.ok(renewed.keyPem.startsWith('-----BEGIN PRIVATE KEY-----'), 'a PKCS#8 key stays PKCS#8');
});
