/**
 * The raft snapshot file restore writes to `member/snap/<term>-<index>.snap` (spec §5.8): a
 * snappb.snapshot {crc, data} whose data is a raftpb.Snapshot holding the v2 store JSON and
 * the new cluster's ConfState. etcd loads it on start to learn the membership (3.4) and the
 * index the WAL continues from.
 */
import { ProtoWriter } from '../protobuf/index.js';
import { crc32c } from './crc32c.js';
import type { RestoreMember } from './member-id.js';
import { encodeV2Store } from './v2-store.js';
import { encodeConfState, encodeRaftSnapshot } from './wal-raftpb.js';

/** `%016x-%016x.snap` of term and index. */
export function snapFileName(term: bigint, index: bigint): string {
  return `${term.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.snap`;
}

/**
 * The .snap bytes for a restore: term 1, index = number of members, voters = all members.
 * `members` must be sorted by ascending ID.
 */
export function encodeSnapFile(members: readonly RestoreMember[]): { name: string; bytes: Uint8Array } {
  const index = BigInt(members.length);
  const store = new TextEncoder().encode(encodeV2Store(members));
  const data = encodeRaftSnapshot(store, encodeConfState(members.map((m) => m.id)), index, 1n);
  // The crc is a fresh CRC-32C of the raftpb.Snapshot bytes, unrelated to the WAL's chain.
  const bytes = new ProtoWriter().varint(1, crc32c(data)).bytes(2, data).finish();
  return { name: snapFileName(1n, index), bytes };
}
