/**
 * The latest live revision of every key in a snapshot's `key` bucket: what `etcdctl get
 * --prefix` would have returned at the snapshot's revision. Memory stays at one small map
 * entry per live key, never the values: a first pass finds, for each user key, the position
 * of its newest revision (or drops it on a tombstone); a second pass yields those entries with
 * their values, one at a time, in revision order. Counting needs only the first pass.
 */
import { decodeKeyValue, decodeRevisionKey, REVISION_KEY_BYTES, type BoltDb } from '../snapshot/index.js';

export interface LiveKey {
  key: Uint8Array;
  value: Uint8Array;
  createRevision: bigint;
  modRevision: bigint;
  version: bigint;
  lease: bigint;
}

export interface LiveKeyRef {
  /** Position of the key's newest revision in the `key` bucket walk. */
  position: number;
  valueBytes: number;
}

/** A Map key for arbitrary key bytes; latin1 maps each byte to one UTF-16 unit, losslessly. */
export function keyId(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

/**
 * The user key and value length of an mvccpb.KeyValue without decoding the rest: the first
 * pass visits every revision of a snapshot, and BigInt-decoding each would dominate its cost.
 * Anything unexpected falls back to the full decoder, which reports malformed data.
 */
function peekKeyValue(bytes: Uint8Array): { key: Uint8Array; valueBytes: number } {
  let pos = 0;
  let key: Uint8Array | undefined;
  let valueBytes = 0;
  const varint = (): number => {
    let result = 0;
    for (let shift = 0; shift < 49; shift += 7) {
      const b = bytes[pos++];
      if (b === undefined) return -1;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    return -1;
  };
  while (pos < bytes.length) {
    const tag = bytes[pos++] as number;
    const wire = tag & 7;
    if (tag >= 0x80 || (wire !== 0 && wire !== 2)) break;
    const n = varint();
    if (n < 0 || (wire === 2 && pos + n > bytes.length)) break;
    if (wire === 0) continue;
    if (tag >> 3 === 1) key = bytes.subarray(pos, pos + n);
    else if (tag >> 3 === 5) valueBytes = n;
    pos += n;
  }
  if (pos === bytes.length && key) return { key, valueBytes };
  const kv = decodeKeyValue(bytes);
  return { key: kv.key, valueBytes: kv.value.length };
}

/** Pass 1: where each live key's newest revision is; `accept` (on the raw key) prunes it. */
export function liveKeyIndex(db: BoltDb, accept: (key: Uint8Array) => boolean = () => true): Map<string, LiveKeyRef> {
  const latest = new Map<string, LiveKeyRef>();
  const bucket = db.bucket('key');
  if (!bucket) return latest;
  let position = -1;
  for (const entry of bucket.entries()) {
    position++;
    if (entry.value === null) continue;
    if (entry.key.length !== REVISION_KEY_BYTES && entry.key.length !== REVISION_KEY_BYTES + 1) decodeRevisionKey(entry.key); // throws the precise error
    const { key, valueBytes } = peekKeyValue(entry.value);
    if (key.length === 0 || !accept(key)) continue; // revision-bump markers carry no key
    if (entry.key.length === REVISION_KEY_BYTES + 1) latest.delete(keyId(key));
    else latest.set(keyId(key), { position, valueBytes });
  }
  return latest;
}

/** Iterates the live keys in revision order; `accept` (on the raw key) prunes both passes. */
export function* liveKeys(db: BoltDb, accept: (key: Uint8Array) => boolean = () => true): Generator<LiveKey> {
  const latest = liveKeyIndex(db, accept);
  const bucket = db.bucket('key');
  if (latest.size === 0 || !bucket) return;
  // Positions of the wanted revisions, ascending: pass 2 walks the bucket in the same order.
  const wanted = Float64Array.from(latest.values(), (ref) => ref.position).sort();
  latest.clear();
  let next = 0;
  let position = -1;
  for (const entry of bucket.entries()) {
    position++;
    if (position !== wanted[next]) continue;
    next++;
    const kv = decodeKeyValue(entry.value as Uint8Array);
    yield { key: kv.key, value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version, lease: kv.lease };
    if (next === wanted.length) return;
  }
}
