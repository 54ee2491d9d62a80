import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kubeadmPkiFixture, type KubeadmPki } from '../../test/support/kubeadm-pki.js';
import { AppError, UsageError } from '../errors.js';
import type { PkiInventory } from './inventory.js';
import { readPki } from './read-pki.js';
import { planRenewal } from './renewal-plan.js';

const NOW = new Date('2031-03-04T05:06:07Z');
const DAY = 86_400_000;
const YEAR = 365 * DAY;
let pki: KubeadmPki & { remove(): Promise<void> };
let inventory: PkiInventory;
after(() => pki?.remove());
before(async () => {
  pki = await kubeadmPkiFixture({ keyType: 'ecdsa', now: NOW, caNotAfter: { 'front-proxy-ca': new Date(NOW.getTime() + 200 * DAY) },
    overrides: { apiserver: { signedBy: 'front-proxy-ca' } } });
  inventory = await readPki({ pkiDir: pki.pkiDir, kubeconfigDir: pki.kubeconfigDir, manifestsDir: pki.manifestsDir });
});

test('planRenewal renews every kubeadm certificate for "all" and skips kubelet.conf with the reason', () => {
  const plan = planRenewal(inventory, { names: ['all'], now: NOW, validityMs: YEAR });
  assert.deepEqual(plan.items.filter((i) => i.action === 'renew').map((i) => i.name), [
    'admin.conf', 'apiserver', 'apiserver-etcd-client', 'apiserver-kubelet-client', 'controller-manager.conf',
    'etcd-healthcheck-client', 'etcd-peer', 'etcd-server', 'front-proxy-client', 'scheduler.conf', 'super-admin.conf']);
  assert.deepEqual(plan.items.filter((i) => i.action === 'skip').map((i) => [i.name, i.reason]), [['kubelet.conf', 'the kubelet rotates its own client certificate']]);
  assert.deepEqual(plan.staticPods, ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
  const apiserver = plan.items.find((i) => i.name === 'apiserver');
  assert.deepEqual(apiserver?.files, [`${pki.pkiDir}/apiserver.key`, `${pki.pkiDir}/apiserver.crt`]);
  assert.equal(apiserver?.notAfter?.getTime(), NOW.getTime() + YEAR);
  assert.deepEqual(apiserver?.notes, ['the current certificate was not signed by "ca"; the renewed one will be']);
  assert.deepEqual(plan.items.find((i) => i.name === 'admin.conf')?.files, [`${pki.kubeconfigDir}/admin.conf`]);
});

test('planRenewal cuts NotAfter to the CA\'s and says so when the validity outlives the CA', () => {
  const plan = planRenewal(inventory, { names: ['front-proxy-client'], now: NOW, validityMs: YEAR });
  const item = plan.items[0];
  assert.equal(item?.notAfter?.getTime(), NOW.getTime() + 200 * DAY);
  assert.match(item?.notes[0] ?? '', /^NotAfter cut to the CA's/);
  assert.deepEqual(plan.staticPods, ['kube-apiserver']);
});

test('planRenewal restarts nothing for admin.conf alone and only the named certificates are planned', () => {
  const plan = planRenewal(inventory, { names: ['admin.conf', 'etcd-healthcheck-client'], now: NOW, validityMs: YEAR });
  assert.deepEqual(plan.items.map((i) => i.name), ['admin.conf', 'etcd-healthcheck-client']);
  assert.deepEqual(plan.staticPods, []);
});

test('planRenewal throws UsageError listing the names when a name is unknown', () => {
  assert.throws(() => planRenewal(inventory, { names: ['apiserver.crt'], now: NOW, validityMs: YEAR }),
    (e: unknown) => e instanceof UsageError && e.message === 'Unknown certificate "apiserver.crt"' && /admin\.conf, apiserver,/.test(e.hint ?? ''));
});

test('planRenewal refuses kubelet.conf when named explicitly', () => {
  assert.throws(() => planRenewal(inventory, { names: ['kubelet.conf'], now: NOW, validityMs: YEAR }),
    (e: unknown) => e instanceof AppError && e.code === 'certs-renew-refused' && /kubelet rotates/.test(e.message));
});

test('planRenewal skips what an externally managed CA signs and a missing super-admin.conf', () => {
  const ca = inventory.authorities.find((a) => a.name === 'ca');
  assert.ok(ca);
  const external: PkiInventory = {
    ...inventory,
    authorities: inventory.authorities.map((a) => (a.name === 'ca' ? { ...a, key: undefined, keyFile: undefined } : a)),
    certificates: inventory.certificates.map((c) => (c.name === 'super-admin.conf' ? { ...c, cert: undefined, certFile: undefined } : c)),
  };
  const plan = planRenewal(external, { names: ['all'], now: NOW, validityMs: YEAR });
  const skipped = Object.fromEntries(plan.items.filter((i) => i.action === 'skip').map((i) => [i.name, i.reason]));
  assert.match(skipped.apiserver ?? '', /^its CA "ca" is externally managed \(no ".*\/ca\.key"\)$/);
  assert.equal(skipped['super-admin.conf'], 'not present on this node');
  assert.deepEqual(plan.staticPods, ['etcd', 'kube-apiserver']);
});

test('planRenewal refuses an RKE layout and points at "rke cert rotate"', () => {
  assert.throws(() => planRenewal({ ...inventory, layout: 'rke' }, { names: ['all'], now: NOW, validityMs: YEAR }),
    (e: unknown) => e instanceof AppError && e.code === 'certs-renew-rke' && /rke cert rotate/.test(e.hint ?? ''));
});
