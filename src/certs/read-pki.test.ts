import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { copyKubeadmPki, kubeadmPkiFixture, type KubeadmPki } from '../../test/support/kubeadm-pki.js';
import { AppError } from '../errors.js';
import { buildExpirationReport } from './expiration-report.js';
import { readPki } from './read-pki.js';

const NOW = new Date('2031-03-04T05:06:07Z');
const DAY = 86_400_000;
let base: KubeadmPki & { remove(): Promise<void> };
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kk-readpki-'));
after(async () => {
  await base.remove();
  rmSync(scratch, { recursive: true, force: true });
});
before(async () => {
  base = await kubeadmPkiFixture({ keyType: 'ecdsa', now: NOW });
});

let copies = 0;
function copy(): KubeadmPki {
  return copyKubeadmPki(base, path.join(scratch, `copy-${copies++}`));
}

function read(pki: KubeadmPki, nodeAddresses?: string[]) {
  return readPki({ pkiDir: pki.pkiDir, kubeconfigDir: pki.kubeconfigDir, manifestsDir: pki.manifestsDir, nodeAddresses });
}

const KUBEADM_NAMES = ['admin.conf', 'apiserver', 'apiserver-etcd-client', 'apiserver-kubelet-client', 'controller-manager.conf',
  'etcd-healthcheck-client', 'etcd-peer', 'etcd-server', 'front-proxy-client', 'kubelet.conf', 'scheduler.conf', 'super-admin.conf'];

test('readPki reports kubeadm\'s 11 certificates plus kubelet.conf and the 3 CAs in sorted order with their CA names', async () => {
  const report = buildExpirationReport(await read(base), { now: NOW, warnWithinMs: 30 * DAY });
  assert.equal(report.layout, 'kubeadm');
  assert.deepEqual(report.certificates.map((r) => r.name), KUBEADM_NAMES);
  assert.deepEqual(report.certificates.map((r) => r.caName), ['ca', 'ca', 'etcd-ca', 'ca', 'ca', 'etcd-ca', 'etcd-ca', 'etcd-ca', 'front-proxy-ca', 'ca', 'ca', 'ca']);
  assert.deepEqual(report.authorities.map((r) => r.name), ['ca', 'etcd-ca', 'front-proxy-ca']);
  assert.ok(report.certificates.every((r) => !r.missing && r.notAfter?.getTime() === NOW.getTime() + 335 * DAY));
  const kubelet = report.certificates.find((r) => r.name === 'kubelet.conf');
  assert.equal(kubelet?.commonName, 'system:node:cp-1');
  assert.equal(kubelet?.path, path.join(base.root, 'kubelet', 'pki', 'kubelet-client-current.pem'));
});

test('readPki drops the etcd CA and its four certificates when etcd is external', async () => {
  const pki = copy();
  rmSync(path.join(pki.pkiDir, 'etcd'), { recursive: true });
  mkdirSync(path.join(pki.pkiDir, 'etcd'));
  rmSync(path.join(pki.pkiDir, 'apiserver-etcd-client.crt'));
  const report = buildExpirationReport(await read(pki), { now: NOW, warnWithinMs: 30 * DAY });
  assert.deepEqual(report.certificates.map((r) => r.name), KUBEADM_NAMES.filter((n) => !n.startsWith('etcd-') && n !== 'apiserver-etcd-client'));
  assert.deepEqual(report.authorities.map((r) => r.name), ['ca', 'front-proxy-ca']);
});

test('readPki reports super-admin.conf as missing (info, not a warning) on a joined control-plane node', async () => {
  const pki = copy();
  unlinkSync(path.join(pki.kubeconfigDir, 'super-admin.conf'));
  const report = buildExpirationReport(await read(pki), { now: NOW, warnWithinMs: 30 * DAY });
  assert.equal(report.certificates.find((r) => r.name === 'super-admin.conf')?.missing, true);
  assert.deepEqual(report.findings.map((f) => [f.code, f.severity, f.name]), [['missing', 'info', 'super-admin.conf']]);
});

test('readPki marks the CA and what it signs externally managed when ca.key is absent', async () => {
  const pki = copy();
  unlinkSync(path.join(pki.pkiDir, 'ca.key'));
  const report = buildExpirationReport(await read(pki), { now: NOW, warnWithinMs: 30 * DAY });
  const external = [...report.certificates, ...report.authorities].filter((r) => r.externallyManaged).map((r) => r.name);
  assert.deepEqual(external, ['admin.conf', 'apiserver', 'apiserver-kubelet-client', 'controller-manager.conf', 'kubelet.conf', 'scheduler.conf', 'super-admin.conf', 'ca']);
  assert.deepEqual(report.findings.map((f) => f.code), ['ca-key-missing']);
});

test('readPki learns the node address from the apiserver manifest, the flag, or controller-manager.conf', async () => {
  assert.deepEqual((await read(base)).nodeAddresses.map((a) => a.address), ['10.0.0.5']);
  assert.deepEqual((await read(base, ['10.1.1.1', 'cp-1.example'])).nodeAddresses, [
    { address: '10.1.1.1', source: '--node-address' }, { address: 'cp-1.example', source: '--node-address' }]);
  const pki = copy();
  rmSync(pki.manifestsDir, { recursive: true });
  const inferred = (await read(pki)).nodeAddresses;
  assert.deepEqual(inferred.map((a) => a.address), ['10.0.0.5']);
  assert.match(inferred[0]?.source ?? '', /controller-manager\.conf server$/);
});

test('readPki records a corrupt certificate as unreadable instead of failing the whole check', async () => {
  const pki = copy();
  writeFileSync(path.join(pki.pkiDir, 'apiserver.crt'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  writeFileSync(path.join(pki.kubeconfigDir, 'scheduler.conf'), 'users: [');
  const report = buildExpirationReport(await read(pki), { now: NOW, warnWithinMs: 30 * DAY });
  assert.deepEqual(report.findings.map((f) => [f.code, f.name]), [['unreadable', 'apiserver'], ['unreadable', 'scheduler.conf']]);
  assert.equal(report.certificates.find((r) => r.name === 'apiserver')?.missing, false);
});

test('readPki fails with pki-not-found and a hint when the directory does not exist', async () => {
  await assert.rejects(readPki({ pkiDir: path.join(scratch, 'nope') }), (e: unknown) => e instanceof AppError && e.code === 'pki-not-found' && /--pki-dir/.test(e.hint ?? ''));
});

test('readPki recognises RKE\'s directory, tells CAs by CA:TRUE and finds each leaf\'s CA by signature', async () => {
  const ssl = path.join(scratch, 'rke-ssl');
  mkdirSync(ssl);
  const put = (from: string, name: string) => {
    cpSync(path.join(base.pkiDir, `${from}.crt`), path.join(ssl, `${name}.pem`));
    cpSync(path.join(base.pkiDir, `${from}.key`), path.join(ssl, `${name}-key.pem`));
  };
  put('ca', 'kube-ca');
  put('front-proxy-ca', 'kube-apiserver-requestheader-ca');
  put('apiserver', 'kube-apiserver');
  put('front-proxy-client', 'kube-apiserver-proxy-client');
  // RKE's kube-etcd-<ip> certificates are signed by kube-ca; the apiserver pair has the right shape (IP SAN 10.0.0.5).
  put('apiserver', 'kube-etcd-10-0-0-5');
  put('apiserver', 'kube-etcd-10-0-0-9');
  renameSync(path.join(ssl, 'kube-etcd-10-0-0-9-key.pem'), path.join(ssl, 'spare-key.pem'));
  writeFileSync(path.join(ssl, 'kubecfg-kube-node.yaml'), 'apiVersion: v1\n');
  const inventory = await readPki({ pkiDir: ssl, nodeAddresses: ['10.0.0.5'] });
  const report = buildExpirationReport(inventory, { now: NOW, warnWithinMs: 30 * DAY });
  assert.equal(report.layout, 'rke');
  assert.deepEqual(report.authorities.map((r) => r.name), ['kube-apiserver-requestheader-ca', 'kube-ca']);
  assert.deepEqual(report.certificates.map((r) => [r.name, r.caName]), [
    ['kube-apiserver', 'kube-ca'], ['kube-apiserver-proxy-client', 'kube-apiserver-requestheader-ca'],
    ['kube-etcd-10-0-0-5', 'kube-ca'], ['kube-etcd-10-0-0-9', 'kube-ca']]);
  const codes = report.findings.map((f) => `${f.name} ${f.code}`);
  assert.ok(codes.includes('kube-etcd-10-0-0-9 missing-san'), codes.join('; '));
  assert.ok(codes.includes('kube-etcd-10-0-0-9 key-missing'), codes.join('; '));
  assert.ok(!codes.some((c) => c.startsWith('kube-etcd-10-0-0-5')), codes.join('; '));
});
