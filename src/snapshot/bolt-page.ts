/**
 * bbolt pages and nodes (spec §2.2, §2.4, §2.5): reading a node (first page + overflow
 * pages) with every header field checked, and decoding branch and leaf elements with every
 * offset checked against the node's bytes. A page is "reached" once per walk; `PageSet`
 * turns a second reference (a cycle or a shared page) into an error instead of a loop.
 */
import { SnapshotLimitError, SnapshotPageError, type SnapshotLocation } from './errors.js';
import { FLAG_BRANCH, FLAG_FREELIST, FLAG_LEAF, PAGE_HEADER_BYTES, type SelectedMeta } from './bolt-meta.js';
import { MAX_NODE_BYTES } from './limits.js';
import type { RandomAccess } from './random-access.js';
import { u16le, u32le, u64le } from './bytes.js';

export const ELEMENT_BYTES = 16;

/** An opened bbolt file: the selected meta with page ids as plain numbers (bounded by the file size). */
export interface BoltFile {
  ra: RandomAccess;
  selected: SelectedMeta;
  pageSize: number;
  /** Number of pages in use (meta.pgid). */
  pgid: number;
  root: number;
  /** Freelist page id, or undefined when none is stored (etcd). */
  freelist: number | undefined;
}

/**
 * One node. `bytes` starts at the node's page header (or, for an inline bucket, at the
 * embedded page header) and is a view that stays valid only until the next read from `ra`.
 */
export interface BoltNode {
  /** The node's page id; for an inline bucket, the page holding the bucket's value. */
  pageId: number;
  flags: number;
  count: number;
  bytes: Uint8Array;
  /** File offset of bytes[0] (for error locations). */
  fileOffset: number;
}

/** Pages reached in one walk: a bitmap over [0, pgid). */
export class PageSet {
  private readonly bits: Uint8Array;
  constructor(readonly pgid: number) {
    this.bits = new Uint8Array(Math.ceil(pgid / 8));
  }
  has(id: number): boolean {
    return ((this.bits[id >>> 3] as number) & (1 << (id & 7))) !== 0;
  }
  /** Marks pages [id, id+span); throws when one was already reached. */
  add(id: number, span: number, from: SnapshotLocation): void {
    for (let p = id; p < id + span; p++) {
      if (this.has(p)) throw new SnapshotPageError(`Page ${p} is referenced more than once (a cycle or a shared page)`, from);
      this.bits[p >>> 3] = (this.bits[p >>> 3] as number) | (1 << (p & 7));
    }
  }
}

function typeName(flags: number): string {
  return ({ [FLAG_BRANCH]: 'branch', [FLAG_LEAF]: 'leaf', [FLAG_FREELIST]: 'freelist' } as Record<number, string>)[flags] ?? `flags 0x${flags.toString(16)}`;
}

/**
 * Reads node `id`, referenced from `from`, expecting one of `allowed` page types. Checks the
 * id range, the header's id and type, the overflow range and the element array size.
 */
export function readNode(file: BoltFile, id: number, from: SnapshotLocation, pages: PageSet, allowed: readonly number[]): BoltNode {
  if (!(id >= 2 && id < file.pgid)) {
    throw new SnapshotPageError(`Reference to page ${id} is outside the data pages [2, ${file.pgid})`, from);
  }
  const ps = file.pageSize;
  const fileOffset = id * ps;
  pages.add(id, 1, from);
  let bytes = file.ra.read(fileOffset, ps);
  const at: SnapshotLocation = { pageId: id, offset: fileOffset };
  if (u64le(bytes, 0) !== id) throw new SnapshotPageError(`Page ${id} has header id ${u64le(bytes, 0)}`, at);
  const flags = u16le(bytes, 8);
  if (!allowed.includes(flags)) {
    throw new SnapshotPageError(`Page ${id} is a ${typeName(flags)} page where a ${allowed.map(typeName).join(' or ')} page was expected`, { ...at, offset: fileOffset + 8 });
  }
  const count = u16le(bytes, 10);
  const overflow = u32le(bytes, 12);
  if (id + overflow >= file.pgid) {
    throw new SnapshotPageError(`Page ${id} claims ${overflow} overflow pages, past the last page ${file.pgid - 1}`, { ...at, offset: fileOffset + 12 });
  }
  const nodeBytes = (overflow + 1) * ps;
  if (nodeBytes > MAX_NODE_BYTES) {
    throw new SnapshotLimitError(`Page ${id} spans ${nodeBytes} bytes, more than the ${MAX_NODE_BYTES}-byte node limit`, MAX_NODE_BYTES, { ...at, offset: fileOffset + 12 });
  }
  if (overflow > 0) {
    pages.add(id + 1, overflow, at);
    bytes = file.ra.read(fileOffset, nodeBytes);
  }
  const node = { pageId: id, flags, count, bytes, fileOffset };
  checkElementArray(node);
  return node;
}

/** Branch and leaf element arrays must fit in the node. */
function checkElementArray(node: BoltNode): void {
  // The freelist reader checks its own count, which has a special encoding.
  if (node.flags === FLAG_FREELIST) return;
  const at = { pageId: node.pageId, offset: node.fileOffset + 10 };
  if (PAGE_HEADER_BYTES + node.count * ELEMENT_BYTES > node.bytes.length) {
    throw new SnapshotPageError(`Page ${node.pageId} has ${node.count} elements, more than fit in ${node.bytes.length} bytes`, at);
  }
}

/** The page image inside an inline bucket value (`value` starts with the 16-byte bucket header). */
export function inlineNode(value: Uint8Array, valueOffset: number, pageId: number): BoltNode {
  const at = { pageId, offset: valueOffset };
  if (value.length < 2 * PAGE_HEADER_BYTES) throw new SnapshotPageError(`Inline bucket value has ${value.length} bytes, fewer than a header and a page header`, at);
  const bytes = value.subarray(PAGE_HEADER_BYTES);
  const flags = u16le(bytes, 8);
  if (flags !== FLAG_LEAF) throw new SnapshotPageError(`Inline bucket page is a ${typeName(flags)} page, not a leaf`, at);
  const node = { pageId, flags, count: u16le(bytes, 10), bytes, fileOffset: valueOffset + PAGE_HEADER_BYTES };
  checkElementArray(node);
  return node;
}

/** Visits a leaf's elements in order: flags, key = bytes[keyStart, keyEnd), value = bytes[keyEnd, valueEnd). */
export type LeafVisitor = (flags: number, keyStart: number, keyEnd: number, valueEnd: number, index: number) => void;

export function forEachLeafElement(node: BoltNode, visit: LeafVisitor): void {
  const b = node.bytes;
  const length = b.length;
  for (let i = 0; i < node.count; i++) {
    const e = PAGE_HEADER_BYTES + i * ELEMENT_BYTES;
    const keyStart = e + u32le(b, e + 4);
    const keyEnd = keyStart + u32le(b, e + 8);
    const valueEnd = keyEnd + u32le(b, e + 12);
    if (valueEnd > length) {
      throw new SnapshotPageError(`Leaf element ${i} of page ${node.pageId} points past the end of its ${length}-byte node`, { pageId: node.pageId, offset: node.fileOffset + e });
    }
    visit(u32le(b, e), keyStart, keyEnd, valueEnd, i);
  }
}

/** A branch's child page ids and the file offsets of the elements naming them (copied: they outlive the view). */
export function branchChildren(node: BoltNode): { ids: number[]; offsets: number[] } {
  const b = node.bytes;
  const ids: number[] = [];
  const offsets: number[] = [];
  if (node.count === 0) throw new SnapshotPageError(`Branch page ${node.pageId} has no elements`, { pageId: node.pageId, offset: node.fileOffset + 10 });
  for (let i = 0; i < node.count; i++) {
    const e = PAGE_HEADER_BYTES + i * ELEMENT_BYTES;
    const keyEnd = e + u32le(b, e) + u32le(b, e + 4);
    if (keyEnd > b.length) {
      throw new SnapshotPageError(`Branch element ${i} of page ${node.pageId} points past the end of its ${b.length}-byte node`, { pageId: node.pageId, offset: node.fileOffset + e });
    }
    ids.push(u64le(b, e + 8));
    offsets.push(node.fileOffset + e + 8);
  }
  return { ids, offsets };
}
