/** replaceNode with fakes: the runbook order, labels and taints, resume, and the UID guard. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { AppError } from '../../errors.js';
import { tempDir } from '../../../test/support/temp.js';
import { DEFAULT_DRAIN_OPTIONS } from '../drain/drain-options.js';
import { apiError, createFakeClock, FakeCluster, makeNode, makePod } from '../testing.js';
import { carriedLabels, carriedTaints } from './plan-replacement.js';
import { replaceNode } from './replace-node.js';

const taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };

function setup(newSpec = {}) {
  const old = makeNode('old-1', { roles: ['worker'], labels: { 'topology.kubernetes.io/zone': 'a', pool: 'db' }, taints: [taint, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] });
  const cluster = new FakeCluster({ nodes: [old, makeNode('new-1', newSpec)], pods: [makePod('db-0', { node: 'old-1', owner: 'StatefulSet/db' })] });
  return { cluster, old };
}

test('carriedLabels and carriedTaints keep role facts and drop machine and controller ones', () => {
  const { old } = setup();
  assert.deepEqual(carriedLabels(old), { 'node-role.kubernetes.io/worker': '', pool: 'db' });
  assert.deepEqual(carriedTaints(old), [taint]);
});

test('replaceNode applies missing labels and taints when asked and deletes the old Node last', async (t) => {
  const { cluster } = setup({ unschedulable: true });
  const state = await replaceNode(cluster, { oldNode: 'old-1', newNode: 'new-1', applyLabels: true, drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 60_000, stateFile: path.join(await tempDir(t), 's.json'), clock: createFakeClock() });
  const mutating = cluster.calls.filter((c) => /^(cordon|uncordon|evict|patch|delete node)/.test(c));
  assert.deepEqual(mutating, ['cordon old-1', 'evict default/db-0 policy/v1', 'patch node new-1', 'uncordon new-1', 'delete node old-1']);
  const fresh = cluster.nodes.get('new-1');
  assert.equal(fresh?.metadata.labels?.pool, 'db');
  assert.equal(fresh?.metadata.labels?.['node-role.kubernetes.io/worker'], '');
  assert.deepEqual(fresh?.spec?.taints, [taint]);
  assert.equal(state.steps['delete-old']?.status, 'done');
  assert.ok(!cluster.nodes.has('old-1'));
});

test('replaceNode waits for the labels and names what is missing when not allowed to apply them', async (t) => {
  const { cluster } = setup();
  await assert.rejects(
    replaceNode(cluster, { oldNode: 'old-1', newNode: 'new-1', applyLabels: false, drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 20_000, stateFile: path.join(await tempDir(t), 's.json'), clock: createFakeClock() }),
    (err: AppError) => err.code === 'node-wait-timeout' && /missing labels node-role\.kubernetes\.io\/worker=, pool=db; taints dedicated=db:NoSchedule/.test(err.message),
  );
  assert.ok(cluster.nodes.has('old-1'), 'the old node is kept');
});

test('replaceNode resumes after a timeout once the new node registers, using the saved labels', async (t) => {
  const { cluster } = setup();
  const fresh = cluster.nodes.get('new-1');
  cluster.nodes.delete('new-1');
  const stateFile = path.join(await tempDir(t), 's.json');
  const options = { oldNode: 'old-1', newNode: 'new-1', applyLabels: true, drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 10_000, stateFile, clock: createFakeClock() };
  await assert.rejects(replaceNode(cluster, options), /not registered yet/);
  cluster.nodes.set('new-1', fresh!);
  const evicts = cluster.calls.filter((c) => c.startsWith('evict')).length;
  await replaceNode(cluster, options);
  assert.equal(cluster.calls.filter((c) => c.startsWith('evict')).length, evicts, 'old node not drained twice');
  assert.equal(cluster.nodes.get('new-1')?.metadata.labels?.pool, 'db');
  assert.ok(!cluster.nodes.has('old-1'));
});

test('replaceNode does not delete a node that re-registered under the old name', async (t) => {
  const { cluster } = setup({ unschedulable: true });
  const stateFile = path.join(await tempDir(t), 's.json');
  cluster.failures.set('uncordon new-1', apiError(500, 'etcdserver: request timed out'));
  const options = { oldNode: 'old-1', newNode: 'new-1', applyLabels: true, drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 60_000, stateFile, clock: createFakeClock() };
  await assert.rejects(replaceNode(cluster, options));
  cluster.failures.clear();
  cluster.nodes.set('old-1', makeNode('old-1'));
  await assert.rejects(replaceNode(cluster, options), /Precondition failed/);
  assert.ok(cluster.nodes.has('old-1'));
});
