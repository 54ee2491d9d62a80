/**
 * The few kinds whose bodies kubekeeper decodes by name instead of by field number, because
 * operators look at them most in a snapshot: ConfigMap and Secret (core/v1 generated.proto).
 * Everything else falls back to the generic view.
 */
import { readFields } from '../protobuf/index.js';
import type { ProtoMessage } from './generic-proto.js';
import { text } from './object-meta.js';

function mapEntry(bytes: Uint8Array): [string, Uint8Array] {
  let key = '';
  let value: Uint8Array = new Uint8Array(0);
  for (const f of readFields(bytes)) {
    if (f.field === 1) key = text(f.bytes);
    else if (f.field === 2) value = f.bytes;
  }
  return [key, value];
}

function decodeConfigMap(raw: Uint8Array): ProtoMessage {
  const data: ProtoMessage = {};
  const binaryData: ProtoMessage = {};
  const out: ProtoMessage = {};
  for (const f of readFields(raw)) {
    if (f.field === 2) {
      const [k, v] = mapEntry(f.bytes);
      data[k] = text(v);
    } else if (f.field === 3) {
      const [k, v] = mapEntry(f.bytes);
      binaryData[k] = Buffer.from(v).toString('base64');
    } else if (f.field === 4) out.immutable = f.varint !== 0n ? 'true' : 'false';
  }
  if (Object.keys(data).length) out.data = data;
  if (Object.keys(binaryData).length) out.binaryData = binaryData;
  return out;
}

/** Secret data is shown base64-encoded, exactly as `kubectl get secret -o yaml` would. */
function decodeSecret(raw: Uint8Array): ProtoMessage {
  const data: ProtoMessage = {};
  const out: ProtoMessage = {};
  for (const f of readFields(raw)) {
    if (f.field === 2) {
      const [k, v] = mapEntry(f.bytes);
      data[k] = Buffer.from(v).toString('base64');
    } else if (f.field === 3) out.type = text(f.bytes);
    else if (f.field === 5) out.immutable = f.varint !== 0n ? 'true' : 'false';
  }
  if (Object.keys(data).length) out.data = data;
  return out;
}

const SCHEMAS: Record<string, (raw: Uint8Array) => ProtoMessage> = { ConfigMap: decodeConfigMap, Secret: decodeSecret };

/** The decoded body (without metadata) for a known kind; undefined for other kinds. */
export function decodeKnownSchema(kind: string, raw: Uint8Array): ProtoMessage | undefined {
  return SCHEMAS[kind]?.(raw);
}
