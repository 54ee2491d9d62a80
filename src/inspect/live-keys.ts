/**
 * The latest live revision of every key in a snapshot's `key` bucket: what `etcdctl get
 * --prefix` would have returned at the snapshot's revision. Memory stays at one small map
 * entry per live key, never the values: a first pass finds, for each user key, the position
 * of its newest revision (or drops it on a tombstone); a second pass decodes only those
 * entries, in revision order. Counting needs only the first pass. Both passes read the
 * bucket without copying (BoltBucket.scan): on a 1 GB snapshot the copies cost more than
 * everything else together.
 */
import { decodeKeyValue, decodeRevisionKey, isReservedKey, REVISION_KEY_BYTES, type BoltDb, type KeyValue } from '../snapshot/index.js';

/** A key at its latest revision: the decoded mvccpb.KeyValue (the same shape etcd's Range returns). */
export type LiveKey = KeyValue;

export interface LiveKeyRef {
  /** Position of the key's newest revision in the `key` bucket walk. */
  position: number;
  valueBytes: number;
}

/** Accepts or rejects a user key (a view, valid during the call). */
export type KeyFilter = (key: Uint8Array) => boolean;

/** A Map key for arbitrary key bytes; latin1 maps each byte to one UTF-16 unit, losslessly. */
export function keyId(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

interface Peeked {
  keyStart: number;
  keyEnd: number;
  valueBytes: number;
}

/**
 * Where the user key of an mvccpb.KeyValue sits in `b[start, end)`, and its value's length,
 * without decoding the rest (BigInt revisions would dominate a full pass). Anything
 * unexpected goes through the full decoder, which throws a precise error.
 */
function peekKeyValue(b: Uint8Array, start: number, end: number, out: Peeked): Peeked {
  let pos = start;
  out.keyStart = -1;
  out.valueBytes = 0;
  while (pos < end) {
    const tag = b[pos++] as number;
    const wire = tag & 7;
    if (tag >= 0x80 || (wire !== 0 && wire !== 2)) break;
    let n = 0;
    let ok = false;
    for (let shift = 0; shift < 49 && pos < end; shift += 7) {
      const byte = b[pos++] as number;
      n += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        ok = true;
        break;
      }
    }
    if (!ok || (wire === 2 && pos + n > end)) break;
    if (wire === 0) continue;
    if (tag >> 3 === 1) {
      out.keyStart = pos;
      out.keyEnd = pos + n;
    } else if (tag >> 3 === 5) out.valueBytes = n;
    pos += n;
  }
  if (pos !== end || out.keyStart < 0) {
    const kv = decodeKeyValue(b.subarray(start, end)); // throws for malformed data
    out.keyStart = kv.key.byteOffset - b.byteOffset;
    out.keyEnd = out.keyStart + kv.key.length;
    out.valueBytes = kv.value.length;
  }
  return out;
}

/** Pass 1: where each live key's newest revision is; `accept` prunes it; keys under RESERVED_PREFIX never show. */
export function liveKeyIndex(db: BoltDb, accept?: KeyFilter): Map<string, LiveKeyRef> {
  const latest = new Map<string, LiveKeyRef>();
  const bucket = db.bucket('key');
  if (!bucket) return latest;
  let position = -1;
  let lastBytes: Uint8Array | undefined;
  let asBuffer: Buffer = Buffer.alloc(0);
  const p: Peeked = { keyStart: 0, keyEnd: 0, valueBytes: 0 };
  bucket.scan((b, flags, keyStart, keyEnd, valueEnd) => {
    position++;
    if (flags & 1) return;
    const revBytes = keyEnd - keyStart;
    if (revBytes !== REVISION_KEY_BYTES && revBytes !== REVISION_KEY_BYTES + 1) decodeRevisionKey(b.subarray(keyStart, keyEnd)); // throws
    peekKeyValue(b, keyEnd, valueEnd, p);
    if (p.keyEnd === p.keyStart) return; // revision-bump markers carry no key
    if (isReservedKey(b.subarray(p.keyStart, p.keyEnd))) return; // kubekeeper's own election keys
    if (accept && !accept(b.subarray(p.keyStart, p.keyEnd))) return;
    if (b !== lastBytes) {
      lastBytes = b;
      asBuffer = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    }
    const id = asBuffer.toString('latin1', p.keyStart, p.keyEnd);
    if (revBytes === REVISION_KEY_BYTES + 1) latest.delete(id);
    else latest.set(id, { position, valueBytes: p.valueBytes });
  });
  return latest;
}

/**
 * Visits the live keys in revision order; `accept` prunes both passes. The LiveKey's key and
 * value are views valid during the call only: copy what must outlive it.
 */
export function forEachLiveKey(db: BoltDb, accept: KeyFilter | undefined, visit: (live: LiveKey) => void): void {
  const latest = liveKeyIndex(db, accept);
  const bucket = db.bucket('key');
  if (latest.size === 0 || !bucket) return;
  // Positions of the wanted revisions, ascending: pass 2 walks the bucket in the same order.
  const wanted = Float64Array.from(latest.values(), (ref) => ref.position).sort();
  latest.clear();
  let next = 0;
  let position = -1;
  bucket.scan((b, _flags, _keyStart, keyEnd, valueEnd) => {
    position++;
    if (position !== wanted[next]) return;
    next++;
    visit(decodeKeyValue(b.subarray(keyEnd, valueEnd)));
  });
}
