/**
 * The per-entry half of `verifySnapshot`: a walk visitor that checks key order inside each
 * bucket and that etcd's buckets hold what etcd writes (spec §3): decodable revision keys
 * and KeyValues, a consistent index, decodable leases. It records problems instead of
 * throwing, so one walk reports every check.
 */
import type { BoltNode } from './bolt-page.js';
import { FLAG_BUCKET, type WalkVisitor } from './bolt-walk.js';
import { bytesToText, compareBytesAt, copyBytes, toHex, u64beBig } from './bytes.js';
import {
  CONSISTENT_INDEX_KEY, decodeKeyValue, decodeLease, decodeRevisionKey, KEY_BUCKET, LEASE_BUCKET, META_BUCKET,
  REQUIRED_BUCKETS, REVISION_KEY_BYTES, TOMBSTONE_MARK,
} from './etcd-buckets.js';
import { messageOf } from '../errors.js';
import { FieldReader, WireType } from '../protobuf/index.js';
import { MAX_KEY_BYTES } from './limits.js';
import { CheckCollector, type VerifyCheck } from './verify-checks.js';

/** meta bucket keys whose values are checked after the walk. */
const META_KEYS = new Set([CONSISTENT_INDEX_KEY, 'scheduledCompactRev', 'finishedCompactRev', 'term']);

export class EtcdVerifier implements WalkVisitor {
  /** Key order and key sizes; joins the walk's own structural result. */
  readonly order = new CheckCollector('structure');
  private readonly bucketCheck = new CheckCollector('buckets');
  private readonly revisions = new CheckCollector('revisions');
  private readonly leases = new CheckCollector('leases');
  private readonly bucketNames: string[] = [];
  private current = '';
  /** The previous key of the bucket: prevKey[0, prevKeyLength), -1 when none. */
  private prevKey = new Uint8Array(64);
  private prevKeyLength = -1;
  private revisionCount = 0;
  private tombstones = 0;
  /** The last revision's main part (a number when read by the fast path: exact, below 2^53). */
  private lastRevision: bigint | number = 0n;
  private readonly fields = new FieldReader();
  private leaseCount = 0;
  private readonly metaValues = new Map<string, Uint8Array>();

  bucket(name: Uint8Array): void {
    this.current = bytesToText(name);
    this.bucketNames.push(this.current);
    this.prevKeyLength = -1;
  }

  entry(leaf: BoltNode, flags: number, keyStart: number, keyEnd: number, valueEnd: number): void {
    const b = leaf.bytes;
    const keyLength = keyEnd - keyStart;
    // The common case allocates nothing: key order compared in place, the previous key kept
    // in one buffer, a well-formed revision checked from offsets (revisionPasses).
    const inOrder = this.prevKeyLength < 0 || compareBytesAt(this.prevKey, this.prevKeyLength, b, keyStart, keyEnd) < 0;
    if (keyLength === 0 || keyLength > MAX_KEY_BYTES || !inOrder) this.checkKey(leaf, keyStart, keyEnd, inOrder);
    if (keyLength > this.prevKey.length) this.prevKey = new Uint8Array(Math.max(keyLength, 2 * this.prevKey.length));
    for (let i = 0; i < keyLength; i++) this.prevKey[i] = b[keyStart + i] as number;
    this.prevKeyLength = keyLength;
    if ((flags & FLAG_BUCKET) === 0 && this.current === KEY_BUCKET && this.revisionPasses(b, keyStart, keyEnd, valueEnd)) return;
    const key = b.subarray(keyStart, keyEnd);
    const at = { pageId: leaf.pageId, offset: leaf.fileOffset + keyStart };
    if ((flags & FLAG_BUCKET) !== 0) {
      this.bucketCheck.fail(`Bucket "${this.current}" contains a nested bucket ${toHex(key)}; etcd never nests buckets`, at);
      return;
    }
    const value = b.subarray(keyEnd, valueEnd);
    if (this.current === KEY_BUCKET) this.checkRevision(key, value, at);
    else if (this.current === LEASE_BUCKET) this.checkLease(key, value, at);
    else if (this.current === META_BUCKET && META_KEYS.has(bytesToText(key))) this.metaValues.set(bytesToText(key), copyBytes(value));
  }

  /** Reports a key that is empty, too long or (`inOrder` false) not after the previous one, before prevKey moves on. */
  private checkKey(leaf: BoltNode, keyStart: number, keyEnd: number, inOrder: boolean): void {
    const key = leaf.bytes.subarray(keyStart, keyEnd);
    const at = { pageId: leaf.pageId, offset: leaf.fileOffset + keyStart };
    if (key.length === 0 || key.length > MAX_KEY_BYTES) this.order.fail(`Bucket "${this.current}" has a ${key.length}-byte key`, at);
    if (!inOrder) {
      this.order.fail(`Keys of bucket "${this.current}" are out of order: ${toHex(key)} after ${toHex(this.prevKey.subarray(0, this.prevKeyLength))}`, at);
    }
  }

  private checkRevision(key: Uint8Array, value: Uint8Array, at: { pageId: number; offset: number }): void {
    try {
      const rev = decodeRevisionKey(key);
      this.revisionCount++;
      this.lastRevision = rev.main;
      if (rev.main < 1n || rev.sub < 0n) throw new Error(`revision ${rev.main}_${rev.sub} is not positive`);
      // etcd 3.5 --bump-revision writes a 17-byte key with an empty value.
      if (value.length === 0 && !rev.tombstone) return;
      const kv = decodeKeyValue(value);
      if (kv.key.length === 0) throw new Error('the KeyValue has an empty key');
      if (rev.tombstone) {
        this.tombstones++;
        return;
      }
      if (kv.modRevision !== rev.main) throw new Error(`mod_revision ${kv.modRevision} differs from the key's revision ${rev.main}`);
      if (kv.createRevision < 1n || kv.createRevision > kv.modRevision) throw new Error(`create_revision ${kv.createRevision} is outside [1, ${kv.modRevision}]`);
      if (kv.version < 1n) throw new Error(`version ${kv.version} is below 1`);
    } catch (err) {
      this.revisions.fail(`Revision ${toHex(key)}: ${messageOf(err)}`, at);
    }
  }

  /**
   * The checks of checkRevision for the common case, without allocating: a well-formed key and
   * KeyValue whose revisions fit in 2^53. True (and counted) only when checkRevision would pass
   * it too; anything else (damage, a huge revision, a negative one) goes the exact way, which
   * reports what is wrong.
   */
  private revisionPasses(b: Uint8Array, keyStart: number, keyEnd: number, valueEnd: number): boolean {
    const keyLength = keyEnd - keyStart;
    const tombstone = keyLength === REVISION_KEY_BYTES + 1;
    // decodeRevisionKey's rules: 17 bytes, or 18 ending in the tombstone mark; "_" (0x5f) at byte 8.
    if ((keyLength !== REVISION_KEY_BYTES && !tombstone) || b[keyStart + 8] !== 0x5f || (tombstone && b[keyStart + REVISION_KEY_BYTES] !== TOMBSTONE_MARK)) return false;
    const main = exactU64be(b, keyStart);
    const sub = exactU64be(b, keyStart + 9);
    if (main < 1 || sub < 0) return false;
    if (valueEnd > keyEnd || tombstone) {
      let keyBytes = 0;
      let create = 0;
      let mod = 0;
      let version = 0;
      try {
        const f = this.fields.reset(b, keyEnd, valueEnd);
        while (f.next()) {
          // Field numbers stop at 2^29: a larger one means a key varint too long to be exact here.
          if (f.field >= 2 ** 29) return false;
          const bytes = f.field === 1 || f.field === 5;
          if (f.field > 6) continue;
          if (f.wireType !== (bytes ? WireType.bytes : WireType.varint)) return false;
          // A varint past 2^53 is not exact as a number: the exact way decides.
          if (!bytes && f.field !== 6 && f.value >= 2 ** 53) return false;
          if (f.field === 1) keyBytes = f.end - f.start;
          else if (f.field === 2) create = f.value;
          else if (f.field === 3) mod = f.value;
          else if (f.field === 4) version = f.value;
        }
      } catch {
        return false;
      }
      if (keyBytes === 0) return false;
      if (!tombstone && (mod !== main || create < 1 || create > mod || version < 1)) return false;
    }
    this.revisionCount++;
    if (tombstone) this.tombstones++;
    this.lastRevision = main;
    return true;
  }

  private checkLease(key: Uint8Array, value: Uint8Array, at: { pageId: number; offset: number }): void {
    try {
      if (key.length !== 8) throw new Error(`the key has ${key.length} bytes, expected 8`);
      const lease = decodeLease(value);
      const id = BigInt.asIntN(64, u64beBig(key, 0));
      if (lease.id !== id) throw new Error(`the stored ID ${lease.id} differs from the key ${id}`);
      this.leaseCount++;
    } catch (err) {
      this.leases.fail(`Lease ${toHex(key)}: ${messageOf(err)}`, at);
    }
  }

  /** The etcd checks, after a complete walk. */
  results(): VerifyCheck[] {
    for (const name of REQUIRED_BUCKETS) {
      if (!this.bucketNames.includes(name)) this.bucketCheck.fail(`Required bucket "${name}" is missing`);
    }
    return [
      this.bucketCheck.result(`${this.bucketNames.length} buckets: ${this.bucketNames.join(', ')}`),
      this.revisions.result(`${this.revisionCount} revisions (${this.tombstones} tombstones), last revision ${this.lastRevision}`),
      this.metaResult(),
      this.leases.result(`${this.leaseCount} leases`),
    ];
  }

  private metaResult(): VerifyCheck {
    const check = new CheckCollector('consistent-index');
    const index = this.metaValues.get(CONSISTENT_INDEX_KEY);
    // etcd 3.4 writes the index with the first applied write: a member that never served a
    // write (a fresh cluster) has none, and its snapshot is still valid and restorable.
    if (index === undefined && this.revisionCount > 0) check.fail(`Bucket "meta" has no "${CONSISTENT_INDEX_KEY}" although the key bucket holds ${this.revisionCount} revisions`);
    else if (index !== undefined && index.length !== 8) check.fail(`"${CONSISTENT_INDEX_KEY}" has ${index.length} bytes, expected 8`);
    const term = this.metaValues.get('term');
    if (term !== undefined && term.length !== 8) check.fail(`"term" has ${term.length} bytes, expected 8`);
    const compacted: Record<string, bigint> = {};
    for (const name of ['scheduledCompactRev', 'finishedCompactRev']) {
      const value = this.metaValues.get(name);
      if (value === undefined) continue;
      if (value.length !== REVISION_KEY_BYTES) {
        check.fail(`"${name}" has ${value.length} bytes, expected ${REVISION_KEY_BYTES}`);
        continue;
      }
      try {
        compacted[name] = decodeRevisionKey(value).main;
      } catch (err) {
        check.fail(`"${name}": ${messageOf(err)}`);
      }
    }
    // The last revision may be below the compacted one (compaction removes tombstones), but a
    // compaction finishes only after it was scheduled.
    const finished = compacted.finishedCompactRev;
    const scheduled = compacted.scheduledCompactRev;
    if (finished !== undefined && (scheduled === undefined || finished > scheduled)) {
      check.fail(`"finishedCompactRev" ${finished} is newer than "scheduledCompactRev" ${scheduled ?? '(missing)'}`);
    }
    const summary = index === undefined ? 'no consistent index yet (no writes applied)' : index.length === 8 ? `consistent index ${u64beBig(index, 0)}` : '';
    return check.result(finished === undefined ? summary : `${summary}, compacted at revision ${finished}`);
  }
}

/**
 * The big-endian 64-bit integer at `off` as a number when it is exact (0 to 2^53 - 1), -1 when
 * it is negative as an int64 or too large for a number (the callers then decide exactly).
 */
function exactU64be(b: Uint8Array, off: number): number {
  const hi = ((b[off] as number) << 24 | (b[off + 1] as number) << 16 | (b[off + 2] as number) << 8 | (b[off + 3] as number)) >>> 0;
  if (hi >= 2 ** 21) return -1;
  const lo = ((b[off + 4] as number) << 24 | (b[off + 5] as number) << 16 | (b[off + 6] as number) << 8 | (b[off + 7] as number)) >>> 0;
  return hi * 2 ** 32 + lo;
}
