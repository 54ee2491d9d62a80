/**
 * Codecs for the election: LeaseGrant/LeaseRevoke/LeaseKeepAlive and a put-if-absent Txn.
 * Pure; field numbers from etcd's api/etcdserverpb/rpc.proto (the same in 3.4 to 3.6).
 */
import { ProtoWriter, readFields, toInt64, WireType } from '../protobuf/index.js';
import { decodeRangeResponse, encodePutRequest, encodeRangeRequest } from './kv-messages.js';
import { decodeHeader, EMPTY_HEADER, is, text } from './response-header.js';
import type { KeyValue, ResponseHeader } from './types.js';

/** LeaseGrantRequest {TTL=1, ID=2}: ID 0 lets etcd choose. */
export function encodeLeaseGrantRequest(ttlSeconds: number): Uint8Array {
  return new ProtoWriter().varint(1, ttlSeconds).finish();
}

/** LeaseGrantResponse {header=1, ID=2, TTL=3, error=4}; also LeaseKeepAliveResponse {header=1, ID=2, TTL=3}. */
export function decodeLeaseResponse(buf: Uint8Array): { id: bigint; ttl: bigint; error: string; header: ResponseHeader } {
  const r = { id: 0n, ttl: 0n, error: '', header: EMPTY_HEADER };
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.bytes)) r.header = decodeHeader(f.bytes);
    else if (is(f, 2, WireType.varint)) r.id = toInt64(f.varint);
    else if (is(f, 3, WireType.varint)) r.ttl = toInt64(f.varint);
    else if (is(f, 4, WireType.bytes)) r.error = text(f);
  }
  return r;
}

/** LeaseRevokeRequest {ID=1} and LeaseKeepAliveRequest {ID=1}. */
export function encodeLeaseIdRequest(id: bigint): Uint8Array {
  return new ProtoWriter().varint(1, id).finish();
}

/**
 * TxnRequest: if Compare{result=EQUAL(0), target=CREATE(1), key, create_revision=0} (the key
 * does not exist) then RequestOp{request_put=2} with the lease, else RequestOp{request_range=1}
 * of the key, to learn the holder.
 */
export function encodePutIfAbsentTxn(key: string, value: string, lease: bigint): Uint8Array {
  const compare = new ProtoWriter().varint(1, 0).varint(2, 1).bytes(3, key).varint(5, 0).finish();
  const success = new ProtoWriter().bytes(2, encodePutRequest(key, value, lease)).finish();
  const failure = new ProtoWriter().bytes(1, encodeRangeRequest({ key })).finish();
  return new ProtoWriter().bytes(1, compare).bytes(2, success).bytes(3, failure).finish();
}

/** TxnResponse {header=1, succeeded=2, responses=3 ResponseOp{response_range=1}}: the range's first kv on failure. */
export function decodePutIfAbsentTxn(buf: Uint8Array): { succeeded: boolean; current: KeyValue | undefined; header: ResponseHeader } {
  const r: { succeeded: boolean; current: KeyValue | undefined; header: ResponseHeader } = { succeeded: false, current: undefined, header: EMPTY_HEADER };
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.bytes)) r.header = decodeHeader(f.bytes);
    else if (is(f, 2, WireType.varint)) r.succeeded = f.varint !== 0n;
    else if (is(f, 3, WireType.bytes)) {
      for (const op of readFields(f.bytes)) if (is(op, 1, WireType.bytes)) r.current ??= decodeRangeResponse(op.bytes).kvs[0];
    }
  }
  return r;
}
