import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kubeadmPkiFixture, type KubeadmPki } from '../../test/support/kubeadm-pki.js';
import { buildExpirationReport, needsAttention } from './expiration-report.js';
import type { PkiInventory } from './inventory.js';
import { readPki } from './read-pki.js';

const NOW = new Date('2031-03-04T05:06:07Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);
let pki: KubeadmPki & { remove(): Promise<void> };
let inventory: PkiInventory;
after(() => pki.remove());
before(async () => {
  pki = await kubeadmPkiFixture({
    keyType: 'ecdsa', now: NOW, caNotAfter: { 'etcd-ca': at(100) },
    overrides: {
      'apiserver-kubelet-client': { notAfter: at(10) },
      'scheduler.conf': { notAfter: at(29) },
      'front-proxy-client': { notAfter: at(-1) },
      'etcd-healthcheck-client': { mismatchedKey: true },
      'etcd-peer': { withoutNodeIp: true },
      apiserver: { signedBy: 'front-proxy-ca' },
      'controller-manager.conf': { notBefore: at(1) },
    },
  });
  inventory = await readPki({ pkiDir: pki.pkiDir, kubeconfigDir: pki.kubeconfigDir, manifestsDir: pki.manifestsDir });
});

test('findProblems reports each planted problem once, with its severity, when the PKI has them', () => {
  const report = buildExpirationReport(inventory, { now: NOW, warnWithinMs: 30 * DAY });
  assert.deepEqual(report.findings.map((f) => `${f.severity} ${f.code} ${f.name}`), [
    'error not-signed-by-ca apiserver',
    'warning outlives-ca apiserver-etcd-client',
    'warning expiring apiserver-kubelet-client',
    'warning not-yet-valid controller-manager.conf',
    'error key-mismatch etcd-healthcheck-client',
    'warning outlives-ca etcd-healthcheck-client',
    'warning outlives-ca etcd-peer',
    'warning missing-san etcd-peer',
    'warning outlives-ca etcd-server',
    'error expired front-proxy-client',
    'warning expiring scheduler.conf',
  ]);
  assert.equal(needsAttention(report), true);
});

test('findProblems names the file, the CA and the dates in its messages', () => {
  const report = buildExpirationReport(inventory, { now: NOW, warnWithinMs: 30 * DAY });
  const message = (code: string, name: string) => report.findings.find((f) => f.code === code && f.name === name)?.message;
  assert.equal(message('expiring', 'apiserver-kubelet-client'), 'expires in 10d, on Mar 14, 2031 05:06 UTC');
  assert.equal(message('expired', 'front-proxy-client'), 'expired on Mar 03, 2031 05:06 UTC');
  assert.match(message('not-signed-by-ca', 'apiserver') ?? '', /"ca" \(.*\/pki\/ca\.crt\)/);
  assert.match(message('outlives-ca', 'etcd-server') ?? '', /after its CA "etcd-ca" expires on Jun 12, 2031/);
  assert.match(message('missing-san', 'etcd-peer') ?? '', /no SAN for 10\.0\.0\.5, the node's address \(from .*kube-apiserver\.yaml\)/);
  assert.equal(report.findings.find((f) => f.code === 'key-mismatch')?.path, `${pki.pkiDir}/etcd/healthcheck-client.key`);
});

test('needsAttention is false when nothing expires within the window and no error is found', async () => {
  const report = buildExpirationReport(inventory, { now: NOW, warnWithinMs: 5 * DAY });
  assert.deepEqual(report.findings.filter((f) => f.code === 'expiring'), []);
  const healthy = { ...inventory, certificates: inventory.certificates.filter((c) => ['admin.conf', 'kubelet.conf', 'super-admin.conf'].includes(c.name)) };
  assert.equal(needsAttention(buildExpirationReport(healthy, { now: NOW, warnWithinMs: 30 * DAY })), false);
  assert.equal(needsAttention(buildExpirationReport(healthy, { now: at(300), warnWithinMs: 30 * DAY })), true);
});

test('findProblems checks a SAN for every node address given, DNS names against DNS SANs', () => {
  const withNames = { ...inventory, nodeAddresses: [{ address: 'cp-1', source: 'test' }, { address: 'cp-2', source: 'test' }] };
  const sans = buildExpirationReport(withNames, { now: NOW, warnWithinMs: 0 }).findings.filter((f) => f.code === 'missing-san');
  assert.deepEqual(sans.map((f) => `${f.name} ${f.message.split(',')[0]}`), ['apiserver has no SAN for cp-2', 'etcd-peer has no SAN for cp-2', 'etcd-server has no SAN for cp-2']);
});
