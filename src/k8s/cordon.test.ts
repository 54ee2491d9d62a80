import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCordonResult, setNodeCordon } from './cordon.js';
import { FakeCluster, makeNode } from './testing.js';

test('setNodeCordon patches once and reports kubectl\'s words when the node changes', async () => {
  const cluster = new FakeCluster({ nodes: [makeNode('n1')] });
  const result = await setNodeCordon(cluster, 'n1', true);
  assert.equal(formatCordonResult(result), 'node/n1 cordoned');
  assert.deepEqual(cluster.calls, ['get node n1', 'cordon n1']);
  assert.equal(formatCordonResult(await setNodeCordon(cluster, 'n1', false)), 'node/n1 uncordoned');
});

test('setNodeCordon sends nothing when the node is already in the wanted state or in dry run', async () => {
  const cluster = new FakeCluster({ nodes: [makeNode('n1', { unschedulable: true }), makeNode('n2')] });
  assert.equal(formatCordonResult(await setNodeCordon(cluster, 'n1', true)), 'node/n1 already cordoned');
  assert.equal(formatCordonResult(await setNodeCordon(cluster, 'n2', false)), 'node/n2 already uncordoned');
  assert.equal(formatCordonResult(await setNodeCordon(cluster, 'n2', true, { dryRun: true })), 'node/n2 cordoned (dry run)');
  assert.deepEqual(cluster.calls.filter((c) => !c.startsWith('get')), []);
});
