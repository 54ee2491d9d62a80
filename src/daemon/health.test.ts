import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDaemonState, recordBackup } from './daemon-state.js';
import { checkHealth } from './health.js';

const start = new Date('2024-06-01T00:00:00Z');
const plus = (ms: number) => new Date(start.getTime() + ms);

test('checkHealth turns unhealthy when the newest good backup is older than the threshold', () => {
  const state = createDaemonState(start);
  recordBackup(state, { at: start, ok: true, durationMs: 1 });
  assert.equal(checkHealth(state, plus(60_000), 60_000).healthy, true);
  const stale = checkHealth(state, plus(60_001), 60_000);
  assert.equal(stale.healthy, false);
  assert.equal(stale.reason, 'newest good backup is 60s old, older than 60s');
  // A later failure does not make a fresh success stale, and a new success heals.
  recordBackup(state, { at: plus(70_000), ok: false, durationMs: 1, reason: 'x' });
  assert.equal(checkHealth(state, plus(70_000), 60_000).healthy, false);
  recordBackup(state, { at: plus(80_000), ok: true, durationMs: 1 });
  assert.equal(checkHealth(state, plus(80_000), 60_000).healthy, true);
});

test('checkHealth gives a daemon without any backup the threshold as grace from its start', () => {
  const state = createDaemonState(start);
  assert.equal(checkHealth(state, plus(30_000), 60_000).healthy, true);
  const late = checkHealth(state, plus(61_000), 60_000);
  assert.deepEqual([late.healthy, late.reason], [false, 'no good backup since the daemon started 61s ago (limit 60s)']);
});

test('checkHealth is not OK while the repository holds a backup dated after the host clock', () => {
  const state = createDaemonState(start);
  recordBackup(state, { at: start, ok: true, durationMs: 1 });
  state.futureDated = ['forged'];
  const report = checkHealth(state, plus(1000), 60_000);
  assert.equal(report.healthy, false);
  assert.match(report.reason, /dated after this host's clock .*forged/);
});
