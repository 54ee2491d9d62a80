import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOperatorState, countersOf, operatorMetricFamilies } from './operator-state.js';
import { deltaCondition } from './policy-deltas.js';

const status = { leader: true, storedRevision: 100, etcdRevision: 104, segmentsWritten: 3, gaps: 0, restarts: 1 };
const now = new Date('2026-12-06T05:00:00Z');

test('deltaCondition says Streaming with the recovery-point lag when this streamer leads', () => {
  const c = deltaCondition({ status: { ...status, oldestPendingAt: now.getTime() - 12_400 } }, 's3://b/f', now);
  assert.deepEqual([c.type, c.status, c.reason], ['ContinuousDeltas', 'True', 'Streaming']);
  assert.equal(c.message, 'Recovery point at revision 100 (etcd at 104): 12s and 4 revisions behind; 3 segments stored in s3://b/f');
});

test('deltaCondition says WaitingForElection when another streamer leads', () => {
  const c = deltaCondition({ status: { ...status, leader: false } }, '/r', now);
  assert.deepEqual([c.status, c.reason], ['False', 'WaitingForElection']);
});

test('deltaCondition says StreamFailed with the streamer\'s error while it keeps failing', () => {
  const c = deltaCondition({ status, failingSince: Date.parse('2026-12-06T04:59:00Z'), lastError: 'Cannot connect to etcd "127.0.0.1:1"' }, '/r', now);
  assert.deepEqual([c.status, c.reason, c.message], ['False', 'StreamFailed', 'The delta streamer keeps failing since 2026-12-06T04:59:00Z: Cannot connect to etcd "127.0.0.1:1"']);
});

test('operatorMetricFamilies labels the delta metrics by policy, only for policies that stream', () => {
  const state = createOperatorState(now);
  countersOf(state, 'ns/a').deltas = { status, done: Promise.resolve() };
  countersOf(state, 'ns/b');
  countersOf(state, 'ns/c').deltas = { status: { ...status, leader: false, storedRevision: 0 }, done: Promise.resolve() };
  const family = operatorMetricFamilies(state, now).find((f) => f.name === 'kubekeeper_delta_recovery_point_revision');
  assert.deepEqual(family?.samples, [{ labels: { namespace: 'ns', policy: 'a' }, value: 100 }, { labels: { namespace: 'ns', policy: 'c' }, value: 0 }]);
});

test('operatorMetricFamilies reports when the API server last answered', () => {
  const state = createOperatorState(now);
  state.lastContactAt = new Date('2026-12-06T05:00:10Z');
  const family = operatorMetricFamilies(state, now).find((f) => f.name === 'kubekeeper_operator_api_last_answer_timestamp_seconds');
  assert.deepEqual(family?.samples, [{ value: Date.parse('2026-12-06T05:00:10Z') / 1000 }]);
});
