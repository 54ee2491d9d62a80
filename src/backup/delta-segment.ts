/**
 * The plaintext of a delta segment: etcd's key-bucket records for a contiguous range of
 * revisions, and the leases seen while they were streamed. Pure, streaming both ways.
 *
 *   "KKDELTA1"                                         8-byte magic
 *   event: 0x01 main:u64 sub:u32 type:u8 len:u32 kv    type 0 put, 1 delete; kv = mvccpb.KeyValue as etcd sent it
 *   lease: 0x02 id:u64 grantedTtl:u64 seenAt:u64       a lease etcd held when revision `seenAt` was current
 *
 * Integers big-endian. Events come in (main, sub) order; `sub` is the event's index among all
 * events of its revision (kubekeeper's own reserved keys included, though not stored), so
 * (main, sub) is exactly the revision etcd gave the change.
 */
import { AppError, ExitCode } from '../errors.js';

export const SEGMENT_MAGIC = new TextEncoder().encode('KKDELTA1');
/** Longest key-value accepted from a segment: etcd's request limit is 1.5 MiB by default, 10 MiB at most sensible. */
export const MAX_DELTA_KV_BYTES = 64 * 1024 * 1024;
const TWO_32 = 0x1_0000_0000;

export interface DeltaEvent {
  kind: 'event';
  main: bigint;
  sub: number;
  type: 'put' | 'delete';
  /** mvccpb.KeyValue bytes: for a put exactly the key-bucket value; for a delete key and mod_revision. */
  kv: Uint8Array;
}

export interface DeltaLease {
  kind: 'lease';
  id: bigint;
  grantedTtlSeconds: bigint;
  /** The store revision when the lease was seen. */
  seenAtRevision: bigint;
}

export type DeltaRecord = DeltaEvent | DeltaLease;

/** A segment that does not decode. */
export class DeltaSegmentError extends AppError {
  constructor(readonly segment: string, problem: string) {
    super('delta-segment-invalid', `Delta segment "${segment}" is invalid: ${problem}`, {
      hint: 'The segment is damaged; restore to a revision before it (the error of "snapshot restore --to-revision" names the latest restorable one)',
      exitCode: ExitCode.checkFailed,
    });
  }
}

/** One record's bytes. */
export function encodeDeltaRecord(record: DeltaRecord): Uint8Array {
  if (record.kind === 'lease') {
    const out = new Uint8Array(25);
    const view = new DataView(out.buffer);
    out[0] = 2;
    view.setBigUint64(1, BigInt.asUintN(64, record.id));
    view.setBigUint64(9, record.grantedTtlSeconds);
    view.setBigUint64(17, record.seenAtRevision);
    return out;
  }
  const out = new Uint8Array(18 + record.kv.length);
  putEvent(out, new DataView(out.buffer), 0, record.main, record.sub, record.type, record.kv);
  return out;
}

/** Writes an event record at `at` of `out` (`view` over the same bytes): the one place its layout is written. */
function putEvent(out: Uint8Array, view: DataView, at: number, main: bigint | number, sub: number, type: 'put' | 'delete', kv: Uint8Array): void {
  out[at] = 1;
  if (typeof main === 'bigint') view.setBigUint64(at + 1, main);
  else {
    // Below 2^53: high and low 32 bits, no BigInt.
    view.setUint32(at + 1, Math.floor(main / TWO_32));
    view.setUint32(at + 5, main >>> 0);
  }
  view.setUint32(at + 9, sub);
  out[at + 13] = type === 'put' ? 0 : 1;
  view.setUint32(at + 14, kv.length);
  out.set(kv, at + 18);
}

/** Output chunk size of encodeDeltaSegment: few large chunks keep compression and hashing cheap. */
const ENCODE_CHUNK_BYTES = 1024 * 1024;

/** The segment bytes of `records`, magic first, in chunks of about 1 MiB. */
export async function* encodeDeltaSegment(records: Iterable<DeltaRecord>): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(ENCODE_CHUNK_BYTES);
  buf.set(SEGMENT_MAGIC);
  let used = SEGMENT_MAGIC.length;
  for (const record of records) {
    const bytes = encodeDeltaRecord(record);
    if (used + bytes.length > buf.length) {
      if (used > 0) yield buf.subarray(0, used);
      buf = new Uint8Array(Math.max(ENCODE_CHUNK_BYTES, bytes.length));
      used = 0;
    }
    buf.set(bytes, used);
    used += bytes.length;
  }
  if (used > 0) yield buf.subarray(0, used);
}

/**
 * A segment's events built as they arrive (the streamer's buffer between two flushes):
 * each event is written into ~1 MiB chunks at once, so a flush's worth of events is a few
 * large buffers rather than an object and a view per event kept alive until the flush.
 */
export class DeltaSegmentBuffer {
  eventCount = 0;
  /** Content bytes so far, the magic included. */
  sizeBytes = SEGMENT_MAGIC.length;
  private readonly full: Uint8Array[] = [];
  private chunk = new Uint8Array(ENCODE_CHUNK_BYTES);
  private view = new DataView(this.chunk.buffer);
  private used = SEGMENT_MAGIC.length;

  constructor() {
    this.chunk.set(SEGMENT_MAGIC);
  }

  /** Room for `n` more bytes in the current chunk. */
  private reserve(n: number): void {
    if (this.used + n <= this.chunk.length) return;
    if (this.used > 0) this.full.push(this.chunk.subarray(0, this.used));
    this.chunk = new Uint8Array(Math.max(ENCODE_CHUNK_BYTES, n));
    this.view = new DataView(this.chunk.buffer);
    this.used = 0;
  }

  /** Appends an event; `main` below 2^53. Events must come in (main, sub) order. */
  addEvent(main: number, sub: number, type: 'put' | 'delete', kv: Uint8Array): void {
    const n = 18 + kv.length;
    this.reserve(n);
    putEvent(this.chunk, this.view, this.used, main, sub, type, kv);
    this.used += n;
    this.sizeBytes += n;
    this.eventCount++;
  }

  /** The segment's bytes so far, in order (views: add nothing while they are read). */
  chunks(): Uint8Array[] {
    return this.used > 0 ? [...this.full, this.chunk.subarray(0, this.used)] : [...this.full];
  }
}

/** What scanDeltaSegment hands over per record; offsets are into the segment's bytes. */
export interface DeltaSegmentVisitor {
  /**
   * An event: its header starts at `at` (main = the 8 bytes at at+1, sub = the 4 at at+9),
   * its type (0 put, 1 delete) and its key-value in bytes[kvStart, kvEnd).
   */
  event(at: number, type: number, kvStart: number, kvEnd: number): void;
  lease(id: bigint, grantedTtlSeconds: bigint, seenAtRevision: bigint): void;
}


/**
 * Walks a whole segment held in memory, checking the header, every record's framing and the
 * (main, sub) order, and calls `visit` per record without building objects for the events (the
 * point-in-time restore's fast path). Throws DeltaSegmentError naming `segment` on bad bytes or
 * order. Events already handed over stay valid when a later record is bad: a caller trusts
 * nothing until this returns.
 */
export function scanDeltaSegment(bytes: Uint8Array, segment: string, visit: DeltaSegmentVisitor): void {
  if (bytes.length < SEGMENT_MAGIC.length || !SEGMENT_MAGIC.every((b, i) => bytes[i] === b)) throw new DeltaSegmentError(segment, 'no KKDELTA1 header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mainAt = (at: number) => view.getBigUint64(at + 1);
  // The last event's (main, sub), main as its high and low 32 bits: no BigInt per event.
  let lastHi = -1;
  let lastLo = 0;
  let lastSub = 0;
  let lastAt = -1;
  let p = SEGMENT_MAGIC.length;
  const end = bytes.length;
  while (p < end) {
    const kind = bytes[p];
    if (kind === 2) {
      if (p + 25 > end) throw new DeltaSegmentError(segment, 'truncated lease record');
      visit.lease(view.getBigInt64(p + 1), view.getBigUint64(p + 9), view.getBigUint64(p + 17));
      p += 25;
      continue;
    }
    if (kind !== 1) throw new DeltaSegmentError(segment, `unknown record kind ${kind}`);
    if (p + 18 > end) throw new DeltaSegmentError(segment, 'truncated event header');
    const hi = view.getUint32(p + 1);
    const lo = view.getUint32(p + 5);
    const sub = view.getUint32(p + 9);
    const t = bytes[p + 13] as number;
    const len = view.getUint32(p + 14);
    if (t !== 0 && t !== 1) throw new DeltaSegmentError(segment, `unknown event type ${t} at revision ${mainAt(p)}`);
    if (len > MAX_DELTA_KV_BYTES) throw new DeltaSegmentError(segment, `event at revision ${mainAt(p)} claims ${len} bytes`);
    if (lastAt >= 0 && (hi < lastHi || (hi === lastHi && (lo < lastLo || (lo === lastLo && sub <= lastSub))))) {
      throw new DeltaSegmentError(segment, `events out of order: revision ${mainAt(p)}_${sub} after ${mainAt(lastAt)}_${lastSub}`);
    }
    if (p + 18 + len > end) throw new DeltaSegmentError(segment, `truncated event at revision ${mainAt(p)}`);
    lastHi = hi;
    lastLo = lo;
    lastSub = sub;
    lastAt = p;
    visit.event(p, t, p + 18, p + 18 + len);
    p += 18 + len;
  }
}

/** The main revision of the event whose header starts at `at`, as a number (exact below 2^53, larger beyond). */
export function eventMainNumber(bytes: Uint8Array, at: number): number {
  const hi = ((bytes[at + 1] as number) << 24 | (bytes[at + 2] as number) << 16 | (bytes[at + 3] as number) << 8 | (bytes[at + 4] as number)) >>> 0;
  const lo = ((bytes[at + 5] as number) << 24 | (bytes[at + 6] as number) << 16 | (bytes[at + 7] as number) << 8 | (bytes[at + 8] as number)) >>> 0;
  return hi * TWO_32 + lo;
}

/**
 * Decodes a whole segment held in memory (a segment is at most a flush's worth, 64 MiB by
 * default); event key-values are views into `bytes`. Throws DeltaSegmentError naming `segment`
 * on bad bytes or order.
 */
export function decodeDeltaSegmentBytes(bytes: Uint8Array, segment: string): DeltaRecord[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: DeltaRecord[] = [];
  scanDeltaSegment(bytes, segment, {
    event: (at, t, kvStart, kvEnd) => out.push({ kind: 'event', main: view.getBigUint64(at + 1), sub: view.getUint32(at + 9), type: t === 0 ? 'put' : 'delete', kv: bytes.subarray(kvStart, kvEnd) }),
    lease: (id, grantedTtlSeconds, seenAtRevision) => out.push({ kind: 'lease', id, grantedTtlSeconds, seenAtRevision }),
  });
  return out;
}

/** Decodes a segment stream (collected, then decodeDeltaSegmentBytes). */
export async function* decodeDeltaSegment(source: AsyncIterable<Uint8Array>, segment: string): AsyncGenerator<DeltaRecord> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  yield* decodeDeltaSegmentBytes(chunks.length === 1 ? chunks[0] as Uint8Array : Buffer.concat(chunks), segment);
}
