/**
 * `snapshot status` (spec §4.1): the CRC-32C over every bucket name, key and value in order,
 * the newest revision in the `key` bucket, the number of entries and the db size — equal to
 * `etcdctl snapshot status` on the same file. One pass: the walk that hashes also runs the
 * structural check that etcdctl runs first (bbolt `tx.Check`), reading each page once.
 */
import { openBolt, openBoltFile } from './bolt-reader.js';
import { checkFreelist } from './bolt-check.js';
import type { BoltNode } from './bolt-page.js';
import { FLAG_BUCKET, walkDb, type WalkVisitor } from './bolt-walk.js';
import { CRC32C_INIT, createJsCrc32c, crc32cUpdate } from './crc32c.js';
import { createNativeCrc32c } from './crc32c-native.js';
import { createWasmCrc32c, type Crc32cEngine } from './crc32c-wasm.js';
import { EtcdDataError, SnapshotPageError } from './errors.js';
import { KEY_BUCKET, META_BUCKET, REVISION_KEY_BYTES, STORAGE_VERSION_KEY, TOMBSTONE_MARK, decodeKeyValue } from './etcd-buckets.js';
import type { RandomAccess } from './random-access.js';
import { copyBytes, u32le } from './bytes.js';

export interface SnapshotStatus {
  /** CRC-32C (unsigned) of all bucket names, keys and values; etcdctl prints it as unpadded hex. */
  hash: number;
  /** Main revision of the last key in the `key` bucket (tombstones included); 0 when empty. int64. */
  revision: bigint;
  /** Entries in all buckets (not user keys: meta, members, leases and old revisions count too). */
  totalKey: number;
  /** meta.pgid × pageSize: the bbolt image size, without trailer or pre-grown tail. */
  totalSize: number;
  /**
   * The meta bucket's `storageVersion` (written by etcd 3.6 and newer) when it is a valid
   * semver, as etcdutl 3.6+ prints it; absent for snapshots of etcd 3.4/3.5.
   */
  storageVersion?: string;
  /**
   * User keys alive at the last revision (put and not deleted since): what etcdutl 3.6+ prints
   * as "total keys". Counted only when `storageVersion` is present (the 3.6+ format).
   */
  liveKeys?: number;
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
  // `meta` sorts after `key`: read storageVersion first to know whether live keys count.
  const storageVersion = readStorageVersion(ra);
  const hasher = new StatusHasher(storageVersion !== undefined, ra.sizeBytes);
  const reached = walkDb(file, hasher);
  hasher.leafEnd();
  const freelist = checkFreelist(file, reached);
  if (freelist.problemCount > 0) {
    throw new SnapshotPageError(
      `Snapshot integrity check failed: ${freelist.problemCount} errors found: ${freelist.problems.join('; ')}`,
      { pageId: freelist.firstPageId },
    );
  }
  return {
    hash: ~hasher.state >>> 0,
    revision: BigInt.asIntN(64, (BigInt(hasher.revHi) << 32n) | BigInt(hasher.revLo)),
    totalKey: hasher.totalKey,
    totalSize: file.pgid * file.pageSize,
    ...(storageVersion !== undefined ? { storageVersion, liveKeys: hasher.liveKeys() } : {}),
  };
}

/** coreos/go-semver's grammar, which etcdutl uses to accept storageVersion. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** The meta bucket's storageVersion when it parses as semver (etcdutl ignores it otherwise). */
function readStorageVersion(ra: RandomAccess): string | undefined {
  const meta = openBolt(ra).bucket(META_BUCKET);
  if (!meta) return undefined;
  for (const e of meta.entries()) {
    if (e.value !== null && new TextDecoder().decode(e.key) === STORAGE_VERSION_KEY) {
      const text = new TextDecoder().decode(e.value);
      return SEMVER.test(text) ? text : undefined;
    }
  }
  return undefined;
}

/** Below this db size the JavaScript CRC engine is used: loading a faster one costs more than it saves. */
const FAST_CRC_MIN_BYTES = 4 * 1024 * 1024;

/**
 * The walk visitor. Fields stay int32 (small integers to V8): the entry callback runs once
 * per key of the db and must not allocate.
 */
class StatusHasher implements WalkVisitor {
  state = CRC32C_INIT;
  totalKey = 0;
  /** The last revision key's first 8 bytes (big-endian main) as two u32, built at the end. */
  revHi = 0;
  revLo = 0;
  private inKeyBucket = false;
  private readonly engine: Crc32cEngine;
  private loaded: BoltNode | undefined;
  /** Entries of a leaf sit back to back (key, value, next key...): hash each run in one call. */
  private runStart = -1;
  private runEnd = -1;
  /** User keys whose newest revision is a put, when counting (etcdutl 3.6+'s "total keys"). */
  private readonly live: Set<string> | undefined;

  constructor(countLiveKeys: boolean, dbBytes: number) {
    this.live = countLiveKeys ? new Set() : undefined;
    // A small db is hashed before the faster engines would have loaded (a native module's
    // lookup, a WebAssembly compile): `snapshot status` of a small file is mostly start-up.
    this.engine = dbBytes < FAST_CRC_MIN_BYTES ? createJsCrc32c() : createNativeCrc32c() ?? createWasmCrc32c() ?? createJsCrc32c();
  }

  liveKeys(): number {
    return this.live?.size ?? 0;
  }

  bucket(name: Uint8Array): void {
    this.flush();
    this.state = crc32cUpdate(this.state, name, 0, name.length);
    this.inKeyBucket = isKeyBucket(name);
  }

  leafEnd(): void {
    this.flush();
  }

  private flush(): void {
    if (this.runStart < 0) return;
    this.state = this.engine.update(this.state, this.runStart, this.runEnd);
    this.runStart = -1;
    this.runEnd = -1;
  }

  entry(leaf: BoltNode, flags: number, keyStart: number, keyEnd: number, valueEnd: number): void {
    const b = leaf.bytes;
    // The value follows the key in the page, so one update covers Go's h.Write(k); h.Write(v).
    // A nested bucket's cursor value is nil in Go: only its key is hashed.
    if (leaf !== this.loaded) {
      // Each node object is read once, so identity says "a new page": load it once.
      this.flush();
      this.engine.load(b);
      this.loaded = leaf;
    }
    const end = (flags & FLAG_BUCKET) === 0 ? valueEnd : keyEnd;
    if (keyStart === this.runEnd) this.runEnd = end;
    else {
      this.flush();
      this.runStart = keyStart;
      this.runEnd = end;
    }
    this.totalKey++;
    if (this.inKeyBucket) {
      if (keyEnd - keyStart < 8) throw new EtcdDataError(`Revision key has ${keyEnd - keyStart} bytes, fewer than 8`, KEY_BUCKET, copyBytes(b, keyStart, keyEnd));
      this.revHi = byteSwap(u32le(b, keyStart));
      this.revLo = byteSwap(u32le(b, keyStart + 4));
      if (this.live) this.trackLiveKey(b, keyStart, keyEnd, valueEnd);
    }
  }

  /** Revisions come in order: the last one of a key says whether it is alive. */
  private trackLiveKey(b: Uint8Array, keyStart: number, keyEnd: number, valueEnd: number): void {
    const key = decodeKeyValue(b.subarray(keyEnd, valueEnd)).key;
    // latin1 maps each byte to one char: an exact, compact set key (a view, no copy).
    const userKey = Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
    const tombstone = keyEnd - keyStart === REVISION_KEY_BYTES + 1 && b[keyStart + REVISION_KEY_BYTES] === TOMBSTONE_MARK;
    if (tombstone) this.live?.delete(userKey);
    else this.live?.add(userKey);
  }
}
