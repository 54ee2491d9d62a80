/**
 * A snapshot file opened for random access: the I/O edge under the pure bbolt reader.
 * Reads are synchronous positioned reads through a small cache of aligned blocks, so a
 * tree walk that touches neighbouring pages costs one syscall per block, not per page, and
 * memory stays at CACHE_BLOCKS × BLOCK_BYTES whatever the file size.
 */
// Callback fs, not fs/promises: `snapshot status` of a small file is mostly start-up, and
// fs/promises alone loads a dozen internal modules (streams, readline) it never uses.
import { close, open, readSync, stat } from 'node:fs';
import { promisify } from 'node:util';
import { AppError, messageOf } from '../errors.js';
import type { RandomAccess } from '../snapshot/index.js';

/** Bytes per cached block (aligned to its size). */
export const BLOCK_BYTES = 256 * 1024;
/** Blocks kept: 4 MiB in all, in one buffer. */
export const CACHE_BLOCKS = 16;

export interface SnapshotFile {
  path: string;
  sizeBytes: number;
  /** Random access to the file's bytes; views it returns are valid until its next read. */
  ra: RandomAccess;
  /** Closes the descriptor; safe to call twice. `ra` must not be used afterwards. */
  close(): Promise<void>;
}

/** A snapshot file could not be opened or read. */
export class SnapshotFileError extends AppError {
  readonly path: string;
  constructor(code: string, path: string, message: string, hint: string, cause?: unknown) {
    super(code, message, { hint, cause });
    this.path = path;
  }
}

function openError(path: string, err: unknown): SnapshotFileError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new SnapshotFileError('snapshot-not-found', path, `Cannot open snapshot "${path}": no such file`, 'Check the path; "kubekeeper snapshot save" writes one', err);
  if (code === 'EACCES' || code === 'EPERM') {
    return new SnapshotFileError('snapshot-permission', path, `Cannot open snapshot "${path}": permission denied`, 'Run as a user that can read it (etcd data dirs are usually 0700, owned by etcd or root)', err);
  }
  return new SnapshotFileError('snapshot-open', path, `Cannot open snapshot "${path}": ${messageOf(err)}`, 'Check the path and that the file is readable', err);
}

/**
 * Opens `path` read-only. Throws SnapshotFileError for a missing file, a directory, a
 * non-regular file or a permission problem, each with a hint.
 */
export async function openSnapshotFile(path: string): Promise<SnapshotFile> {
  // stat before open: opening a FIFO would block, and a directory opens fine on Linux.
  const info = await promisify(stat)(path).catch((err: unknown) => { throw openError(path, err); });
  if (info.isDirectory()) {
    throw new SnapshotFileError('snapshot-is-directory', path, `Cannot open snapshot "${path}": it is a directory`, `Pass the file: a snapshot saved by etcdctl, or ${path.replace(/\/$/, '')}/member/snap/db of a stopped member`);
  }
  if (!info.isFile()) throw new SnapshotFileError('snapshot-not-file', path, `Cannot open snapshot "${path}": not a regular file`, 'Pass a snapshot file');
  const fd = await promisify(open)(path, 'r').catch((err: unknown) => { throw openError(path, err); });
  const ra = new CachedFileReader(path, fd, info.size);
  let closed = false;
  return {
    path,
    sizeBytes: info.size,
    ra,
    async close() {
      if (closed) return;
      closed = true;
      await promisify(close)(fd);
    },
  };
}

/**
 * RandomAccess over a descriptor with a cache of aligned blocks. The cache is direct-mapped
 * into one buffer: block i lives in slot i % CACHE_BLOCKS, so consecutive blocks sit side by
 * side and a read across their boundary (an overflow node of a large value, which a walk
 * reads in file order) is one view instead of a copy; only where the slots wrap around is it
 * assembled in a scratch buffer. Exported for tests.
 */
export class CachedFileReader implements RandomAccess {
  private readonly slots = Buffer.allocUnsafe(CACHE_BLOCKS * BLOCK_BYTES);
  private readonly views = Array.from({ length: CACHE_BLOCKS }, (_, i) => this.slots.subarray(i * BLOCK_BYTES, (i + 1) * BLOCK_BYTES));
  /** The block each slot holds, -1 for none. */
  private readonly tags = new Float64Array(CACHE_BLOCKS).fill(-1);
  private scratch = Buffer.alloc(0);

  /** Called with each block read from the file (cache misses only), as it is read. */
  onBlockRead: ((index: number, block: Buffer) => void) | undefined;

  constructor(private readonly path: string, private readonly fd: number, readonly sizeBytes: number) {}

  /** Block `index` if it is cached. */
  cached(index: number): Buffer | undefined {
    const slot = index % CACHE_BLOCKS;
    return this.tags[slot] === index ? this.views[slot] : undefined;
  }

  /** Reads block `index` into `buf` (BLOCK_BYTES long) without caching it. */
  readBlock(index: number, buf: Buffer): void {
    const start = index * BLOCK_BYTES;
    this.readFully(buf, Math.min(BLOCK_BYTES, this.sizeBytes - start), start);
  }

  read(offset: number, length: number): Uint8Array {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.sizeBytes)) {
      throw new RangeError(`read of ${length} bytes at ${offset} is outside the ${this.sizeBytes}-byte snapshot "${this.path}"`);
    }
    const first = Math.floor(offset / BLOCK_BYTES);
    const last = Math.floor((offset + Math.max(length, 1) - 1) / BLOCK_BYTES);
    // Plain Uint8Array views, not Buffers: Buffer#slice would not copy for callers.
    if (first === last || (last === first + 1 && last % CACHE_BLOCKS !== 0)) {
      // One block, or two in adjacent slots (each in its own slot: loading one keeps the other).
      const block = this.block(first);
      if (last !== first) this.block(last);
      return new Uint8Array(block.buffer, block.byteOffset + offset - first * BLOCK_BYTES, length);
    }
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(Math.max(length, 2 * this.scratch.length));
    if (last === first + 1) {
      // Across the wrap of the slots: assembled from the two cached blocks (the walk reads the
      // leaf beside it through the same blocks; reading it directly too read such a db ~1.7
      // times per pass).
      const head = (first + 1) * BLOCK_BYTES - offset;
      this.block(first).copy(this.scratch, 0, offset - first * BLOCK_BYTES, BLOCK_BYTES);
      this.block(last).copy(this.scratch, head, 0, length - head);
      return new Uint8Array(this.scratch.buffer, this.scratch.byteOffset, length);
    }
    // Longer spanning reads (large overflow nodes, hashing) go straight to the scratch buffer:
    // caching them would evict the pages a tree walk comes back to.
    this.readFully(this.scratch, length, offset);
    return new Uint8Array(this.scratch.buffer, this.scratch.byteOffset, length);
  }

  private block(index: number): Buffer {
    const slot = index % CACHE_BLOCKS;
    const buf = this.views[slot] as Buffer;
    if (this.tags[slot] !== index) {
      // Invalid while it is read: a failed read leaves no stale tag behind.
      this.tags[slot] = -1;
      this.readBlock(index, buf);
      this.tags[slot] = index;
      this.onBlockRead?.(index, buf);
    }
    return buf;
  }

  private readFully(buf: Buffer, length: number, position: number): void {
    let done = 0;
    try {
      while (done < length) {
        const n = readSync(this.fd, buf, done, length - done, position + done);
        if (n === 0) throw new Error(`the file ended at ${position + done}; it shrank while being read`);
        done += n;
      }
    } catch (err) {
      throw new SnapshotFileError('snapshot-read', this.path, `Cannot read snapshot "${this.path}" at offset ${position + done}: ${messageOf(err)}`, 'Check the disk and that nothing is writing to the file', err);
    }
  }
}
