/**
 * Codecs for Cluster.MemberList and Auth.Authenticate. Pure; field numbers from etcd's
 * rpc.proto.
 */
import { ProtoWriter, readFields, WireType } from '../protobuf/index.js';
import { decodeHeader, EMPTY_HEADER, is, text } from './response-header.js';
import type { Member, MemberList } from './types.js';

/** Member {ID=1, name=2, peerURLs=3 repeated, clientURLs=4 repeated, isLearner=5}. */
export function decodeMember(buf: Uint8Array): Member {
  const member: Member = { id: 0n, name: '', peerURLs: [], clientURLs: [], isLearner: false };
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.varint)) member.id = f.varint;
    else if (is(f, 2, WireType.bytes)) member.name = text(f);
    else if (is(f, 3, WireType.bytes)) member.peerURLs.push(text(f));
    else if (is(f, 4, WireType.bytes)) member.clientURLs.push(text(f));
    else if (is(f, 5, WireType.varint)) member.isLearner = f.varint !== 0n;
  }
  return member;
}

/** MemberListResponse {header=1, members=2 repeated}. The request is empty (linearizable=1 is 3.5+). */
export function decodeMemberListResponse(buf: Uint8Array): MemberList {
  const list: MemberList = { header: EMPTY_HEADER, members: [] };
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.bytes)) list.header = decodeHeader(f.bytes);
    else if (is(f, 2, WireType.bytes)) list.members.push(decodeMember(f.bytes));
  }
  return list;
}

/** AuthenticateRequest {name=1, password=2}. */
export function encodeAuthenticateRequest(name: string, password: string): Uint8Array {
  return new ProtoWriter().bytes(1, name).bytes(2, password).finish();
}

/** AuthenticateResponse {header=1, token=2}. */
export function decodeAuthenticateResponse(buf: Uint8Array): string {
  for (const f of readFields(buf)) if (is(f, 2, WireType.bytes)) return text(f);
  return '';
}

// --- Cluster membership changes (member runbooks) ---------------------------------------

/** etcd's gRPC paths of the Cluster service calls the member runbooks use. */
export const CLUSTER_METHODS = {
  memberAdd: '/etcdserverpb.Cluster/MemberAdd',
  memberRemove: '/etcdserverpb.Cluster/MemberRemove',
  memberPromote: '/etcdserverpb.Cluster/MemberPromote',
  memberList: '/etcdserverpb.Cluster/MemberList',
} as const;

/** MemberListRequest {linearizable=1} (3.5+; 3.4 ignores the unknown field and answers from its own view). */
export function encodeMemberListRequest(linearizable: boolean): Uint8Array {
  return new ProtoWriter().varintIfNonZero(1, linearizable).finish();
}

/** MemberAddRequest {peerURLs=1 repeated, isLearner=2}. */
export function encodeMemberAddRequest(peerURLs: readonly string[], isLearner: boolean): Uint8Array {
  const w = new ProtoWriter();
  for (const url of peerURLs) w.bytes(1, url);
  return w.varintIfNonZero(2, isLearner).finish();
}

/** MemberRemoveRequest and MemberPromoteRequest: {ID=1 uint64}. */
export function encodeMemberIdRequest(id: bigint): Uint8Array {
  return new ProtoWriter().varint(1, id).finish();
}

/** The member a MemberAdd created, and the members after the change. */
export interface MemberAddResult extends MemberList {
  member: Member;
}

/** MemberAddResponse {header=1, member=2, members=3 repeated}. */
export function decodeMemberAddResponse(buf: Uint8Array): MemberAddResult {
  const result: MemberAddResult = { header: EMPTY_HEADER, member: { id: 0n, name: '', peerURLs: [], clientURLs: [], isLearner: false }, members: [] };
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.bytes)) result.header = decodeHeader(f.bytes);
    else if (is(f, 2, WireType.bytes)) result.member = decodeMember(f.bytes);
    else if (is(f, 3, WireType.bytes)) result.members.push(decodeMember(f.bytes));
  }
  return result;
}

/** MemberRemoveResponse and MemberPromoteResponse: {header=1, members=2 repeated}, the same shape as MemberListResponse. */
export const decodeMemberChangeResponse = decodeMemberListResponse;
