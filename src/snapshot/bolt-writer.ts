/**
 * A streaming writer of compact bbolt files (spec §2.10), used to build a restored member's
 * `member/snap/db`. Buckets and keys go in once, in ascending order; leaf pages are written
 * as soon as bbolt's split rule fixes them, branch levels are split on the fly above them,
 * so memory stays at a few pages per tree level whatever the database size. Pages are
 * allocated from page 2 upwards, each node right after the previous one, so the file is
 * written front to back; the two meta pages come last (a file is not a database until its
 * metas are written). Page order differs from bbolt's own compaction, which allocates branch
 * levels after all leaves — bbolt and etcd accept any layout that meets §2.10's invariants.
 */
import { compareBytes } from './bytes.js';
import { MAX_KEY_BYTES } from './limits.js';
import {
  bucketHeaderValue, inlineBucketValue, metaPage, nodeContentBytes, writeNode, type NodeElements,
} from './bolt-writer-page.js';
import { NodeSplitter } from './bolt-writer-split.js';

/** Receives the file's bytes: `bytes` belong at `offset`; the buffer is reused after the call. */
export interface BoltSink {
  write(offset: number, bytes: Uint8Array): void;
}

export interface BoltWriterOptions {
  /** The source snapshot's page size (normally 4096). */
  pageSize: number;
  /** bbolt FillPercent; 1.0 (the default) packs pages like `bbolt compact`. */
  fillPercent?: number;
  sink: BoltSink;
  /**
   * First page id to allocate (default 2: a fresh file). A copy-on-write edit of an existing
   * db starts at its `pgid`, so the pages it keeps stay where they are.
   */
  firstPgid?: number;
  /** The txid of the metas (default 2); page `txid % 2` gets it, the other page `txid - 1`. */
  txid?: number;
}

export interface BoltWriteResult {
  /** Pages in the file (meta.pgid); the file is pgid × pageSize bytes. */
  pgid: number;
  sizeBytes: number;
  /** The root bucket's root page. */
  root: number;
}

/** bbolt's MaxValueSize. */
export const MAX_VALUE_BYTES = 2 ** 31 - 2;
/** Pages written per sink call (contiguous nodes are batched). */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Page 0 and 1 are the metas; page 0 carries the higher txid, so readers pick it. */
const META_TXID = 2;

/** Hands out consecutive page ids and batches the node images into large sink writes. */
class PageOutput {
  nextPgid: number;
  private readonly chunk: Uint8Array;
  private chunkPgid: number;
  private chunkBytes = 0;

  constructor(private readonly pageSize: number, private readonly sink: BoltSink, firstPgid = 2, chunkBytes = CHUNK_BYTES) {
    this.chunk = new Uint8Array(Math.max(chunkBytes, pageSize));
    this.nextPgid = firstPgid;
    this.chunkPgid = firstPgid;
  }

  /** Allocates pages for a node and writes its image; returns its page id. */
  place(leaf: boolean, elements: NodeElements): number {
    const pages = Math.ceil(nodeContentBytes(elements) / this.pageSize);
    const bytes = pages * this.pageSize;
    const pgid = this.nextPgid;
    if (bytes > this.chunk.length) {
      this.flush();
      const big = new Uint8Array(bytes);
      writeNode(big, 0, bytes, pgid, pages - 1, leaf, elements);
      this.sink.write(pgid * this.pageSize, big);
      this.chunkPgid = pgid + pages;
    } else {
      if (this.chunkBytes + bytes > this.chunk.length) this.flush();
      writeNode(this.chunk, this.chunkBytes, this.chunkBytes + bytes, pgid, pages - 1, leaf, elements);
      this.chunkBytes += bytes;
    }
    this.nextPgid = pgid + pages;
    return pgid;
  }

  flush(): void {
    if (this.chunkBytes > 0) this.sink.write(this.chunkPgid * this.pageSize, this.chunk.subarray(0, this.chunkBytes));
    this.chunkPgid = this.nextPgid;
    this.chunkBytes = 0;
  }
}

/** One B+tree (a bucket's or the root bucket's): a splitter per level, leaves at level 0. */
class TreeBuilder {
  private readonly levels: NodeSplitter[] = [];
  private readonly lastPgid: number[] = [];

  constructor(private readonly out: PageOutput, private readonly pageSize: number, private readonly fillPercent: number) {
    this.level(0);
  }

  private level(k: number): NodeSplitter {
    let splitter = this.levels[k];
    if (!splitter) {
      splitter = new NodeSplitter(this.pageSize, this.fillPercent, (elements) => {
        const pgid = this.out.place(k === 0, elements);
        this.lastPgid[k] = pgid;
        // A branch element's key is the first key of its child.
        this.level(k + 1).add(0, elements.data.subarray(0, elements.keyLength(0)), undefined, pgid);
      });
      this.levels[k] = splitter;
    }
    return splitter;
  }

  get leaves(): NodeSplitter {
    return this.levels[0] as NodeSplitter;
  }

  /** True while everything is still pending in one leaf (no page written yet). */
  get unwritten(): boolean {
    return this.leaves.emitted === 0;
  }

  /** Emits the remaining nodes level by level; returns the root page id. */
  finish(): number {
    for (let k = 0; ; k++) {
      const splitter = this.levels[k] as NodeSplitter;
      splitter.finish();
      // A level that produced one node holds the root; the level above has just its pointer.
      if (splitter.emitted === 1) return this.lastPgid[k] as number;
    }
  }
}

/** Writes a bbolt file: `beginBucket`, `put`… , `endBucket` per bucket in name order, then `finish`. */
export class BoltWriter {
  private readonly pageSize: number;
  private readonly fillPercent: number;
  private readonly out: PageOutput;
  private readonly rootEntries: { name: Uint8Array; value: Uint8Array }[] = [];
  private bucket: { name: Uint8Array; sequence: bigint; tree: TreeBuilder } | undefined;
  private readonly prevKey = new Uint8Array(MAX_KEY_BYTES);
  private prevKeyLength = 0;
  private finished = false;

  constructor(private readonly options: BoltWriterOptions) {
    this.pageSize = options.pageSize;
    this.fillPercent = options.fillPercent ?? 1.0;
    const first = options.firstPgid ?? 2;
    if (!(Number.isSafeInteger(first) && first >= 2)) throw new RangeError(`firstPgid ${first} must be an integer >= 2`);
    // An edit writes a few pages: no 4 MiB batch buffer for it.
    this.out = new PageOutput(this.pageSize, options.sink, first, first === 2 ? CHUNK_BYTES : 256 * 1024);
  }

  /**
   * Allocates and writes one node (a leaf's or a branch's elements) and returns its page id:
   * for copy-on-write edits of trees the writer does not build itself (bolt-rewrite.ts).
   */
  placeNode(leaf: boolean, elements: NodeElements): number {
    if (this.finished) throw new Error('placeNode after finish');
    return this.out.place(leaf, elements);
  }

  /**
   * Adds a top-level bucket whose value (16-byte header, or header and inline page) is
   * already complete: a bucket kept as it is, or one whose tree was rewritten by placeNode.
   */
  putBucketValue(name: Uint8Array, value: Uint8Array): void {
    if (this.bucket || this.finished) throw new Error('putBucketValue while a bucket is open or after finish');
    if (name.length === 0 || name.length > MAX_KEY_BYTES) throw new RangeError(`Bucket name of ${name.length} bytes`);
    const last = this.rootEntries[this.rootEntries.length - 1];
    if (last && compareBytes(last.name, name) >= 0) throw new RangeError('Bucket names must be strictly ascending');
    this.rootEntries.push({ name: name.slice(), value: value.slice() });
  }

  /** Pages allocated so far (progress). */
  get pagesWritten(): number {
    return this.out.nextPgid;
  }

  /** Starts a top-level bucket; names must be strictly ascending (bytewise). */
  beginBucket(name: Uint8Array, sequence = 0n): void {
    if (this.bucket || this.finished) throw new Error('beginBucket while a bucket is open or after finish');
    if (name.length === 0 || name.length > MAX_KEY_BYTES) throw new RangeError(`Bucket name of ${name.length} bytes`);
    const last = this.rootEntries[this.rootEntries.length - 1];
    if (last && compareBytes(last.name, name) >= 0) throw new RangeError('Bucket names must be strictly ascending');
    this.bucket = { name: name.slice(), sequence, tree: new TreeBuilder(this.out, this.pageSize, this.fillPercent) };
    this.prevKeyLength = 0;
  }

  /** Adds a key/value to the open bucket; keys must be strictly ascending (bytewise). */
  put(key: Uint8Array, value: Uint8Array): void {
    const bucket = this.bucket;
    if (!bucket) throw new Error('put outside a bucket');
    if (key.length === 0 || key.length > MAX_KEY_BYTES) throw new RangeError(`Key of ${key.length} bytes (allowed 1 to ${MAX_KEY_BYTES})`);
    if (value.length > MAX_VALUE_BYTES) throw new RangeError(`Value of ${value.length} bytes`);
    if (this.prevKeyLength > 0 && compareBytes(this.prevKey.subarray(0, this.prevKeyLength), key) >= 0) {
      throw new RangeError('Keys must be strictly ascending within a bucket');
    }
    this.prevKey.set(key);
    this.prevKeyLength = key.length;
    bucket.tree.leaves.add(0, key, value);
  }

  /** Closes the bucket: inline (spec §2.6 rule) or its tree's remaining pages. */
  endBucket(): void {
    const bucket = this.bucket;
    if (!bucket) throw new Error('endBucket without beginBucket');
    this.bucket = undefined;
    const leaves = bucket.tree.leaves;
    const value = bucket.tree.unwritten && leaves.pendingNodeBytes <= this.pageSize / 4
      ? inlineBucketValue(bucket.sequence, leaves.pending())
      : bucketHeaderValue(bucket.tree.finish(), bucket.sequence);
    this.rootEntries.push({ name: bucket.name, value });
  }

  /** Writes the root bucket's tree after all buckets, then both metas. */
  finish(): BoltWriteResult {
    if (this.bucket) throw new Error('finish with an open bucket');
    this.finished = true;
    const root = new TreeBuilder(this.out, this.pageSize, this.fillPercent);
    // Top-level entries are buckets: leaf flag 0x01.
    for (const entry of this.rootEntries) root.leaves.add(1, entry.name, entry.value);
    const rootPgid = root.finish();
    this.out.flush();
    const pgid = this.out.nextPgid;
    const meta = { pageSize: this.pageSize, root: rootPgid, pgid };
    const txid = this.options.txid ?? META_TXID;
    if (!(Number.isSafeInteger(txid) && txid >= 1)) throw new RangeError(`txid ${txid} must be an integer >= 1`);
    const metas = new Uint8Array(2 * this.pageSize);
    // Both metas name the new tree; the one bbolt picks (the higher txid) is page txid % 2.
    metas.set(metaPage(0, { ...meta, txid: txid % 2 === 0 ? txid : txid - 1 }), 0);
    metas.set(metaPage(1, { ...meta, txid: txid % 2 === 1 ? txid : txid - 1 }), this.pageSize);
    this.options.sink.write(0, metas);
    return { pgid, sizeBytes: pgid * this.pageSize, root: rootPgid };
  }
}

