/**
 * The restore's sha256, computed from the blocks its bbolt walk reads anyway (instead of a
 * second pass over the file): each block read from the file is hashed when it is the next one
 * in file order; a block the walk skipped a little earlier (freelist pages, a branch page read
 * ahead) is read for the hash at once, and what the walk never reads (or jumped far past) is
 * read by finish(). Every byte of the image is hashed once, in order, whatever the walk's order;
 * a walk that reads the file in roughly file order (a fresh or defragmented db) reads it once.
 */
import { createHash } from 'node:crypto';
import { BLOCK_BYTES, type CachedFileReader } from './snapshot-file.js';

/** How far ahead of the hash a read may land and still have the gap read for the hash at once. */
const FILL_BLOCKS = 8;

export class HashAlong {
  private readonly hash = createHash('sha256');
  private readonly total: number;
  private readonly spare = Buffer.allocUnsafe(BLOCK_BYTES);
  /** The next block to hash. */
  private next = 0;
  /** Blocks read only for the hash (for the benchmark notes and tests). */
  extraReads = 0;

  /** Hashes the first `bytes` bytes of `reader`'s file as it is read; finish() gives the digest. */
  constructor(private readonly reader: CachedFileReader, private readonly bytes: number) {
    this.total = Math.ceil(bytes / BLOCK_BYTES);
    reader.onBlockRead = (index, block) => this.onRead(index, block);
  }

  private take(block: Buffer): void {
    const n = Math.min(BLOCK_BYTES, this.bytes - this.next * BLOCK_BYTES);
    this.hash.update(block.subarray(0, n));
    this.next++;
  }

  /** Takes block `next` from the cache, or reads it for the hash. */
  private takeNext(): void {
    const cached = this.reader.cached(this.next);
    if (cached) {
      this.take(cached);
      return;
    }
    this.reader.readBlock(this.next, this.spare);
    this.extraReads++;
    this.take(this.spare);
  }

  private onRead(index: number, block: Buffer): void {
    if (index < this.next || index >= this.total || index - this.next > FILL_BLOCKS) return;
    while (this.next < index) this.takeNext();
    this.take(block);
    for (let c = this.reader.cached(this.next); c && this.next < this.total; c = this.reader.cached(this.next)) this.take(c);
  }

  /** Hashes what is left and returns the hex digest; the reader is no longer watched. */
  finish(): string {
    this.reader.onBlockRead = undefined;
    while (this.next < this.total) this.takeNext();
    return this.hash.digest('hex');
  }
}
