/**
 * A read-only bbolt reader over a RandomAccess (spec §2): open, validate the metas, and list
 * buckets and their entries in key order. Pure: no I/O beyond `ra.read`. Every walk tracks
 * the pages it reached, so a corrupt file fails with a SnapshotFormatError naming the page
 * instead of looping, recursing without end or reading out of bounds.
 */
import { NO_FREELIST, requireWholeImage, selectMeta, type BoltMeta } from './bolt-meta.js';
import { forEachLeafElement, PageSet, type BoltFile } from './bolt-page.js';
import { bucketLeaves, bucketRefs, FLAG_BUCKET, leafNodes, rootRef, type BucketRef } from './bolt-walk.js';
import type { RandomAccess } from './random-access.js';
import { compareBytes, copyBytes, u64leBig } from './bytes.js';

export type { BoltMeta } from './bolt-meta.js';

/** One key/value of a bucket. `key` and `value` are copies the caller may keep. */
export interface BoltEntry {
  key: Uint8Array;
  /** null when the entry is a nested bucket (etcd never nests). */
  value: Uint8Array | null;
  /** Leaf element flags: 0 = plain value, 0x01 = nested bucket. */
  flags: number;
}

export interface BoltBucket {
  /** The bucket name (a copy). */
  name: Uint8Array;
  /** The bucket header's sequence (etcd leaves it 0). */
  sequence: bigint;
  /**
   * Entries in ascending key order. Each leaf is copied before its entries are yielded, so
   * the caller may read other buckets in between and keep the yielded keys and values.
   * Throws SnapshotFormatError on a corrupt tree.
   */
  entries(): Generator<BoltEntry>;
  /**
   * The same entries without copies, for whole-bucket scans that keep little: `visit` gets
   * the node's bytes and the entry's offsets in them (key = [keyStart, keyEnd), value =
   * [keyEnd, valueEnd); flags & 0x01 = nested bucket). The bytes are only valid during the
   * call, and `visit` must not read the snapshot itself.
   */
  scan(visit: ScanVisitor): void;
}

export type ScanVisitor = (bytes: Uint8Array, flags: number, keyStart: number, keyEnd: number, valueEnd: number) => void;

export interface BoltDb {
  /** The meta page a reader uses: the valid one with the higher txid. */
  meta: BoltMeta;
  pageSize: number;
  /** Top-level buckets in ascending name order. */
  buckets(): Generator<BoltBucket>;
  /** The top-level bucket with this (UTF-8) name, or undefined. */
  bucket(name: string): BoltBucket | undefined;
}

/**
 * Opens the bbolt image at the start of `ra` (a trailing sha256 is ignored, like bbolt does).
 * Throws SnapshotMetaError when no meta page is valid and SnapshotTruncatedError when the
 * file is shorter than the meta's `pgid × pageSize`. Pages are only read on demand.
 * `selected` lets a caller that already inspected the metas (verify) pass them in.
 */
export function openBoltFile(ra: RandomAccess, selected = selectMeta(ra)): BoltFile {
  requireWholeImage(selected, ra.sizeBytes);
  const { meta, pageSize } = selected;
  return {
    ra,
    selected,
    pageSize,
    pgid: Number(meta.pgid),
    root: Number(meta.root),
    freelist: meta.freelist === NO_FREELIST ? undefined : Number(meta.freelist),
  };
}

/** Opens a bbolt database for reading buckets and entries; see `openBoltFile` for errors. */
export function openBolt(ra: RandomAccess): BoltDb {
  const file = openBoltFile(ra);
  const db: BoltDb = {
    meta: file.selected.meta,
    pageSize: file.pageSize,
    *buckets() {
      for (const leaf of leafNodes(file, file.root, rootRef(file), new PageSet(file.pgid))) {
        for (const ref of bucketRefs(leaf, true)) yield toBucket(file, ref);
      }
    },
    bucket(name) {
      const wanted = new TextEncoder().encode(name);
      for (const b of db.buckets()) {
        if (compareBytes(b.name, wanted) === 0) return b;
      }
      return undefined;
    },
  };
  return db;
}

function toBucket(file: BoltFile, ref: BucketRef): BoltBucket {
  return {
    name: ref.name,
    sequence: ref.value.length >= 16 ? u64leBig(ref.value, 8) : 0n,
    *entries() {
      for (const leaf of bucketLeaves(file, ref, new PageSet(file.pgid))) {
        const out: BoltEntry[] = [];
        const b = leaf.bytes;
        forEachLeafElement(leaf, (flags, keyStart, keyEnd, valueEnd) => {
          const nested = (flags & FLAG_BUCKET) !== 0;
          out.push({ key: copyBytes(b, keyStart, keyEnd), value: nested ? null : copyBytes(b, keyEnd, valueEnd), flags });
        });
        yield* out;
      }
    },
    scan(visit) {
      let bytes: Uint8Array = new Uint8Array(0);
      const onElement = (flags: number, keyStart: number, keyEnd: number, valueEnd: number) => visit(bytes, flags, keyStart, keyEnd, valueEnd);
      for (const leaf of bucketLeaves(file, ref, new PageSet(file.pgid))) {
        bytes = leaf.bytes;
        forEachLeafElement(leaf, onElement);
      }
    },
  };
}
