/**
 * The latest live revision of every key in a snapshot's `key` bucket: what `etcdctl get
 * --prefix` would have returned at the snapshot's revision. Two passes over the bucket keep
 * memory to one small map entry per key, never the values: the first finds, for each user
 * key, the position of its newest revision (or drops it on a tombstone); the second yields
 * those entries with their values, one at a time, in revision order.
 */
import { decodeKeyValue, decodeRevisionKey, type BoltDb } from '../snapshot/index.js';

export interface LiveKey {
  key: Uint8Array;
  value: Uint8Array;
  createRevision: bigint;
  modRevision: bigint;
  version: bigint;
  lease: bigint;
}

/** A Map key for arbitrary key bytes; latin1 maps each byte to one UTF-16 unit, losslessly. */
export function keyId(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

/** Iterates the live keys; `accept` (on the raw key) prunes pass 1 and pass 2 alike. */
export function* liveKeys(db: BoltDb, accept: (key: Uint8Array) => boolean = () => true): Generator<LiveKey> {
  const bucket = db.bucket('key');
  if (!bucket) return;
  const latest = new Map<string, number>();
  let ordinal = 0;
  for (const entry of bucket.entries()) {
    const position = ordinal++;
    if (entry.value === null) continue;
    const rev = decodeRevisionKey(entry.key);
    const kv = decodeKeyValue(entry.value);
    if (kv.key.length === 0 || !accept(kv.key)) continue; // revision-bump markers carry no key
    if (rev.tombstone) latest.delete(keyId(kv.key));
    else latest.set(keyId(kv.key), position);
  }
  if (latest.size === 0) return;
  ordinal = 0;
  for (const entry of bucket.entries()) {
    const position = ordinal++;
    if (entry.value === null) continue;
    const kv = decodeKeyValue(entry.value);
    if (kv.key.length === 0 || latest.get(keyId(kv.key)) !== position) continue;
    yield { key: kv.key, value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version, lease: kv.lease };
  }
}
