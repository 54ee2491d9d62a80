/**
 * Codecs for the KV service: Range, Put and DeleteRange requests and responses, and
 * mvccpb.KeyValue. Pure; field numbers from etcd's rpc.proto and kv.proto.
 */
import { ProtoWriter, readFields, toInt64, WireType } from '../protobuf/index.js';
import { decodeHeader, EMPTY_HEADER, int64Number, is } from './response-header.js';
import type { KeyValue, RangeOptions, RangeResult, ResponseHeader } from './types.js';

const textEncoder = new TextEncoder();

/** Keys and values are bytes on the wire; strings are sent as UTF-8. */
export function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? textEncoder.encode(value) : value;
}

/** RangeRequest {key=1, range_end=2, limit=3, revision=4, serializable=7, keys_only=8}. */
export function encodeRangeRequest(options: RangeOptions): Uint8Array {
  const w = new ProtoWriter().bytesIfNonEmpty(1, toBytes(options.key));
  if (options.rangeEnd !== undefined) w.bytesIfNonEmpty(2, toBytes(options.rangeEnd));
  w.varintIfNonZero(3, options.limit ?? 0);
  w.varintIfNonZero(4, options.revision ?? 0n);
  w.varintIfNonZero(7, options.serializable ?? false);
  w.varintIfNonZero(8, options.keysOnly ?? false);
  return w.finish();
}

/** mvccpb.KeyValue {key=1, create_revision=2, mod_revision=3, version=4, value=5, lease=6}. */
export function decodeKeyValue(buf: Uint8Array): KeyValue {
  const kv: KeyValue = { key: new Uint8Array(0), value: new Uint8Array(0), createRevision: 0n, modRevision: 0n, version: 0n, lease: 0n };
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.bytes)) kv.key = f.bytes;
    else if (is(f, 5, WireType.bytes)) kv.value = f.bytes;
    else if (f.wireType !== WireType.varint) continue;
    else if (f.field === 2) kv.createRevision = toInt64(f.varint);
    else if (f.field === 3) kv.modRevision = toInt64(f.varint);
    else if (f.field === 4) kv.version = toInt64(f.varint);
    else if (f.field === 6) kv.lease = toInt64(f.varint);
  }
  return kv;
}

/** RangeResponse {header=1, kvs=2 repeated, more=3, count=4}. */
export function decodeRangeResponse(buf: Uint8Array): RangeResult {
  const result: RangeResult = { kvs: [], more: false, count: 0, header: EMPTY_HEADER };
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.bytes)) result.header = decodeHeader(f.bytes);
    else if (is(f, 2, WireType.bytes)) result.kvs.push(decodeKeyValue(f.bytes));
    else if (is(f, 3, WireType.varint)) result.more = f.varint !== 0n;
    else if (is(f, 4, WireType.varint)) result.count = int64Number(f);
  }
  return result;
}

/** PutRequest {key=1, value=2, lease=3}. */
export function encodePutRequest(key: Uint8Array | string, value: Uint8Array | string, lease = 0n): Uint8Array {
  return new ProtoWriter().bytes(1, toBytes(key)).bytesIfNonEmpty(2, toBytes(value)).varintIfNonZero(3, lease).finish();
}

/** PutResponse {header=1, prev_kv=2}: only the header is used. */
export function decodeHeaderOnly(buf: Uint8Array): ResponseHeader {
  for (const f of readFields(buf)) if (is(f, 1, WireType.bytes)) return decodeHeader(f.bytes);
  return EMPTY_HEADER;
}

/** DeleteRangeRequest {key=1, range_end=2}. */
export function encodeDeleteRangeRequest(key: Uint8Array | string, rangeEnd?: Uint8Array | string): Uint8Array {
  const w = new ProtoWriter().bytes(1, toBytes(key));
  if (rangeEnd !== undefined) w.bytesIfNonEmpty(2, toBytes(rangeEnd));
  return w.finish();
}

/** DeleteRangeResponse {header=1, deleted=2}. */
export function decodeDeleteRangeResponse(buf: Uint8Array): { deleted: number; header: ResponseHeader } {
  let header = EMPTY_HEADER;
  let deleted = 0;
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.bytes)) header = decodeHeader(f.bytes);
    else if (is(f, 2, WireType.varint)) deleted = int64Number(f);
  }
  return { deleted, header };
}
