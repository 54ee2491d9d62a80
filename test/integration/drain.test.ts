/**
 * Drain against the local test API server (test/support/kube-apiserver.ts, NOT a real
 * kube-apiserver), driven through KubeClient, i.e. @kubernetes/client-node over HTTPS as users
 * run it, with a fake clock so 5 s retries take no time. Covers a PodDisruptionBudget that
 * blocks and later allows, DaemonSet and emptyDir pods with and without the flags, the timeout
 * naming the blocking budget, the wire format of cordon/eviction/delete, paging, and the CLI.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DrainEvent, DrainOptions } from '../../src/k8s/index.js';
import { DEFAULT_DRAIN_OPTIONS, drainFailedError, drainNode, openKubeClient } from '../../src/k8s/index.js';
import { createFakeClock, makeNode, makePod } from '../../src/k8s/testing.js';
import { runKubekeeper } from '../support/cli.js';
import type { KubeApiServer } from '../support/kube-apiserver.js';
import { startKubeApiServer } from '../support/kube-apiserver.js';
import { tempDir } from '../support/temp.js';

let server: KubeApiServer;
let kubeconfig: string;

before(async () => {
  server = await startKubeApiServer({ token: 'drain-test-token' });
});
after(() => server.close());

/** A fresh cluster per test: two workers, cleared request log. */
async function fresh(t: Parameters<typeof tempDir>[0]) {
  const { store } = server;
  for (const map of [store.nodes, store.pods, store.daemonSets, store.pdbs]) map.clear();
  store.podBehaviour.clear();
  server.requests.length = 0;
  server.intercept = undefined;
  server.onEviction = undefined;
  server.addNode(makeNode('node-1', { roles: ['worker'] }));
  server.addNode(makeNode('node-2', { roles: ['worker'] }));
  kubeconfig = await server.writeKubeconfig(await tempDir(t));
  const client = await openKubeClient({ kubeconfig, env: {} });
  const clock = createFakeClock();
  const events: DrainEvent[] = [];
  const drain = (options: Partial<DrainOptions> = {}, dryRun = false) =>
    drainNode(client, 'node-1', { ...DEFAULT_DRAIN_OPTIONS, ...options }, { clock, dryRun, onEvent: (e) => events.push(e) });
  return { client, clock, events, drain };
}

const webPod = (name: string, node = 'node-1') => makePod(name, { node, owner: 'ReplicaSet/web-5d8f', labels: { app: 'web' } });
const requests = (method: string, pathPart: string) => server.requests.filter((r) => r.method === method && r.path.includes(pathPart));

test('drain retries a pod while its PodDisruptionBudget answers 429 and evicts it once the budget allows', async (t) => {
  const { clock, events, drain } = await fresh(t);
  server.addPod(webPod('web-1'));
  server.addPod(webPod('web-2', 'node-2'));
  server.addPdb('default', 'web-pdb', { app: 'web' }, { minAvailable: 2 });
  let refusals = 0;
  server.onEviction = (_pod, code) => {
    // After two refusals the operator scales the Deployment up: a third ready replica appears.
    if (code === 429 && ++refusals === 2) server.addPod(webPod('web-3', 'node-2'));
  };
  const result = await drain();
  assert.equal(result.drained, true);
  const codes = requests('POST', '/pods/web-1/eviction').length;
  assert.equal(codes, 3, 'two refused attempts, then the allowed one');
  assert.deepEqual(clock.sleeps.slice(0, 2), [5000, 5000]);
  const retries = events.filter((e): e is Extract<DrainEvent, { type: 'evict-retry' }> => e.type === 'evict-retry');
  assert.equal(retries.length, 2);
  assert.equal(retries[0]?.budget, 'default/web-pdb');
  assert.ok(!server.store.pods.has('default/web-1'));
  assert.ok(server.store.pods.has('default/web-2'), 'pods on other nodes are untouched');
  const body = requests('POST', '/eviction')[0]?.body;
  assert.deepEqual(body, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-1', namespace: 'default' }, deleteOptions: {} });
  // Re-read between attempts (kubectl >= 1.35), by name in the pod's namespace.
  assert.ok(requests('GET', '/api/v1/namespaces/default/pods/web-1').length >= 2);
});

test('drain stops at the timeout and names the blocking PodDisruptionBudget with the pods it holds', async (t) => {
  const { drain } = await fresh(t);
  server.addPod(webPod('web-1'));
  server.addPod(webPod('web-2'));
  server.addPod(makePod('api-1', { node: 'node-1' }));
  server.addPdb('default', 'web-pdb', { app: 'web' }, { minAvailable: 2 });
  const result = await drain({ timeoutMs: 60_000 });
  assert.equal(result.drained, false);
  assert.deepEqual(result.blockedBy, [{ budget: 'default/web-pdb', detail: 'needs 2 healthy pods and has 2 currently', pods: ['default/web-1', 'default/web-2'] }]);
  assert.deepEqual(result.pending, ['default/web-1', 'default/web-2']);
  assert.ok(!server.store.pods.has('default/api-1'), 'the unblocked pod was evicted');
  assert.ok(server.store.pods.has('default/web-1') && server.store.pods.has('default/web-2'), 'the budget was never bypassed');
  assert.equal(requests('DELETE', '/pods/').length, 0);
  assert.match(drainFailedError(result, 60_000).message, /PodDisruptionBudget "default\/web-pdb" \(needs 2 healthy pods and has 2 currently\) still blocks eviction of default\/web-1, default\/web-2 after 1m0s/);
  assert.equal(server.store.nodes.get('node-1')?.spec?.unschedulable, true, 'the node stays cordoned');
});

test('drain refuses DaemonSet and emptyDir pods without flags and handles them with the flags', async (t) => {
  const { events, drain } = await fresh(t);
  server.addDaemonSet('kube-system', 'kube-proxy');
  server.addPod(makePod('kube-proxy-x1', { node: 'node-1', namespace: 'kube-system', owner: 'DaemonSet/kube-proxy' }));
  server.addPod(makePod('cache-1', { node: 'node-1', owner: 'ReplicaSet/cache-77', emptyDir: true }));
  server.addPod(webPod('web-1'));
  const refused = await drain();
  assert.equal(refused.drained, false);
  // Groups follow the server's list order (default/cache-1 before kube-system/...).
  assert.equal(refused.error, '[cannot delete Pods with local storage (use --delete-emptydir-data to override): default/cache-1, cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/kube-proxy-x1]');
  assert.equal(requests('POST', '/eviction').length, 0, 'nothing is evicted while any pod is refused');

  const ok = await drain({ ignoreDaemonSets: true, deleteEmptyDirData: true });
  assert.equal(ok.drained, true);
  assert.ok(server.store.pods.has('kube-system/kube-proxy-x1'), 'DaemonSet pods stay');
  assert.ok(!server.store.pods.has('default/cache-1'));
  assert.ok(events.some((e) => e.type === 'warning' && e.text === 'ignoring DaemonSet-managed Pods: kube-system/kube-proxy-x1'));
  assert.ok(requests('GET', '/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy').length > 0, 'the DaemonSet is looked up');
});

test('drain evicts an orphaned DaemonSet pod only with --force', async (t) => {
  const { drain } = await fresh(t);
  server.addPod(makePod('agent-x', { node: 'node-1', owner: 'DaemonSet/removed-agent' }));
  const refused = await drain();
  assert.equal(refused.error, 'cannot delete daemonsets.apps "removed-agent" not found: default/agent-x');
  assert.equal((await drain({ force: true })).drained, true);
  assert.ok(!server.store.pods.has('default/agent-x'));
});

test('cordon sends one strategic-merge patch, none when already cordoned, and uncordon sends null', async (t) => {
  const { client } = await fresh(t);
  const { setNodeCordon } = await import('../../src/k8s/index.js');
  await setNodeCordon(client, 'node-1', true);
  await setNodeCordon(client, 'node-1', true);
  await setNodeCordon(client, 'node-1', false);
  const patches = requests('PATCH', '/api/v1/nodes/node-1');
  assert.deepEqual(patches.map((p) => [p.contentType, p.body]), [
    ['application/strategic-merge-patch+json', { spec: { unschedulable: true } }],
    ['application/strategic-merge-patch+json', { spec: { unschedulable: null } }],
  ]);
  assert.equal(server.store.nodes.get('node-1')?.spec?.unschedulable, undefined);
});

test('drain lists pods of the node by field selector in pages of 500', async (t) => {
  const { drain } = await fresh(t);
  for (let i = 0; i < 1001; i++) server.addPod(makePod(`p-${String(i).padStart(4, '0')}`, { node: 'node-1', owner: 'ReplicaSet/p' }), { terminatingReads: 0 });
  server.addPod(webPod('elsewhere', 'node-2'));
  const result = await drain({ podSelector: '' }, true);
  assert.equal(result.plan.evict.length, 1001);
  const lists = server.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/pods');
  assert.equal(lists.length, 3);
  assert.ok(lists.every((r) => r.query.get('fieldSelector') === 'spec.nodeName=node-1' && r.query.get('limit') === '500'));
  assert.equal(lists[0]?.query.get('continue'), null);
  assert.ok(lists[1]?.query.get('continue'));
});

test('drain applies --pod-selector on the server and leaves other pods', async (t) => {
  const { drain } = await fresh(t);
  server.addPod(webPod('web-1'));
  server.addPod(makePod('db-0', { node: 'node-1', owner: 'StatefulSet/db', labels: { app: 'db' } }));
  assert.equal((await drain({ podSelector: 'app=web' })).drained, true);
  assert.ok(server.store.pods.has('default/db-0'));
  assert.equal(requests('GET', '/api/v1/pods')[0]?.query.get('labelSelector'), 'app=web');
});

test('drain fails the pod selected by two budgets (500) and drains the others', async (t) => {
  const { drain } = await fresh(t);
  server.addPod(webPod('web-1'));
  server.addPod(webPod('web-2', 'node-2'));
  server.addPod(webPod('web-3', 'node-2'));
  server.addPod(makePod('api-1', { node: 'node-1' }));
  server.addPdb('default', 'web-a', { app: 'web' }, { maxUnavailable: 1 });
  server.addPdb('default', 'web-b', { app: 'web' }, { maxUnavailable: 1 });
  const result = await drain();
  assert.equal(result.drained, false);
  assert.equal(result.failures[0]?.message, 'error when evicting pods/"web-1" -n "default": This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  assert.equal(requests('POST', '/pods/web-1/eviction').length, 1, 'not retried');
  assert.ok(!server.store.pods.has('default/api-1'));
});

test('drain with --disable-eviction deletes with the grace period and waits until the pod is gone', async (t) => {
  const { drain } = await fresh(t);
  server.addPod(webPod('web-1'), { terminatingReads: 3 });
  server.addPdb('default', 'web-pdb', { app: 'web' }, { minAvailable: 1 });
  const result = await drain({ disableEviction: true, gracePeriodSeconds: 10 });
  assert.equal(result.drained, true);
  assert.equal(requests('POST', '/eviction').length, 0);
  const del = requests('DELETE', '/api/v1/namespaces/default/pods/web-1');
  assert.equal(del.length, 1);
  assert.equal(del[0]?.body?.gracePeriodSeconds, 10);
  assert.equal(requests('GET', '/api/v1/namespaces/default/pods/web-1').length, 4, 'three reads see it terminating, the fourth a 404');
});

test('drain treats a pod re-created under the same name with a new UID as gone', async (t) => {
  const { drain } = await fresh(t);
  server.addPod(makePod('db-0', { node: 'node-1', owner: 'StatefulSet/db' }), { recreateOnNode: 'node-2' });
  assert.equal((await drain()).drained, true);
  const again = server.store.pods.get('default/db-0');
  assert.equal(again?.spec?.nodeName, 'node-2');
});

test('drain in dry run sends no PATCH, POST or DELETE', async (t) => {
  const { drain } = await fresh(t);
  server.addPod(webPod('web-1'));
  const result = await drain({}, true);
  assert.equal(result.drained, true);
  assert.deepEqual(server.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`), []);
  assert.ok(server.store.pods.has('default/web-1'));
});

test('kubekeeper node drain prints kubectl\'s lines and exits 0 when the node drains', async (t) => {
  await fresh(t);
  server.addDaemonSet('kube-system', 'kube-proxy');
  server.addPod(makePod('kube-proxy-x1', { node: 'node-1', namespace: 'kube-system', owner: 'DaemonSet/kube-proxy' }));
  server.addPod(webPod('web-1'), { terminatingReads: 0 });
  const r = await runKubekeeper(['node', 'drain', 'node-1', '--kubeconfig', kubeconfig, '--ignore-daemonsets']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'node/node-1 cordoned\nevicting pod default/web-1\npod/web-1 evicted\nnode/node-1 drained\n');
  assert.equal(r.stderr, 'Warning: ignoring DaemonSet-managed Pods: kube-system/kube-proxy-x1\n');
});

test('kubekeeper node drain --dry-run prints the plan and exits 1 when pods are refused', async (t) => {
  await fresh(t);
  server.addPod(makePod('debug', { node: 'node-1', owner: 'none' }));
  server.addPod(webPod('web-1'));
  const r = await runKubekeeper(['node', 'drain', 'node-1', '--kubeconfig', kubeconfig, '--dry-run']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /node\/node-1 cordoned \(dry run\)/);
  assert.match(r.stdout, /Plan for node\/node-1: 1 pod\(s\) to evict through the Eviction API \(policy\/v1\); PodDisruptionBudgets apply, 0 skipped, 1 refused/);
  assert.match(r.stdout, /\| default\/debug \| refuse +\| declares no controller: nothing would recreate it \(use --force to override\)/);
  assert.match(r.stderr, /error: unable to drain node "node-1" due to error: cannot delete Pods that declare no controller \(use --force to override\): default\/debug, continuing command\.\.\./);
  assert.match(r.stderr, /There are pending nodes to be drained:\n node-1\n/);
  assert.equal(server.requests.filter((q) => q.method !== 'GET').length, 0);
});

test('kubekeeper node drain rejects a node name together with --selector and a bad --pod-selector', async (t) => {
  await fresh(t);
  const both = await runKubekeeper(['node', 'drain', 'node-1', '--selector', 'a=b', '--kubeconfig', kubeconfig]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /Cannot specify both a node name and a --selector option/);
  const worse = await runKubekeeper(['node', 'drain', 'node-1', '--pod-selector', 'a b', '--kubeconfig', kubeconfig]);
  assert.equal(worse.code, 2);
  assert.match(worse.stderr, /--pod-selector=a b must be a valid label selector/);
});

test('kubekeeper node cordon and uncordon report the change and KUBECONFIG is honoured', async (t) => {
  await fresh(t);
  const env = { KUBECONFIG: `/nonexistent/config:${kubeconfig}` };
  const c = await runKubekeeper(['node', 'cordon', 'node-2'], { env });
  assert.equal(c.stdout, 'node/node-2 cordoned\n', c.stderr);
  const u = await runKubekeeper(['node', 'uncordon', 'node-2'], { env });
  assert.equal(u.stdout, 'node/node-2 uncordoned\n');
  const missing = await runKubekeeper(['node', 'cordon', 'nope', '--kubeconfig', kubeconfig]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /error: unable to cordon node "nope": nodes "nope" not found/);
});

test('drain sends a policy/v1beta1 Eviction when discovery serves only that, and deletes when it serves none', async (t) => {
  const dir = await tempDir(t);
  for (const [served, expectPath] of [['policy/v1beta1', '/eviction'], [null, '/pods/web-1']] as const) {
    const old = await startKubeApiServer({ evictionVersion: served });
    try {
      old.addNode(makeNode('node-1'));
      old.addPod(webPod('web-1'), { terminatingReads: 0 });
      const client = await openKubeClient({ kubeconfig: await old.writeKubeconfig(dir), env: {} });
      const result = await drainNode(client, 'node-1', DEFAULT_DRAIN_OPTIONS, { clock: createFakeClock() });
      assert.equal(result.drained, true);
      const removal = old.requests.find((r) => (r.method === 'POST' || r.method === 'DELETE') && r.path.endsWith(expectPath));
      assert.ok(removal, `${served}: ${old.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      if (served) assert.equal(removal.body?.apiVersion, 'policy/v1beta1');
      else assert.equal(removal.method, 'DELETE');
    } finally {
      await old.close();
    }
  }
});
