import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeltaStreamStatus } from '../backup/index.js';
import { deltaHealth, deltaLag, deltaMetricFamilies } from './daemon-deltas.js';
import { renderMetrics } from './metrics.js';

const base: DeltaStreamStatus = { leader: true, storedRevision: 100, etcdRevision: 130, segmentsWritten: 7, gaps: 1, restarts: 2 };
const now = new Date('2026-12-06T02:00:00Z');

test('deltaLag counts seconds from the oldest unstored change and revisions behind etcd', () => {
  assert.deepEqual(deltaLag({ ...base, oldestPendingAt: now.getTime() - 12_000 }, now), { seconds: 12, revisions: 30 });
  assert.deepEqual(deltaLag({ ...base, etcdRevision: 100 }, now), { seconds: 0, revisions: 0 });
});

test('deltaHealth turns unhealthy past maxLag, while the stream keeps failing, and not on a node that waits for the election', () => {
  assert.equal(deltaHealth({ status: { ...base, oldestPendingAt: now.getTime() - 2000 } }, now, 5000).healthy, true);
  const lagging = deltaHealth({ status: { ...base, oldestPendingAt: now.getTime() - 9000 } }, now, 5000);
  assert.equal(lagging.healthy, false);
  assert.match(lagging.reason, /lags 9s \(30 revisions\), more than 5s/);
  assert.equal(deltaHealth({ status: { ...base, leader: false, failingSince: now.getTime() - 6000 } }, now, 5000).healthy, false);
  assert.equal(deltaHealth({ status: { ...base, leader: false } }, now, 5000).healthy, true);
});

test('deltaMetricFamilies renders the recovery-point, segment, gap and restart series', () => {
  const text = renderMetrics(deltaMetricFamilies({ ...base, oldestPendingAt: now.getTime() - 3000 }, now));
  for (const line of ['kubekeeper_delta_leader 1', 'kubekeeper_delta_recovery_point_revision 100', 'kubekeeper_delta_recovery_point_lag_seconds 3', 'kubekeeper_delta_recovery_point_lag_revisions 30',
    'kubekeeper_delta_segments_written_total 7', 'kubekeeper_delta_gaps_total 1', 'kubekeeper_delta_stream_restarts_total 2']) {
    assert.match(text, new RegExp(`^${line}$`, 'm'));
  }
});
