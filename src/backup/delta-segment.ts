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
  const view = new DataView(out.buffer);
  out[0] = 1;
  view.setBigUint64(1, record.main);
  view.setUint32(9, record.sub);
  out[13] = record.type === 'put' ? 0 : 1;
  view.setUint32(14, record.kv.length);
  out.set(record.kv, 18);
  return out;
}

/** The segment bytes of `records`, magic first. */
export async function* encodeDeltaSegment(records: Iterable<DeltaRecord>): AsyncGenerator<Uint8Array> {
  yield SEGMENT_MAGIC;
  for (const record of records) yield encodeDeltaRecord(record);
}

/** Reads fixed-size pieces off a chunked stream. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private offset = 0;
  length = 0;
  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0] as Uint8Array;
      const part = Math.min(n - filled, head.length - this.offset);
      out.set(head.subarray(this.offset, this.offset + part), filled);
      filled += part;
      this.offset += part;
      if (this.offset === head.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.length -= n;
    return out;
  }
  peek(index: number): number {
    let i = this.offset + index;
    for (const c of this.chunks) {
      if (i < c.length) return c[i] as number;
      i -= c.length;
    }
    return -1;
  }
}

/** Decodes a segment stream; throws DeltaSegmentError naming `segment` on bad bytes or order. */
export async function* decodeDeltaSegment(source: AsyncIterable<Uint8Array>, segment: string): AsyncGenerator<DeltaRecord> {
  const q = new ByteQueue();
  let sawMagic = false;
  let last: { main: bigint; sub: number } | undefined;
  const iterator = source[Symbol.asyncIterator]();
  const fill = async (n: number): Promise<boolean> => {
    while (q.length < n) {
      const next = await iterator.next();
      if (next.done) return false;
      q.push(next.value);
    }
    return true;
  };
  try {
    if (!(await fill(SEGMENT_MAGIC.length)) || !q.take(SEGMENT_MAGIC.length).every((b, i) => b === SEGMENT_MAGIC[i])) throw new DeltaSegmentError(segment, 'no KKDELTA1 header');
    sawMagic = true;
    while (await fill(1)) {
      const kind = q.peek(0);
      if (kind === 2) {
        if (!(await fill(25))) throw new DeltaSegmentError(segment, 'truncated lease record');
        const view = new DataView(q.take(25).buffer);
        yield { kind: 'lease', id: BigInt.asIntN(64, view.getBigUint64(1)), grantedTtlSeconds: view.getBigUint64(9), seenAtRevision: view.getBigUint64(17) };
        continue;
      }
      if (kind !== 1) throw new DeltaSegmentError(segment, `unknown record kind ${kind}`);
      if (!(await fill(18))) throw new DeltaSegmentError(segment, 'truncated event header');
      const head = q.take(18);
      const view = new DataView(head.buffer);
      const main = view.getBigUint64(1);
      const sub = view.getUint32(9);
      const type = head[13] === 0 ? 'put' : head[13] === 1 ? 'delete' : undefined;
      const len = view.getUint32(14);
      if (!type) throw new DeltaSegmentError(segment, `unknown event type ${head[13]} at revision ${main}`);
      if (len > MAX_DELTA_KV_BYTES) throw new DeltaSegmentError(segment, `event at revision ${main} claims ${len} bytes`);
      if (last && (main < last.main || (main === last.main && sub <= last.sub))) {
        throw new DeltaSegmentError(segment, `events out of order: revision ${main}_${sub} after ${last.main}_${last.sub}`);
      }
      last = { main, sub };
      if (!(await fill(len))) throw new DeltaSegmentError(segment, `truncated event at revision ${main}`);
      yield { kind: 'event', main, sub, type, kv: q.take(len) };
    }
  } finally {
    await iterator.return?.();
  }
  if (!sawMagic) throw new DeltaSegmentError(segment, 'empty');
}
