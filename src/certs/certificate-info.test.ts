import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { kubeadmPkiFixture, type KubeadmPki } from '../../test/support/kubeadm-pki.js';
import { AppError } from '../errors.js';
import {
  canonicalIp, isSignedBy, keyMatchesCertificate, keyPemFormat, parseCertificates, parsePrivateKey, privateKeyBlock,
} from './certificate-info.js';

let pki: KubeadmPki & { remove(): Promise<void> };
after(() => pki.remove());
before(async () => {
  pki = await kubeadmPkiFixture({ keyType: 'ecdsa', legacyOrganizations: true, overrides: { 'etcd-peer': { mismatchedKey: true } } });
});
const read = (rel: string) => readFileSync(path.join(pki.pkiDir, rel), 'utf8');

test('canonicalIp gives one spelling per address when IPv6 is written differently', () => {
  assert.equal(canonicalIp('::1'), '0:0:0:0:0:0:0:1');
  assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '0:0:0:0:0:0:0:1');
  assert.equal(canonicalIp('[FD00::0A]'), 'fd00:0:0:0:0:0:0:a');
  assert.equal(canonicalIp('::ffff:10.0.0.1'), '0:0:0:0:0:ffff:a00:1');
  assert.equal(canonicalIp('10.96.0.1'), '10.96.0.1');
});

test('parseCertificates reads kubeadm subjects, SANs and usages when given an openssl-made certificate', () => {
  const [apiserver] = parseCertificates(read('apiserver.crt'), 'apiserver.crt');
  assert.ok(apiserver);
  assert.equal(apiserver.commonName, 'kube-apiserver');
  assert.deepEqual(apiserver.dnsNames, ['cp-1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
  assert.deepEqual(apiserver.ipAddresses, ['10.96.0.1', '10.0.0.5']);
  assert.deepEqual(apiserver.extKeyUsages, ['serverAuth']);
  assert.deepEqual(apiserver.keyAlgorithm, { type: 'ec', curve: 'prime256v1' });
  assert.equal(apiserver.isCA, false);
  const [server] = parseCertificates(read('etcd/server.crt'), 'server.crt');
  assert.deepEqual(server?.ipAddresses, ['10.0.0.5', '127.0.0.1', '0:0:0:0:0:0:0:1']);
  assert.deepEqual(server?.extKeyUsages, ['serverAuth', 'clientAuth']);
  const [client] = parseCertificates(read('apiserver-etcd-client.crt'), 'c');
  assert.deepEqual(client?.organizations, ['system:masters']);
});

test('parseCertificates returns every certificate of a CA bundle', () => {
  const bundle = read('ca.crt') + read('etcd/ca.crt');
  assert.deepEqual(parseCertificates(bundle, 'bundle').map((c) => c.commonName), ['kubernetes', 'etcd-ca']);
});

test('parseCertificates throws cert-unreadable naming the file when there is no block or a corrupt one', () => {
  assert.throws(() => parseCertificates('hello', '/x/a.crt'), (e: unknown) => e instanceof AppError && e.code === 'cert-unreadable' && e.message.includes('"/x/a.crt"'));
  const corrupt = read('ca.crt').replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
  assert.throws(() => parseCertificates(corrupt, 'c.crt'), (e: unknown) => e instanceof AppError && e.code === 'cert-unreadable');
});

test('keyMatchesCertificate is false when the key belongs to another certificate', () => {
  const [cert] = parseCertificates(read('apiserver.crt'), 'a');
  const [peer] = parseCertificates(read('etcd/peer.crt'), 'p');
  assert.ok(cert && peer);
  assert.equal(keyMatchesCertificate(cert, parsePrivateKey(read('apiserver.key'), 'k')), true);
  assert.equal(keyMatchesCertificate(peer, parsePrivateKey(read('etcd/peer.key'), 'k')), false);
});

test('isSignedBy accepts the issuing CA and rejects another CA', () => {
  const [leaf] = parseCertificates(read('apiserver.crt'), 'a');
  const [ca] = parseCertificates(read('ca.crt'), 'ca');
  const [etcdCa] = parseCertificates(read('etcd/ca.crt'), 'etcd-ca');
  assert.ok(leaf && ca && etcdCa);
  assert.equal(isSignedBy(leaf, ca), true);
  assert.equal(isSignedBy(leaf, etcdCa), false);
});

test('privateKeyBlock and keyPemFormat find the key in a cert+key PEM and name its encoding', () => {
  const combined = readFileSync(path.join(pki.root, 'kubelet', 'pki', 'kubelet-client-current.pem'), 'utf8');
  const key = privateKeyBlock(combined);
  assert.ok(key?.startsWith('-----BEGIN EC PRIVATE KEY-----'));
  assert.equal(keyPemFormat(key as string), 'sec1');
  assert.equal(keyPemFormat('-----BEGIN RSA PRIVATE KEY-----'), 'pkcs1');
  assert.equal(keyPemFormat('-----BEGIN PRIVATE KEY-----'), 'pkcs8');
  assert.equal(privateKeyBlock(read('ca.crt')), undefined);
});
