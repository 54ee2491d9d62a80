import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDaemonState, daemonMetricFamilies, recordBackup, recordDrill } from './daemon-state.js';
import { escapeLabelValue, formatValue, renderMetrics } from './metrics.js';

test('renderMetrics writes HELP, TYPE and escaped samples in text format 0.0.4 when given families', () => {
  const text = renderMetrics([
    { name: 'kk_up', help: 'Up.\nSecond line with \\', type: 'gauge', samples: [{ value: 1 }] },
    { name: 'kk_errors_total', help: 'Errors.', type: 'counter', samples: [{ labels: { reason: 'a"b\\c\nd' }, value: 2 }, { labels: { reason: 'x' }, value: Infinity }] },
    { name: 'kk_empty', help: 'No samples.', type: 'gauge', samples: [] },
  ]);
  assert.equal(text, [
    '# HELP kk_up Up.\\nSecond line with \\\\',
    '# TYPE kk_up gauge',
    'kk_up 1',
    '# HELP kk_errors_total Errors.',
    '# TYPE kk_errors_total counter',
    'kk_errors_total{reason="a\\"b\\\\c\\nd"} 2',
    'kk_errors_total{reason="x"} +Inf',
    '# HELP kk_empty No samples.',
    '# TYPE kk_empty gauge',
    '',
  ].join('\n'));
});

test('renderMetrics throws naming the metric when a metric or label name is invalid', () => {
  assert.throws(() => renderMetrics([{ name: '9bad', help: '', type: 'gauge', samples: [] }]), /invalid metric name "9bad"/);
  assert.throws(() => renderMetrics([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { 'a-b': 'x' }, value: 1 }] }]), /invalid label name "a-b" on metric ok/);
});

test('formatValue and escapeLabelValue follow the exposition format when values are special', () => {
  assert.deepEqual([NaN, -Infinity, 0.25, 1.7e9].map(formatValue), ['NaN', '-Inf', '0.25', '1700000000']);
  assert.equal(escapeLabelValue('plain'), 'plain');
});

test('daemonMetricFamilies moves with recorded backups and drills', () => {
  const state = createDaemonState(new Date('2024-06-01T00:00:00Z'));
  const value = (name: string, labels?: Record<string, string>) => daemonMetricFamilies(state)
    .find((f) => f.name === name)?.samples.find((s) => JSON.stringify(s.labels ?? {}) === JSON.stringify(labels ?? {}))?.value;
  assert.equal(value('kubekeeper_backup_last_success_timestamp_seconds'), 0, 'never is 0');
  recordBackup(state, { at: new Date('2024-06-01T01:00:00Z'), ok: true, durationMs: 1500, backupName: 'b1', bytes: 4096, kept: 3 });
  recordBackup(state, { at: new Date('2024-06-01T02:00:00Z'), ok: false, durationMs: 200, reason: 'etcd-unreachable' });
  recordBackup(state, { at: new Date('2024-06-01T03:00:00Z'), ok: false, durationMs: 300, reason: 'etcd-unreachable' });
  recordDrill(state, { at: new Date('2024-06-01T04:00:00Z'), ok: false, durationMs: 900, reason: 'keys' });
  assert.equal(value('kubekeeper_backup_last_success_timestamp_seconds'), Date.parse('2024-06-01T01:00:00Z') / 1000);
  assert.equal(value('kubekeeper_backup_last_attempt_success'), 0);
  assert.equal(value('kubekeeper_backup_last_duration_seconds'), 0.3);
  assert.equal(value('kubekeeper_backup_last_size_bytes'), 4096);
  assert.equal(value('kubekeeper_backups_kept'), 3);
  assert.equal(value('kubekeeper_backup_successes_total'), 1);
  assert.equal(value('kubekeeper_backup_failures_total', { reason: 'etcd-unreachable' }), 2);
  assert.equal(value('kubekeeper_drill_last_success'), 0);
  assert.equal(value('kubekeeper_drill_failures_total', { reason: 'keys' }), 1);
  recordDrill(state, { at: new Date('2024-06-01T05:00:00Z'), ok: true, durationMs: 800 });
  assert.equal(value('kubekeeper_drill_last_success'), 1);
  assert.equal(value('kubekeeper_drill_last_success_timestamp_seconds'), Date.parse('2024-06-01T05:00:00Z') / 1000);
  // The whole set renders: every family name and label is valid.
  assert.match(renderMetrics(daemonMetricFamilies(state)), /^kubekeeper_backup_failures_total\{reason="etcd-unreachable"\} 2$/m);
});
