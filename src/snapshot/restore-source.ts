/**
 * The snapshot side of a restore: every bucket and entry in order, like `openBolt`, but
 * handing out views into the leaf being read instead of copies. A restore copies each value
 * once, into the writer's node buffer; copying it out of the page first would double the
 * memory traffic of a multi-GB restore and leave the garbage collector a copy of every value.
 */
import { openBoltFile } from './bolt-reader.js';
import { bucketLeaves, bucketRefs, FLAG_BUCKET, leafNodes, rootRef } from './bolt-walk.js';
import { forEachLeafElement, PageSet } from './bolt-page.js';
import { u64leBig } from './bytes.js';
import type { RandomAccess } from './random-access.js';

/** One entry; `key`/`value` are views valid until the iterator advances. value null = nested bucket. */
export interface EntryView {
  key: Uint8Array;
  value: Uint8Array | null;
}

export interface SourceBucket {
  name: Uint8Array;
  sequence: bigint;
  entries(): Iterable<EntryView>;
}

/** What a restore reads: `openBolt(ra)` satisfies it too (with copies). */
export interface RestoreSource {
  pageSize: number;
  buckets(): Iterable<SourceBucket>;
}

/** A RestoreSource over the bbolt image in `ra`; throws SnapshotFormatError on corruption. */
export function openRestoreSource(ra: RandomAccess): RestoreSource {
  const file = openBoltFile(ra);
  return {
    pageSize: file.pageSize,
    *buckets() {
      for (const rootLeaf of leafNodes(file, file.root, rootRef(file), new PageSet(file.pgid))) {
        // Copied refs: reading a bucket's pages replaces the root leaf's view.
        for (const ref of bucketRefs(rootLeaf, true)) {
          yield {
            name: ref.name,
            sequence: ref.value.length >= 16 ? u64leBig(ref.value, 8) : 0n,
            *entries() {
              const offsets: number[] = [];
              for (const leaf of bucketLeaves(file, ref, new PageSet(file.pgid))) {
                offsets.length = 0;
                forEachLeafElement(leaf, (flags, keyStart, keyEnd, valueEnd) => {
                  offsets.push((flags & FLAG_BUCKET) !== 0 ? -keyStart : keyStart, keyEnd, valueEnd);
                });
                const b = leaf.bytes;
                for (let i = 0; i < offsets.length; i += 3) {
                  const start = offsets[i] as number;
                  const keyEnd = offsets[i + 1] as number;
                  yield start < 0
                    ? { key: b.subarray(-start, keyEnd), value: null }
                    : { key: b.subarray(start, keyEnd), value: b.subarray(keyEnd, offsets[i + 2]) };
                }
              }
            },
          };
        }
      }
    },
  };
}
