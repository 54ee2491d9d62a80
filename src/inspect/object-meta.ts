/**
 * ObjectMeta, decoded from protobuf by field number (k8s.io/apimachinery generated.proto):
 * the part of every stored object that listing and diffing need, whatever its kind.
 */
import { readFields, toInt64, type ProtoField } from '../protobuf/index.js';

export interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

const decoder = new TextDecoder('utf-8', { fatal: false });
export const text = (b: Uint8Array): string => decoder.decode(b);

/** A protobuf map<string,string> entry: {1 key, 2 value}. */
export function decodeStringMapEntry(bytes: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  for (const f of readFields(bytes)) {
    if (f.field === 1) key = text(f.bytes);
    else if (f.field === 2) value = text(f.bytes);
  }
  return [key, value];
}

/** metav1.Time {1 seconds, 2 nanos} as RFC 3339 (seconds precision, like kubectl). */
export function decodeTime(bytes: Uint8Array): string {
  let seconds = 0n;
  for (const f of readFields(bytes)) if (f.field === 1) seconds = toInt64(f.varint);
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

function decodeOwnerReference(bytes: Uint8Array): OwnerReference {
  const ref: OwnerReference = {};
  for (const f of readFields(bytes)) {
    switch (f.field) {
      case 1: ref.kind = text(f.bytes); break;
      case 3: ref.name = text(f.bytes); break;
      case 4: ref.uid = text(f.bytes); break;
      case 5: ref.apiVersion = text(f.bytes); break;
      case 6: ref.controller = f.varint !== 0n; break;
      case 7: ref.blockOwnerDeletion = f.varint !== 0n; break;
    }
  }
  return ref;
}

function addToMap(meta: ObjectMeta, which: 'labels' | 'annotations', f: ProtoField): void {
  const [k, v] = decodeStringMapEntry(f.bytes);
  (meta[which] ??= {})[k] = v;
}

/** Decodes ObjectMeta; throws ProtobufError on malformed bytes. managedFields (17) are skipped. */
export function decodeObjectMeta(bytes: Uint8Array): ObjectMeta {
  const meta: ObjectMeta = {};
  for (const f of readFields(bytes)) {
    switch (f.field) {
      case 1: meta.name = text(f.bytes); break;
      case 2: meta.generateName = text(f.bytes); break;
      case 3: meta.namespace = text(f.bytes); break;
      case 5: meta.uid = text(f.bytes); break;
      case 7: meta.generation = Number(toInt64(f.varint)); break;
      case 8: meta.creationTimestamp = decodeTime(f.bytes); break;
      case 9: meta.deletionTimestamp = decodeTime(f.bytes); break;
      case 10: meta.deletionGracePeriodSeconds = Number(toInt64(f.varint)); break;
      case 11: addToMap(meta, 'labels', f); break;
      case 12: addToMap(meta, 'annotations', f); break;
      case 13: (meta.ownerReferences ??= []).push(decodeOwnerReference(f.bytes)); break;
      case 14: (meta.finalizers ??= []).push(text(f.bytes)); break;
    }
  }
  return meta;
}
