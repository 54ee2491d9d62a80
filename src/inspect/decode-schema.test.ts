import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../test/support/paths.js';
import { ProtobufError, ProtoWriter } from '../protobuf/index.js';
import { decodeBySchema } from './decode-schema.js';
import { decodeValue } from './decode-value.js';
import { encodeObject } from './encode-object.js';
import { goDuration } from './k8s-json-types.js';
import { kindMessageKey, messageSchema, schemaCoverage } from './k8s-schema.js';
import { RENAMED_VERSIONS } from './served-version.js';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'inspect', 'kube-apiserver-1.37.2');
type Json = Record<string, unknown>;

/** A Time/MicroTime message. */
const ts = (seconds: number, nanos = 0) => {
  const w = new ProtoWriter().varint(1, seconds);
  return (nanos ? w.varint(2, nanos) : w).finish();
};
const entry = (k: string, v: Uint8Array | string) => new ProtoWriter().bytes(1, k).bytes(2, v).finish();

test('decodeValue renders objects the real kube-apiserver 1.37.2 stored exactly as kubectl get -o json does', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 12, `${files.length} fixtures`);
  for (const f of files) {
    const fixture = JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as { value: string; kubectl: Json & { metadata: Json } };
    const d = decodeValue(Buffer.from(fixture.value, 'base64'));
    // resourceVersion is not stored: snapshot get adds the key's mod revision (checked in the conformance test).
    const { resourceVersion: _rv, ...metadata } = fixture.kubectl.metadata;
    const expected = { ...fixture.kubectl, metadata };
    if (d.encoding === 'protobuf') {
      assert.ok(d.known, `${f}: kind in the schema table`);
      assert.deepStrictEqual({ apiVersion: d.apiVersion, kind: d.kind, ...d.body }, expected, f);
    } else {
      assert.equal(d.encoding, 'json', f);
      if (d.encoding === 'json') assert.deepStrictEqual(d.object, expected, f);
    }
  }
});

test('the schema table covers every API version of k8s.io/api and maps JSON names from the Go tags', () => {
  const { apiVersions, messages } = schemaCoverage();
  assert.ok(apiVersions >= 60 && messages >= 1000, `${apiVersions} API versions, ${messages} messages`);
  assert.equal(kindMessageKey('apps/v1', 'Deployment'), 'apps/v1.Deployment');
  assert.equal(kindMessageKey('v1', 'Pod'), 'core/v1.Pod');
  assert.equal(kindMessageKey('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), 'apiextensions/v1.CustomResourceDefinition');
  assert.equal(kindMessageKey('example.com/v1', 'Widget'), undefined);
  assert.equal(kindMessageKey('v1', 'constructor'), undefined);
  // The proto names differ from the JSON names here: the table carries the json tag's.
  const props = messageSchema('apiextensions/v1.JSONSchemaProps');
  assert.equal(props?.byNumber.get(3)?.jsonName, '$ref');
  assert.equal(props?.byNumber.get(38)?.jsonName, 'x-kubernetes-preserve-unknown-fields');
  const volume = messageSchema('core/v1.Volume');
  assert.equal(volume?.byNumber.get(2)?.inline, true, 'VolumeSource is embedded in Volume');
  assert.equal(messageSchema('meta/v1.ObjectMeta')?.byNumber.get(8)?.omitZero, true, 'creationTimestamp is omitzero');
});

test('decodeBySchema follows encoding/json: omitempty zero scalars left out, pointers printed when set, absent non-omitempty zero', () => {
  // DeploymentSpec: replicas is *int32 (pointer), minReadySeconds int32 omitempty, paused bool omitempty.
  const spec = new ProtoWriter().varint(1, 0).varint(5, 0).varint(7, 0).finish();
  const out = decodeBySchema('apps/v1.DeploymentSpec', spec) as Json;
  assert.equal(out.replicas, 0, 'a pointer set to 0 is printed');
  assert.equal('minReadySeconds' in out, false);
  assert.equal('paused' in out, false);
  assert.deepEqual(out.template, { metadata: {}, spec: { containers: null } }, 'a struct value is printed even when absent; a nil slice without omitempty is null');
  assert.deepEqual(out.strategy, {}, 'a struct value with omitempty is still printed');
  // ContainerPort.containerPort has no omitempty: 0 is printed even when the protobuf lacks it.
  assert.deepEqual(decodeBySchema('core/v1.ContainerPort', new Uint8Array(0)), { containerPort: 0 });
});

test('decodeBySchema renders Quantity, IntOrString, int64, bytes, maps and inline structs as kubectl does', () => {
  const quantity = (s: string) => new ProtoWriter().bytes(1, s).finish();
  const resources = new ProtoWriter().bytes(1, entry('cpu', quantity('250m'))).bytes(2, entry('memory', quantity('1Gi'))).finish();
  const container = new ProtoWriter().bytes(1, 'c').bytes(8, resources).finish();
  const emptyDir = new ProtoWriter().bytes(2, quantity('1Gi')).finish();
  const volume = new ProtoWriter().bytes(1, 'tmp').bytes(2, new ProtoWriter().bytes(2, emptyDir).finish()).finish();
  const pod = new ProtoWriter().bytes(2, container).bytes(1, volume).varint(5, -1n).finish();
  const out = decodeBySchema('core/v1.PodSpec', pod) as Json & { containers: Json[]; volumes: Json[] };
  assert.deepEqual(out.containers[0]?.resources, { limits: { cpu: '250m' }, requests: { memory: '1Gi' } });
  assert.deepEqual(out.volumes, [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }], 'VolumeSource flattened into Volume');
  assert.equal(out.activeDeadlineSeconds, -1, 'int64 two\'s complement');
  const port = (w: ProtoWriter) => decodeBySchema('core/v1.ServicePort', w.finish()) as Json;
  assert.equal(port(new ProtoWriter().bytes(4, new ProtoWriter().varint(1, 0).varint(2, 8080).finish())).targetPort, 8080);
  assert.equal(port(new ProtoWriter().bytes(4, new ProtoWriter().varint(1, 1).bytes(3, 'http').finish())).targetPort, 'http');
  const secret = encodeObject('v1', 'Secret', { name: 's' }, (w) => w.bytes(2, entry('k', Uint8Array.from([0, 1, 2, 255]))));
  const d = decodeValue(secret);
  assert.ok(d.encoding === 'protobuf');
  if (d.encoding === 'protobuf') assert.deepEqual(d.body.data, { k: 'AAEC/w==' });
  const cm = decodeBySchema('core/v1.ConfigMap', new ProtoWriter().bytes(2, entry('__proto__', 'kept')).bytes(2, entry('a', 'b')).finish()) as Json;
  assert.deepEqual(Object.entries(cm.data as Json), [['__proto__', 'kept'], ['a', 'b']], 'a "__proto__" key is data, not a prototype');
});

test('decodeBySchema renders Time, MicroTime and Duration as their MarshalJSON does', () => {
  const lease = new ProtoWriter().bytes(4, ts(1764583200, 123456789)).bytes(3, ts(1764583200)).finish();
  assert.deepEqual(decodeBySchema('coordination/v1.LeaseSpec', lease), { acquireTime: '2025-12-01T10:00:00.000000Z', renewTime: '2025-12-01T10:00:00.123456Z' });
  const condition = new ProtoWriter().bytes(1, 'Ready').bytes(4, ts(1764583200, 999)).finish();
  assert.equal((decodeBySchema('core/v1.PodCondition', condition) as Json).lastTransitionTime, '2025-12-01T10:00:00Z', 'Time drops the nanoseconds');
  const empty = new ProtoWriter().bytes(1, 'Ready').bytes(4, new Uint8Array(0)).finish();
  assert.equal((decodeBySchema('core/v1.PodCondition', empty) as Json).lastTransitionTime, null, 'an empty Time is the zero time: null');
  assert.deepEqual(decodeBySchema('meta/v1.ObjectMeta', new ProtoWriter().bytes(1, 'x').bytes(8, new Uint8Array(0)).finish()), { name: 'x' }, 'zero creationTimestamp omitted (omitzero)');
  assert.equal(decodeBySchema('meta/v1.Time', ts(253402300800)), '10000-01-01T00:00:00Z');
  for (const [ns, s] of [[0n, '0s'], [1n, '1ns'], [1500n, '1.5µs'], [2_000_000n, '2ms'], [1_500_000_000n, '1.5s'], [60_000_000_000n, '1m0s'], [3_723_000_000_000n, '1h2m3s'], [-90_000_000_000n, '-1m30s']] as const) {
    assert.equal(goDuration(ns), s, String(ns));
  }
});

test('decodeBySchema renders raw JSON, schema unions and wrapped lists', () => {
  const props = new ProtoWriter().bytes(5, 'object')
    .bytes(30, new ProtoWriter().varint(1, 1).finish())
    .bytes(24, new ProtoWriter().bytes(1, new ProtoWriter().bytes(5, 'string').finish()).finish())
    .bytes(8, new ProtoWriter().bytes(1, '{"a":[1,2]}').finish())
    .bytes(32, entry('x', new ProtoWriter().bytes(2, 'y').bytes(2, 'z').finish()))
    .finish();
  assert.deepEqual(decodeBySchema('apiextensions/v1.JSONSchemaProps', props), {
    type: 'object', default: { a: [1, 2] }, items: { type: 'string' }, additionalProperties: true, dependencies: { x: ['y', 'z'] },
  });
  const extra = new ProtoWriter().bytes(6, entry('groups', new ProtoWriter().bytes(1, 'a').bytes(1, 'b').finish())).finish();
  assert.deepEqual((decodeBySchema('certificates/v1.CertificateSigningRequestSpec', extra) as Json).extra, { groups: ['a', 'b'] });
});

test('decodeBySchema keeps unknown fields by number and reads packed repeated scalars', () => {
  const spec = new ProtoWriter().varint(1, 3).bytes(99, 'future').finish();
  const { template: _template, ...out } = decodeBySchema('apps/v1.DeploymentSpec', spec) as Json;
  assert.deepEqual(out, { replicas: 3, strategy: {}, field99: 'future' });
  // supplementalGroups is a repeated int64: packed (proto3 style) or one field per value (gogo proto2).
  const packed = new ProtoWriter().bytes(4, Uint8Array.from([1, 2, 0xe8, 0x07])).finish();
  assert.deepEqual((decodeBySchema('core/v1.PodSecurityContext', packed) as Json).supplementalGroups, [1, 2, 1000]);
  const unpacked = new ProtoWriter().varint(4, 5).varint(4, 6).finish();
  assert.deepEqual((decodeBySchema('core/v1.PodSecurityContext', unpacked) as Json).supplementalGroups, [5, 6]);
});

test('decodeBySchema refuses a wire type the schema does not allow and hostile nesting', () => {
  assert.throws(() => decodeBySchema('apps/v1.DeploymentSpec', new ProtoWriter().bytes(1, 'x').finish()), ProtobufError);
  let nested = new ProtoWriter().bytes(5, 'object').finish();
  for (let i = 0; i < 80; i++) nested = new ProtoWriter().bytes(28, nested).finish();
  assert.throws(() => decodeBySchema('apiextensions/v1.JSONSchemaProps', nested), /nested deeper than 64/);
  const corrupt = encodeObject('apps/v1', 'Deployment', { name: 'd' }, (w) => w.bytes(2, new ProtoWriter().bytes(1, 'x').finish()));
  assert.equal(decodeValue(corrupt).encoding, 'corrupt');
});

test('versions served under another name have the same schema as the stored one', () => {
  const shape = (key: string, seen = new Set<string>()): unknown => {
    if (seen.has(key)) return key.slice(key.lastIndexOf('.') + 1);
    seen.add(key);
    const m = messageSchema(key);
    if (!m) return key.slice(key.lastIndexOf('.') + 1);
    return m.fields.map((f) => ({ ...f, type: f.type.includes('.') ? shape(f.type, seen) : f.type }));
  };
  for (const [stored, served, kind] of RENAMED_VERSIONS) {
    const a = kindMessageKey(stored, kind);
    const b = kindMessageKey(served, kind);
    assert.ok(a && b, `${kind} in ${stored} and ${served}`);
    assert.deepEqual(shape(a), shape(b), `${kind} ${stored} -> ${served}`);
  }
});
