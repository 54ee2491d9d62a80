/**
 * A schema-less view of a protobuf message, for kinds whose generated.proto kubekeeper does
 * not carry: fields keyed by number, nested messages decoded when the bytes parse as one,
 * text when they are printable UTF-8, base64 otherwise. Repeated fields become arrays.
 */
import { readFields, WireType, type ProtoField } from '../protobuf/index.js';

export type ProtoValue = string | number | ProtoMessage | ProtoValue[];
export interface ProtoMessage {
  [field: string]: ProtoValue;
}

/** Guards against hostile nesting in corrupt data. */
const MAX_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function printable(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.test(s);
}

function tryMessage(bytes: Uint8Array, depth: number): ProtoMessage | undefined {
  if (bytes.length === 0 || depth >= MAX_DEPTH) return undefined;
  try {
    return decodeGenericProto(bytes, depth + 1);
  } catch {
    return undefined;
  }
}

function bytesValue(bytes: Uint8Array, depth: number): ProtoValue {
  let asText: string | undefined;
  try {
    asText = utf8.decode(bytes);
  } catch {
    asText = undefined;
  }
  // Short printable strings are far more often text than messages ("nginx" parses as a message).
  if (asText !== undefined && printable(asText) && (asText.length < 4 || /^[\x20-\x7e]+$/.test(asText))) return asText;
  const message = tryMessage(bytes, depth);
  if (message) return message;
  if (asText !== undefined && printable(asText)) return asText;
  return `base64:${Buffer.from(bytes).toString('base64')}`;
}

/** One field's value without a schema (numbers, text, nested messages, base64 or hex). */
export function genericFieldValue(f: ProtoField, depth = 0): ProtoValue {
  if (f.wireType === WireType.varint) return f.varint <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(f.varint) : f.varint.toString();
  if (f.wireType === WireType.bytes) return bytesValue(f.bytes, depth);
  return `0x${Buffer.from(f.bytes).toString('hex')}`;
}

/** Decodes a message without a schema; throws ProtobufError when the top level is malformed. */
export function decodeGenericProto(bytes: Uint8Array, depth = 0): ProtoMessage {
  const out: ProtoMessage = {};
  for (const f of readFields(bytes)) {
    const value = genericFieldValue(f, depth);
    const key = String(f.field);
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}
