import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../test/support/paths.js';
import { AppError } from '../errors.js';
import { KUBEADM_AUDIT_DEFAULTS } from './apiserver-flags.js';
import { planKubeadmAudit } from './kubeadm-manifest.js';
import { diffLines } from './line-diff.js';

const fixture = readFileSync(path.join(repoRoot, 'test/fixtures/audit/kube-apiserver.yaml'), 'utf8');

function changedLines(before: string, after: string): string[] {
  return diffLines(before.split('\n'), after.split('\n')).filter((op) => op.kind !== 'same').map((op) => `${op.kind === 'add' ? '+' : '-'}${op.line}`);
}

test('planKubeadmAudit adds flags in kubeadm order, volumes and mounts, and nothing else', () => {
  const plan = planKubeadmAudit(fixture, 'kube-apiserver.yaml', KUBEADM_AUDIT_DEFAULTS);
  assert.deepEqual(changedLines(fixture, plan.text), [
    '+    - --audit-log-format=json',
    '+    - --audit-log-maxage=30',
    '+    - --audit-log-maxbackup=10',
    '+    - --audit-log-maxsize=100',
    '+    - --audit-log-path=/var/log/kubernetes/audit/audit.log',
    '+    - --audit-policy-file=/etc/kubernetes/audit-policy.yaml',
    '+    - mountPath: /etc/kubernetes/audit-policy.yaml',
    '+      name: audit-policy',
    '+      readOnly: true',
    '+    - mountPath: /var/log/kubernetes/audit',
    '+      name: audit-log',
    '+  - hostPath:',
    '+      path: /etc/kubernetes/audit-policy.yaml',
    '+      type: File',
    '+    name: audit-policy',
    '+  - hostPath:',
    '+      path: /var/log/kubernetes/audit',
    '+      type: DirectoryOrCreate',
    '+    name: audit-log',
  ]);
  assert.ok(plan.text.includes('    # Front proxy for the aggregation layer (metrics-server).\n'), 'comment kept');
  assert.equal(plan.changes.filter((c) => c.action === 'add').length, 10);
});

test('planKubeadmAudit changes nothing when run on its own output', () => {
  const once = planKubeadmAudit(fixture, 'm', KUBEADM_AUDIT_DEFAULTS).text;
  const twice = planKubeadmAudit(once, 'm', KUBEADM_AUDIT_DEFAULTS);
  assert.equal(twice.text, once);
  assert.ok(twice.changes.every((c) => c.action === 'unchanged'));
});

test('planKubeadmAudit updates differing flags and volume paths in place', () => {
  const once = planKubeadmAudit(fixture, 'm', KUBEADM_AUDIT_DEFAULTS).text;
  const plan = planKubeadmAudit(once, 'm', { ...KUBEADM_AUDIT_DEFAULTS, maxAgeDays: 7, logPath: '/var/log/audit/kube.log' });
  assert.deepEqual(changedLines(once, plan.text), [
    '-    - --audit-log-maxage=30',
    '+    - --audit-log-maxage=7',
    '-    - --audit-log-path=/var/log/kubernetes/audit/audit.log',
    '+    - --audit-log-path=/var/log/audit/kube.log',
    '-    - mountPath: /var/log/kubernetes/audit',
    '+    - mountPath: /var/log/audit',
    '-      path: /var/log/kubernetes/audit',
    '+      path: /var/log/audit',
  ]);
  assert.deepEqual(plan.changes.find((c) => c.target === 'flag --audit-log-maxage'), { action: 'update', target: 'flag --audit-log-maxage', from: '30', to: '7' });
});

test('planKubeadmAudit keeps an indented-sequence layout when the manifest uses one', () => {
  const indented = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\nspec:\n  containers:\n    - name: kube-apiserver\n      command:\n        - kube-apiserver\n        - --secure-port=6443\n      image: registry.k8s.io/kube-apiserver:v1.30.0\n';
  const plan = planKubeadmAudit(indented, 'm', KUBEADM_AUDIT_DEFAULTS);
  assert.ok(plan.text.startsWith(indented.split('        - --secure-port')[0] as string));
  assert.match(plan.text, /\n {8}- --audit-policy-file=\/etc\/kubernetes\/audit-policy.yaml\n {8}- --secure-port=6443\n/);
  assert.match(plan.text, /\n {6}volumeMounts:\n {8}- mountPath: \/etc\/kubernetes\/audit-policy.yaml\n/);
  assert.match(plan.text, /\n {2}volumes:\n {4}- hostPath:\n/);
});

test('planKubeadmAudit refuses manifests that are not kube-apiserver static pods', () => {
  const etcd = fixture.replace(/kube-apiserver/g, 'etcd');
  for (const [text, why] of [
    [etcd, /no container runs kube-apiserver/],
    ['apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n', /kind is "Deployment", not Pod/],
    ['kind: Pod\nspec: {}\n', /no spec.containers/],
    ['kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    args: [--secure-port=6443]\n', /does not start with command/],
    ['kind: Pod\nspec: [unclosed\n', /Cannot read "m"/],
  ] as const) {
    assert.throws(() => planKubeadmAudit(text, 'm', KUBEADM_AUDIT_DEFAULTS), (err: unknown) => err instanceof AppError && why.test(err.message), String(why));
  }
});

test('planKubeadmAudit warns about webhook flags it leaves alone', () => {
  const withWebhook = fixture.replace('    - --allow-privileged=true\n', '    - --allow-privileged=true\n    - --audit-webhook-config-file=/etc/kubernetes/webhook.yaml\n');
  const plan = planKubeadmAudit(withWebhook, 'm', KUBEADM_AUDIT_DEFAULTS);
  assert.match(plan.warnings.join('\n'), /--audit-webhook-config-file/);
  assert.ok(plan.text.includes('--audit-webhook-config-file=/etc/kubernetes/webhook.yaml'));
});

test('planKubeadmAudit reuses a log directory mounted by hand under another name', () => {
  const byHand = fixture
    .replace('    - mountPath: /etc/ssl/certs\n', '    - mountPath: /var/log/kubernetes/audit\n      name: audit\n    - mountPath: /etc/ssl/certs\n')
    .replace('  volumes:\n', '  volumes:\n  - hostPath:\n      path: /var/log/kubernetes/audit\n    name: audit\n');
  const plan = planKubeadmAudit(byHand, 'm', KUBEADM_AUDIT_DEFAULTS);
  assert.equal(plan.text.split('mountPath: /var/log/kubernetes/audit').length, 2, 'mounted once');
  assert.deepEqual(plan.changes.find((c) => c.target === 'volume audit'), { action: 'unchanged', target: 'volume audit', to: 'hostPath /var/log/kubernetes/audit at /var/log/kubernetes/audit' });
  const elsewhere = planKubeadmAudit(byHand.replace('      path: /var/log/kubernetes/audit\n    name: audit', '      path: /srv/audit\n    name: audit'), 'm', KUBEADM_AUDIT_DEFAULTS);
  assert.match(elsewhere.warnings.join('\n'), /\/var\/log\/kubernetes\/audit is already mounted from volume "audit" \(hostPath \/srv\/audit\)/);
});
