import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { sampleApp, sampleBase, sampleUid } from '../../src/inspect/index.js';
import { runKubekeeper } from '../support/cli.js';
import { etcdctlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { etcdctlPut, putEntries } from '../support/etcd-put.js';

let etcd: EtcdProcess;
let dir: string;
let snapA: string;
let snapB: string;

// One etcd for the file: nginx + base objects -> snapshot A; then mongo added, a pod deleted,
// a ConfigMap overwritten, a non-Kubernetes key written -> snapshot B.
before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kk-inspect-'));
  etcd = await startEtcd();
  await putEntries(etcd, [...sampleBase(), ...sampleApp({ name: 'nginx', image: 'nginx:1.25', replicas: 2 })]);
  await etcdctlPut(etcd, '/registry/ranges/serviceips', new TextEncoder().encode('raw-range-allocation'));
  await etcdctlPut(etcd, '/app/config/feature-x', new TextEncoder().encode('on'));
  snapA = path.join(dir, 'a.db');
  await etcdctlOk(etcd, ['snapshot', 'save', snapA]);
  await putEntries(etcd, sampleApp({ name: 'mongo', image: 'mongo:7', replicas: 1, port: 27017 }));
  const nginxPod = sampleApp({ name: 'nginx', image: 'nginx:1.25', replicas: 2 }).find((e) => e.key.includes('/pods/'));
  assert.ok(nginxPod);
  await etcdctlOk(etcd, ['del', nginxPod.key]);
  const cm = sampleApp({ name: 'nginx', image: 'nginx:1.26', replicas: 2 }).find((e) => e.key.includes('/configmaps/'));
  assert.ok(cm);
  // Overwritten with a value truncated by one byte: a changed object that no longer decodes.
  await etcdctlPut(etcd, cm.key, cm.value.subarray(0, cm.value.length - 1));
  snapB = path.join(dir, 'b.db');
  await etcdctlOk(etcd, ['snapshot', 'save', snapB]);
});
after(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('snapshot ls lists every sample object with kind, uid and mod revision', async () => {
  const r = await runKubekeeper(['snapshot', 'ls', snapA, '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const objects = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  const names = objects.map((o) => `${o.resource}/${o.namespace ?? ''}/${o.name}`);
  assert.ok(names.includes('deployments/default/nginx'));
  assert.ok(names.includes('crontabs/default/nightly-report'));
  assert.ok(names.includes('namespaces//kube-system'));
  assert.ok(!names.some((n) => n.includes('feature-x')), 'non-registry keys are not objects');
  const dep = objects.find((o) => o.resource === 'deployments');
  assert.equal(dep?.kind, 'Deployment');
  assert.equal(dep?.apiVersion, 'apps/v1');
  assert.equal(dep?.uid, sampleUid('Deployment', 'default', 'nginx'));
  assert.equal(typeof dep?.modRevision, 'number');
  const encrypted = objects.find((o) => o.name === 'encryption-demo');
  assert.deepEqual(encrypted?.encryption, { provider: 'aescbc', keyName: 'key1' });
  // 2 namespaces + secret + event + crontab + encrypted secret + range + nginx (dep, rs, 2 pods, svc, cm)
  assert.equal(objects.length, 13);
});

test('snapshot ls filters by resource alias and namespace, and counts with --summary', async () => {
  const pods = JSON.parse((await runKubekeeper(['snapshot', 'ls', snapA, '--resource', 'po', '-n', 'default', '-w', 'json'])).stdout) as unknown[];
  assert.equal(pods.length, 2);
  const r = await runKubekeeper(['snapshot', 'ls', snapB, '--summary', '-w', 'json']);
  const counts = Object.fromEntries((JSON.parse(r.stdout) as Array<{ resource: string; count: number }>).map((c) => [c.resource, c.count]));
  assert.equal(counts.deployments, 2);
  assert.equal(counts.pods, 2, 'one nginx pod deleted, one mongo pod added');
  const table = await runKubekeeper(['snapshot', 'ls', snapA, '--resource', 'deployments']);
  assert.match(table.stdout, /\| deployments \| default +\| nginx +\| Deployment apps\/v1 \|/);
});

test('snapshot get decodes a Deployment to YAML with metadata and resourceVersion', async () => {
  const r = await runKubekeeper(['snapshot', 'get', snapA, 'deploy', 'default/nginx']);
  assert.equal(r.code, 0, r.stderr);
  const doc = parse(r.stdout) as { kind: string; metadata: { name: string; labels: Record<string, string>; resourceVersion: string }; spec: { replicas: number } };
  assert.equal(doc.kind, 'Deployment');
  assert.equal(doc.metadata.name, 'nginx');
  assert.equal(doc.metadata.labels.app, 'nginx');
  assert.match(doc.metadata.resourceVersion, /^\d+$/);
  assert.equal(doc.spec.replicas, 2, 'spec decoded by field name');
});

test('snapshot get shows a JSON custom resource as stored and an encrypted Secret as encrypted', async () => {
  const cr = JSON.parse((await runKubekeeper(['snapshot', 'get', snapA, 'crontabs.stable.example.com', 'default/nightly-report', '-w', 'json'])).stdout);
  assert.equal(cr.spec.cronSpec, '0 2 * * *');
  const enc = parse((await runKubekeeper(['snapshot', 'get', snapA, 'secret', 'encryption-demo', '-n', 'kube-system'])).stdout);
  assert.equal(enc.kubekeeper.encoding, 'encrypted');
  assert.equal(enc.kubekeeper.provider, 'aescbc');
  assert.equal(enc.data, undefined);
});

test('snapshot get fails with a hint for a deleted object and shows the latest state of an overwritten one', async () => {
  const nginxPod = sampleApp({ name: 'nginx', image: 'nginx:1.25', replicas: 2 }).find((e) => e.key.includes('/pods/'));
  const podName = nginxPod?.key.split('/').pop() as string;
  const gone = await runKubekeeper(['snapshot', 'get', snapB, 'pods', `default/${podName}`]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No live object at/);
  assert.match(gone.stderr, /Hint: /);
  const present = await runKubekeeper(['snapshot', 'get', snapA, 'pods', `default/${podName}`]);
  assert.equal(present.code, 0);
  const cm = parse((await runKubekeeper(['snapshot', 'get', snapB, 'cm', 'default/nginx-config'])).stdout);
  assert.equal(cm.kubekeeper.encoding, 'corrupt', 'the overwritten value was truncated by one byte: reported, not crashed');
});

test('snapshot diff shows mongo added, the nginx pod removed and the ConfigMap changed', async () => {
  const r = await runKubekeeper(['snapshot', 'diff', snapA, snapB]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\+ deployments default\/mongo$/m);
  assert.match(r.stdout, /^- pods default\/nginx-/m);
  assert.match(r.stdout, /^~ configmaps default\/nginx-config \(revision \d+ -> \d+\)$/m);
  assert.doesNotMatch(r.stdout, /deployments default\/nginx/);
  const json = JSON.parse((await runKubekeeper(['snapshot', 'diff', snapA, snapB, '-w', 'json'])).stdout) as Array<{ change: string }>;
  assert.equal(json.filter((c) => c.change === 'added').length, 5, 'mongo: deployment, replicaset, 1 pod, service, configmap');
  assert.equal(json.length, 7);
});

test('snapshot keys lists live keys with a prefix, including non-Kubernetes keys', async () => {
  const r = await runKubekeeper(['snapshot', 'keys', snapA, '--prefix', '/app/']);
  assert.equal(r.stdout, '/app/config/feature-x\n');
  const live = await etcdctlOk(etcd, ['get', '--prefix', '/registry/pods/', '--keys-only']);
  const ours = await runKubekeeper(['snapshot', 'keys', snapB, '--prefix', '/registry/pods/']);
  assert.deepEqual(ours.stdout.trim().split('\n'), live.split('\n').filter((l) => l.length > 0));
});

test('snapshot diff against the live etcd shows what changed since the snapshot', async () => {
  const r = await runKubekeeper(['snapshot', 'diff', snapA, ...etcd.clientFlags]);
  assert.equal(r.code, 0, r.stderr);
  const offline = await runKubekeeper(['snapshot', 'diff', snapA, snapB]);
  assert.equal(r.stdout, offline.stdout, 'nothing was written after snapshot B');
});

test('prefixEnd computes etcdctl --prefix range ends', async () => {
  const { prefixEnd } = await import('../../src/inspect/index.js');
  assert.deepEqual([...prefixEnd(new TextEncoder().encode('/a'))], [0x2f, 0x62]);
  assert.deepEqual([...prefixEnd(Uint8Array.of(0x61, 0xff))], [0x62]);
  assert.deepEqual([...prefixEnd(Uint8Array.of(0xff))], [0]);
});
