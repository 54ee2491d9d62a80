/**
 * A small, realistic Kubernetes cluster state as the API server would store it in etcd:
 * protobuf Namespaces, Deployments with their ReplicaSets and Pods (owner references), Services,
 * ConfigMaps, Secrets, an Event (leased, as the API server writes events), a custom resource
 * in JSON and one Secret encrypted at rest. Deterministic for a given input, so tests can
 * assert exact decodes. Used by the demo, the tests and the benchmarks.
 */
import { createHash } from 'node:crypto';
import { ProtoWriter } from '../protobuf/index.js';
import { encodeObject, encodeTime, writeStringMap } from './encode-object.js';
import type { ObjectMeta } from './object-meta.js';
import { objectKey } from './registry-key.js';

export interface SampleEntry {
  key: string;
  value: Uint8Array;
  /** Events are written with a lease of this TTL, like the API server's --event-ttl. */
  leaseTtlSeconds?: number;
}

export interface SampleApp {
  name: string;
  namespace?: string;
  image: string;
  replicas?: number;
  port?: number;
  /** Extra annotations on every object of the app (e.g. a last-applied-configuration, for size). */
  annotations?: Record<string, string>;
}

/** creationTimestamp of every sample object (demo-guard.ts recognises them by it). */
export const SAMPLE_CREATED = '2026-01-15T09:30:00Z';
const CREATED = SAMPLE_CREATED;

/** A stable UUID-shaped uid derived from the object's identity. */
export function sampleUid(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('/')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function meta(kind: string, name: string, namespace: string | undefined, extra: Partial<ObjectMeta> = {}): ObjectMeta {
  return { name, namespace, uid: sampleUid(kind, namespace ?? '', name), creationTimestamp: CREATED, ...extra };
}

function container(name: string, image: string, port: number): Uint8Array {
  const ports = new ProtoWriter().varint(3, port).bytes(4, 'TCP').finish();
  return new ProtoWriter().bytes(1, name).bytes(2, image).bytes(6, ports).bytes(14, 'IfNotPresent').finish();
}

function podTemplate(labels: Record<string, string>, app: SampleApp, port: number): Uint8Array {
  const podSpec = new ProtoWriter().bytes(2, container(app.name, app.image, port)).bytes(3, 'Always').finish();
  const templateMeta = writeStringMap(new ProtoWriter(), 11, labels).finish();
  return new ProtoWriter().bytes(1, templateMeta).bytes(2, podSpec).finish();
}

function selector(labels: Record<string, string>): Uint8Array {
  return writeStringMap(new ProtoWriter(), 1, labels).finish();
}

function namespaceObject(name: string): SampleEntry {
  const value = encodeObject('v1', 'Namespace', meta('Namespace', name, undefined, { labels: { 'kubernetes.io/metadata.name': name } }), (w) => {
    w.bytes(2, new ProtoWriter().bytes(1, 'kubernetes').finish()).bytes(3, new ProtoWriter().bytes(1, 'Active').finish());
  });
  return { key: objectKey('namespaces', name), value };
}

/** Deployment, ReplicaSet, Pods, Service and ConfigMap of one application. */
export function sampleApp(app: SampleApp): SampleEntry[] {
  const ns = app.namespace ?? 'default';
  const replicas = app.replicas ?? 2;
  const port = app.port ?? 80;
  const labels = { app: app.name };
  const hash = createHash('sha1').update(app.image).digest('hex').slice(0, 10);
  const rsName = `${app.name}-${hash}`;
  const extra = app.annotations ?? {};
  const depMeta = meta('Deployment', app.name, ns, { labels, generation: 1, annotations: { ...extra, 'deployment.kubernetes.io/revision': '1' } });
  const deployment = encodeObject('apps/v1', 'Deployment', depMeta, (w) => {
    w.bytes(2, new ProtoWriter().varint(1, replicas).bytes(2, selector(labels)).bytes(3, podTemplate(labels, app, port)).finish());
    w.bytes(3, new ProtoWriter().varint(1, 1).varint(2, replicas).varint(3, replicas).varint(4, replicas).varint(7, replicas).finish());
  });
  const owner = (kind: string, name: string) => [{ apiVersion: 'apps/v1', kind, name, uid: sampleUid(kind, ns, name), controller: true, blockOwnerDeletion: true }];
  const rsLabels = { ...labels, 'pod-template-hash': hash };
  const replicaSet = encodeObject('apps/v1', 'ReplicaSet', meta('ReplicaSet', rsName, ns, { labels: rsLabels, annotations: app.annotations, generation: 1, ownerReferences: owner('Deployment', app.name) }), (w) => {
    w.bytes(2, new ProtoWriter().varint(1, replicas).bytes(2, selector(rsLabels)).bytes(3, podTemplate(rsLabels, app, port)).finish());
    w.bytes(3, new ProtoWriter().varint(1, replicas).varint(4, replicas).varint(5, replicas).finish());
  });
  const entries: SampleEntry[] = [
    { key: objectKey('deployments', app.name, ns), value: deployment },
    { key: objectKey('replicasets', rsName, ns), value: replicaSet },
  ];
  for (let i = 0; i < replicas; i++) {
    const podName = `${rsName}-${sampleUid('pod', app.name, String(i)).slice(0, 5)}`;
    const pod = encodeObject('v1', 'Pod', meta('Pod', podName, ns, { labels: rsLabels, annotations: app.annotations, generateName: `${rsName}-`, ownerReferences: owner('ReplicaSet', rsName) }), (w) => {
      w.bytes(2, new ProtoWriter().bytes(2, container(app.name, app.image, port)).bytes(3, 'Always').bytes(10, `worker-${i + 1}`).finish());
      w.bytes(3, new ProtoWriter().bytes(1, 'Running').bytes(5, `10.0.0.${11 + i}`).bytes(6, `10.244.${i + 1}.${7 + i}`).bytes(7, encodeTime(CREATED)).finish());
    });
    entries.push({ key: objectKey('pods', podName, ns), value: pod });
  }
  const servicePort = new ProtoWriter().bytes(1, 'http').bytes(2, 'TCP').varint(3, port)
    .bytes(4, new ProtoWriter().varint(1, 0).varint(2, port).finish()).finish();
  const service = encodeObject('v1', 'Service', meta('Service', app.name, ns, { labels }), (w) => {
    const spec = new ProtoWriter().bytes(1, servicePort);
    writeStringMap(spec, 2, labels);
    w.bytes(2, spec.bytes(3, `10.96.${app.name.length}.${app.port ?? 80}`).bytes(4, 'ClusterIP').finish());
  });
  entries.push({ key: objectKey('services', app.name, ns), value: service });
  const configMap = encodeObject('v1', 'ConfigMap', meta('ConfigMap', `${app.name}-config`, ns, { labels }), (w) => {
    writeStringMap(w, 2, { 'app.conf': `# ${app.name} configuration\nlisten ${port};\n`, LOG_LEVEL: 'info' });
  });
  entries.push({ key: objectKey('configmaps', `${app.name}-config`, ns), value: configMap });
  return entries;
}

/** The base cluster: namespaces, a Secret, an Event, a custom resource and an encrypted Secret. */
export function sampleBase(): SampleEntry[] {
  const secret = encodeObject('v1', 'Secret', meta('Secret', 'db-credentials', 'default'), (w) => {
    writeStringMap(w, 2, { password: new TextEncoder().encode('s3cr3t-demo-only'), username: new TextEncoder().encode('app') });
    w.bytes(3, 'Opaque');
  });
  const event = encodeObject('v1', 'Event', meta('Event', 'worker-1.17a3b2c4d5e6f708', 'default'), (w) => {
    w.bytes(2, new ProtoWriter().bytes(1, 'Node').bytes(3, 'worker-1').bytes(4, sampleUid('Node', '', 'worker-1')).finish());
    w.bytes(3, 'NodeReady').bytes(4, 'Node worker-1 status is now: NodeReady')
      .bytes(5, new ProtoWriter().bytes(1, 'kubelet').bytes(2, 'worker-1').finish())
      .bytes(6, encodeTime(CREATED)).bytes(7, encodeTime(CREATED)).varint(8, 1).bytes(9, 'Normal');
  });
  const crontab = {
    apiVersion: 'stable.example.com/v1', kind: 'CronTab',
    metadata: { name: 'nightly-report', namespace: 'default', uid: sampleUid('CronTab', 'default', 'nightly-report'), creationTimestamp: CREATED, generation: 1 },
    spec: { cronSpec: '0 2 * * *', image: 'registry.example.com/report:1.4', replicas: 1 },
  };
  // An aescbc-encrypted Secret as the API server writes it with an EncryptionConfiguration.
  const cipher = createHash('sha256').update('demo-ciphertext').digest();
  const encrypted = new Uint8Array(Buffer.concat([Buffer.from('k8s:enc:aescbc:v1:key1:'), cipher, cipher]));
  return [
    namespaceObject('default'),
    namespaceObject('kube-system'),
    { key: objectKey('secrets', 'db-credentials', 'default'), value: secret },
    { key: objectKey('events', 'worker-1.17a3b2c4d5e6f708', 'default'), value: event, leaseTtlSeconds: 3600 },
    { key: objectKey('crontabs', 'nightly-report', 'default', 'stable.example.com'), value: new TextEncoder().encode(JSON.stringify(crontab)) },
    { key: objectKey('secrets', 'encryption-demo', 'kube-system'), value: encrypted },
  ];
}
