/**
 * The point-in-time restore's fast path from checked segment plaintexts to key-bucket
 * entries: the same result as deltaEntries (delta-entries.ts) over the decoded records, built
 * without an object, a BigInt or a copy per event. Revision keys are the event headers' own
 * bytes rearranged into shared slabs; a put's value is a view of its key-value in the segment
 * (the bytes etcd sent are exactly the key-bucket value); a delete's value ({key}) is written
 * into a slab. Key-values are scanned, not decoded: only the key (deletes) and lease (puts)
 * are read, and anything unusual goes to the full decoder, which throws on malformed data.
 *
 * The lease rule needs every segment's lease records and the snapshot's lease IDs: puts with
 * a lease are noted while segments are added and settled by finish(), so segments can be
 * added while the full backup is still downloading.
 */
import { ProtoWriter } from '../protobuf/index.js';
import { decodeKeyValue } from '../snapshot/index.js';
import { type EntriesResult, type KeyBucketEntry, type LeaseBucketEntry, leaseBucketEntry } from './delta-entries.js';
import { eventMainNumber, scanDeltaSegment } from './delta-segment.js';
import { DeltaChainError } from './delta-store.js';

const SLAB_BYTES = 1024 * 1024;
const TOMBSTONE_MARK = 0x74;
const REV_SEPARATOR = 0x5f;

/** Small allocations carved out of 1 MiB slabs (one ArrayBuffer per slab, not per key). */
class Slabs {
  private slab = new Uint8Array(0);
  private used = 0;

  alloc(n: number): Uint8Array {
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(Math.max(SLAB_BYTES, n));
      this.used = 0;
    }
    const out = this.slab.subarray(this.used, this.used + n);
    this.used += n;
    return out;
  }
}

/** What scanKeyValue found: the key's range and the lease (0n when absent). */
interface KvScan {
  keyStart: number;
  keyEnd: number;
  lease: bigint;
}

/**
 * Reads field 1 (key) and field 6 (lease) of the mvccpb.KeyValue in bytes[start, end);
 * false when the bytes hold anything the full decoder should judge (bad framing, a known field
 * with another wire type, a group).
 */
function scanKeyValue(b: Uint8Array, start: number, end: number, out: KvScan): boolean {
  out.keyStart = start;
  out.keyEnd = start;
  out.lease = 0n;
  let p = start;
  while (p < end) {
    let tag = 0;
    let shift = 0;
    for (;;) {
      if (p >= end || shift > 28) return false;
      const c = b[p++] as number;
      tag += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) break;
      shift += 7;
    }
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      if (field === 1 || field === 5) return false;
      const from = p;
      while (p < end && (b[p] as number) >= 0x80) p++;
      if (p >= end || p - from >= 10) return false;
      p++;
      if (field === 6) {
        let v = 0n;
        for (let i = p - 1; i >= from; i--) v = (v << 7n) | BigInt((b[i] as number) & 0x7f);
        out.lease = BigInt.asIntN(64, v);
      }
    } else if (wire === 2) {
      if (field >= 2 && field <= 4 || field === 6) return false;
      let len = 0;
      shift = 0;
      for (;;) {
        if (p >= end || shift > 35) return false;
        const c = b[p++] as number;
        len += (c & 0x7f) * 2 ** shift;
        if (c < 0x80) break;
        shift += 7;
      }
      if (p + len > end) return false;
      if (field === 1) {
        out.keyStart = p;
        out.keyEnd = p + len;
      }
      p += len;
    } else if ((wire === 1 || wire === 5) && field > 6) {
      p += wire === 1 ? 8 : 4;
      if (p > end) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** Collects the key-bucket entries of segments added in order (see the file comment). */
export class DeltaEntryCollector {
  readonly entries: KeyBucketEntry[] = [];
  /** Events read from all segments, those outside (afterRevision, toRevision] included. */
  events = 0;
  private lastRevision: number;
  private readonly recordedTtl = new Map<bigint, bigint>();
  /** Puts with a lease: index into entries, and the lease. */
  private readonly leased: { index: number; lease: bigint }[] = [];
  private readonly slabs = new Slabs();
  private readonly scan: KvScan = { keyStart: 0, keyEnd: 0, lease: 0n };

  constructor(private readonly afterRevision: number, private readonly toRevision: number) {
    this.lastRevision = afterRevision;
  }

  /**
   * Adds the checked plaintext of segment `name` covering first..last; throws
   * DeltaSegmentError on bad bytes and DeltaChainError on an event outside the range or an
   * event count other than `eventCount`. `bytes` is kept: put values are views into it.
   */
  addSegment(bytes: Uint8Array, m: { name: string; firstRevision: number; lastRevision: number; eventCount: number }): void {
    let n = 0;
    const altered = 'The segment was altered; restore to a revision before it';
    scanDeltaSegment(bytes, m.name, {
      lease: (id, ttl) => this.recordedTtl.set(id, ttl),
      event: (at, type, kvStart, kvEnd) => {
        n++;
        const main = eventMainNumber(bytes, at);
        if (main < m.firstRevision || main > m.lastRevision) {
          const exact = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 8).getBigUint64(0);
          throw new DeltaChainError(`Delta segment "${m.name}" holds revision ${exact}, outside ${m.firstRevision}-${m.lastRevision}`, altered, m.name, m.firstRevision - 1);
        }
        if (main <= this.afterRevision || main > this.toRevision) return;
        this.lastRevision = main;
        this.add(bytes, at, type, kvStart, kvEnd);
      },
    });
    if (n !== m.eventCount) throw new DeltaChainError(`Delta segment "${m.name}" holds ${n} events, its manifest says ${m.eventCount}`, altered, m.name, m.firstRevision - 1);
    this.events += n;
  }

  private add(bytes: Uint8Array, at: number, type: number, kvStart: number, kvEnd: number): void {
    // etcd's revision key: main (8 bytes BE) '_' sub (8 bytes BE; the header holds 4), 't' for a tombstone.
    const key = this.slabs.alloc(type === 1 ? 18 : 17);
    key.set(bytes.subarray(at + 1, at + 9), 0);
    key[8] = REV_SEPARATOR;
    key.set(bytes.subarray(at + 9, at + 13), 13);
    const s = this.scan;
    if (!scanKeyValue(bytes, kvStart, kvEnd, s)) {
      // The full decoder throws on malformed data; a well-formed oddity goes through it.
      const kv = decodeKeyValue(bytes.subarray(kvStart, kvEnd));
      s.keyStart = kvStart;
      s.keyEnd = kvStart;
      s.lease = kv.lease;
      if (type === 1) {
        key[17] = TOMBSTONE_MARK;
        this.entries.push({ key, value: new ProtoWriter().bytes(1, kv.key).finish() });
        return;
      }
    } else if (type === 1) {
      key[17] = TOMBSTONE_MARK;
      this.entries.push({ key, value: this.deleteValue(bytes, s.keyStart, s.keyEnd) });
      return;
    }
    if (s.lease !== 0n) this.leased.push({ index: this.entries.length, lease: s.lease });
    this.entries.push({ key, value: bytes.subarray(kvStart, kvEnd) });
  }

  /** mvccpb.KeyValue{key}: tag 0x0a, varint length, the key. */
  private deleteValue(bytes: Uint8Array, keyStart: number, keyEnd: number): Uint8Array {
    const len = keyEnd - keyStart;
    let lenBytes = 1;
    for (let v = len; v >= 0x80; v = Math.floor(v / 128)) lenBytes++;
    const out = this.slabs.alloc(1 + lenBytes + len);
    out[0] = 0x0a;
    let p = 1;
    let v = len;
    while (v >= 0x80) {
      out[p++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    out[p++] = v;
    out.set(bytes.subarray(keyStart, keyEnd), p);
    return out;
  }

  /** Applies the lease rule with the snapshot's lease IDs and returns the result (call once). */
  finish(knownLeases: ReadonlySet<bigint> = new Set()): EntriesResult {
    const added = new Map<bigint, LeaseBucketEntry>();
    let detachedKeys = 0;
    for (const { index, lease } of this.leased) {
      if (knownLeases.has(lease)) continue;
      const ttl = this.recordedTtl.get(lease);
      if (ttl === undefined) {
        const entry = this.entries[index] as KeyBucketEntry;
        const kv = decodeKeyValue(entry.value);
        entry.value = new ProtoWriter().bytesIfNonEmpty(1, kv.key).varintIfNonZero(2, kv.createRevision).varintIfNonZero(3, kv.modRevision)
          .varintIfNonZero(4, kv.version).bytesIfNonEmpty(5, kv.value).finish();
        detachedKeys++;
      } else if (!added.has(lease)) {
        added.set(lease, leaseBucketEntry(lease, ttl));
      }
    }
    return { entries: this.entries, leases: [...added.values()], detachedKeys, lastRevision: this.lastRevision };
  }
}
