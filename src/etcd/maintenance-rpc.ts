/**
 * Codecs and method paths for the Maintenance RPCs that change or check a member: Defragment,
 * HashKV, MoveLeader and Alarm ACTIVATE/DEACTIVATE. Pure; field numbers from etcd's rpc.proto.
 */
import { ProtoWriter, readFields, toInt64, WireType } from '../protobuf/index.js';
import { decodeHeader, EMPTY_HEADER, is } from './response-header.js';
import { decodeAlarmResponse } from './maintenance-messages.js';
import type { Alarm, AlarmType, ResponseHeader } from './types.js';

/** gRPC paths of the Maintenance methods used here (the shared table holds the read-only ones). */
export const MAINTENANCE_METHODS = {
  defragment: '/etcdserverpb.Maintenance/Defragment',
  hashKV: '/etcdserverpb.Maintenance/HashKV',
  moveLeader: '/etcdserverpb.Maintenance/MoveLeader',
} as const;

/** Maintenance.HashKV of one member. */
export interface HashKV {
  header: ResponseHeader;
  /** crc32 (Castagnoli) over the member's MVCC keys and values up to `hashRevision`. */
  hash: number;
  /** The member's compacted revision when the hash began. */
  compactRevision: bigint;
  /** The revision hashed (etcd >= 3.6 says; 0 from older members). */
  hashRevision: bigint;
}

/** HashKVRequest {revision=1 int64}: 0 hashes up to the latest revision. */
export function encodeHashKVRequest(revision: bigint): Uint8Array {
  return new ProtoWriter().varintIfNonZero(1, revision).finish();
}

/** HashKVResponse {header=1, hash=2 uint32, compact_revision=3 int64, hash_revision=4 int64}. */
export function decodeHashKVResponse(buf: Uint8Array): HashKV {
  const out: HashKV = { header: EMPTY_HEADER, hash: 0, compactRevision: 0n, hashRevision: 0n };
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.bytes)) out.header = decodeHeader(f.bytes);
    else if (is(f, 2, WireType.varint)) out.hash = Number(f.varint & 0xffffffffn);
    else if (is(f, 3, WireType.varint)) out.compactRevision = toInt64(f.varint);
    else if (is(f, 4, WireType.varint)) out.hashRevision = toInt64(f.varint);
  }
  return out;
}

/** MoveLeaderRequest {targetID=1 uint64}. */
export function encodeMoveLeaderRequest(targetId: bigint): Uint8Array {
  return new ProtoWriter().varintIfNonZero(1, targetId).finish();
}

/** MoveLeaderResponse {header=1}; etcd leaves the header out (undefined then). */
export function decodeMoveLeaderResponse(buf: Uint8Array): ResponseHeader | undefined {
  let header: ResponseHeader | undefined;
  for (const f of readFields(buf)) if (is(f, 1, WireType.bytes)) header = decodeHeader(f.bytes);
  return header;
}

/** AlarmRequest.AlarmAction. */
export type AlarmAction = 'GET' | 'ACTIVATE' | 'DEACTIVATE';

const ACTIONS: Record<AlarmAction, number> = { GET: 0, ACTIVATE: 1, DEACTIVATE: 2 };
const ALARMS: Record<AlarmType, number> = { NONE: 0, NOSPACE: 1, CORRUPT: 2, UNKNOWN: 0 };

/**
 * AlarmRequest {action=1, memberID=2, alarm=3}. memberID 0 and alarm NONE mean every member and
 * every alarm, as `etcdctl alarm disarm` sends it.
 */
export function encodeAlarmRequest(action: AlarmAction, memberId = 0n, alarm: AlarmType = 'NONE'): Uint8Array {
  return new ProtoWriter().varintIfNonZero(1, ACTIONS[action]).varintIfNonZero(2, memberId).varintIfNonZero(3, ALARMS[alarm]).finish();
}

/** An AlarmResponse with its header, which etcd 3.4 leaves out of Alarm GET (undefined then). */
export interface AlarmList {
  header: ResponseHeader | undefined;
  alarms: Alarm[];
}

/** AlarmResponse {header=1, alarms=2 repeated}, keeping whether the header was sent. */
export function decodeAlarmList(buf: Uint8Array): AlarmList {
  let header: ResponseHeader | undefined;
  for (const f of readFields(buf)) if (is(f, 1, WireType.bytes)) header = decodeHeader(f.bytes);
  return { header, alarms: decodeAlarmResponse(buf) };
}
