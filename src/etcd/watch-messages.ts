/**
 * Codecs for the Watch service and the lease listing the delta streamer needs. Pure; field
 * numbers from etcd's api/etcdserverpb/rpc.proto and api/mvccpb/kv.proto (the same in 3.4
 * to 3.7). Event key-values are kept as the bytes etcd sent: they are mvccpb.KeyValue
 * marshaled exactly as etcd stores them in its key bucket.
 */
import { FieldReader, ProtoWriter, readFields, toInt64, WireType } from '../protobuf/index.js';
import { decodeHeader, EMPTY_HEADER, is, text } from './response-header.js';
import type { ResponseHeader } from './types.js';

const EMPTY = new Uint8Array(0);

/** The whole keyspace: key "\0" with range_end "\0" means every key >= "\0" (etcdctl --prefix ""). */
const ALL_KEYS = new Uint8Array([0]);

export interface WatchCreateOptions {
  startRevision: bigint;
  /** Ask etcd to split large responses (WatchResponse.fragment); the reader reassembles them. */
  fragment?: boolean;
  progressNotify?: boolean;
  /** The watch's ID on its stream (etcd 3.4+); 0 lets etcd choose. */
  watchId?: bigint;
}

/** WatchRequest{create_request=1: WatchCreateRequest{key=1, range_end=2, start_revision=3, progress_notify=4, watch_id=7, fragment=8}}. */
export function encodeWatchCreateRequest(options: WatchCreateOptions): Uint8Array {
  const create = new ProtoWriter().bytes(1, ALL_KEYS).bytes(2, ALL_KEYS).varintIfNonZero(3, options.startRevision)
    .varintIfNonZero(4, options.progressNotify ?? false).varintIfNonZero(7, options.watchId ?? 0n).varintIfNonZero(8, options.fragment ?? false).finish();
  return new ProtoWriter().bytes(1, create).finish();
}

/** WatchRequest{cancel_request=2: WatchCancelRequest{watch_id=1}}. */
export function encodeWatchCancelRequest(watchId: bigint): Uint8Array {
  return new ProtoWriter().bytes(2, new ProtoWriter().varintIfNonZero(1, watchId).finish()).finish();
}

/** WatchRequest{progress_request=3: WatchProgressRequest{}}: etcd answers with its current revision once synced. */
export function encodeWatchProgressRequest(): Uint8Array {
  return new ProtoWriter().bytes(3, new Uint8Array(0)).finish();
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** The mvccpb.KeyValue bytes as sent (for a delete: key and mod_revision only). */
  kvBytes: Uint8Array;
  /** Of that KeyValue, the key (a view) and mod_revision: all the streamer reads of it. */
  key: Uint8Array;
  modRevision: number;
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

/** A watch's responses as the delta streamer reads them (see watch.ts). */
export interface KeyspaceWatch {
  /** Complete responses with events or progress, in order; ends when the stream ends. */
  responses(): AsyncGenerator<WatchResponse>;
  /** Asks etcd for a progress response (its current revision, once every event up to it was sent). */
  requestProgress(): void;
  cancel(): void;
}

const eventReader = new FieldReader();
const kvReader = new FieldReader();

/** mvccpb.Event{type=1 (PUT=0, DELETE=1), kv=2, prev_kv=3}; of kv, KeyValue{key=1, mod_revision=3} (FieldReader: no allocation per field). */
function decodeEvent(buf: Uint8Array): WatchEvent {
  const ev: WatchEvent = { type: 'put', kvBytes: EMPTY, key: EMPTY, modRevision: 0 };
  for (const f = eventReader.reset(buf); f.next();) {
    if (f.field === 1 && f.wireType === WireType.varint) ev.type = f.value === 1 ? 'delete' : 'put';
    else if (f.field === 2 && f.wireType === WireType.bytes) ev.kvBytes = f.bytes();
  }
  for (const f = kvReader.reset(ev.kvBytes); f.next();) {
    if (f.field === 1 && f.wireType === WireType.bytes) ev.key = f.bytes();
    else if (f.field === 3 && f.wireType === WireType.varint) ev.modRevision = f.value;
  }
  return ev;
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
