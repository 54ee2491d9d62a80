/**
 * Write-behind for a large file written in one pass (a restored db): after every
 * `everyBytes` written, an fdatasync starts on libuv's thread pool while the caller keeps
 * writing. The file's dirty pages then reach the disk during the write instead of in one
 * long fsync at its end, and they do not pile up in the page cache: past the kernel's
 * dirty thresholds, writeback would start anyway, competing with whatever comes next (the
 * final fsync of a restore, or the fdatasync a freshly started etcd makes of its db).
 * At most one flush is in flight; a failed flush is reported by the next `wrote()` or by
 * `drain()`, which must be awaited before the descriptor is closed.
 */
import { fdatasync } from 'node:fs';

/** Bytes written between background flushes. */
export const WRITE_BEHIND_BYTES = 64 * 1024 * 1024;

export type SyncFn = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;

export class WriteBehind {
  private sinceFlush = 0;
  private inFlight: Promise<void> | undefined;
  private failure: NodeJS.ErrnoException | undefined;

  constructor(private readonly fd: number, private readonly everyBytes = WRITE_BEHIND_BYTES, private readonly sync: SyncFn = fdatasync) {}

  /** Records `bytes` more written; starts a flush when due and none is running. Throws a failed flush's error. */
  wrote(bytes: number): void {
    this.throwIfFailed();
    this.sinceFlush += bytes;
    if (this.sinceFlush < this.everyBytes || this.inFlight) return;
    this.sinceFlush = 0;
    this.inFlight = new Promise<void>((resolve) => {
      this.sync(this.fd, (err) => {
        if (err && !this.failure) this.failure = err;
        this.inFlight = undefined;
        resolve();
      });
    });
  }

  /** Waits for the flush in flight; throws if any flush failed. */
  async drain(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
