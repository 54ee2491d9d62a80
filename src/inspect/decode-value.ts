/**
 * Classifies and decodes a value stored by the Kubernetes API server, by its leading bytes
 * (spec k8s-maintenance §7.2): encrypted at rest, protobuf envelope, JSON, CBOR, or raw.
 * Never throws: a value that claims a format and does not hold to it is reported as corrupt.
 */
import { messageOf } from '../errors.js';
import { readFields } from '../protobuf/index.js';
import { decodeBySchema } from './decode-schema.js';
import { decodeGenericProto, type ProtoMessage } from './generic-proto.js';
import { kindMessageKey } from './k8s-schema.js';
import { decodeObjectMeta, text, type ObjectMeta } from './object-meta.js';
import { toServedVersion } from './served-version.js';

export const PROTOBUF_MAGIC = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"
const ENCRYPTED_PREFIX = 'k8s:enc:';
const CBOR_MAGIC = [0xd9, 0xd9, 0xf7];
const ENCRYPTED_PREFIX_BYTES = new TextEncoder().encode(ENCRYPTED_PREFIX);

export type DecodedValue =
  /**
   * `body`: for a kind in the schema table (`known`), the object as the API server serves it in
   * JSON, metadata included, apiVersion and kind not; otherwise the fields after metadata by number.
   * `storedApiVersion`: set when the object was stored in another version than the API server
   * serves it in (CRDs: v1beta1), and `body` and `apiVersion` are the served, converted form.
   */
  | { encoding: 'protobuf'; apiVersion: string; kind: string; metadata: ObjectMeta; body: Record<string, unknown>; known: boolean; storedApiVersion?: string }
  | { encoding: 'json'; apiVersion?: string; kind?: string; metadata: ObjectMeta; object: Record<string, unknown>; storedApiVersion?: string }
  | { encoding: 'encrypted'; provider: string; keyName: string; sizeBytes: number }
  | { encoding: 'cbor'; sizeBytes: number }
  | { encoding: 'raw'; sizeBytes: number; preview: string }
  | { encoding: 'corrupt'; claimed: 'protobuf' | 'json'; error: string; sizeBytes: number };

function startsWith(bytes: Uint8Array, prefix: ArrayLike<number>): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** `k8s:enc:<provider>:v1:<keyName>:...`; kms names its provider where others name a key. */
function decodeEncrypted(bytes: Uint8Array): DecodedValue {
  const head = text(bytes.subarray(0, Math.min(bytes.length, 256)));
  const parts = head.slice(ENCRYPTED_PREFIX.length).split(':');
  const provider = parts[0] === 'kms' ? `kms/${parts[1] ?? '?'}` : (parts[0] ?? 'unknown');
  return { encoding: 'encrypted', provider, keyName: parts[2] ?? '', sizeBytes: bytes.length };
}

/** Provider and key name of a value encrypted at rest; undefined for any other value. */
export function encryptionOf(bytes: Uint8Array): { provider: string; keyName: string } | undefined {
  if (!startsWith(bytes, ENCRYPTED_PREFIX_BYTES)) return undefined;
  const d = decodeEncrypted(bytes);
  return d.encoding === 'encrypted' ? { provider: d.provider, keyName: d.keyName } : undefined;
}

/** What decodeValue returns, without the body: enough for listings, a fraction of the work. */
export type DecodedHeader = Exclude<DecodedValue, { encoding: 'protobuf' }> | { encoding: 'protobuf'; apiVersion: string; kind: string; metadata: ObjectMeta };

function decodeProtobuf(bytes: Uint8Array, withBody = true): DecodedValue | DecodedHeader {
  try {
    let apiVersion = '';
    let kind = '';
    let raw: Uint8Array = new Uint8Array(0);
    for (const f of readFields(bytes.subarray(PROTOBUF_MAGIC.length), PROTOBUF_MAGIC.length)) {
      if (f.field === 1) {
        for (const t of readFields(f.bytes)) {
          if (t.field === 1) apiVersion = text(t.bytes);
          else if (t.field === 2) kind = text(t.bytes);
        }
      } else if (f.field === 2) raw = f.bytes;
    }
    let metadata: ObjectMeta = {};
    for (const f of readFields(raw)) {
      if (f.field !== 1) continue;
      metadata = decodeObjectMeta(f.bytes);
      if (!withBody) return { encoding: 'protobuf', apiVersion, kind, metadata };
    }
    if (!withBody) return { encoding: 'protobuf', apiVersion, kind, metadata };
    const schemaKey = kindMessageKey(apiVersion, kind);
    if (schemaKey === undefined) return { encoding: 'protobuf', apiVersion, kind, metadata, body: withoutMetadata(decodeGenericProto(raw)), known: false };
    const served = toServedVersion(apiVersion, kind, decodeBySchema(schemaKey, raw) as Record<string, unknown>);
    const stored = served.apiVersion === apiVersion ? {} : { storedApiVersion: apiVersion };
    return { encoding: 'protobuf', apiVersion: served.apiVersion, kind, metadata, body: served.body, known: true, ...stored };
  } catch (err) {
    return { encoding: 'corrupt', claimed: 'protobuf', error: messageOf(err), sizeBytes: bytes.length };
  }
}

function withoutMetadata(message: ProtoMessage): ProtoMessage {
  const { 1: _metadata, ...rest } = message;
  return rest;
}

/** JSON objects: custom resources, and CRDs (stored as apiextensions.k8s.io/v1beta1 JSON). */
function decodeJson(bytes: Uint8Array, withBody: boolean): DecodedValue {
  try {
    const stored = JSON.parse(text(bytes)) as Record<string, unknown>;
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw new Error('not a JSON object');
    const metadata = (typeof stored.metadata === 'object' && stored.metadata !== null ? stored.metadata : {}) as ObjectMeta;
    const apiVersion = typeof stored.apiVersion === 'string' ? stored.apiVersion : undefined;
    const kind = typeof stored.kind === 'string' ? stored.kind : undefined;
    if (!withBody || apiVersion === undefined || kind === undefined) return { encoding: 'json', apiVersion, kind, metadata, object: stored };
    const served = toServedVersion(apiVersion, kind, stored);
    if (served.apiVersion === apiVersion) return { encoding: 'json', apiVersion, kind, metadata, object: stored };
    return { encoding: 'json', apiVersion: served.apiVersion, kind, metadata, object: { ...served.body, apiVersion: served.apiVersion }, storedApiVersion: apiVersion };
  } catch (err) {
    return { encoding: 'corrupt', claimed: 'json', error: messageOf(err), sizeBytes: bytes.length };
  }
}

export function decodeValue(bytes: Uint8Array): DecodedValue {
  return decode(bytes, true) as DecodedValue;
}

/** Like decodeValue, but stops after ObjectMeta for protobuf objects (listings). */
export function decodeValueHeader(bytes: Uint8Array): DecodedHeader {
  return decode(bytes, false);
}

function decode(bytes: Uint8Array, withBody: boolean): DecodedValue | DecodedHeader {
  if (startsWith(bytes, ENCRYPTED_PREFIX_BYTES)) return decodeEncrypted(bytes);
  if (startsWith(bytes, PROTOBUF_MAGIC)) return decodeProtobuf(bytes, withBody);
  if (bytes[0] === 0x7b /* { */) return decodeJson(bytes, withBody);
  if (startsWith(bytes, CBOR_MAGIC)) return { encoding: 'cbor', sizeBytes: bytes.length };
  const preview = text(bytes.subarray(0, 64)).replace(/[^\x20-\x7e]/g, '.');
  return { encoding: 'raw', sizeBytes: bytes.length, preview };
}
