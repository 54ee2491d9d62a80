/**
 * etcd's use of bbolt (spec §3): bucket names, revision keys of the `key` bucket and the
 * protobuf values stored there and in `lease`. Decoders check every length and wire type
 * and throw; they never guess.
 */
import { readFields, toInt64, WireType } from '../protobuf/index.js';
import { EtcdDataError } from './errors.js';
import { u64beBig } from './bytes.js';

/** Top-level buckets of an etcd 3.4/3.5 backend, in on-disk (sorted) order. */
export const ETCD_BUCKETS = ['alarm', 'auth', 'authRoles', 'authUsers', 'cluster', 'key', 'lease', 'members', 'members_removed', 'meta'] as const;
/** Buckets without which the data is not an etcd keyspace. */
export const REQUIRED_BUCKETS = ['key', 'meta'] as const;

export const KEY_BUCKET = 'key';
export const META_BUCKET = 'meta';
export const LEASE_BUCKET = 'lease';
export const CONSISTENT_INDEX_KEY = 'consistent_index';
/** Meta key etcd 3.6+ writes with its storage schema version ("3.6.0"). */
export const STORAGE_VERSION_KEY = 'storageVersion';

/** 8-byte main ‖ '_' ‖ 8-byte sub; a tombstone appends 't'. */
export const REVISION_KEY_BYTES = 17;
const REV_SEPARATOR = 0x5f;
export const TOMBSTONE_MARK = 0x74;

export interface Revision {
  main: bigint;
  sub: bigint;
  /** The revision deleted its key. */
  tombstone: boolean;
}

/** Decodes a `key` bucket key; throws EtcdDataError when it is not 17 or 18 well-formed bytes. */
export function decodeRevisionKey(key: Uint8Array): Revision {
  const tombstone = key.length === REVISION_KEY_BYTES + 1;
  if (key.length !== REVISION_KEY_BYTES && !tombstone) {
    throw new EtcdDataError(`Revision key has ${key.length} bytes, expected 17 or 18`, KEY_BUCKET, key);
  }
  if (key[8] !== REV_SEPARATOR) throw new EtcdDataError(`Revision key byte 8 is 0x${(key[8] ?? 0).toString(16)}, expected "_"`, KEY_BUCKET, key);
  if (tombstone && key[REVISION_KEY_BYTES] !== TOMBSTONE_MARK) throw new EtcdDataError('Revision key byte 17 is not the tombstone mark "t"', KEY_BUCKET, key);
  return { main: BigInt.asIntN(64, u64beBig(key, 0)), sub: BigInt.asIntN(64, u64beBig(key, 9)), tombstone };
}

/** mvccpb.KeyValue. Missing fields are zero / empty (proto3). */
export interface KeyValue {
  key: Uint8Array;
  createRevision: bigint;
  modRevision: bigint;
  version: bigint;
  value: Uint8Array;
  lease: bigint;
}

function expectWire(bucket: string, field: number, actual: number, expected: number): void {
  if (actual !== expected) throw new EtcdDataError(`Field ${field} has wire type ${actual}, expected ${expected}`, bucket);
}

/**
 * Decodes an mvccpb.KeyValue. Unknown fields are skipped (newer etcd may add some). Throws
 * ProtobufError on malformed wire data and EtcdDataError on a known field with the wrong type.
 * `key`/`value` are views into `bytes`.
 */
export function decodeKeyValue(bytes: Uint8Array): KeyValue {
  const kv: KeyValue = { key: new Uint8Array(0), createRevision: 0n, modRevision: 0n, version: 0n, value: new Uint8Array(0), lease: 0n };
  for (const f of readFields(bytes)) {
    switch (f.field) {
      case 1: expectWire(KEY_BUCKET, 1, f.wireType, WireType.bytes); kv.key = f.bytes; break;
      case 2: expectWire(KEY_BUCKET, 2, f.wireType, WireType.varint); kv.createRevision = toInt64(f.varint); break;
      case 3: expectWire(KEY_BUCKET, 3, f.wireType, WireType.varint); kv.modRevision = toInt64(f.varint); break;
      case 4: expectWire(KEY_BUCKET, 4, f.wireType, WireType.varint); kv.version = toInt64(f.varint); break;
      case 5: expectWire(KEY_BUCKET, 5, f.wireType, WireType.bytes); kv.value = f.bytes; break;
      case 6: expectWire(KEY_BUCKET, 6, f.wireType, WireType.varint); kv.lease = toInt64(f.varint); break;
      default: break;
    }
  }
  return kv;
}

/** leasepb.Lease. */
export interface Lease {
  id: bigint;
  ttl: bigint;
  remainingTtl: bigint;
}

/** Decodes a `lease` bucket value; same error rules as decodeKeyValue. */
export function decodeLease(bytes: Uint8Array): Lease {
  const lease: Lease = { id: 0n, ttl: 0n, remainingTtl: 0n };
  for (const f of readFields(bytes)) {
    if (f.field < 1 || f.field > 3) continue;
    expectWire(LEASE_BUCKET, f.field, f.wireType, WireType.varint);
    const v = toInt64(f.varint);
    if (f.field === 1) lease.id = v;
    else if (f.field === 2) lease.ttl = v;
    else lease.remainingTtl = v;
  }
  return lease;
}

/**
 * True when a stored KeyValue's key (field 1, the first field etcd writes) starts with `prefix`;
 * reads only the key's length and first bytes, no full decode (restore calls it for every key).
 * The KeyValue is value[start, end) (default: all of it).
 */
export function keyValueKeyStartsWith(value: Uint8Array, prefix: Uint8Array, start = 0, end = value.length): boolean {
  if (start >= end || value[start] !== 0x0a) return false;
  // Length varint; keys longer than 2^21 bytes do not exist (etcd caps requests far lower).
  let len = 0;
  let p = start + 1;
  for (let shift = 0; shift < 21; shift += 7) {
    if (p >= end) return false;
    const b = value[p++] as number;
    len |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
  }
  if (len < prefix.length || p + prefix.length > end) return false;
  for (let i = 0; i < prefix.length; i++) if (value[p + i] !== prefix[i]) return false;
  return true;
}
