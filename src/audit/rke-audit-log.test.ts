import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rkeEffectiveAuditLog } from './rke-audit-log.js';

test('rkeEffectiveAuditLog uses RKE defaults when enabled without configuration', () => {
  const state = rkeEffectiveAuditLog({ enabled: true });
  assert.deepEqual(state.flags, {
    'audit-log-maxage': '30', 'audit-log-maxbackup': '10', 'audit-log-maxsize': '100',
    'audit-log-path': '/var/log/kube-audit/audit-log.json', 'audit-log-format': 'json', 'audit-policy-file': '/etc/kubernetes/audit-policy.yaml',
  });
  assert.equal(state.defaultPolicy, true);
  assert.deepEqual(rkeEffectiveAuditLog(undefined).flags, state.flags, 'RKE enables it when the block is absent');
});

test('rkeEffectiveAuditLog flags the zero values of a configuration with only a policy', () => {
  const state = rkeEffectiveAuditLog({ enabled: true, configuration: { policy: { rules: [{ level: 'Metadata' }] } } });
  assert.deepEqual(state.zeroFields, ['max_age', 'max_backup', 'max_size', 'path', 'format']);
  assert.equal(state.flags?.['audit-log-path'], '');
  assert.equal(state.flags?.['audit-log-maxage'], '0');
  assert.equal(state.defaultPolicy, false);
});

test('rkeEffectiveAuditLog flags a path outside /var/log/kube-audit as not persisted', () => {
  assert.equal(rkeEffectiveAuditLog({ enabled: true, configuration: { path: '/var/log/audit.json' } }).pathPersisted, false);
  assert.equal(rkeEffectiveAuditLog({ enabled: true, configuration: { path: '/var/log/kube-audit/a.json' } }).pathPersisted, true);
});

test('rkeEffectiveAuditLog passes flags but no policy file when configuration is set and disabled', () => {
  const state = rkeEffectiveAuditLog({ enabled: false, configuration: { path: '/var/log/kube-audit/a.json', max_age: 3 } });
  assert.equal(state.flags?.['audit-log-maxage'], '3');
  assert.equal(state.flags?.['audit-policy-file'], undefined);
  assert.deepEqual(rkeEffectiveAuditLog({ enabled: false }).flags, undefined);
});
