/**
 * drainNode against FakeCluster with a fake clock: the eviction loop, waiting, the delete path,
 * dry run and timeouts (spec §8 scenarios 1-3, 13-23). No test waits real seconds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortedError } from '../../errors.js';
import { apiError, createFakeClock, FakeCluster, makeNode, makePod, pdbRefusal } from '../testing.js';
import type { DrainEvent } from './drain-api.js';
import type { DrainOptions } from './drain-options.js';
import { DEFAULT_DRAIN_OPTIONS } from './drain-options.js';
import { drainFailedError, drainNode } from './drain-node.js';

function setup(pods = [makePod('web-1'), makePod('web-2')], nodeSpec = {}) {
  const cluster = new FakeCluster({ nodes: [makeNode('node-1', nodeSpec)], pods });
  const clock = createFakeClock();
  const events: DrainEvent[] = [];
  const run = (options: Partial<DrainOptions> = {}, extra: { dryRun?: boolean; signal?: AbortSignal } = {}) =>
    drainNode(cluster, 'node-1', { ...DEFAULT_DRAIN_OPTIONS, ...options }, { clock, onEvent: (e) => events.push(e), ...extra });
  return { cluster, clock, events, run };
}

const ofType = <T extends DrainEvent['type']>(events: DrainEvent[], type: T) => events.filter((e): e is Extract<DrainEvent, { type: T }> => e.type === type);

test('drainNode cordons with one request and drains every pod when nothing blocks', async () => {
  const { cluster, events, run } = setup();
  const result = await run();
  assert.equal(result.drained, true);
  assert.equal(cluster.calls.filter((c) => c.startsWith('cordon')).length, 1);
  assert.deepEqual(ofType(events, 'gone').map((e) => e.pod), ['default/web-1', 'default/web-2']);
  assert.equal(cluster.pods.size, 0);
});

test('drainNode sends no cordon request when the node is already cordoned', async () => {
  const { cluster, events, run } = setup(undefined, { unschedulable: true });
  await run();
  assert.equal(cluster.calls.filter((c) => c.startsWith('cordon')).length, 0);
  assert.equal(ofType(events, 'cordon')[0]?.result.outcome, 'already cordoned');
});

test('drainNode still evicts when the cordon request is forbidden', async () => {
  const { cluster, events, run } = setup();
  cluster.failures.set('cordon node-1', apiError(403, 'nodes "node-1" is forbidden: User "dev" cannot patch resource "nodes"'));
  const result = await run();
  assert.equal(ofType(events, 'cordon-failed').length, 1);
  assert.equal(result.drained, true);
  assert.ok(cluster.calls.some((c) => c.startsWith('evict default/web-1')));
});

test('drainNode retries a pod every 5 s while a budget answers 429 and re-reads it between attempts', async () => {
  const { cluster, clock, events, run } = setup([makePod('web-1')]);
  cluster.evictScript = (_pod, attempt) => (attempt <= 2 ? pdbRefusal('web-pdb') : undefined);
  const result = await run();
  assert.equal(result.drained, true);
  assert.equal(ofType(events, 'evicting').length, 3);
  const retries = ofType(events, 'evict-retry');
  assert.equal(retries.length, 2);
  assert.equal(retries[0]?.budget, 'default/web-pdb');
  assert.equal(retries[0]?.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.deepEqual(clock.sleeps.slice(0, 2), [5000, 5000]);
  const evicts = cluster.calls.map((c, i) => [c, i] as const).filter(([c]) => c.startsWith('evict'));
  for (let i = 1; i < evicts.length; i++) {
    const between = cluster.calls.slice((evicts[i - 1] as readonly [string, number])[1], (evicts[i] as readonly [string, number])[1]);
    assert.ok(between.includes('get pod default/web-1'), 'pod re-read between attempts');
  }
});

test('drainNode names the blocking budget and its pods when the timeout ends', async () => {
  const { cluster, run } = setup([makePod('web-1'), makePod('web-2'), makePod('api-1')]);
  cluster.evictScript = (pod) => (pod.metadata.name.startsWith('web') ? pdbRefusal('web-pdb', 2, 2) : undefined);
  const result = await run({ timeoutMs: 20_000 });
  assert.equal(result.drained, false);
  assert.deepEqual(result.blockedBy, [{ budget: 'default/web-pdb', detail: 'needs 2 healthy pods and has 2 currently', pods: ['default/web-1', 'default/web-2'] }]);
  assert.equal(result.failures[0]?.message, 'error when evicting pods/"web-1" -n "default": global timeout reached: 20s');
  assert.deepEqual(result.pending, ['default/web-1', 'default/web-2']);
  const error = drainFailedError(result, 20_000);
  assert.match(error.message, /PodDisruptionBudget "default\/web-pdb" \(needs 2 healthy pods and has 2 currently\) still blocks eviction of default\/web-1, default\/web-2 after 20s/);
});

test('drainNode fails only the pod whose eviction answers 500 and drains the others', async () => {
  const { cluster, run } = setup();
  cluster.evictScript = (pod) => (pod.metadata.name === 'web-1' ? apiError(500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.') : undefined);
  const result = await run();
  assert.equal(result.drained, false);
  assert.deepEqual(result.failures.map((f) => f.pod), ['default/web-1']);
  assert.match(result.error ?? '', /more than one PodDisruptionBudget/);
  assert.equal(cluster.calls.filter((c) => c.startsWith('evict default/web-1')).length, 1, 'no retry');
  assert.ok(!cluster.pods.has('default/web-2'));
});

test('drainNode counts a 404 eviction as done without waiting', async () => {
  const { cluster, events, run } = setup([makePod('web-1')]);
  cluster.evictScript = () => apiError(404, 'pods "web-1" not found');
  const result = await run();
  assert.equal(result.drained, true);
  assert.equal(cluster.calls.filter((c) => c.startsWith('get pod')).length, 0);
  assert.equal(ofType(events, 'gone').length, 1);
});

test('drainNode retries NamespaceTerminating refusals and waits once the pod is terminating', async () => {
  const terminating = apiError(403, 'forbidden: namespace is being terminated', { details: { causes: [{ reason: 'NamespaceTerminating' }] } });
  const pod = makePod('web-1');
  const { cluster, run } = setup([pod]);
  cluster.evictScript = (p, attempt) => (attempt <= 2 ? terminating : undefined);
  // The re-read after the first refusal shows the pod terminating: the loop stops evicting and waits.
  cluster.getPodScript = (_key, call) => (call === 1 ? { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2024-05-01T12:00:30Z' } } : 'gone');
  const result = await run();
  assert.equal(result.drained, true);
  assert.equal(cluster.calls.filter((c) => c.startsWith('evict')).length, 2);
});

test('drainNode waits while the pod keeps its UID and stops at once for a new UID', async () => {
  const pod = makePod('db-0', { owner: 'StatefulSet/db' });
  const { cluster, run } = setup([pod]);
  cluster.evictScript = () => undefined;
  cluster.getPodScript = (_key, call) => (call <= 3 ? pod : 'gone');
  assert.equal((await run()).drained, true);
  assert.equal(cluster.calls.filter((c) => c === 'get pod default/db-0').length, 4);

  const second = setup([pod]);
  second.cluster.getPodScript = () => ({ ...pod, metadata: { ...pod.metadata, uid: 'recreated' } });
  assert.equal((await second.run()).drained, true);
  assert.equal(second.cluster.calls.filter((c) => c === 'get pod default/db-0').length, 1);
});

test('drainNode reports the wait error when the timeout ends while a pod is terminating', async () => {
  const pod = makePod('slow');
  const { cluster, run } = setup([pod]);
  cluster.getPodScript = () => pod;
  const result = await run({ timeoutMs: 3_000 });
  assert.equal(result.failures[0]?.message, 'error when waiting for pod "slow" in namespace "default" to terminate: context deadline exceeded');
  assert.deepEqual(result.blockedBy, []);
});

test('drainNode deletes pods one by one with --disable-eviction, ignores 404 and sends the grace period', async () => {
  const { cluster, run } = setup([makePod('a'), makePod('b'), makePod('c')]);
  // b vanished between list and delete: the DELETE answers 404 and the wait finds it gone.
  cluster.failures.set('delete default/b grace=0', apiError(404, 'pods "b" not found'));
  cluster.getPodScript = (key) => (key === 'default/b' ? 'gone' : undefined);
  const result = await run({ disableEviction: true, gracePeriodSeconds: 0 });
  assert.equal(result.drained, true);
  assert.deepEqual(cluster.calls.filter((c) => c.startsWith('delete ')), ['delete default/a grace=0', 'delete default/b grace=0', 'delete default/c grace=0']);
  assert.ok(!cluster.calls.includes('discovery'), 'no discovery with --disable-eviction');

  const omitted = setup([makePod('a')]);
  await omitted.run({ disableEviction: true });
  assert.deepEqual(omitted.cluster.calls.filter((c) => c.startsWith('delete ')), ['delete default/a']);
});

test('drainNode reports kubectl\'s bare wait error once when the timeout ends after --disable-eviction deletes', async () => {
  const slow = [makePod('a'), makePod('b')];
  const { cluster, run } = setup(slow);
  cluster.getPodScript = (key) => slow.find((p) => `default/${p.metadata.name}` === key);
  const result = await run({ disableEviction: true, timeoutMs: 3_000 });
  assert.equal(result.drained, false);
  assert.deepEqual(result.failures.map((f) => f.pod), ['default/a', 'default/b']);
  // kubectl's deletePods returns wait.PollUntilContextTimeout's ctx.Err(), not one wrapped error per pod.
  assert.equal(result.error, 'context deadline exceeded');
});

test('drainNode stops deleting at the first delete error other than 404', async () => {
  const { cluster, run } = setup([makePod('a'), makePod('b'), makePod('c')]);
  cluster.failures.set('delete default/b', apiError(403, 'pods "b" is forbidden'));
  const result = await run({ disableEviction: true });
  assert.equal(result.drained, false);
  assert.deepEqual(cluster.calls.filter((c) => c.startsWith('delete ')), ['delete default/a', 'delete default/b']);
  assert.equal(result.failures[0]?.message, 'pods "b" is forbidden');
});

test('drainNode deletes when discovery serves no eviction and sends policy/v1beta1 when only that is served', async () => {
  const none = setup([makePod('a')]);
  none.cluster.evictionGroupVersion = undefined;
  await none.run();
  assert.ok(none.cluster.calls.includes('delete default/a'));
  const beta = setup([makePod('a')]);
  beta.cluster.evictionGroupVersion = 'policy/v1beta1';
  await beta.run();
  assert.ok(beta.cluster.calls.includes('evict default/a policy/v1beta1'));
});

test('drainNode sends no mutating request in dry run', async () => {
  const { cluster, events, run } = setup();
  const result = await run({}, { dryRun: true });
  assert.equal(result.drained, true);
  assert.ok(cluster.calls.every((c) => !/^(cordon|evict|delete)/.test(c)), cluster.calls.join(', '));
  assert.deepEqual(ofType(events, 'evicting').map((e) => [e.pod, e.dryRun]), [['default/web-1', true], ['default/web-2', true]]);
  assert.equal(cluster.pods.size, 2);
});

test('drainNode evicts nothing when a filter refuses a pod', async () => {
  const { cluster, run } = setup([makePod('web-1'), makePod('bare', { owner: 'none' })]);
  const result = await run();
  assert.equal(result.drained, false);
  assert.equal(result.error, 'cannot delete Pods that declare no controller (use --force to override): default/bare');
  assert.ok(!cluster.calls.some((c) => c.startsWith('evict')));
});

test('drainNode issues every eviction before the first one completes', async () => {
  const { cluster, run } = setup([makePod('a'), makePod('b'), makePod('c')]);
  await run();
  const firstGet = cluster.calls.findIndex((c) => c.startsWith('get pod'));
  const evicts = cluster.calls.map((c, i) => (c.startsWith('evict') ? i : -1)).filter((i) => i >= 0);
  assert.equal(evicts.length, 3);
  assert.ok(evicts.every((i) => i < firstGet));
});

test('drainNode stops with AbortedError when interrupted during a 429 retry', async () => {
  const { cluster, run } = setup([makePod('web-1')]);
  const controller = new AbortController();
  cluster.evictScript = () => {
    controller.abort();
    return pdbRefusal('web-pdb');
  };
  await assert.rejects(run({}, { signal: controller.signal }), AbortedError);
});
