/**
 * Walking bbolt trees (spec §2.7). `leafNodes` yields the leaves of one tree in key order
 * with an explicit stack (no recursion, bounded depth); `walkDb` visits every top-level
 * bucket and entry in order, also reaching the pages of nested buckets, so that one pass
 * both reads the data and proves no page is reached twice (bbolt's `tx.Check`, §2.9).
 */
import { FLAG_BRANCH, FLAG_LEAF, META_BYTES, PAGE_HEADER_BYTES } from './bolt-meta.js';
import { branchChildren, forEachLeafElement, inlineNode, readNode, type BoltFile, type BoltNode, PageSet } from './bolt-page.js';
import { SnapshotLimitError, SnapshotPageError, type SnapshotLocation } from './errors.js';
import { MAX_BUCKET_DEPTH, MAX_TREE_DEPTH } from './limits.js';
import { copyBytes, u64le } from './bytes.js';

const TREE_PAGES = [FLAG_BRANCH, FLAG_LEAF];
export const FLAG_BUCKET = 0x01;

interface Frame {
  pageId: number;
  ids: number[];
  offsets: number[];
  next: number;
}

/**
 * Yields the leaf nodes of the tree rooted at `rootId` (referenced from `from`), left to
 * right. Each yielded node is a view valid until the generator resumes; branch contents are
 * copied into the stack first, so consumers may read other pages while holding the generator.
 */
export function* leafNodes(file: BoltFile, rootId: number, from: SnapshotLocation, pages: PageSet): Generator<BoltNode> {
  const stack: Frame[] = [];
  let node: BoltNode | undefined = readNode(file, rootId, from, pages, TREE_PAGES);
  while (node) {
    if (node.flags === FLAG_LEAF) {
      yield node;
    } else {
      if (stack.length >= MAX_TREE_DEPTH) {
        throw new SnapshotLimitError(`Tree under page ${rootId} is deeper than ${MAX_TREE_DEPTH} levels`, MAX_TREE_DEPTH, { pageId: node.pageId });
      }
      stack.push({ pageId: node.pageId, ...branchChildren(node), next: 0 });
    }
    node = undefined;
    while (stack.length > 0 && !node) {
      const top = stack[stack.length - 1] as Frame;
      if (top.next < top.ids.length) {
        const i = top.next++;
        node = readNode(file, top.ids[i] as number, { pageId: top.pageId, offset: top.offsets[i] }, pages, TREE_PAGES);
      } else {
        stack.pop();
      }
    }
  }
}

/** A bucket value copied out of its leaf, with where it was found. */
export interface BucketRef {
  name: Uint8Array;
  value: Uint8Array;
  pageId: number;
  /** File offset of value[0] (inline pages live there). */
  valueOffset: number;
}

/** Copies the bucket entries (flag 0x01) of a leaf; other entries are skipped or rejected. */
export function bucketRefs(leaf: BoltNode, rejectPlain: boolean): BucketRef[] {
  const refs: BucketRef[] = [];
  forEachLeafElement(leaf, (flags, keyStart, keyEnd, valueEnd, i) => {
    if ((flags & FLAG_BUCKET) === 0) {
      if (!rejectPlain) return;
      throw new SnapshotPageError(`Top-level entry ${i} of page ${leaf.pageId} is not a bucket`, { pageId: leaf.pageId, offset: leaf.fileOffset + PAGE_HEADER_BYTES + i * 16 });
    }
    const b = leaf.bytes;
    refs.push({ name: copyBytes(b, keyStart, keyEnd), value: copyBytes(b, keyEnd, valueEnd), pageId: leaf.pageId, valueOffset: leaf.fileOffset + keyEnd });
  });
  return refs;
}

/** Leaf nodes of a bucket given its value: the inline page, or its tree's leaves. */
export function* bucketLeaves(file: BoltFile, ref: BucketRef, pages: PageSet): Generator<BoltNode> {
  const at = { pageId: ref.pageId, offset: ref.valueOffset };
  if (ref.value.length < PAGE_HEADER_BYTES) throw new SnapshotPageError(`Bucket value has ${ref.value.length} bytes, fewer than a bucket header`, at);
  const root = u64le(ref.value, 0);
  if (root === 0) {
    yield inlineNode(ref.value, ref.valueOffset, ref.pageId);
  } else {
    yield* leafNodes(file, root, at, pages);
  }
}

export interface WalkVisitor {
  /** A top-level bucket begins. `name` is a copy. */
  bucket(name: Uint8Array): void;
  /**
   * An entry of the current top-level bucket: key = leaf.bytes[keyStart, keyEnd), value =
   * [keyEnd, valueEnd) (for flags & FLAG_BUCKET, a nested bucket's header). Views: valid
   * during the call only.
   */
  entry(leaf: BoltNode, flags: number, keyStart: number, keyEnd: number, valueEnd: number, index: number): void;
  /** The last entry of `leaf` was visited; its bytes are about to be replaced. */
  leafEnd?(leaf: BoltNode): void;
}
// Visitors must not read from the RandomAccess themselves: that would replace the leaf view.

/** The meta's root pointer, for error locations. */
export function rootRef(file: BoltFile): SnapshotLocation {
  const metaPage = file.selected.pageId;
  return { pageId: metaPage, offset: metaPage * file.pageSize + META_BYTES - 48 };
}

/**
 * Visits every top-level bucket and its entries in key order, and reaches (without visiting)
 * the pages of nested buckets. Every page reached is added to `pages`; a page reached twice,
 * out of range or malformed throws SnapshotFormatError. Returns `pages` for the freelist check.
 */
export function walkDb(file: BoltFile, visitor: WalkVisitor, pages = new PageSet(file.pgid)): PageSet {
  pages.add(0, 2, { pageId: 0 });
  for (const rootLeaf of leafNodes(file, file.root, rootRef(file), pages)) {
    for (const ref of bucketRefs(rootLeaf, true)) {
      visitor.bucket(ref.name);
      walkBucket(file, ref, pages, 1, visitor);
    }
  }
  return pages;
}

function walkBucket(file: BoltFile, ref: BucketRef, pages: PageSet, depth: number, visitor: WalkVisitor | undefined): void {
  if (depth > MAX_BUCKET_DEPTH) {
    throw new SnapshotLimitError(`Buckets are nested deeper than ${MAX_BUCKET_DEPTH} levels`, MAX_BUCKET_DEPTH, { pageId: ref.pageId, offset: ref.valueOffset });
  }
  // One closure per bucket, not per leaf: this runs once per entry of the db.
  let current: BoltNode | undefined;
  const onElement = visitor
    ? (flags: number, keyStart: number, keyEnd: number, valueEnd: number, i: number) => visitor.entry(current as BoltNode, flags, keyStart, keyEnd, valueEnd, i)
    : undefined;
  for (const leaf of bucketLeaves(file, ref, pages)) {
    current = leaf;
    if (onElement) {
      forEachLeafElement(leaf, onElement);
      visitor?.leafEnd?.(leaf);
    }
    // Nested buckets are copied out first: reading their pages replaces the leaf's view.
    // Their entries are not visited (status hashes a nested bucket as its key alone).
    if (hasBucketFlag(leaf)) {
      for (const child of bucketRefs(leaf, false)) walkBucket(file, child, pages, depth + 1, undefined);
    }
  }
}

function hasBucketFlag(leaf: BoltNode): boolean {
  for (let i = 0; i < leaf.count; i++) {
    if (((leaf.bytes[PAGE_HEADER_BYTES + i * 16] as number) & FLAG_BUCKET) !== 0) return true;
  }
  return false;
}
