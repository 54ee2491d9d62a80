/**
 * The first WAL segment of a restored member (spec §5.9): framed walpb.Record messages with a
 * running CRC-32C, at the start of a file preallocated to 64 000 000 bytes. The records are
 * what etcdutl's restore writes: crc, metadata, empty snapshot marker, one ConfChange entry
 * per member, the HardState, and the snapshot marker at index N that the .snap file matches.
 */
import { ProtoWriter } from '../protobuf/index.js';
import { crc32c } from './crc32c.js';
import type { RestoreCluster } from './member-id.js';
import {
  encodeAddMemberEntry, encodeConfState, encodeHardState, encodeWalMetadata, encodeWalSnapshot,
} from './wal-raftpb.js';

/** etcd's wal.SegmentSizeBytes: 64 * 1000 * 1000, not 64 MiB. */
export const WAL_SEGMENT_BYTES = 64_000_000;

/** walpb record types. */
export const WalRecordType = { metadata: 1, entry: 2, state: 3, crc: 4, snapshot: 5 } as const;

/**
 * Which etcd's restore to reproduce. "3.5" (etcdutl) adds the ConfState to the last snapshot
 * record; etcd 3.4.23 reads both (verified by the restore integration tests).
 */
export type RestoreFlavour = '3.4' | '3.5';

/** `%016x-%016x.wal` of segment sequence and first index. */
export function walFileName(sequence: bigint, index: bigint): string {
  return `${sequence.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.wal`;
}

/** Appends framed records, chaining the CRC over every data field (spec §5.9 "CRC chaining"). */
export class WalEncoder {
  private crc = 0;
  private frames: Uint8Array[] = [];

  /** A record; without `data` (crc records) the CRC carries over unchanged. */
  append(type: number, data?: Uint8Array): this {
    if (data) this.crc = crc32c(data, this.crc);
    const record = new ProtoWriter().varint(1, type).varint(2, this.crc);
    if (data) record.bytes(3, data);
    this.frames.push(frame(record.finish()));
    return this;
  }

  /** The concatenated frames: the beginning of the segment file; the rest is zero. */
  finish(): Uint8Array {
    return Buffer.concat(this.frames);
  }
}

/**
 * u64 LE length word, then the record, padded with zeros to 8 bytes; a padded frame sets the
 * top byte of the length word to 0x80 | pad, so readers can tell torn writes from padding.
 */
function frame(record: Uint8Array): Uint8Array {
  const pad = (8 - (record.length % 8)) % 8;
  const out = new Uint8Array(8 + record.length + pad);
  const view = new DataView(out.buffer);
  view.setUint32(0, record.length, true);
  view.setUint32(4, pad === 0 ? 0 : (0x80 | pad) << 24 >>> 0, true);
  out.set(record, 8);
  return out;
}

/** The restored member's WAL segment: file name and its non-zero head (file size is WAL_SEGMENT_BYTES). */
export function encodeRestoreWal(cluster: RestoreCluster, flavour: RestoreFlavour): { name: string; head: Uint8Array } {
  const n = BigInt(cluster.members.length);
  const enc = new WalEncoder()
    .append(WalRecordType.crc)
    .append(WalRecordType.metadata, encodeWalMetadata(cluster.local.id, cluster.clusterId))
    .append(WalRecordType.snapshot, encodeWalSnapshot(0n, 0n));
  cluster.members.forEach((member, i) => enc.append(WalRecordType.entry, encodeAddMemberEntry(BigInt(i + 1), member)));
  // Vote for the smallest ID, commit every ConfChange: the state a freshly bootstrapped raft has.
  enc.append(WalRecordType.state, encodeHardState(1n, (cluster.members[0] as { id: bigint }).id, n));
  const confState = flavour === '3.5' ? encodeConfState(cluster.members.map((m) => m.id)) : undefined;
  enc.append(WalRecordType.snapshot, encodeWalSnapshot(n, 1n, confState));
  const head = enc.finish();
  if (head.length > WAL_SEGMENT_BYTES) throw new RangeError(`WAL records of ${head.length} bytes do not fit one segment`);
  return { name: walFileName(0n, 0n), head };
}
