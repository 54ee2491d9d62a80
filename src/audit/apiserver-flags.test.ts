import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors.js';
import { auditFlags, describeAuditLogSettings, KUBEADM_AUDIT_DEFAULTS } from './apiserver-flags.js';

test('auditFlags renders every flag in kubeadm order', () => {
  assert.deepEqual(auditFlags(KUBEADM_AUDIT_DEFAULTS).map(([k, v]) => `--${k}=${v}`), [
    '--audit-log-format=json', '--audit-log-maxage=30', '--audit-log-maxbackup=10', '--audit-log-maxsize=100',
    '--audit-log-path=/var/log/kubernetes/audit/audit.log', '--audit-policy-file=/etc/kubernetes/audit-policy.yaml',
  ]);
});

test('auditFlags rejects negative and fractional limits and relative paths', () => {
  for (const bad of [{ maxAgeDays: -1 }, { maxBackups: 1.5 }, { maxSizeMb: -10 }, { logPath: 'audit.log' }, { policyFile: '/etc/' }]) {
    assert.throws(() => auditFlags({ ...KUBEADM_AUDIT_DEFAULTS, ...bad }), AppError, JSON.stringify(bad));
  }
});

test('describeAuditLogSettings says that max size 0 means 100 MB and 0 keeps everything', () => {
  const notes = describeAuditLogSettings({ ...KUBEADM_AUDIT_DEFAULTS, maxSizeMb: 0, maxBackups: 0, maxAgeDays: 0 }).join('\n');
  assert.match(notes, /rotated at 100 MB \(0 means the default, 100 MB\)/);
  assert.match(notes, /All rotated files are kept/);
  assert.match(notes, /never removed for age/);
});
