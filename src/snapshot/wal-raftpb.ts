/**
 * The raft and etcd protobuf messages restore writes into the WAL and the .snap file (spec
 * §5.8-5.10). They are proto2 messages marshalled by gogo-protobuf: non-nullable fields are
 * emitted even when zero, fields go in ascending field-number order, and ConfState voters are
 * not packed. Any deviation changes the record CRCs that etcd checks on start.
 */
import { ProtoWriter } from '../protobuf/index.js';
import { memberJson } from './go-json.js';
import type { RestoreMember } from './member-id.js';

/** raftpb.EntryType / ConfChangeType values used by restore. */
const ENTRY_CONF_CHANGE = 1;
const CONF_CHANGE_ADD_NODE = 0;

/** raftpb.ConfState with the given voters (ascending), `auto_leave` false. */
export function encodeConfState(voters: readonly bigint[]): Uint8Array {
  const w = new ProtoWriter();
  for (const id of voters) w.varint(1, id);
  return w.varint(5, false).finish();
}

/** etcdserverpb.Metadata: the WAL's first data record, naming this member and its cluster. */
export function encodeWalMetadata(nodeId: bigint, clusterId: bigint): Uint8Array {
  return new ProtoWriter().varint(1, nodeId).varint(2, clusterId).finish();
}

/** walpb.Snapshot: a WAL snapshot marker; 3.5 adds the ConfState (field 3). */
export function encodeWalSnapshot(index: bigint, term: bigint, confState?: Uint8Array): Uint8Array {
  const w = new ProtoWriter().varint(1, index).varint(2, term);
  if (confState) w.bytes(3, confState);
  return w.finish();
}

/** raftpb.Entry (term 1, index) carrying the ConfChange that adds `member`. */
export function encodeAddMemberEntry(index: bigint, member: RestoreMember): Uint8Array {
  const confChange = new ProtoWriter()
    .varint(1, 0n)
    .varint(2, CONF_CHANGE_ADD_NODE)
    .varint(3, member.id)
    .bytes(4, memberJson(member))
    .finish();
  return new ProtoWriter().varint(1, ENTRY_CONF_CHANGE).varint(2, 1n).varint(3, index).bytes(4, confChange).finish();
}

/** raftpb.HardState. */
export function encodeHardState(term: bigint, vote: bigint, commit: bigint): Uint8Array {
  return new ProtoWriter().varint(1, term).varint(2, vote).varint(3, commit).finish();
}

/** raftpb.Snapshot: the v2 store bytes plus SnapshotMetadata{conf_state, index, term}. */
export function encodeRaftSnapshot(data: Uint8Array, confState: Uint8Array, index: bigint, term: bigint): Uint8Array {
  const metadata = new ProtoWriter().bytes(1, confState).varint(2, index).varint(3, term).finish();
  return new ProtoWriter().bytes(1, data).bytes(2, metadata).finish();
}
