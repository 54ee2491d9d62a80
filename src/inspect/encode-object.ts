/**
 * Encodes Kubernetes objects the way the API server stores them: the `k8s\0` envelope
 * around a runtime.Unknown {typeMeta, raw}, with ObjectMeta as field 1 of the object. Used
 * to build realistic sample data and test fixtures; field numbers from the upstream
 * generated.proto files.
 */
import { ProtoWriter } from '../protobuf/index.js';
import { PROTOBUF_MAGIC } from './decode-value.js';
import type { ObjectMeta, OwnerReference } from './object-meta.js';

export function encodeTime(iso: string): Uint8Array {
  return new ProtoWriter().varint(1, BigInt(Math.floor(Date.parse(iso) / 1000))).finish();
}

/** map<string,string> fields are repeated {1 key, 2 value} entries, in key order like Go. */
export function writeStringMap(w: ProtoWriter, field: number, map: Record<string, string | Uint8Array> | undefined): ProtoWriter {
  for (const key of Object.keys(map ?? {}).sort()) {
    w.bytes(field, new ProtoWriter().bytes(1, key).bytes(2, (map as Record<string, string | Uint8Array>)[key] as string | Uint8Array).finish());
  }
  return w;
}

function encodeOwnerReference(ref: OwnerReference): Uint8Array {
  const w = new ProtoWriter().bytes(1, ref.kind ?? '').bytes(3, ref.name ?? '').bytes(4, ref.uid ?? '').bytes(5, ref.apiVersion ?? '');
  if (ref.controller !== undefined) w.varint(6, ref.controller);
  if (ref.blockOwnerDeletion !== undefined) w.varint(7, ref.blockOwnerDeletion);
  return w.finish();
}

export function encodeObjectMeta(meta: ObjectMeta): Uint8Array {
  const w = new ProtoWriter();
  if (meta.name) w.bytes(1, meta.name);
  if (meta.generateName) w.bytes(2, meta.generateName);
  if (meta.namespace) w.bytes(3, meta.namespace);
  if (meta.uid) w.bytes(5, meta.uid);
  if (meta.generation) w.varint(7, meta.generation);
  if (meta.creationTimestamp) w.bytes(8, encodeTime(meta.creationTimestamp));
  writeStringMap(w, 11, meta.labels);
  writeStringMap(w, 12, meta.annotations);
  for (const ref of meta.ownerReferences ?? []) w.bytes(13, encodeOwnerReference(ref));
  for (const f of meta.finalizers ?? []) w.bytes(14, f);
  return w.finish();
}

/** The stored value: magic + runtime.Unknown{1 typeMeta{1 apiVersion, 2 kind}, 2 raw, 3 "", 4 ""}. */
export function encodeEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const typeMeta = new ProtoWriter().bytes(1, apiVersion).bytes(2, kind).finish();
  const unknown = new ProtoWriter().bytes(1, typeMeta).bytes(2, raw).bytes(3, '').bytes(4, '').finish();
  const out = new Uint8Array(PROTOBUF_MAGIC.length + unknown.length);
  out.set(PROTOBUF_MAGIC, 0);
  out.set(unknown, PROTOBUF_MAGIC.length);
  return out;
}

/** An object = metadata (field 1) followed by already-encoded body fields (spec 2, status 3, ...). */
export function encodeObject(apiVersion: string, kind: string, meta: ObjectMeta, body: (w: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter().bytes(1, encodeObjectMeta(meta));
  body(w);
  return encodeEnvelope(apiVersion, kind, w.finish());
}
