/**
 * From delta records to what a restore appends to etcd's bbolt: key-bucket entries
 * (revision key -> mvccpb.KeyValue, tombstones marked "t") and lease-bucket records. Pure.
 *
 * Lease rule (documented in README "Point-in-time recovery"): a key's lease is kept when the
 * lease is in the snapshot or the streamer recorded it (LeaseLeases polled at every flush,
 * with its granted TTL): such leases are recreated with their granted TTL, and etcd starts
 * their countdown afresh at start-up, as it does for the snapshot's leases. A key whose lease
 * is neither (granted and revoked between two flushes, so never seen) is restored detached
 * (lease 0): it stays until deleted instead of pointing at a lease etcd does not have.
 */
import { ProtoWriter } from '../protobuf/index.js';
import { decodeKeyValue } from '../snapshot/index.js';
import type { DeltaEvent, DeltaLease } from './delta-segment.js';

const REVISION_KEY_BYTES = 17;
const TOMBSTONE_MARK = 0x74;

/** One key-bucket entry, in the order etcd wrote it. */
export interface KeyBucketEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/** A lease-bucket record: 8-byte big-endian ID -> leasepb.Lease{ID=1, TTL=2}. */
export interface LeaseBucketEntry {
  id: bigint;
  ttlSeconds: bigint;
  key: Uint8Array;
  value: Uint8Array;
}

/** etcd's revision key: main (8 bytes BE) '_' sub (8 bytes BE), plus 't' for a tombstone. */
export function revisionKey(main: bigint, sub: number, tombstone: boolean): Uint8Array {
  const out = new Uint8Array(REVISION_KEY_BYTES + (tombstone ? 1 : 0));
  const view = new DataView(out.buffer);
  view.setBigInt64(0, main);
  out[8] = 0x5f;
  view.setBigInt64(9, BigInt(sub));
  if (tombstone) out[REVISION_KEY_BYTES] = TOMBSTONE_MARK;
  return out;
}

/** mvccpb.KeyValue as etcd (gogo-protobuf) marshals it: fields in order, zero values omitted. */
function encodeKeyValue(kv: { key: Uint8Array; createRevision: bigint; modRevision: bigint; version: bigint; value: Uint8Array; lease: bigint }): Uint8Array {
  return new ProtoWriter().bytesIfNonEmpty(1, kv.key).varintIfNonZero(2, kv.createRevision).varintIfNonZero(3, kv.modRevision)
    .varintIfNonZero(4, kv.version).bytesIfNonEmpty(5, kv.value).varintIfNonZero(6, kv.lease).finish();
}

export function leaseBucketEntry(id: bigint, ttlSeconds: bigint): LeaseBucketEntry {
  const key = new Uint8Array(8);
  new DataView(key.buffer).setBigUint64(0, BigInt.asUintN(64, id));
  return { id, ttlSeconds, key, value: new ProtoWriter().varintIfNonZero(1, id).varintIfNonZero(2, ttlSeconds).finish() };
}

export interface EntriesResult {
  entries: KeyBucketEntry[];
  /** Leases to add to the restored lease bucket (recorded by the streamer, referenced by a replayed put). */
  leases: LeaseBucketEntry[];
  /** Puts restored without their lease (lease never recorded). */
  detachedKeys: number;
  lastRevision: number;
}

/**
 * Key-bucket entries for the events with afterRevision < main <= toRevision, with the lease
 * rule applied; `knownLeases` are the snapshot's lease IDs.
 */
export function deltaEntries(events: Iterable<DeltaEvent>, recorded: Iterable<DeltaLease>, options: { afterRevision: number; toRevision: number; knownLeases?: ReadonlySet<bigint> }): EntriesResult {
  const recordedTtl = new Map<bigint, bigint>();
  for (const l of recorded) recordedTtl.set(l.id, l.grantedTtlSeconds);
  const known = options.knownLeases ?? new Set<bigint>();
  const added = new Map<bigint, LeaseBucketEntry>();
  const entries: KeyBucketEntry[] = [];
  let detachedKeys = 0;
  let lastRevision = options.afterRevision;
  const after = BigInt(options.afterRevision);
  const to = BigInt(options.toRevision);
  for (const ev of events) {
    if (ev.main <= after || ev.main > to) continue;
    lastRevision = Number(ev.main);
    if (ev.type === 'delete') {
      entries.push({ key: revisionKey(ev.main, ev.sub, true), value: new ProtoWriter().bytes(1, decodeKeyValue(ev.kv).key).finish() });
      continue;
    }
    let value = ev.kv;
    const kv = decodeKeyValue(ev.kv);
    if (kv.lease !== 0n && !known.has(kv.lease)) {
      const ttl = recordedTtl.get(kv.lease);
      if (ttl === undefined) {
        value = encodeKeyValue({ ...kv, lease: 0n });
        detachedKeys++;
      } else if (!added.has(kv.lease)) {
        added.set(kv.lease, leaseBucketEntry(kv.lease, ttl));
      }
    }
    entries.push({ key: revisionKey(ev.main, ev.sub, false), value });
  }
  return { entries, leases: [...added.values()], detachedKeys, lastRevision };
}
