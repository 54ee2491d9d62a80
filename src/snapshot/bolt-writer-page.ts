/**
 * Page images for the bbolt writer (spec §2.2-2.5, §2.10): leaf and branch nodes laid out
 * exactly as bbolt writes them (elements, then keys/values packed in element order, unused
 * bytes zero) and meta pages with their FNV-1a checksum. Pure byte layout; what goes in
 * which node is decided by the splitter.
 */
import { FLAG_BRANCH, FLAG_LEAF, FLAG_META, MAGIC, NO_FREELIST, PAGE_HEADER_BYTES, VERSION } from './bolt-meta.js';
import { fnv1a64 } from './fnv.js';

/** Leaf and branch elements are both 16 bytes. */
export const ELEMENT_BYTES = 16;
/** bbolt's page header count is a u16. */
export const MAX_NODE_ELEMENTS = 0xffff;

/** Elements of one node, held contiguously: data = every key (and value) in element order. */
export interface NodeElements {
  count: number;
  /** Packed keys (leaf: key ‖ value per element) of the whole node. */
  data: Uint8Array;
  keyLength(i: number): number;
  /** Leaf: value length; branch: 0. */
  valueLength(i: number): number;
  /** Leaf: element flags (0x01 = bucket); branch: unused. */
  flags(i: number): number;
  /** Branch: child page id; leaf: unused. */
  childPgid(i: number): number;
}

function setU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

/** A u64 that fits a JS number (page ids, txids): low and high u32. */
export function setU64(b: Uint8Array, off: number, v: number): void {
  setU32(b, off, v % 0x100000000);
  setU32(b, off + 4, Math.floor(v / 0x100000000));
}

function writeHeader(b: Uint8Array, off: number, pgid: number, flags: number, count: number, overflow: number): void {
  setU64(b, off, pgid);
  b[off + 8] = flags;
  b[off + 9] = 0;
  b[off + 10] = count & 0xff;
  b[off + 11] = count >>> 8;
  setU32(b, off + 12, overflow);
}

/** Bytes a node's content takes (header + elements + keys/values). */
export function nodeContentBytes(elements: NodeElements): number {
  return PAGE_HEADER_BYTES + ELEMENT_BYTES * elements.count + elements.data.length;
}

/**
 * Writes a node at `out[off]`: header (id `pgid`, `overflow` extra pages), elements whose
 * `pos` is relative to the element itself, then the packed data. Zero-fills up to `end`.
 */
export function writeNode(out: Uint8Array, off: number, end: number, pgid: number, overflow: number, leaf: boolean, e: NodeElements): void {
  writeHeader(out, off, pgid, leaf ? FLAG_LEAF : FLAG_BRANCH, e.count, overflow);
  let pos = ELEMENT_BYTES * e.count;
  for (let i = 0; i < e.count; i++) {
    const at = off + PAGE_HEADER_BYTES + ELEMENT_BYTES * i;
    const k = e.keyLength(i);
    if (leaf) {
      const v = e.valueLength(i);
      setU32(out, at, e.flags(i));
      setU32(out, at + 4, pos);
      setU32(out, at + 8, k);
      setU32(out, at + 12, v);
      pos += k + v - ELEMENT_BYTES;
    } else {
      setU32(out, at, pos);
      setU32(out, at + 4, k);
      setU64(out, at + 8, e.childPgid(i));
      pos += k - ELEMENT_BYTES;
    }
  }
  const dataAt = off + PAGE_HEADER_BYTES + ELEMENT_BYTES * e.count;
  out.set(e.data, dataAt);
  out.fill(0, dataAt + e.data.length, end);
}

/**
 * The value of an inline bucket: bucket header {root 0, sequence} then a leaf page image with
 * page id 0 and no padding (spec §2.6).
 */
export function inlineBucketValue(sequence: bigint, e: NodeElements): Uint8Array {
  const out = new Uint8Array(16 + nodeContentBytes(e));
  new DataView(out.buffer).setBigUint64(8, sequence, true);
  writeNode(out, 16, out.length, 0, 0, true, e);
  return out;
}

/** The 16-byte value of a bucket whose root node lives in its own page. */
export function bucketHeaderValue(rootPgid: number, sequence: bigint): Uint8Array {
  const out = new Uint8Array(16);
  setU64(out, 0, rootPgid);
  new DataView(out.buffer).setBigUint64(8, sequence, true);
  return out;
}

export interface MetaFields {
  pageSize: number;
  root: number;
  pgid: number;
  txid: number;
}

/** Meta page `pageId` (0 or 1): no stored freelist, as etcd's NoFreelistSync; checksummed. */
export function metaPage(pageId: 0 | 1, m: MetaFields): Uint8Array {
  const page = new Uint8Array(m.pageSize);
  const view = new DataView(page.buffer);
  writeHeader(page, 0, pageId, FLAG_META, 0, 0);
  view.setUint32(16, MAGIC, true);
  view.setUint32(20, VERSION, true);
  view.setUint32(24, m.pageSize, true);
  view.setUint32(28, 0, true);
  setU64(page, 32, m.root);
  view.setBigUint64(40, 0n, true);
  view.setBigUint64(48, NO_FREELIST, true);
  setU64(page, 56, m.pgid);
  setU64(page, 64, m.txid);
  view.setBigUint64(72, fnv1a64(page, 16, 72), true);
  return page;
}
