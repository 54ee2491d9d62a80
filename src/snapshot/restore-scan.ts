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
  /** The last kept revision key of `key` (a copy), undefined when none. */
  lastKey: Uint8Array | undefined;
  /** Revision keys of reserved keys, ascending (the walk visits keys in order). */
  readonly droppedRevisions: Uint8Array[] = [];
  /** `lease` keys of the leases those keys carried, ascending. */
  readonly droppedLeases: Uint8Array[] = [];
  /** Entries per top-level bucket. */
  readonly entryCounts = new Map<string, number>();
  private readonly reserved = new ReservedKeyFilter();
  private current = '';
  private count = 0;
  private readonly lastBuffer = new Uint8Array(64);

  bucket(name: Uint8Array): void {
    this.current = bytesToText(name);
    this.count = 0;
    this.entryCounts.set(this.current, 0);
  }

  entry(leaf: BoltNode, flags: number, keyStart: number, keyEnd: number, valueEnd: number): void {
    this.entryCounts.set(this.current, ++this.count);
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
    const value = b.subarray(keyEnd, valueEnd);
    if (this.reserved.dropKeyValue(value)) {
      this.droppedRevisions.push(copyBytes(b, keyStart, keyEnd));
      return;
    }
    if (!this.kubernetes && isKubernetesKeyValue(value)) this.kubernetes = true;
    const length = keyEnd - keyStart;
    // Revision keys are 17 or 18 bytes: keep the last one without an allocation per entry.
    if (length <= this.lastBuffer.length) {
      this.lastBuffer.set(b.subarray(keyStart, keyEnd));
      this.lastKey = this.lastBuffer.subarray(0, length);
    } else {
      this.lastKey = copyBytes(b, keyStart, keyEnd);
    }
  }

  /** Revisions dropped from `key`. */
  get reservedDropped(): number {
    return this.reserved.dropped;
  }
}
