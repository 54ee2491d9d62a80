/**
 * A test-only bbolt image builder, for unit tests of the snapshot reader: canonical layout
 * (spec §2.10: pages from 2, children before parents, metas with txid T and T-1) with knobs
 * to force multi-level trees, overflow pages, nested buckets and a stored freelist, and a
 * layout map so tests can corrupt a chosen page. Not a product writer (see bolt-writer).
 */
import { fnv1a64 } from '../../src/snapshot/fnv.js';

export type Bytes = Uint8Array | string;

export interface BucketSpec {
  name: Bytes;
  /** Sorted by the builder; values null = nested bucket given in `nested`. */
  entries: [Bytes, Bytes][];
  nested?: BucketSpec[];
  /** Force a page tree even when the bucket would fit inline. */
  noInline?: boolean;
  sequence?: bigint;
}

export interface BuildOptions {
  pageSize?: number;
  /** Most elements per leaf / branch node (forces deeper trees). */
  maxPerNode?: number;
  /** Store a freelist page listing `freePages` extra (zeroed) pages. */
  freelist?: boolean;
  freePages?: number;
  txid?: bigint;
}

export interface BucketLayout {
  /** Root page id, 0 when inline. */
  root: number;
  leaves: number[];
  branches: number[];
}

export interface BuiltDb {
  bytes: Uint8Array;
  pageSize: number;
  pgid: number;
  rootPage: number;
  rootBranches: number[];
  freelistPage: number | undefined;
  freePages: number[];
  buckets: Record<string, BucketLayout>;
}

const enc = new TextEncoder();
const b = (x: Bytes): Uint8Array => (typeof x === 'string' ? enc.encode(x) : x);

interface Elem { flags: number; key: Uint8Array; value: Uint8Array }

function u64(view: DataView, off: number, v: bigint | number): void {
  view.setBigUint64(off, BigInt(v), true);
}

function leafImage(elems: Elem[], pageSize: number, id: number): Uint8Array {
  const size = 16 + elems.reduce((n, e) => n + 16 + e.key.length + e.value.length, 0);
  const pages = id === 0 ? 1 : Math.ceil(size / pageSize);
  const out = new Uint8Array(id === 0 ? size : pages * pageSize);
  const v = new DataView(out.buffer);
  u64(v, 0, id);
  v.setUint16(8, 0x02, true);
  v.setUint16(10, elems.length, true);
  v.setUint32(12, id === 0 ? 0 : pages - 1, true);
  let data = 16 + 16 * elems.length;
  elems.forEach((e, i) => {
    const off = 16 + 16 * i;
    v.setUint32(off, e.flags, true);
    v.setUint32(off + 4, data - off, true);
    v.setUint32(off + 8, e.key.length, true);
    v.setUint32(off + 12, e.value.length, true);
    out.set(e.key, data);
    out.set(e.value, data + e.key.length);
    data += e.key.length + e.value.length;
  });
  return out;
}

function branchImage(children: { key: Uint8Array; id: number }[], pageSize: number, id: number): Uint8Array {
  const size = 16 + children.reduce((n, c) => n + 16 + c.key.length, 0);
  const pages = Math.ceil(size / pageSize);
  const out = new Uint8Array(pages * pageSize);
  const v = new DataView(out.buffer);
  u64(v, 0, id);
  v.setUint16(8, 0x01, true);
  v.setUint16(10, children.length, true);
  v.setUint32(12, pages - 1, true);
  let data = 16 + 16 * children.length;
  children.forEach((c, i) => {
    const off = 16 + 16 * i;
    v.setUint32(off, data - off, true);
    v.setUint32(off + 4, c.key.length, true);
    u64(v, off + 8, c.id);
    out.set(c.key, data);
    data += c.key.length;
  });
  return out;
}

export function buildBolt(buckets: BucketSpec[], options: BuildOptions = {}): BuiltDb {
  const pageSize = options.pageSize ?? 4096;
  const maxPerNode = options.maxPerNode ?? Infinity;
  const placed = new Map<number, Uint8Array>();
  let next = 2;
  const layouts: Record<string, BucketLayout> = {};

  const place = (image: (id: number) => Uint8Array): number => {
    const id = next;
    const img = image(id);
    placed.set(id, img);
    next += img.length / pageSize;
    return id;
  };

  /** Splits into nodes that fit a page (or hold one oversized element), at most maxPerNode each. */
  const chunk = <T>(items: T[], size: (t: T) => number): T[][] => {
    const out: T[][] = [];
    let cur: T[] = [];
    let bytes = 16;
    for (const it of items) {
      if (cur.length > 0 && (cur.length >= maxPerNode || bytes + size(it) > pageSize)) {
        out.push(cur);
        cur = [];
        bytes = 16;
      }
      cur.push(it);
      bytes += size(it);
    }
    out.push(cur);
    return out;
  };

  const tree = (elems: Elem[], layout: BucketLayout): number => {
    let level: { key: Uint8Array; id: number }[] = chunk(elems, (e) => 16 + e.key.length + e.value.length).map((group) => {
      const id = place((pid) => leafImage(group, pageSize, pid));
      layout.leaves.push(id);
      return { key: group[0]?.key ?? new Uint8Array(0), id };
    });
    while (level.length > 1) {
      level = chunk(level, (c) => 16 + c.key.length).map((group) => {
        const id = place((pid) => branchImage(group, pageSize, pid));
        layout.branches.push(id);
        return { key: group[0]?.key ?? new Uint8Array(0), id };
      });
    }
    return (level[0] as { id: number }).id;
  };

  const bucketValue = (spec: BucketSpec, path: string): Uint8Array => {
    const elems: Elem[] = spec.entries.map(([k, v]) => ({ flags: 0, key: b(k), value: b(v) }));
    for (const n of spec.nested ?? []) elems.push({ flags: 1, key: b(n.name), value: bucketValue(n, `${path}/${new TextDecoder().decode(b(n.name))}`) });
    elems.sort((x, y) => Buffer.compare(x.key, y.key));
    const layout: BucketLayout = { root: 0, leaves: [], branches: [] };
    layouts[path] = layout;
    const inlineSize = 16 + elems.reduce((n, e) => n + 16 + e.key.length + e.value.length, 0);
    const header = new Uint8Array(16);
    new DataView(header.buffer).setBigUint64(8, spec.sequence ?? 0n, true);
    if (!spec.noInline && !spec.nested?.length && inlineSize <= pageSize / 4) {
      return Buffer.concat([header, leafImage(elems, pageSize, 0)]);
    }
    layout.root = tree(elems, layout);
    new DataView(header.buffer).setBigUint64(0, BigInt(layout.root), true);
    return header;
  };

  const sorted = [...buckets].sort((x, y) => Buffer.compare(b(x.name), b(y.name)));
  const rootElems = sorted.map((s) => ({ flags: 1, key: b(s.name), value: bucketValue(s, new TextDecoder().decode(b(s.name))) }));
  const rootLayout: BucketLayout = { root: 0, leaves: [], branches: [] };
  const rootPage = tree(rootElems, rootLayout);
  const freePages: number[] = [];
  for (let i = 0; i < (options.freePages ?? 0); i++) freePages.push(next++);
  let freelistPage: number | undefined;
  if (options.freelist) {
    freelistPage = place((id) => {
      const img = new Uint8Array(pageSize * Math.ceil((16 + 8 * freePages.length) / pageSize));
      const v = new DataView(img.buffer);
      u64(v, 0, id);
      v.setUint16(8, 0x10, true);
      v.setUint16(10, freePages.length, true);
      v.setUint32(12, img.length / pageSize - 1, true);
      freePages.forEach((p, i) => u64(v, 16 + 8 * i, p));
      return img;
    });
  }
  const pgid = next;
  const bytes = new Uint8Array(pgid * pageSize);
  for (const [id, img] of placed) bytes.set(img, id * pageSize);
  const txid = options.txid ?? 2n;
  writeMeta(bytes, 0, pageSize, { root: rootPage, freelist: freelistPage, pgid, txid });
  writeMeta(bytes, 1, pageSize, { root: rootPage, freelist: freelistPage, pgid, txid: txid - 1n });
  return { bytes, pageSize, pgid, rootPage, rootBranches: rootLayout.branches, freelistPage, freePages, buckets: layouts };
}

/** Writes a valid meta page (header + struct + FNV checksum) into page `id` of `bytes`. */
export function writeMeta(bytes: Uint8Array, id: 0 | 1, pageSize: number, m: { root: number; freelist?: number; pgid: number; txid: bigint }): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset + id * pageSize, pageSize);
  u64(v, 0, id);
  v.setUint16(8, 0x04, true);
  v.setUint32(16, 0xed0cdaed, true);
  v.setUint32(20, 2, true);
  v.setUint32(24, pageSize, true);
  u64(v, 32, m.root);
  u64(v, 48, m.freelist === undefined ? 0xffffffffffffffffn : BigInt(m.freelist));
  u64(v, 56, m.pgid);
  u64(v, 64, m.txid);
  u64(v, 72, fnv1a64(bytes, id * pageSize + 16, id * pageSize + 72));
}

/** Re-computes the checksum of meta page `id` after a test edited its fields. */
export function resealMeta(bytes: Uint8Array, id: 0 | 1, pageSize: number): void {
  new DataView(bytes.buffer, bytes.byteOffset + id * pageSize).setBigUint64(72, fnv1a64(bytes, id * pageSize + 16, id * pageSize + 72), true);
}

/** An etcd-like revision key: 8-byte BE main, '_', 8-byte BE sub (+ 't' for a tombstone). */
export function revKey(main: number, sub = 0, tombstone = false): Uint8Array {
  const k = new Uint8Array(tombstone ? 18 : 17);
  const v = new DataView(k.buffer);
  v.setBigUint64(0, BigInt(main));
  k[8] = 0x5f;
  v.setBigUint64(9, BigInt(sub));
  if (tombstone) k[17] = 0x74;
  return k;
}

/** Appends the sha256 trailer like etcdctl snapshot save. */
export async function withTrailer(db: Uint8Array): Promise<Uint8Array> {
  const { createHash } = await import('node:crypto');
  return Buffer.concat([db, createHash('sha256').update(db).digest()]);
}
