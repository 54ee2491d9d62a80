/**
 * Decodes a built-in Kubernetes object's protobuf by field name, into the JSON the API server
 * would serve for it: JSON names from the Go struct tags, omitempty and pointer rules of
 * encoding/json, inline structs flattened, maps, int64 as numbers, bytes as base64, and the
 * types with their own JSON form (Time, Quantity, IntOrString, ...) rendered as they render.
 * Fields the table does not know keep their number ("field<N>", schema-less view).
 */
import { ProtobufError, readFields, readPackedVarints, toInt64, WireType, type ProtoField } from '../protobuf/index.js';
import { decodeGenericProto, genericFieldValue, type ProtoMessage } from './generic-proto.js';
import { customJsonType } from './k8s-json-types.js';
import { isScalarType, messageSchema, type FieldSchema } from './k8s-schema.js';
import { text } from './object-meta.js';

/** Guards against hostile nesting (JSONSchemaProps is recursive). */
const MAX_DEPTH = 64;
const EMPTY = new Uint8Array(0);
const OMIT = Symbol('omit');

type Json = unknown;

const WIRE_OF: Record<string, number> = { s: WireType.bytes, y: WireType.bytes, b: WireType.varint, i: WireType.varint, l: WireType.varint, d: WireType.fixed64, f: WireType.fixed32 };

function int64(v: bigint): number | bigint {
  const n = toInt64(v);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function scalarFromVarint(type: string, v: bigint): Json {
  if (type === 'b') return v !== 0n;
  if (type === 'i') return Number(BigInt.asIntN(32, v));
  return int64(v);
}

function scalarFromFixed(type: string, bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return type === 'd' ? view.getFloat64(0, true) : view.getFloat32(0, true);
}

/** The values one wire field contributes: one, or several for a packed repeated scalar. */
function scalarValues(key: string, spec: FieldSchema, f: ProtoField): Json[] {
  const type = spec.type;
  if (f.wireType === WIRE_OF[type]) {
    if (type === 's') return [text(f.bytes)];
    if (type === 'y') return [Buffer.from(f.bytes).toString('base64')];
    if (f.wireType === WireType.varint) return [scalarFromVarint(type, f.varint)];
    return [scalarFromFixed(type, f.bytes)];
  }
  if (spec.repeated && f.wireType === WireType.bytes) {
    if (type === 'd' || type === 'f') {
      const size = type === 'd' ? 8 : 4;
      if (f.bytes.length % size !== 0) throw new ProtobufError(`Packed ${key}.${spec.jsonName} is not a multiple of ${size} bytes`, 0);
      return Array.from({ length: f.bytes.length / size }, (_, i) => scalarFromFixed(type, f.bytes.subarray(i * size, (i + 1) * size)));
    }
    return readPackedVarints(f.bytes).map((v) => scalarFromVarint(type, v));
  }
  throw new ProtobufError(`Field ${f.field} (${spec.jsonName || 'inline'}) of ${key} has wire type ${f.wireType}`, 0);
}

function zeroScalar(type: string): Json {
  if (type === 's') return '';
  if (type === 'b') return false;
  return 0;
}

function isZero(value: Json): boolean {
  return value === '' || value === 0 || value === false || value === 0n;
}

interface Decoder {
  message(key: string, bytes: Uint8Array): Json;
  /** The JSON of the Go zero value of a message type (not the same as decoding no bytes). */
  zero(key: string): Json;
}

function mapEntry(d: Decoder, spec: FieldSchema, key: string, bytes: Uint8Array): [string, Json] {
  let k = '';
  let value: Json = OMIT;
  for (const f of readFields(bytes)) {
    if (f.field === 1) k = text(f.bytes);
    else if (f.field === 2) value = isScalarType(spec.type) ? scalarValues(key, spec, f)[0] : d.message(spec.type, f.bytes);
  }
  if (value === OMIT) value = isScalarType(spec.type) ? (spec.type === 'y' ? '' : zeroScalar(spec.type)) : d.zero(spec.type);
  return [k, value];
}

/** Whether a field's Go type behaves as a slice (repeated, bytes, or a wrapped list). */
function sliceLike(spec: FieldSchema): boolean {
  return spec.repeated || spec.map || spec.type === 'y' || (!isScalarType(spec.type) && messageSchema(spec.type)?.listWrapper === true);
}

/** What encoding/json prints for a Go field the protobuf did not carry. */
function absentValue(d: Decoder, spec: FieldSchema): Json | typeof OMIT {
  if (spec.pointer || spec.omitZero) return OMIT;
  if (sliceLike(spec)) return spec.omitEmpty ? OMIT : null;
  if (isScalarType(spec.type)) return spec.omitEmpty ? OMIT : zeroScalar(spec.type);
  // A struct value is never omitted by encoding/json, omitempty or not.
  return d.zero(spec.type);
}

function presentValue(spec: FieldSchema, value: Json): Json | typeof OMIT {
  if (spec.omitZero && !spec.pointer && (value === null || isZero(value))) return OMIT;
  if (spec.pointer || !spec.omitEmpty) return value;
  if (Array.isArray(value)) return value.length === 0 ? OMIT : value;
  if (isScalarType(spec.type) && isZero(value)) return OMIT;
  return value;
}

function decodeFields(d: Decoder, key: string, bytes: Uint8Array): Json {
  const schema = messageSchema(key);
  if (!schema) return numbered(decodeGenericProto(bytes));
  const values = new Map<number, Json>();
  const unknown = new Map<number, Json>();
  for (const f of readFields(bytes)) {
    const spec = schema.byNumber.get(f.field);
    if (!spec) {
      const value = genericFieldValue(f);
      const seen = unknown.get(f.field);
      unknown.set(f.field, seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]);
    } else if (spec.map) {
      const [k, v] = mapEntry(d, spec, key, f.bytes);
      const obj = (values.get(spec.number) ?? {}) as Record<string, Json>;
      // An own property even for "__proto__" (a valid ConfigMap key).
      Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
      values.set(spec.number, obj);
    } else {
      const items = isScalarType(spec.type) ? scalarValues(key, spec, f) : [d.message(spec.type, f.bytes)];
      if (!spec.repeated) values.set(spec.number, items[0]);
      else {
        const list = (values.get(spec.number) as Json[] | undefined) ?? [];
        list.push(...items);
        values.set(spec.number, list);
      }
    }
  }
  if (schema.listWrapper) {
    const items = schema.fields[0] ? values.get(schema.fields[0].number) : undefined;
    return items ?? [];
  }
  const out: Record<string, Json> = {};
  for (const spec of schema.fields) {
    const value = values.has(spec.number) ? presentValue(spec, values.get(spec.number)) : absentValue(d, spec);
    if (value === OMIT) continue;
    if (spec.inline && value !== null && typeof value === 'object' && !Array.isArray(value)) Object.assign(out, value);
    else out[spec.jsonName] = value;
  }
  for (const [n, value] of unknown) out[`field${n}`] = value;
  return out;
}

/** Schema-less messages keep their field numbers, as "field<N>". */
function numbered(message: ProtoMessage): Record<string, Json> {
  return Object.fromEntries(Object.entries(message).map(([k, v]) => [`field${k}`, v]));
}

/**
 * Decodes the message `key` ("apps/v1.Deployment", a key of the generated table) from protobuf
 * to its JSON form. Throws ProtobufError on malformed bytes, on a wire type the schema does not
 * allow, or on nesting deeper than 64 levels.
 */
export function decodeBySchema(key: string, bytes: Uint8Array): Json {
  let depth = 0;
  const d: Decoder = {
    message(k, b) {
      if (++depth > MAX_DEPTH) throw new ProtobufError(`Messages nested deeper than ${MAX_DEPTH} levels in ${key}`, 0);
      try {
        const custom = customJsonType(k);
        return custom ? custom.render(b, (kk, bb) => d.message(kk, bb)) : decodeFields(d, k, b);
      } finally {
        depth--;
      }
    },
    zero(k) {
      const custom = customJsonType(k);
      return custom ? custom.zero : d.message(k, EMPTY);
    },
  };
  return d.message(key, bytes);
}
