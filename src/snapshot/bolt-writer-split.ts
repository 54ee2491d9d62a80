/**
 * bbolt's node split (spec §2.10 `split`), run on a stream: elements arrive one at a time in
 * key order, and a node is emitted as soon as its boundary is certain. bbolt splits a sorted
 * list by scanning from the front until the node would pass `pageSize × fillPercent` (at
 * least 2 elements per node, at least 2 left behind), unless the whole rest fits one page.
 * The scan depends only on a prefix, so the boundary is final once it is found with 2 more
 * elements behind it and the buffered bytes already reach a page. Memory: about one node.
 */
import { PAGE_HEADER_BYTES } from './bolt-meta.js';
import { ELEMENT_BYTES, MAX_NODE_ELEMENTS, type NodeElements } from './bolt-writer-page.js';

/** bbolt's minKeysPerPage. */
const MIN_KEYS_PER_PAGE = 2;
/** bbolt clamps FillPercent to [0.1, 1.0]. */
export const MIN_FILL_PERCENT = 0.1;
export const MAX_FILL_PERCENT = 1.0;

/** Pending elements, packed: element i's key (and value) follow element i-1's in `arena`. */
class ElementBuffer {
  arena = new Uint8Array(64 * 1024);
  used = 0;
  count = 0;
  kl = new Int32Array(256);
  vl = new Int32Array(256);
  fl = new Uint8Array(256);
  child = new Float64Array(256);

  push(flags: number, key: Uint8Array, value: Uint8Array | undefined, child: number): void {
    if (this.count === this.kl.length) this.growElements();
    const need = this.used + key.length + (value?.length ?? 0);
    if (need > this.arena.length) {
      const bigger = new Uint8Array(Math.max(need, this.arena.length * 2));
      bigger.set(this.arena.subarray(0, this.used));
      this.arena = bigger;
    }
    const i = this.count++;
    this.kl[i] = key.length;
    this.vl[i] = value?.length ?? 0;
    this.fl[i] = flags;
    this.child[i] = child;
    this.arena.set(key, this.used);
    this.used += key.length;
    if (value && value.length > 0) {
      this.arena.set(value, this.used);
      this.used += value.length;
    }
  }

  private growElements(): void {
    const n = this.kl.length * 2;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.kl = grow(this.kl, (m) => new Int32Array(m));
    this.vl = grow(this.vl, (m) => new Int32Array(m));
    this.fl = grow(this.fl, (m) => new Uint8Array(m));
    this.child = grow(this.child, (m) => new Float64Array(m));
  }

  dataBytes(k: number): number {
    let n = 0;
    for (let i = 0; i < k; i++) n += (this.kl[i] as number) + (this.vl[i] as number);
    return n;
  }

  /** The first `k` elements as a node's content. Valid until the buffer changes. */
  prefix(k: number): NodeElements {
    return {
      count: k,
      data: this.arena.subarray(0, this.dataBytes(k)),
      keyLength: (i) => this.kl[i] as number,
      valueLength: (i) => this.vl[i] as number,
      flags: (i) => this.fl[i] as number,
      childPgid: (i) => this.child[i] as number,
    };
  }

  /** Removes the first `k` elements, moving the rest to the front. */
  dropFront(k: number): void {
    const bytes = this.dataBytes(k);
    this.arena.copyWithin(0, bytes, this.used);
    this.used -= bytes;
    this.kl.copyWithin(0, k, this.count);
    this.vl.copyWithin(0, k, this.count);
    this.fl.copyWithin(0, k, this.count);
    this.child.copyWithin(0, k, this.count);
    this.count -= k;
  }
}

/** Receives each node in order; `elements` is valid during the call only. */
export type NodeHandler = (elements: NodeElements) => void;

/** Splits one level (leaves, or the branch level above them) of one tree into nodes. */
export class NodeSplitter {
  private readonly buf = new ElementBuffer();
  private readonly threshold: number;
  /** Header + elements + data of everything pending. */
  private pendingBytes = PAGE_HEADER_BYTES;
  private scanIndex = 0;
  private scanBytes = PAGE_HEADER_BYTES;
  private boundary = -1;
  /** Nodes handed to `onNode` so far. */
  emitted = 0;

  constructor(
    private readonly pageSize: number,
    fillPercent: number,
    private readonly onNode: NodeHandler,
  ) {
    const fill = Math.min(Math.max(fillPercent, MIN_FILL_PERCENT), MAX_FILL_PERCENT);
    this.threshold = Math.floor(pageSize * fill);
  }

  get pendingCount(): number {
    return this.buf.count;
  }

  /** Bytes the pending elements would take as one node (bbolt's node.size()). */
  get pendingNodeBytes(): number {
    return this.pendingBytes;
  }

  /** The pending elements (e.g. to write them as an inline bucket instead). */
  pending(): NodeElements {
    return this.buf.prefix(this.buf.count);
  }

  /** Adds a leaf element (value) or a branch element (child page id). Keys are not checked here. */
  add(flags: number, key: Uint8Array, value: Uint8Array | undefined, child = 0): void {
    this.buf.push(flags, key, value, child);
    this.pendingBytes += ELEMENT_BYTES + key.length + (value?.length ?? 0);
    this.emitCertainNodes();
  }

  private elementBytes(i: number): number {
    return ELEMENT_BYTES + (this.buf.kl[i] as number) + (this.buf.vl[i] as number);
  }

  private emitCertainNodes(): void {
    for (;;) {
      // Continue bbolt's splitIndex scan; it may only look at i < count - minKeysPerPage.
      while (this.boundary < 0 && this.scanIndex < this.buf.count - MIN_KEYS_PER_PAGE) {
        const e = this.elementBytes(this.scanIndex);
        if (this.scanIndex >= MIN_KEYS_PER_PAGE && this.scanBytes + e > this.threshold) this.boundary = this.scanIndex;
        else {
          this.scanBytes += e;
          this.scanIndex++;
        }
      }
      // "Fits in one page" can still become false with more elements; once the pending bytes
      // reach a page it never can, and the boundary found is the one bbolt would find.
      if (this.boundary < 0 || this.pendingBytes < this.pageSize) return;
      this.emit(this.boundary);
    }
  }

  private emit(k: number): void {
    if (k > MAX_NODE_ELEMENTS) throw new RangeError(`A bbolt node cannot hold ${k} elements`);
    let bytes = 0;
    for (let i = 0; i < k; i++) bytes += this.elementBytes(i);
    this.onNode(this.buf.prefix(k));
    this.emitted++;
    this.buf.dropFront(k);
    this.pendingBytes -= bytes;
    this.scanIndex = 0;
    this.scanBytes = PAGE_HEADER_BYTES;
    this.boundary = -1;
  }

  /** Splits what is left exactly as bbolt's batch split does, emitting every node. */
  finish(): void {
    if (this.buf.count === 0) {
      if (this.emitted === 0) this.emit(0);
      return;
    }
    while (this.buf.count > 0) {
      if (this.buf.count <= 2 * MIN_KEYS_PER_PAGE || this.pendingBytes < this.pageSize) {
        this.emit(this.buf.count);
        return;
      }
      let index = 0;
      let bytes = PAGE_HEADER_BYTES;
      for (let i = 0; i < this.buf.count - MIN_KEYS_PER_PAGE; i++) {
        index = i;
        const e = this.elementBytes(i);
        if (i >= MIN_KEYS_PER_PAGE && bytes + e > this.threshold) break;
        bytes += e;
      }
      this.emit(index);
    }
  }
}
