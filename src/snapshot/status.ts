/**
 * `snapshot status` (spec §4.1): the CRC-32C over every bucket name, key and value in order,
 * the newest revision in the `key` bucket, the number of entries and the db size — equal to
 * `etcdctl snapshot status` on the same file. One pass: the walk that hashes also runs the
 * structural check that etcdctl runs first (bbolt `tx.Check`), reading each page once.
 */
import { openBoltFile } from './bolt-reader.js';
import { checkFreelist } from './bolt-check.js';
import { FLAG_BUCKET, walkDb } from './bolt-walk.js';
import { crc32c } from './crc32c.js';
import { EtcdDataError, SnapshotPageError } from './errors.js';
import { KEY_BUCKET } from './etcd-buckets.js';
import type { RandomAccess } from './random-access.js';
import { u32le } from './bytes.js';

export interface SnapshotStatus {
  /** CRC-32C (unsigned) of all bucket names, keys and values; etcdctl prints it as unpadded hex. */
  hash: number;
  /** Main revision of the last key in the `key` bucket (tombstones included); 0 when empty. int64. */
  revision: bigint;
  /** Entries in all buckets (not user keys: meta, members, leases and old revisions count too). */
  totalKey: number;
  /** meta.pgid × pageSize: the bbolt image size, without trailer or pre-grown tail. */
  totalSize: number;
}

const KEY_NAME = new TextEncoder().encode(KEY_BUCKET);

function isKeyBucket(name: Uint8Array): boolean {
  return name.length === KEY_NAME.length && name.every((b, i) => b === KEY_NAME[i]);
}

function byteSwap(n: number): number {
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

/**
 * Computes the status of the bbolt image in `ra` (a trailer is ignored). Throws
 * SnapshotFormatError (with page id / offset) when the file is not a sound bbolt database,
 * and EtcdDataError when a `key` bucket key is too short to hold a revision.
 */
export function snapshotStatus(ra: RandomAccess): SnapshotStatus {
  const file = openBoltFile(ra);
  let hash = 0;
  let totalKey = 0;
  let inKeyBucket = false;
  // The last revision key's first 8 bytes (big-endian main), kept as two u32 until the end.
  let revHi = 0;
  let revLo = 0;
  const reached = walkDb(file, {
    bucket(name) {
      hash = crc32c(name, hash);
      inKeyBucket = isKeyBucket(name);
    },
    entry(leaf, flags, keyStart, keyEnd, valueEnd) {
      const b = leaf.bytes;
      hash = crc32c(b, hash, keyStart, keyEnd);
      // A nested bucket's cursor value is nil in Go: only its key is hashed.
      if ((flags & FLAG_BUCKET) === 0) hash = crc32c(b, hash, keyEnd, valueEnd);
      totalKey++;
      if (inKeyBucket) {
        if (keyEnd - keyStart < 8) throw new EtcdDataError(`Revision key has ${keyEnd - keyStart} bytes, fewer than 8`, KEY_BUCKET, b.slice(keyStart, keyEnd));
        revHi = byteSwap(u32le(b, keyStart));
        revLo = byteSwap(u32le(b, keyStart + 4));
      }
    },
  });
  const freelist = checkFreelist(file, reached);
  if (freelist.problemCount > 0) {
    throw new SnapshotPageError(
      `Snapshot integrity check failed: ${freelist.problemCount} errors found: ${freelist.problems.join('; ')}`,
      { pageId: freelist.firstPageId },
    );
  }
  return {
    hash,
    revision: BigInt.asIntN(64, (BigInt(revHi) << 32n) | BigInt(revLo)),
    totalKey,
    totalSize: file.pgid * file.pageSize,
  };
}
