/**
 * Node replacement against the local test API server (not a real kube-apiserver), through
 * KubeClient (@kubernetes/client-node) with a fake clock: the new node registers while we wait,
 * labels and taints are carried over by merge patch, the old Node is deleted with a UID
 * precondition, and an interrupted run resumes. Plus one run of the built CLI.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AbortedError } from '../../src/errors.js';
import { DEFAULT_DRAIN_OPTIONS, openKubeClient, replaceNode } from '../../src/k8s/index.js';
import type { ReplaceNodeOptions } from '../../src/k8s/index.js';
import { createFakeClock, makeNode, makePod } from '../../src/k8s/testing.js';
import { runKubekeeper } from '../support/cli.js';
import type { KubeApiServer } from '../support/kube-apiserver.js';
import { startKubeApiServer } from '../support/kube-apiserver.js';
import { tempDir } from '../support/temp.js';

let server: KubeApiServer;
before(async () => {
  server = await startKubeApiServer({ token: 'replace-token' });
});
after(() => server.close());

const dbTaint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };

async function fresh(t: Parameters<typeof tempDir>[0]) {
  for (const map of [server.store.nodes, server.store.pods, server.store.pdbs]) map.clear();
  server.requests.length = 0;
  server.intercept = undefined;
  const old = server.addNode(makeNode('db-old', { roles: ['worker'], labels: { pool: 'db', 'topology.kubernetes.io/zone': 'eu-1a' }, taints: [dbTaint] }));
  server.addNode(makeNode('web-1', { roles: ['worker'] }));
  server.addPod(makePod('db-0', { node: 'db-old', owner: 'StatefulSet/db', labels: { app: 'db' } }), { recreateOnNode: 'web-1' });
  server.addPdb('default', 'db-pdb', { app: 'db' }, { maxUnavailable: 1 });
  const dir = await tempDir(t);
  const kubeconfig = await server.writeKubeconfig(dir);
  const client = await openKubeClient({ kubeconfig, env: {} });
  const options: ReplaceNodeOptions = {
    oldNode: 'db-old', newNode: 'db-new', applyLabels: true, drain: DEFAULT_DRAIN_OPTIONS, readyTimeoutMs: 10 * 60_000,
    stateFile: path.join(dir, 'state', 'replace-db-old.json'), clock: createFakeClock(),
  };
  return { client, options, oldUid: old.metadata.uid as string, kubeconfig, dir };
}

/** The new node's kubelet registers on the `afterGets`-th look-up, unlabelled and cordoned. */
function registerNewNodeAfter(afterGets: number): void {
  let gets = 0;
  server.intercept = (req) => {
    if (req.method === 'GET' && req.path === '/api/v1/nodes/db-new' && ++gets === afterGets) {
      server.addNode(makeNode('db-new', { unschedulable: true }));
    }
    return undefined;
  };
}

test('replaceNode waits for the new node, carries labels and taints over, and deletes the old Node by UID', async (t) => {
  const { client, options, oldUid } = await fresh(t);
  registerNewNodeAfter(3);
  const state = await replaceNode(client, options);
  assert.ok(Object.values(state.steps).every((s) => s.status === 'done'), JSON.stringify(state.steps));
  const fresh1 = server.store.nodes.get('db-new');
  assert.equal(fresh1?.metadata.labels?.pool, 'db');
  assert.equal(fresh1?.metadata.labels?.['node-role.kubernetes.io/worker'], '');
  assert.equal(fresh1?.metadata.labels?.['topology.kubernetes.io/zone'], undefined, 'machine labels are not copied');
  assert.deepEqual(fresh1?.spec?.taints, [dbTaint]);
  assert.equal(fresh1?.spec?.unschedulable, undefined, 'uncordoned');
  const patch = server.requests.find((r) => r.method === 'PATCH' && r.path === '/api/v1/nodes/db-new' && r.contentType === 'application/merge-patch+json');
  assert.deepEqual(patch?.body, { metadata: { labels: { 'node-role.kubernetes.io/worker': '', pool: 'db' } }, spec: { taints: [dbTaint] } });
  const del = server.requests.find((r) => r.method === 'DELETE' && r.path === '/api/v1/nodes/db-old');
  assert.deepEqual(del?.body?.preconditions, { uid: oldUid });
  assert.ok(!server.store.nodes.has('db-old'));
  assert.equal(server.store.pods.get('default/db-0')?.spec?.nodeName, 'web-1', 'the StatefulSet pod moved through eviction');
});

test('replaceNode resumes after an interruption while waiting for the new node', async (t) => {
  const { client, options } = await fresh(t);
  const controller = new AbortController();
  let gets = 0;
  server.intercept = (req) => {
    if (req.method === 'GET' && req.path === '/api/v1/nodes/db-new' && ++gets === 2) controller.abort();
    return undefined;
  };
  await assert.rejects(replaceNode(client, { ...options, signal: controller.signal }), AbortedError);
  assert.equal(server.store.nodes.get('db-old')?.spec?.unschedulable, true);
  const evictions = server.requests.filter((r) => r.path.endsWith('/eviction')).length;
  registerNewNodeAfter(1);
  await replaceNode(client, options);
  assert.equal(server.requests.filter((r) => r.path.endsWith('/eviction')).length, evictions, 'not drained twice');
  assert.ok(!server.store.nodes.has('db-old'));
});

test('replaceNode keeps the old node when the new one never gets its labels', async (t) => {
  const { client, options } = await fresh(t);
  server.addNode(makeNode('db-new'));
  await assert.rejects(replaceNode(client, { ...options, applyLabels: false, readyTimeoutMs: 60_000 }),
    /Timed out after 1m0s waiting for node "db-new" to register Ready with the labels and taints of "db-old": missing labels node-role\.kubernetes\.io\/worker=, pool=db; taints dedicated=db:NoSchedule \(pass --apply-labels to copy them\)/);
  assert.ok(server.store.nodes.has('db-old'));
});

test('kubekeeper node replace runs the runbook and prints each step', async (t) => {
  const { kubeconfig, dir } = await fresh(t);
  server.addNode(makeNode('db-new'));
  server.store.podBehaviour.set('default/db-0', { recreateOnNode: 'web-1', terminatingReads: 0 });
  const r = await runKubekeeper(['node', 'replace', 'db-old', '--new', 'db-new', '--apply-labels', '--kubeconfig', kubeconfig, '--state-dir', path.join(dir, 'cli-state')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, [
    '==> Cordon old node "db-old"', '    done: cordoned',
    // The drain step checks the cordon again (a resumed run may find the node uncordoned).
    '==> Drain old node "db-old"', 'node/db-old already cordoned', 'evicting pod default/db-0', 'pod/db-0 evicted', 'node/db-old drained', '    done: 1 pod(s) evicted',
    '==> Wait for new node "db-new" to be Ready', '    done: Ready',
    '==> Carry labels and taints over to "db-new"', '    done: applied labels node-role.kubernetes.io/worker=, pool=db; taints dedicated=db:NoSchedule',
    '==> Uncordon new node "db-new"', '    done: already uncordoned',
    '==> Delete the Node object "db-old"', '    done: deleted',
    `All steps done (state in ${path.join(dir, 'cli-state', 'replace-db-old.json')})`, '',
  ].join('\n'));
});
