import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeApiError, KubeUnreachableError, type Lease, type LeaseApi } from '../k8s/index.js';
import { observeLeaseApi, operatorHealth, operatorReadiness } from './operator-health.js';
import { createOperatorState } from './operator-state.js';

const t0 = new Date('2026-12-06T05:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

test('operatorHealth fails once the API server has not answered for longer than the timeout, and recovers with the next answer', () => {
  const state = createOperatorState(t0);
  assert.equal(operatorHealth(state, at(10), 30_000).healthy, true, 'grace from the start');
  assert.equal(operatorHealth(state, at(31), 30_000).healthy, false);
  state.lastContactAt = at(40);
  assert.deepEqual(operatorHealth(state, at(60), 30_000), { healthy: true, reason: 'standing by: another replica holds the Lease' });
  const down = operatorHealth(state, at(71), 30_000);
  assert.equal(down.healthy, false);
  assert.match(down.reason, /^no answer from the API server for 31s \(limit 30s\)/);
});

test('operatorHealth fails for a leader whose policy watch is stuck although the Lease renews', () => {
  const state = createOperatorState(t0);
  Object.assign(state, { leading: true, leadingSince: at(0), lastContactAt: at(50), lastWatchAt: at(5) });
  const r = operatorHealth(state, at(50), 30_000);
  assert.deepEqual([r.healthy, r.reason], [false, 'leading, but the policy list/watch has not answered for 45s (limit 30s)']);
  state.lastWatchAt = at(49);
  assert.equal(operatorHealth(state, at(50), 30_000).healthy, true);
});

test('operatorReadiness: ready once the API server answered and, when leading, the policies are listed', () => {
  const state = createOperatorState(t0);
  assert.equal(operatorReadiness(state).healthy, false);
  state.lastContactAt = at(1);
  assert.equal(operatorReadiness(state).healthy, true);
  Object.assign(state, { leading: true, listed: false });
  assert.equal(operatorReadiness(state).healthy, false);
  state.listed = true;
  assert.equal(operatorReadiness(state).healthy, true);
});

test('observeLeaseApi counts answers, error statuses included, but not an unreachable server', async () => {
  let answers = 0;
  const api: LeaseApi = {
    getLease: () => Promise.resolve(undefined),
    createLease: () => Promise.reject(new KubeApiError('Cannot create Lease', 409, { message: 'exists' })),
    updateLease: () => Promise.reject(new KubeUnreachableError('Cannot update Lease', new Error('ECONNREFUSED'))),
  };
  const observed = observeLeaseApi(api, () => answers++);
  await observed.getLease('ns', 'l');
  await assert.rejects(observed.createLease({} as Lease), KubeApiError);
  await assert.rejects(observed.updateLease({} as Lease), KubeUnreachableError);
  assert.equal(answers, 2);
});
