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
import { type AppendRecords, decodeKeyValue } from '../snapshot/index.js';
import { type EntriesResult, type KeyBucketEntry, type LeaseBucketEntry, leaseBucketEntry } from './delta-entries.js';
import { eventMainNumber, scanDeltaSegment } from './delta-segment.js';
import { DeltaChainError } from './delta-store.js';

const SLAB_BYTES = 1024 * 1024;
const TOMBSTONE_MARK = 0x74;
const REV_SEPARATOR = 0x5f;

/** Entry fields in DeltaEntryCollector's index: key buffer, offset, length; value buffer, offset, length. */
const FIELDS = 6;

/** A collector's state as plain data (for a worker's postMessage): entries as offsets into `buffers`. */
export interface PackedDeltaEntries {
  buffers: Uint8Array[];
  index: Int32Array;
  count: number;
  recorded: [bigint, bigint][];
  leased: [number, bigint][];
  lastRevision: number;
  events: number;
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

/**
 * Collects the key-bucket entries of segments added in order (see the file comment). Entries
 * are kept as offsets into the segments and slabs, and become objects in finish().
 */
export class DeltaEntryCollector {
  /** Events read from all segments, those outside (afterRevision, toRevision] included. */
  events = 0;
  private lastRevision: number;
  private recordedTtl = new Map<bigint, bigint>();
  /** Puts with a lease: entry number and lease. */
  private leased: [number, bigint][] = [];
  private buffers: Uint8Array[] = [];
  private index: Int32Array = new Int32Array(FIELDS * 1024);
  private count = 0;
  private slab = new Uint8Array(0);
  private slabId = -1;
  private slabUsed = 0;
  private readonly scan: KvScan = { keyStart: 0, keyEnd: 0, lease: 0n };

  constructor(private readonly afterRevision: number, private readonly toRevision: number) {
    this.lastRevision = afterRevision;
  }

  /** A collector holding `packed` (as pack() made it, e.g. in a worker). */
  static unpack(packed: PackedDeltaEntries): DeltaEntryCollector {
    const c = new DeltaEntryCollector(0, 0);
    c.buffers = packed.buffers;
    c.index = packed.index;
    c.count = packed.count;
    c.recordedTtl = new Map(packed.recorded);
    c.leased = packed.leased;
    c.lastRevision = packed.lastRevision;
    c.events = packed.events;
    return c;
  }

  /** The state as plain data, and the ArrayBuffers worth transferring (>= 64 KiB: never Node's shared pool). */
  pack(): { packed: PackedDeltaEntries; transfer: ArrayBuffer[] } {
    const transfer = new Set<ArrayBuffer>();
    for (const b of this.buffers) if (b.buffer instanceof ArrayBuffer && b.buffer.byteLength >= 64 * 1024) transfer.add(b.buffer);
    const index = this.index.slice(0, this.count * FIELDS);
    transfer.add(index.buffer);
    return {
      packed: { buffers: this.buffers, index, count: this.count, recorded: [...this.recordedTtl], leased: this.leased, lastRevision: this.lastRevision, events: this.events },
      transfer: [...transfer],
    };
  }

  /**
   * Adds the checked plaintext of segment `name` covering first..last; throws
   * DeltaSegmentError on bad bytes and DeltaChainError on an event outside the range or an
   * event count other than `eventCount`. `bytes` is kept: put values are views into it.
   */
  addSegment(bytes: Uint8Array, m: { name: string; firstRevision: number; lastRevision: number; eventCount: number }): void {
    let n = 0;
    const altered = 'The segment was altered; restore to a revision before it';
    const id = this.buffers.push(bytes) - 1;
    scanDeltaSegment(bytes, m.name, {
      lease: (leaseId, ttl) => this.recordedTtl.set(leaseId, ttl),
      event: (at, type, kvStart, kvEnd) => {
        n++;
        const main = eventMainNumber(bytes, at);
        if (main < m.firstRevision || main > m.lastRevision) {
          const exact = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 8).getBigUint64(0);
          throw new DeltaChainError(`Delta segment "${m.name}" holds revision ${exact}, outside ${m.firstRevision}-${m.lastRevision}`, altered, m.name, m.firstRevision - 1);
        }
        if (main <= this.afterRevision || main > this.toRevision) return;
        this.lastRevision = main;
        this.add(bytes, id, at, type, kvStart, kvEnd);
      },
    });
    if (n !== m.eventCount) throw new DeltaChainError(`Delta segment "${m.name}" holds ${n} events, its manifest says ${m.eventCount}`, altered, m.name, m.firstRevision - 1);
    this.events += n;
  }

  /** Room for n bytes in the current slab; returns the offset. */
  private alloc(n: number): number {
    if (this.slabUsed + n > this.slab.length) {
      this.slab = new Uint8Array(Math.max(SLAB_BYTES, n));
      this.slabId = this.buffers.push(this.slab) - 1;
      this.slabUsed = 0;
    }
    const at = this.slabUsed;
    this.slabUsed += n;
    return at;
  }

  private push(keyBuffer: number, keyAt: number, keyLength: number, valueBuffer: number, valueAt: number, valueLength: number): void {
    if ((this.count + 1) * FIELDS > this.index.length) {
      const bigger = new Int32Array(this.index.length * 2);
      bigger.set(this.index);
      this.index = bigger;
    }
    const x = this.index;
    const i = this.count++ * FIELDS;
    x[i] = keyBuffer;
    x[i + 1] = keyAt;
    x[i + 2] = keyLength;
    x[i + 3] = valueBuffer;
    x[i + 4] = valueAt;
    x[i + 5] = valueLength;
  }

  private add(bytes: Uint8Array, id: number, at: number, type: number, kvStart: number, kvEnd: number): void {
    // etcd's revision key: main (8 bytes BE) '_' sub (8 bytes BE; the header holds 4), 't' for a tombstone.
    const keyLength = type === 1 ? 18 : 17;
    const k = this.alloc(keyLength);
    const slab = this.slab;
    const keySlab = this.slabId;
    slab.set(bytes.subarray(at + 1, at + 9), k);
    slab[k + 8] = REV_SEPARATOR;
    slab.set(bytes.subarray(at + 9, at + 13), k + 13);
    if (type === 1) slab[k + 17] = TOMBSTONE_MARK;
    const s = this.scan;
    if (!scanKeyValue(bytes, kvStart, kvEnd, s)) {
      // The full decoder throws on malformed data; a well-formed oddity goes through it.
      const kv = decodeKeyValue(bytes.subarray(kvStart, kvEnd));
      if (type === 1) {
        const value = new ProtoWriter().bytes(1, kv.key).finish();
        this.push(keySlab, k, keyLength, this.buffers.push(value) - 1, 0, value.length);
        return;
      }
      s.lease = kv.lease;
    } else if (type === 1) {
      // The value may start a new slab: the key stays in keySlab.
      const v = this.deleteValue(bytes, s.keyStart, s.keyEnd);
      this.push(keySlab, k, keyLength, this.slabId, v, this.slabUsed - v);
      return;
    }
    if (s.lease !== 0n) this.leased.push([this.count, s.lease]);
    this.push(keySlab, k, keyLength, id, kvStart, kvEnd - kvStart);
  }
  /** Writes mvccpb.KeyValue{key} (tag 0x0a, varint length, the key) into the slab; returns its offset. */
  private deleteValue(bytes: Uint8Array, keyStart: number, keyEnd: number): number {
    const len = keyEnd - keyStart;
    let lenBytes = 1;
    for (let v = len; v >= 0x80; v = Math.floor(v / 128)) lenBytes++;
    const at = this.alloc(1 + lenBytes + len);
    const out = this.slab;
    out[at] = 0x0a;
    let p = at + 1;
    let v = len;
    while (v >= 0x80) {
      out[p++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    out[p++] = v;
    out.set(bytes.subarray(keyStart, keyEnd), p);
    return at;
  }

  /** Number of entries collected. */
  get size(): number {
    return this.count;
  }

  /**
   * The entries as AppendRecords (no object each until handed out) with the lease rule
   * applied, given the snapshot's lease IDs. Call once.
   */
  finishRecords(knownLeases: ReadonlySet<bigint> = new Set()): Omit<EntriesResult, 'entries'> & { records: AppendRecords } {
    const replaced = new Map<number, Uint8Array>();
    const records = new PackedRecords(this.buffers, this.index, 0, this.count, replaced);
    const added = new Map<bigint, LeaseBucketEntry>();
    let detachedKeys = 0;
    for (const [index, lease] of this.leased) {
      if (knownLeases.has(lease)) continue;
      const ttl = this.recordedTtl.get(lease);
      if (ttl === undefined) {
        const kv = decodeKeyValue(records.valueAt(index));
        replaced.set(index, new ProtoWriter().bytesIfNonEmpty(1, kv.key).varintIfNonZero(2, kv.createRevision).varintIfNonZero(3, kv.modRevision)
          .varintIfNonZero(4, kv.version).bytesIfNonEmpty(5, kv.value).finish());
        detachedKeys++;
      } else if (!added.has(lease)) {
        added.set(lease, leaseBucketEntry(lease, ttl));
      }
    }
    return { records, leases: [...added.values()], detachedKeys, lastRevision: this.lastRevision };
  }

  /** As finishRecords, with the entries as objects (views into the segments and slabs). */
  finish(knownLeases: ReadonlySet<bigint> = new Set()): EntriesResult {
    const { records, ...rest } = this.finishRecords(knownLeases);
    const entries: KeyBucketEntry[] = [];
    records.forEachRecord((key, value) => entries.push({ key, value }));
    return { entries, ...rest };
  }
}

/** AppendRecords over a collector's buffers and index; `replaced` holds values the lease rule rewrote (by entry number). */
class PackedRecords implements AppendRecords {
  constructor(
    private readonly buffers: readonly Uint8Array[],
    private readonly index: Int32Array,
    private readonly start: number,
    readonly length: number,
    private readonly replaced: ReadonlyMap<number, Uint8Array>,
  ) {}

  private view(buffer: number, at: number, length: number): Uint8Array {
    const b = this.buffers[buffer] as Uint8Array;
    return new Uint8Array(b.buffer, b.byteOffset + at, length);
  }

  keyAt(i: number): Uint8Array {
    const x = (this.start + i) * FIELDS;
    return this.view(this.index[x] as number, this.index[x + 1] as number, this.index[x + 2] as number);
  }

  valueAt(i: number): Uint8Array {
    const n = this.start + i;
    const x = n * FIELDS;
    return this.replaced.get(n) ?? this.view(this.index[x + 3] as number, this.index[x + 4] as number, this.index[x + 5] as number);
  }

  forEachRecord(fn: (key: Uint8Array, value: Uint8Array) => void): void {
    const x = this.index;
    const some = this.replaced.size > 0;
    for (let n = this.start, i = n * FIELDS, end = this.start + this.length; n < end; n++, i += FIELDS) {
      const key = this.view(x[i] as number, x[i + 1] as number, x[i + 2] as number);
      fn(key, (some ? this.replaced.get(n) : undefined) ?? this.view(x[i + 3] as number, x[i + 4] as number, x[i + 5] as number));
    }
  }

  skip(n: number): AppendRecords {
    const k = Math.min(Math.max(n, 0), this.length);
    return new PackedRecords(this.buffers, this.index, this.start + k, this.length - k, this.replaced);
  }
}
