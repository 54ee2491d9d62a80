/** drainNodes: several nodes as kubectl drains them (spec §8 scenarios 12 and 22). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFakeClock, FakeCluster, makeNode, makePod } from '../testing.js';
import type { DrainEvent } from './drain-api.js';
import { DEFAULT_DRAIN_OPTIONS } from './drain-options.js';
import { drainNode } from './drain-node.js';
import { drainNodes } from './drain-nodes.js';

test('drainNodes cordons every node first, drains them in order and lists the failed one as pending', async () => {
  const cluster = new FakeCluster({
    nodes: [makeNode('a'), makeNode('b'), makeNode('c')],
    pods: [makePod('web-a', { node: 'a' }), makePod('bare-b', { node: 'b', owner: 'none' }), makePod('web-c', { node: 'c' })],
  });
  const result = await drainNodes(cluster, ['a', 'b', 'c'], DEFAULT_DRAIN_OPTIONS, { clock: createFakeClock() });
  const cordons = cluster.calls.filter((c) => c.startsWith('cordon')).map((c) => cluster.calls.indexOf(c));
  const firstEvict = cluster.calls.findIndex((c) => c.startsWith('evict'));
  assert.deepEqual(cluster.calls.filter((c) => c.startsWith('cordon')), ['cordon a', 'cordon b', 'cordon c']);
  assert.ok(cordons.every((i) => i < firstEvict));
  assert.deepEqual(result.pendingNodes, ['b']);
  assert.deepEqual(result.results.map((r) => [r.node, r.drained]), [['a', true], ['b', false], ['c', true]]);
});

test('drainNodes reports a node that does not exist and drains the others', async () => {
  const cluster = new FakeCluster({ nodes: [makeNode('a')], pods: [makePod('web-a', { node: 'a' })] });
  const result = await drainNodes(cluster, ['ghost', 'a'], DEFAULT_DRAIN_OPTIONS, { clock: createFakeClock() });
  assert.deepEqual(result.errors.map((e) => e.node), ['ghost']);
  assert.match(result.errors[0]?.message ?? '', /nodes "ghost" not found/);
  assert.deepEqual(result.pendingNodes, ['ghost']);
  assert.equal(result.results[0]?.drained, true);
});

test('drainNode neither evicts nor waits for a pod terminating longer than --skip-wait-for-delete-timeout', async () => {
  const clock = createFakeClock(Date.parse('2024-05-01T12:00:00Z'));
  const stuck = makePod('stuck', { node: 'a', deletionTimestamp: '2024-05-01T11:58:00Z' });
  const slow = makePod('slow', { node: 'a' });
  const cluster = new FakeCluster({ nodes: [makeNode('a')], pods: [stuck, slow] });
  // The evicted pod lingers terminating; after 40 s (fake) its deletionTimestamp is old enough to skip.
  cluster.getPodScript = (key) => (key === 'default/slow' ? { ...slow, metadata: { ...slow.metadata, deletionTimestamp: '2024-05-01T12:00:00Z' } } : undefined);
  const events: DrainEvent[] = [];
  const result = await drainNode(cluster, 'a', { ...DEFAULT_DRAIN_OPTIONS, skipWaitForDeleteTimeoutSeconds: 30 }, { clock, onEvent: (e) => events.push(e) });
  assert.equal(result.drained, true);
  assert.ok(!cluster.calls.some((c) => c.startsWith('evict default/stuck')));
  assert.deepEqual(events.filter((e) => e.type === 'skip-wait').map((e) => (e as { pod: string }).pod), ['default/slow']);
  assert.ok(clock.now() - Date.parse('2024-05-01T12:00:00Z') > 30_000);
});
