/**
 * What a copy-on-write restore (restore-edit.ts) must know about the snapshot's data, taken
 * from the verification walk (`verifySnapshot(…, { visitor })`) instead of a pass of its own:
 * whether the `key` bucket holds Kubernetes data, its last kept revision key, and which
 * revisions (kubekeeper's reserved keys) and leases the restore drops. Never throws: damaged
 * entries are the verification's to report, and a restore stops when it fails.
 */
import type { BoltNode } from './bolt-page.js';
import { FLAG_BUCKET, type WalkVisitor } from './bolt-walk.js';
import { bytesToText, copyBytes } from './bytes.js';
import { KEY_BUCKET, LEASE_BUCKET } from './etcd-buckets.js';
import { isKubernetesKeyValue } from './restore-db.js';
import { ReservedKeyFilter } from './restore-reserved.js';

export class RestoreScan implements WalkVisitor {
  /** The `key` bucket holds keys under /registry/ (among those kept). */
  kubernetes = false;
  /** The last kept revision key: lastBuffer[0, lastLength), or lastLong past 64 bytes; -1 when none. */
  private lastLength = -1;
  private lastLong: Uint8Array | undefined;
  /** Revision keys of reserved keys, ascending (the walk visits keys in order). */
  readonly droppedRevisions: Uint8Array[] = [];
  /** `lease` keys of the leases those keys carried, ascending. */
  readonly droppedLeases: Uint8Array[] = [];
  /** Entries per top-level bucket, the current one's kept in `count` until the next. */
  private readonly counts = new Map<string, number>();
  private readonly reserved = new ReservedKeyFilter();
  private current = '';
  private count = 0;
  private readonly lastBuffer = new Uint8Array(64);

  bucket(name: Uint8Array): void {
    if (this.current !== '') this.counts.set(this.current, this.count);
    this.current = bytesToText(name);
    this.count = 0;
    this.counts.set(this.current, 0);
  }

  /** Entries per top-level bucket. */
  get entryCounts(): Map<string, number> {
    if (this.current !== '') this.counts.set(this.current, this.count);
    return this.counts;
  }

  /** The last kept revision key of `key` (a copy), undefined when none. */
  get lastKey(): Uint8Array | undefined {
    if (this.lastLength < 0) return this.lastLong;
    return this.lastBuffer.subarray(0, this.lastLength);
  }

  entry(leaf: BoltNode, flags: number, keyStart: number, keyEnd: number, valueEnd: number): void {
    this.count++;
    if ((flags & FLAG_BUCKET) !== 0) return;
    const b = leaf.bytes;
    try {
      if (this.current === KEY_BUCKET) this.keyEntry(b, keyStart, keyEnd, valueEnd);
      else if (this.current === LEASE_BUCKET && this.reserved.dropLease(b.subarray(keyStart, keyEnd))) {
        this.droppedLeases.push(copyBytes(b, keyStart, keyEnd));
      }
    } catch {
      // An undecodable KeyValue fails the verification's revisions check.
    }
  }

  private keyEntry(b: Uint8Array, keyStart: number, keyEnd: number, valueEnd: number): void {
    // From offsets: no view per entry (a restore walks every revision).
    if (this.reserved.dropKeyValue(b, keyEnd, valueEnd)) {
      this.droppedRevisions.push(copyBytes(b, keyStart, keyEnd));
      return;
    }
    if (!this.kubernetes && isKubernetesKeyValue(b, keyEnd, valueEnd)) this.kubernetes = true;
    const length = keyEnd - keyStart;
    // Revision keys are 17 or 18 bytes: keep the last one without an allocation per entry.
    if (length <= this.lastBuffer.length) {
      for (let i = 0; i < length; i++) this.lastBuffer[i] = b[keyStart + i] as number;
      this.lastLength = length;
    } else {
      this.lastLong = copyBytes(b, keyStart, keyEnd);
      this.lastLength = -1;
    }
  }

  /** Revisions dropped from `key`. */
  get reservedDropped(): number {
    return this.reserved.dropped;
  }
}
