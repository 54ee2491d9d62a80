import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExpirationReport, ExpirationRow } from './expiration-report.js';
import { certificateExpiryMetrics, certificateExpirySamples } from './metrics.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const row = (name: string, path: string, notAfter?: string): ExpirationRow => ({
  name, path, missing: notAfter === undefined, externallyManaged: false, ...(notAfter ? { notAfter: new Date(notAfter) } : {}),
});
const report: ExpirationReport = {
  layout: 'kubeadm', pkiDir: '/etc/kubernetes/pki', kubeconfigDir: '/etc/kubernetes', checkedAt: NOW, warnWithinMs: 0, nodeAddresses: [], findings: [],
  certificates: [
    row('admin.conf', '/etc/kubernetes/admin.conf', '2030-01-31T00:00:00Z'),
    row('apiserver', '/etc/kubernetes/pki/apiserver.crt', '2029-12-31T23:59:59.500Z'),
    row('super-admin.conf', '/etc/kubernetes/super-admin.conf'),
    row('odd"name', 'C:\\pki\nx.crt', '2030-01-01T00:00:01Z'),
  ],
  authorities: [row('ca', '/etc/kubernetes/pki/ca.crt', '2039-01-01T00:00:00Z')],
};

test('certificateExpiryMetrics renders one gauge sample per certificate and CA in Prometheus text format', () => {
  assert.equal(certificateExpiryMetrics(report, NOW), [
    '# HELP kubekeeper_certificate_expiry_seconds Seconds until the certificate expires; negative once expired.',
    '# TYPE kubekeeper_certificate_expiry_seconds gauge',
    'kubekeeper_certificate_expiry_seconds{name="admin.conf",path="/etc/kubernetes/admin.conf"} 2592000',
    'kubekeeper_certificate_expiry_seconds{name="apiserver",path="/etc/kubernetes/pki/apiserver.crt"} -1',
    'kubekeeper_certificate_expiry_seconds{name="odd\\"name",path="C:\\\\pki\\nx.crt"} 1',
    'kubekeeper_certificate_expiry_seconds{name="ca",path="/etc/kubernetes/pki/ca.crt"} 283996800',
    '',
  ].join('\n'));
});

test('certificateExpirySamples counts down from the given instant, not from when the report was made', () => {
  const later = new Date(NOW.getTime() + 86_400_000);
  assert.equal(certificateExpirySamples(report, later)[0]?.value, 2592000 - 86_400);
  assert.equal(certificateExpirySamples(report, NOW).some((s) => s.name === 'super-admin.conf'), false);
});
