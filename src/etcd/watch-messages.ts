/**
 * Codecs for the Watch service and the lease listing the delta streamer needs. Pure; field
 * numbers from etcd's api/etcdserverpb/rpc.proto and api/mvccpb/kv.proto (the same in 3.4
 * to 3.7). Event key-values are kept as the bytes etcd sent: they are mvccpb.KeyValue
 * marshaled exactly as etcd stores them in its key bucket.
 */
import { ProtoWriter, readFields, toInt64, WireType } from '../protobuf/index.js';
import { decodeKeyValue } from './kv-messages.js';
import { decodeHeader, EMPTY_HEADER, is, text } from './response-header.js';
import type { KeyValue, ResponseHeader } from './types.js';

/** The whole keyspace: key "\0" with range_end "\0" means every key >= "\0" (etcdctl --prefix ""). */
const ALL_KEYS = new Uint8Array([0]);

export interface WatchCreateOptions {
  startRevision: bigint;
  /** Ask etcd to split large responses (WatchResponse.fragment); the reader reassembles them. */
  fragment?: boolean;
  progressNotify?: boolean;
}

/** WatchRequest{create_request=1: WatchCreateRequest{key=1, range_end=2, start_revision=3, progress_notify=4, fragment=8}}. */
export function encodeWatchCreateRequest(options: WatchCreateOptions): Uint8Array {
  const create = new ProtoWriter().bytes(1, ALL_KEYS).bytes(2, ALL_KEYS).varintIfNonZero(3, options.startRevision)
    .varintIfNonZero(4, options.progressNotify ?? false).varintIfNonZero(8, options.fragment ?? false).finish();
  return new ProtoWriter().bytes(1, create).finish();
}

/** WatchRequest{progress_request=3: WatchProgressRequest{}}: etcd answers with its current revision once synced. */
export function encodeWatchProgressRequest(): Uint8Array {
  return new ProtoWriter().bytes(3, new Uint8Array(0)).finish();
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** The mvccpb.KeyValue bytes as sent (for a delete: key and mod_revision only). */
  kvBytes: Uint8Array;
  kv: KeyValue;
}

export interface WatchResponse {
  header: ResponseHeader;
  watchId: bigint;
  created: boolean;
  canceled: boolean;
  /** Set when the start revision was compacted: the oldest revision still available is this + 1. */
  compactRevision: bigint;
  cancelReason: string;
  /** More fragments of the same response follow. */
  fragment: boolean;
  events: WatchEvent[];
}

/** mvccpb.Event{type=1 (PUT=0, DELETE=1), kv=2, prev_kv=3}. */
function decodeEvent(buf: Uint8Array): WatchEvent {
  let type: 'put' | 'delete' = 'put';
  let kvBytes: Uint8Array = new Uint8Array(0);
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.varint)) type = f.varint === 1n ? 'delete' : 'put';
    else if (is(f, 2, WireType.bytes)) kvBytes = f.bytes;
  }
  return { type, kvBytes, kv: decodeKeyValue(kvBytes) };
}

/** WatchResponse{header=1, watch_id=2, created=3, canceled=4, compact_revision=5, cancel_reason=6, fragment=7, events=11}. */
export function decodeWatchResponse(buf: Uint8Array): WatchResponse {
  const r: WatchResponse = { header: EMPTY_HEADER, watchId: 0n, created: false, canceled: false, compactRevision: 0n, cancelReason: '', fragment: false, events: [] };
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.bytes)) r.header = decodeHeader(f.bytes);
    else if (is(f, 2, WireType.varint)) r.watchId = toInt64(f.varint);
    else if (is(f, 3, WireType.varint)) r.created = f.varint !== 0n;
    else if (is(f, 4, WireType.varint)) r.canceled = f.varint !== 0n;
    else if (is(f, 5, WireType.varint)) r.compactRevision = toInt64(f.varint);
    else if (is(f, 6, WireType.bytes)) r.cancelReason = text(f);
    else if (is(f, 7, WireType.varint)) r.fragment = f.varint !== 0n;
    else if (is(f, 11, WireType.bytes)) r.events.push(decodeEvent(f.bytes));
  }
  return r;
}

/** LeaseLeasesResponse{header=1, leases=2 repeated LeaseStatus{ID=1}}. */
export function decodeLeaseLeasesResponse(buf: Uint8Array): { header: ResponseHeader; ids: bigint[] } {
  const out = { header: EMPTY_HEADER, ids: [] as bigint[] };
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.bytes)) out.header = decodeHeader(f.bytes);
    else if (is(f, 2, WireType.bytes)) for (const g of readFields(f.bytes)) if (is(g, 1, WireType.varint)) out.ids.push(toInt64(g.varint));
  }
  return out;
}

/** LeaseTimeToLiveRequest{ID=1, keys=2}. */
export function encodeLeaseTimeToLiveRequest(id: bigint): Uint8Array {
  return new ProtoWriter().varint(1, id).finish();
}

/** LeaseTimeToLiveResponse{header=1, ID=2, TTL=3 (remaining), grantedTTL=4}; TTL -1 when the lease is gone. */
export function decodeLeaseTimeToLiveResponse(buf: Uint8Array): { id: bigint; ttl: bigint; grantedTtl: bigint } {
  const r = { id: 0n, ttl: 0n, grantedTtl: 0n };
  for (const f of readFields(buf)) {
    if (is(f, 2, WireType.varint)) r.id = toInt64(f.varint);
    else if (is(f, 3, WireType.varint)) r.ttl = toInt64(f.varint);
    else if (is(f, 4, WireType.varint)) r.grantedTtl = toInt64(f.varint);
  }
  return r;
}
