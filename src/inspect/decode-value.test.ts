import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter } from '../protobuf/index.js';
import { decodeValue } from './decode-value.js';
import { encodeObject } from './encode-object.js';
import { sampleApp, sampleBase, sampleUid } from './sample-cluster.js';

const byKey = (entries: ReturnType<typeof sampleApp>, part: string) => {
  const e = entries.find((x) => x.key.includes(part));
  assert.ok(e, `no sample key containing ${part}`);
  return decodeValue(e.value);
};

test('decodeValue decodes a protobuf Deployment envelope and its ObjectMeta exactly', () => {
  const d = byKey(sampleApp({ name: 'nginx', image: 'nginx:1.25', replicas: 3 }), '/deployments/');
  assert.equal(d.encoding, 'protobuf');
  if (d.encoding !== 'protobuf') return;
  assert.equal(d.apiVersion, 'apps/v1');
  assert.equal(d.kind, 'Deployment');
  assert.deepEqual(d.metadata, {
    name: 'nginx', namespace: 'default', uid: sampleUid('Deployment', 'default', 'nginx'), generation: 1,
    creationTimestamp: '2026-01-15T09:30:00Z', labels: { app: 'nginx' }, annotations: { 'deployment.kubernetes.io/revision': '1' },
  });
  assert.equal(d.known, true);
  const spec = d.body.spec as { replicas: number; template: { metadata: Record<string, unknown>; spec: { containers: Array<Record<string, unknown>> } } };
  assert.equal(spec.replicas, 3);
  assert.deepEqual(spec.template.metadata, { labels: { app: 'nginx' } }, 'no zero creationTimestamp (omitzero)');
  assert.deepEqual(spec.template.spec.containers[0], { name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {}, imagePullPolicy: 'IfNotPresent' });
});

test('decodeValue keeps field numbers for a kind the schema table does not know', () => {
  const value = encodeObject('example.com/v1', 'Widget', { name: 'w' }, (w: ProtoWriter) => w.bytes(2, new ProtoWriter().varint(1, 7).finish()));
  const d = decodeValue(value);
  assert.ok(d.encoding === 'protobuf' && !d.known);
  if (d.encoding === 'protobuf') assert.deepEqual(d.body, { 2: { 1: 7 } });
});

test('decodeValue follows owner references from Pod to ReplicaSet', () => {
  const entries = sampleApp({ name: 'web', image: 'nginx:1.25' });
  const pod = byKey(entries, '/pods/');
  assert.equal(pod.encoding, 'protobuf');
  if (pod.encoding !== 'protobuf') return;
  const owner = pod.metadata.ownerReferences?.[0];
  assert.equal(owner?.kind, 'ReplicaSet');
  assert.equal(owner?.controller, true);
  const rs = byKey(entries, '/replicasets/');
  assert.ok(rs.encoding === 'protobuf' && rs.metadata.uid === owner?.uid);
});

test('decodeValue shows ConfigMap data and base64 Secret data by name', () => {
  const cm = byKey(sampleApp({ name: 'nginx', image: 'nginx' }), '/configmaps/');
  assert.ok(cm.encoding === 'protobuf' && cm.known);
  if (cm.encoding === 'protobuf') assert.equal((cm.body.data as Record<string, string>).LOG_LEVEL, 'info');
  const secret = byKey(sampleBase(), 'db-credentials');
  assert.ok(secret.encoding === 'protobuf');
  if (secret.encoding === 'protobuf') {
    assert.equal((secret.body.data as Record<string, string>).username, Buffer.from('app').toString('base64'));
    assert.equal(secret.body.type, 'Opaque');
  }
});

test('decodeValue reports encrypted values with provider and key name', () => {
  assert.deepEqual(
    { ...byKey(sampleBase(), 'encryption-demo'), sizeBytes: 0 },
    { encoding: 'encrypted', provider: 'aescbc', keyName: 'key1', sizeBytes: 0 },
  );
  const kms = decodeValue(new TextEncoder().encode('k8s:enc:kms:v2:vault-kms:\x0a\x01x'));
  assert.ok(kms.encoding === 'encrypted' && kms.provider === 'kms/v2' && kms.keyName === 'vault-kms');
});

test('decodeValue reads JSON custom resources as they are', () => {
  const cr = byKey(sampleBase(), 'crontabs');
  assert.ok(cr.encoding === 'json');
  if (cr.encoding === 'json') {
    assert.equal(cr.kind, 'CronTab');
    assert.equal(cr.metadata.name, 'nightly-report');
    assert.equal((cr.object.spec as Record<string, unknown>).cronSpec, '0 2 * * *');
  }
});

test('decodeValue reports truncated protobuf and broken JSON as corrupt, never throws', () => {
  const good = encodeObject('v1', 'Pod', { name: 'p', namespace: 'n' }, (w: ProtoWriter) => w.bytes(2, new Uint8Array([8, 1])));
  for (let cut = 5; cut < good.length; cut++) {
    const d = decodeValue(good.subarray(0, cut));
    assert.ok(d.encoding === 'corrupt' || d.encoding === 'protobuf', `cut ${cut}`);
  }
  assert.equal(decodeValue(good.subarray(0, good.length - 3)).encoding, 'corrupt');
  const bad = decodeValue(new TextEncoder().encode('{"kind": '));
  assert.ok(bad.encoding === 'corrupt' && bad.claimed === 'json');
  assert.equal(decodeValue(Uint8Array.from([0xd9, 0xd9, 0xf7, 1])).encoding, 'cbor');
  const raw = decodeValue(new TextEncoder().encode('10.96.0.0/12'));
  assert.ok(raw.encoding === 'raw' && raw.preview === '10.96.0.0/12');
});

test('decodeValue survives a seeded fuzz of mutated protobuf values', () => {
  const base = byKey(sampleApp({ name: 'nginx', image: 'nginx' }), '/deployments/');
  assert.equal(base.encoding, 'protobuf');
  const original = sampleApp({ name: 'nginx', image: 'nginx' })[0]?.value as Uint8Array;
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 3000; i++) {
    const v = Uint8Array.from(original);
    for (let j = 0; j < 1 + Math.floor(rand() * 4); j++) v[4 + Math.floor(rand() * (v.length - 4))] = Math.floor(rand() * 256);
    const d = decodeValue(v);
    assert.ok(['protobuf', 'corrupt'].includes(d.encoding));
  }
});

test('decodeValueHeader returns apiVersion, kind and metadata without decoding the body', async () => {
  const { decodeValueHeader } = await import('./decode-value.js');
  const value = sampleApp({ name: 'nginx', image: 'nginx:1.25' })[0]?.value as Uint8Array;
  const header = decodeValueHeader(value);
  assert.ok(header.encoding === 'protobuf');
  if (header.encoding !== 'protobuf') return;
  assert.equal(header.kind, 'Deployment');
  assert.equal(header.metadata.name, 'nginx');
  assert.equal('body' in header, false);
  assert.equal(decodeValueHeader(value.subarray(0, value.length - 3)).encoding, 'corrupt');
});
