/**
 * etcdserverpb.ResponseHeader and the small decoding helpers every etcd response codec
 * shares. Field numbers are from etcd's api/etcdserverpb/rpc.proto (3.4/3.5).
 */
import { readFields, toInt64, WireType, type ProtoField } from '../protobuf/index.js';
import type { ResponseHeader } from './types.js';

const textDecoder = new TextDecoder();

export const EMPTY_HEADER: ResponseHeader = { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n };

/** Decodes ResponseHeader {cluster_id=1 uint64, member_id=2 uint64, revision=3 int64, raft_term=4 uint64}. */
export function decodeHeader(buf: Uint8Array): ResponseHeader {
  const header = { ...EMPTY_HEADER };
  for (const f of readFields(buf)) {
    if (f.wireType !== WireType.varint) continue;
    if (f.field === 1) header.clusterId = f.varint;
    else if (f.field === 2) header.memberId = f.varint;
    else if (f.field === 3) header.revision = toInt64(f.varint);
    else if (f.field === 4) header.raftTerm = f.varint;
  }
  return header;
}

/** A length-delimited field as UTF-8 text. */
export function text(f: ProtoField): string {
  return textDecoder.decode(f.bytes);
}

/** An int64 field as a JS number (sizes and counts, far below 2^53). */
export function int64Number(f: ProtoField): number {
  return Number(toInt64(f.varint));
}

/** True when `f` is field `field` with wire type `wireType` (unknown or mismatched fields are skipped). */
export function is(f: ProtoField, field: number, wireType: number): boolean {
  return f.field === field && f.wireType === wireType;
}
