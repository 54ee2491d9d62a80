import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../test/support/paths.js';
import { parse } from 'yaml';
import { AppError } from '../errors.js';
import { RKE_AUDIT_DEFAULTS } from './apiserver-flags.js';
import { diffLines } from './line-diff.js';
import { buildPolicy } from './policy-profiles.js';
import { planRkeAudit, type RkePlanOptions } from './rke-cluster.js';
import { rkeEffectiveAuditLog } from './rke-audit-log.js';

const fixture = readFileSync(path.join(repoRoot, 'test/fixtures/audit/cluster.yml'), 'utf8');
const options: RkePlanOptions = { settings: RKE_AUDIT_DEFAULTS, policy: undefined, defaultPolicy: buildPolicy('recommended') };

function auditLog(text: string): Record<string, unknown> {
  return (parse(text) as { services: { 'kube-api': { audit_log: Record<string, unknown> } } }).services['kube-api'].audit_log;
}

test('planRkeAudit sets every configuration field and keeps a valid existing policy', () => {
  const plan = planRkeAudit(fixture, 'cluster.yml', options);
  const changed = diffLines(fixture.split('\n'), plan.text.split('\n')).filter((op) => op.kind !== 'same').map((op) => `${op.kind === 'add' ? '+' : '-'}${op.line}`);
  assert.deepEqual(changed, [
    '-        max_age: 5',
    '+        max_age: 30',
    '+        max_backup: 10',
    '+        max_size: 100',
    '+        path: /var/log/kube-audit/audit-log.json',
    '+        format: json',
  ]);
  const state = rkeEffectiveAuditLog(auditLog(plan.text));
  assert.deepEqual(state.zeroFields, []);
  assert.equal(state.flags?.['audit-log-path'], '/var/log/kube-audit/audit-log.json');
  assert.deepEqual(plan.warnings, []);
});

test('planRkeAudit explains which missing fields RKE passes as zero', () => {
  const plan = planRkeAudit(fixture, 'cluster.yml', options);
  assert.deepEqual(plan.changes.find((c) => c.target === 'audit_log.configuration.path'), {
    action: 'add', target: 'audit_log.configuration.path', from: 'missing: RKE passes ""', to: '"/var/log/kube-audit/audit-log.json"',
  });
});

test('planRkeAudit keeps comments and the layout of untouched lines', () => {
  const plan = planRkeAudit(fixture, 'cluster.yml', options);
  for (const line of ['      interval_hours: 6   # four a day', '    role: [controlplane, etcd]', '    # so RKE passes --audit-log-path= (empty) and nothing is logged.']) {
    assert.ok(plan.text.includes(`${line}\n`), line);
  }
});

test('planRkeAudit replaces the policy when a profile is given and is idempotent after', () => {
  const plan = planRkeAudit(fixture, 'cluster.yml', { ...options, policy: buildPolicy('strict') });
  assert.deepEqual((auditLog(plan.text).configuration as { policy: unknown }).policy, buildPolicy('strict'));
  const again = planRkeAudit(plan.text, 'cluster.yml', { ...options, policy: buildPolicy('strict') });
  assert.equal(again.text, plan.text);
});

test('planRkeAudit creates the whole block in a cluster.yml without one', () => {
  const text = 'nodes:\n  - address: 10.0.0.1\n    role: [controlplane, etcd, worker]\n';
  const plan = planRkeAudit(text, 'cluster.yml', options);
  const block = auditLog(plan.text);
  assert.equal(block.enabled, true);
  assert.deepEqual((block.configuration as { policy: unknown }).policy, buildPolicy('recommended'));
  assert.ok(plan.text.startsWith(text));
});

test('planRkeAudit warns about a log path RKE does not persist and audit extra_args', () => {
  const text = fixture.replace('      max-requests-inflight: "800"', '      max-requests-inflight: "800"\n      audit-log-path: /tmp/audit.log');
  const plan = planRkeAudit(text, 'cluster.yml', { ...options, settings: { ...RKE_AUDIT_DEFAULTS, logPath: '/var/log/audit.json' } });
  assert.match(plan.warnings[0] ?? '', /outside \/var\/log\/kube-audit/);
  assert.match(plan.warnings[1] ?? '', /extra_args sets audit-log-path/);
});

test('planRkeAudit replaces an invalid existing policy with a warning', () => {
  const text = fixture.replace('            - level: Metadata', '            - level: Verbose');
  const plan = planRkeAudit(text, 'cluster.yml', options);
  assert.match(plan.warnings.join('\n'), /existing policy is invalid \(unknown level "Verbose"/);
  assert.deepEqual((auditLog(plan.text).configuration as { policy: unknown }).policy, buildPolicy('recommended'));
});

test('planRkeAudit refuses files that are not an RKE cluster.yml', () => {
  for (const text of ['apiVersion: v1\nkind: Pod\nspec: {}\n', 'foo: bar\n', '- a\n- b\n']) {
    assert.throws(() => planRkeAudit(text, 'x.yml', options), (err: unknown) => err instanceof AppError && err.code === 'cluster-yml-unrecognised');
  }
});
