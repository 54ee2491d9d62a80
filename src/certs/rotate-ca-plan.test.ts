import assert from 'node:assert/strict';
import path from 'node:path';
import { before, test } from 'node:test';
import { repoRoot } from '../../test/support/paths.js';
import { AppError } from '../errors.js';
import type { PkiInventory } from './inventory.js';
import { readPki } from './read-pki.js';
import { planCaRotation, type CaRotationPlan } from './rotate-ca-plan.js';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'certs', 'kubeadm-node');
const PHASES = ['prepare', 'trust-both', 're-issue', 'verify', 'drop-old'];
let inventory: PkiInventory;
before(async () => {
  inventory = await readPki({ pkiDir: path.join(FIXTURE, 'pki'), kubeconfigDir: FIXTURE });
});

/** Index of the first step whose actions mention `text`. */
function stepMentioning(plan: CaRotationPlan, text: string): number {
  return plan.steps.findIndex((s) => s.actions.some((a) => a.includes(text)));
}

for (const ca of ['ca', 'etcd-ca', 'front-proxy-ca']) {
  test(`planCaRotation orders the ${ca} plan: new CA, trust both, switch the key, re-issue, verify, drop the old CA`, () => {
    const plan = planCaRotation(inventory, ca);
    const order = plan.steps.map((s) => PHASES.indexOf(s.phase));
    assert.deepEqual(order, [...order].sort((a, b) => a - b), 'phases never go backwards');
    assert.deepEqual([...new Set(plan.steps.map((s) => s.phase))], PHASES);
    const create = stepMentioning(plan, 'self-signed CA certificate');
    const bundle = plan.steps.findIndex((s) => s.actions.some((a) => a.startsWith('cat ')));
    const switchKey = stepMentioning(plan, '-new.key over');
    const renew = stepMentioning(plan, 'kubekeeper certs renew');
    const drop = plan.steps.findIndex((s) => s.phase === 'drop-old');
    assert.ok(create >= 0 && create < bundle && bundle < switchKey && switchKey <= renew && renew < drop, JSON.stringify({ create, bundle, switchKey, renew, drop }));
    // Nothing is signed by the new CA until every trust step is done.
    assert.ok(plan.steps.slice(0, switchKey).every((s) => s.phase !== 're-issue'));
  });
}

test('planCaRotation re-issues exactly the certificates the CA signs on this node', () => {
  assert.deepEqual(planCaRotation(inventory, 'etcd-ca').signs.map((s) => s.name), ['apiserver-etcd-client', 'etcd-healthcheck-client', 'etcd-peer', 'etcd-server']);
  const renew = planCaRotation(inventory, 'ca').steps.flatMap((s) => s.actions).find((a) => a.startsWith('kubekeeper certs renew'));
  assert.equal(renew, 'kubekeeper certs renew admin.conf apiserver apiserver-kubelet-client controller-manager.conf scheduler.conf --restart-static-pods (keeps subjects and SANs, new keys, signed by the new CA)');
});

test('planCaRotation restarts etcd members one at a time, each healthy before the next', () => {
  const plan = planCaRotation(inventory, 'etcd-ca');
  const etcdRolls = plan.steps.filter((s) => s.actions.some((a) => a.includes('restart static pod etcd') || a.startsWith('roll etcd')));
  assert.ok(etcdRolls.length >= 3);
  assert.ok(etcdRolls.every((s) => s.where === 'every control-plane node, one at a time'));
  assert.ok(etcdRolls.every((s) => s.actions.some((a) => a.includes('endpoint health --cluster'))));
});

test('planCaRotation keeps kube-controller-manager\'s signing flags off the bundle', () => {
  const actions = planCaRotation(inventory, 'ca').steps.flatMap((s) => s.actions);
  assert.ok(actions.some((a) => /--cluster-signing-cert-file at .*ca-new\.crt/.test(a) && /cannot take a bundle/.test(a)));
});

test('planCaRotation warns when the CA key is absent (externally managed) or the CA file is already a bundle', () => {
  const ca = inventory.authorities.find((a) => a.name === 'ca');
  assert.ok(ca);
  const changed = { ...inventory, authorities: [{ ...ca, key: undefined, keyFile: undefined, certs: [...ca.certs, ...ca.certs] }] };
  const warnings = planCaRotation(changed, 'ca').warnings.join('\n');
  assert.match(warnings, /is absent: the CA is externally managed/);
  assert.match(warnings, /already holds 2 certificates/);
});

test('planCaRotation throws certs-ca-not-found naming the CAs when the CA is unknown', () => {
  assert.throws(() => planCaRotation(inventory, 'kube-ca'), (e: unknown) => e instanceof AppError && e.code === 'certs-ca-not-found' && /ca, etcd-ca, front-proxy-ca/.test(e.hint ?? ''));
});
