/**
 * `health` against the local test API server (not a real kube-apiserver: none can be installed
 * here) and a real etcd on 127.0.0.1: a failing /readyz check is named, NotReady nodes and
 * missing control-plane static pods are problems, etcd members/leader/db size/alarms are read
 * through kubekeeper's etcd client, and the exit code is 3 when anything is unhealthy.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkClusterHealth, openKubeClient } from '../../src/k8s/index.js';
import type { HealthReport } from '../../src/k8s/index.js';
import { makeNode, makePod } from '../../src/k8s/testing.js';
import { runKubekeeper } from '../support/cli.js';
import type { EtcdProcess } from '../support/etcd.js';
import { freePort, startEtcd } from '../support/etcd.js';
import type { KubeApiServer } from '../support/kube-apiserver.js';
import { startKubeApiServer } from '../support/kube-apiserver.js';
import { tempDir } from '../support/temp.js';

let server: KubeApiServer;
let etcd: EtcdProcess;

before(async () => {
  [server, etcd] = await Promise.all([startKubeApiServer({ token: 'health-token' }), startEtcd({ name: 'cp1' })]);
});
after(async () => {
  await Promise.all([server.close(), etcd.stop()]);
});

const staticPod = (component: string, node: string, ready = true) => makePod(`${component}-${node}`, {
  namespace: 'kube-system', node, mirror: true, owner: `Node/${node}`, ownerApiVersion: 'v1', ready,
  labels: { component, tier: 'control-plane' }, image: `registry.k8s.io/${component}:v1.29.3`,
});

async function fresh(t: Parameters<typeof tempDir>[0]): Promise<string> {
  for (const map of [server.store.nodes, server.store.pods]) map.clear();
  server.failingChecks.clear();
  server.addNode(makeNode('cp1', { roles: ['control-plane'] }));
  server.addNode(makeNode('w1'));
  for (const c of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd']) server.addPod(staticPod(c, 'cp1'));
  return server.writeKubeconfig(await tempDir(t));
}

test('kubekeeper health exits 0 and shows every section when the cluster and etcd are healthy', async (t) => {
  const kubeconfig = await fresh(t);
  const r = await runKubekeeper(['health', '--kubeconfig', kubeconfig, '--etcd-endpoints', etcd.clientUrl]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\/livez {2}ok \(5 checks passed\)/);
  assert.match(r.stdout, /\/readyz ok \(8 checks passed\)/);
  assert.match(r.stdout, /Nodes \(2\/2 Ready\)/);
  assert.match(r.stdout, /\| cp1 +\| kube-scheduler +\| kube-scheduler-cp1 +\| Running \| true/);
  assert.match(r.stdout, new RegExp(`\\| +${etcd.clientUrl.replace(/[.:/]/g, '\\$&')} \\| +cp1 \\| +true \\|`));
  assert.match(r.stdout, /members: 1, leader [0-9a-f]+, alarms: none/);
  assert.match(r.stdout, /Cluster is healthy\n$/);
});

test('kubekeeper health names the failed /readyz check and exits 3', async (t) => {
  const kubeconfig = await fresh(t);
  server.failingChecks.add('etcd-readiness');
  const text = await runKubekeeper(['health', '--kubeconfig', kubeconfig]);
  assert.equal(text.code, 3);
  assert.match(text.stdout, /\/readyz FAILED \(HTTP 500\): \[-\]etcd-readiness/);
  assert.match(text.stdout, /- API server \/readyz is not healthy \(failed checks: etcd-readiness\)/);
  assert.match(text.stdout, /Note: etcd not checked: no --etcd-endpoints given/);
  const json = await runKubekeeper(['health', '--kubeconfig', kubeconfig, '-w', 'json']);
  assert.equal(json.code, 3);
  const report = JSON.parse(json.stdout) as HealthReport;
  assert.deepEqual(report.apiserver.map((a) => [a.endpoint, a.healthy, a.failed]), [['livez', true, []], ['readyz', false, ['etcd-readiness']]]);
  assert.equal(report.healthy, false);
});

test('checkClusterHealth reports a NotReady node and a control-plane pod that is missing or not Ready', async (t) => {
  const kubeconfig = await fresh(t);
  server.store.nodes.clear();
  server.addNode(makeNode('cp1', { roles: ['control-plane'] }));
  server.addNode(makeNode('w1', { ready: false }));
  server.store.pods.delete('kube-system/kube-scheduler-cp1');
  server.store.pods.delete('kube-system/kube-controller-manager-cp1');
  server.addPod(staticPod('kube-controller-manager', 'cp1', false));
  const report = await checkClusterHealth(await openKubeClient({ kubeconfig, env: {} }));
  assert.equal(report.healthy, false);
  assert.deepEqual(report.problems, [
    'node "w1" is not Ready (KubeletNotReady)',
    'kube-controller-manager on node "cp1" is Running but not Ready (pod kube-controller-manager-cp1)',
    'kube-scheduler static pod is missing on node "cp1"',
  ]);
  const listed = server.requests.filter((r) => r.path === '/api/v1/namespaces/kube-system/pods').at(-1);
  assert.equal(listed?.query.get('labelSelector'), 'tier=control-plane');
});

test('kubekeeper health reports an unreachable etcd endpoint as unhealthy', async (t) => {
  const kubeconfig = await fresh(t);
  const r = await runKubekeeper(['health', '--kubeconfig', kubeconfig, '--etcd-endpoints', `http://127.0.0.1:${await freePort()}`, '--etcd-dial-timeout', '500ms', '-w', 'json']);
  assert.equal(r.code, 3, r.stderr);
  const report = JSON.parse(r.stdout) as HealthReport;
  assert.equal(report.etcd?.endpoints[0]?.healthy, false);
  assert.ok(report.problems.some((p) => p.startsWith('cannot list etcd members')), report.problems.join('\n'));
  assert.ok(report.problems.some((p) => /^etcd endpoint http:\/\/127\.0\.0\.1:\d+ is unhealthy/.test(p)), report.problems.join('\n'));
});

test('kubekeeper health fails with a hint when the context does not exist', async (t) => {
  const kubeconfig = await fresh(t);
  const r = await runKubekeeper(['health', '--kubeconfig', kubeconfig, '--context', 'prod']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error: Context "prod" does not exist in the kubeconfig\nHint: Use one of: test\n');
});
