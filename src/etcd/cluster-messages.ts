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
