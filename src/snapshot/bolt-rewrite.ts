/**
 * Copy-on-write edits of one bbolt tree (spec §2.11), the way a bbolt write transaction
 * changes a db: only the nodes on the path to a changed key are re-serialised, into new
 * pages the caller allocates (past the old `pgid`); every other page keeps its id and bytes.
 * Two edits exist, the ones a restore needs: drop some keys (kubekeeper's reserved keys and
 * their leases) and append keys after the last one (the revision bump, and later extra
 * revisions). A rewritten node is split with bbolt's rule (a full leaf plus one key becomes
 * two), a node left empty disappears from its parent, and a root that split gains a level.
 * Old pages that are no longer reached become free: etcd stores no freelist (spec §2.3).
 */
import { FLAG_BRANCH, FLAG_LEAF } from './bolt-meta.js';
import { branchChildren, forEachLeafElement, readNode, PageSet, type BoltFile } from './bolt-page.js';
import type { NodeElements } from './bolt-writer-page.js';
import { NodeSplitter } from './bolt-writer-split.js';
import { compareBytes, copyBytes, u32le } from './bytes.js';
import { SnapshotPageError } from './errors.js';
import { MAX_TREE_DEPTH } from './limits.js';
import { PAGE_HEADER_BYTES } from './bolt-meta.js';

/**
 * Entries to append held without an object each (a point-in-time restore appends a million
 * records or more): handed out as short-lived views, so they never reach the old generation.
 */
export interface AppendRecords {
  readonly length: number;
  /** The key of record i (a fresh view). */
  keyAt(i: number): Uint8Array;
  /** Calls `fn` with each record's key and value, in order (fresh views). */
  forEachRecord(fn: (key: Uint8Array, value: Uint8Array) => void): void;
  /** The records after the first `n`. */
  skip(n: number): AppendRecords;
}

/** Entries to append: a plain list or AppendRecords. */
export type AppendSource = readonly { key: Uint8Array; value: Uint8Array }[] | AppendRecords;

export function isAppendRecords(a: AppendSource): a is AppendRecords {
  return typeof (a as Partial<AppendRecords>).forEachRecord === 'function';
}

/** What to change in a tree. */
export interface TreeEdit {
  /** Keys to remove (ascending; keys that are absent are ignored). */
  drop: readonly Uint8Array[];
  /** Entries to add after the tree's last key (after `bulk`'s), ascending (flags 0: plain values). */
  append: readonly { key: Uint8Array; value: Uint8Array }[];
  /** Entries to add after the tree's last key, before `append`, ascending. */
  bulk?: AppendRecords;
}

/** How many entries `edit` appends. */
export function appendCount(edit: TreeEdit): number {
  return edit.append.length + (edit.bulk?.length ?? 0);
}

/** Allocates pages for a node and writes it; returns its page id (BoltWriter.placeNode). */
export type PlaceNode = (leaf: boolean, elements: NodeElements) => number;

interface Child {
  key: Uint8Array;
  pgid: number;
}

const TREE_PAGES = [FLAG_BRANCH, FLAG_LEAF];

/**
 * Applies `edit` to the tree rooted at `rootPgid` of `file` and returns the new root page id,
 * or undefined when the tree is left empty. Returns `rootPgid` itself when nothing changes.
 * Appended keys must be ascending and sort after every key the tree keeps: checked against
 * the keys kept in its last leaf; the caller knows the last kept key. Reads only the nodes on the
 * paths to the edited keys; throws SnapshotFormatError on a malformed node.
 */
export function rewriteTree(file: BoltFile, rootPgid: number, edit: TreeEdit, place: PlaceNode, fillPercent = 1.0): number | undefined {
  if (edit.drop.length === 0 && appendCount(edit) === 0) return rootPgid;
  const ctx: Context = { file, edit, place, fillPercent, pages: new PageSet(file.pgid) };
  let level = rewriteNode(ctx, rootPgid, undefined, undefined, true, 0);
  while (level.length > 1) level = splitInto(ctx, false, level.map((c) => ({ flags: 0, key: c.key, value: undefined, child: c.pgid })));
  return level[0]?.pgid;
}

interface Context {
  file: BoltFile;
  edit: TreeEdit;
  place: PlaceNode;
  fillPercent: number;
  pages: PageSet;
}

interface Element {
  flags: number;
  key: Uint8Array;
  value: Uint8Array | undefined;
  child: number;
}

/** True when a dropped key lies in [lo, hi) (unbounded where undefined). */
function dropsIn(drop: readonly Uint8Array[], lo: Uint8Array | undefined, hi: Uint8Array | undefined): boolean {
  // Binary search for the first dropped key >= lo.
  let a = 0;
  let b = drop.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (lo !== undefined && compareBytes(drop[m] as Uint8Array, lo) < 0) a = m + 1;
    else b = m;
  }
  const first = drop[a];
  return first !== undefined && (hi === undefined || compareBytes(first, hi) < 0);
}

/** The replacement children of node `pgid` (whose keys lie in [lo, hi)). */
function rewriteNode(ctx: Context, pgid: number, lo: Uint8Array | undefined, hi: Uint8Array | undefined, rightmost: boolean, depth: number): Child[] {
  if (depth > MAX_TREE_DEPTH) throw new SnapshotPageError(`Tree under page ${pgid} is deeper than ${MAX_TREE_DEPTH} levels`, { pageId: pgid });
  const node = readNode(ctx.file, pgid, { pageId: pgid }, ctx.pages, TREE_PAGES);
  // The node's bytes are a view replaced by the next read: take what is needed first.
  if (node.flags === FLAG_LEAF) {
    const kept: Element[] = [];
    const b = node.bytes;
    forEachLeafElement(node, (flags, keyStart, keyEnd, valueEnd) => {
      const key = b.subarray(keyStart, keyEnd);
      if (isDropped(ctx.edit.drop, key)) return;
      kept.push({ flags, key: copyBytes(b, keyStart, keyEnd), value: copyBytes(b, keyEnd, valueEnd), child: 0 });
    });
    if (rightmost && appendCount(ctx.edit) > 0) {
      const { append, bulk } = ctx.edit;
      let last = kept[kept.length - 1]?.key;
      const check = (key: Uint8Array) => {
        if (last !== undefined && compareBytes(key, last) <= 0) throw new RangeError('rewriteTree: appended keys must sort after the last key of the tree');
        last = key;
      };
      // Fed to the splitter as they are, each checked on its way (a bad order throws before
      // the metas are written): a point-in-time restore appends a million records or more,
      // and an element object each would only feed the garbage collector.
      return splitInto(ctx, true, kept, append, bulk, check);
    }
    return kept.length === 0 ? [] : splitInto(ctx, true, kept);
  }
  const { ids } = branchChildren(node);
  const keys: Uint8Array[] = [];
  for (let i = 0; i < node.count; i++) {
    const e = PAGE_HEADER_BYTES + i * 16;
    const start = e + u32le(node.bytes, e);
    keys.push(copyBytes(node.bytes, start, start + u32le(node.bytes, e + 4)));
  }
  const children: Element[] = [];
  for (let i = 0; i < ids.length; i++) {
    const childLo = i === 0 ? lo : keys[i];
    const childHi = i === ids.length - 1 ? hi : keys[i + 1];
    const last = rightmost && i === ids.length - 1;
    const touched = dropsIn(ctx.edit.drop, childLo, childHi) || (last && appendCount(ctx.edit) > 0);
    if (!touched) {
      children.push({ flags: 0, key: keys[i] as Uint8Array, value: undefined, child: ids[i] as number });
      continue;
    }
    for (const c of rewriteNode(ctx, ids[i] as number, childLo, childHi, last, depth + 1)) {
      children.push({ flags: 0, key: c.key, value: undefined, child: c.pgid });
    }
  }
  return children.length === 0 ? [] : splitInto(ctx, false, children);
}

function isDropped(drop: readonly Uint8Array[], key: Uint8Array): boolean {
  let a = 0;
  let b = drop.length - 1;
  while (a <= b) {
    const m = (a + b) >>> 1;
    const c = compareBytes(drop[m] as Uint8Array, key);
    if (c === 0) return true;
    if (c < 0) a = m + 1;
    else b = m - 1;
  }
  return false;
}

/**
 * Splits elements (then `bulk`'s and `append`'s plain values) into nodes with bbolt's rule, writes each,
 * returns (first key, page id) per node.
 */
function splitInto(ctx: Context, leaf: boolean, elements: Element[], append: TreeEdit['append'] = [], bulk?: AppendRecords, check?: (key: Uint8Array) => void): Child[] {
  const out: Child[] = [];
  const splitter = new NodeSplitter(ctx.file.pageSize, ctx.fillPercent, (node) => {
    // A branch element's key is the first key of its child.
    out.push({ key: node.data.slice(0, node.keyLength(0)), pgid: ctx.place(leaf, node) });
  });
  for (const e of elements) splitter.add(e.flags, e.key, e.value, e.child);
  bulk?.forEachRecord((key, value) => {
    check?.(key);
    splitter.add(0, key, value, 0);
  });
  for (let i = 0; i < append.length; i++) {
    const e = append[i] as { key: Uint8Array; value: Uint8Array };
    check?.(e.key);
    splitter.add(0, e.key, e.value, 0);
  }
  splitter.finish();
  return out;
}
