/**
 * Writing a restored member's files: the db streamed from the snapshot through the bbolt
 * writer with positioned writes (flushed to disk behind the writer, write-behind.ts), the
 * WAL segment (records, then extended to its 64 000 000 bytes) and the .snap file. Every
 * file is created exclusively with mode 0600 and fsynced before the directory holding it is
 * renamed into place (unless the caller asked for a throwaway, non-durable dir).
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { setImmediate as nextTick } from 'node:timers/promises';
import path from 'node:path';
import { crashPoint } from '../crash-point.js';
import { throwIfAborted } from '../errors.js';
import {
  BoltWriter, writeRestoredDb, type BoltSink, type RestoreDbResult, type RestorePlan, type RestoreSource,
} from '../snapshot/index.js';
import { FILE_MODE, checkFreeSpace, fsError } from './snapshot-restore-target.js';
import { WriteBehind } from './write-behind.js';

export interface WriteProgress {
  /** Bytes of the new db written so far. */
  doneBytes: number;
}

export interface DbWriteResult extends RestoreDbResult {
  sizeBytes: number;
}

/** A sink that only counts: a dry run computes the exact db size without writing it. */
function countingSink(): BoltSink {
  return { write: () => undefined };
}

/** Writes all of `bytes` at `position`, retrying short writes. */
function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length;) {
    done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
}

/**
 * Streams `source` into a new db at `file` (or nowhere when `file` is undefined: dry run),
 * applying the plan's restore semantics. Yields to the event loop between batches so that
 * `signal` (Ctrl-C) is honoured; the caller removes the partial file on any throw.
 */
export async function writeDb(
  file: string | undefined,
  source: RestoreSource,
  plan: RestorePlan,
  options: {
    signal?: AbortSignal; onProgress?: (p: WriteProgress) => void; durable?: boolean;
    /**
     * About the size of the new db (the snapshot's size): checked, with the WAL segment and
     * .snap file, against the free space of the file system before anything is written.
     */
    expectedBytes?: number;
  },
): Promise<DbWriteResult> {
  if (file !== undefined && options.expectedBytes !== undefined) {
    const needed = options.expectedBytes + plan.wal.sizeBytes + plan.snap.bytes.length;
    await checkFreeSpace(path.dirname(file), needed, 'restore the data dir', undefined, 'Free space on that file system, or restore to another one (--data-dir, and --wal-dir for the 64 MB WAL); nothing was written');
  }
  const fd = file === undefined ? undefined : openFile(file);
  const behind = fd === undefined ? undefined : new WriteBehind(fd);
  try {
    const sink: BoltSink = fd === undefined ? countingSink() : {
      write: (offset, bytes) => {
        try {
          writeFully(fd, bytes, offset);
        } catch (err) {
          throw fsError('writing', file as string, err);
        }
        try {
          (behind as WriteBehind).wrote(bytes.length);
        } catch (err) {
          throw fsError('syncing', file as string, err);
        }
      },
    };
    const writer = new BoltWriter({ pageSize: source.pageSize, sink });
    const steps = writeRestoredDb(source, writer, { cluster: plan.cluster, bump: plan.bump });
    let step = steps.next();
    while (!step.done) {
      options.onProgress?.({ doneBytes: step.value.pages * source.pageSize });
      await nextTick();
      throwIfAborted(options.signal, 'The restore');
      step = steps.next();
    }
    const written = writer.finish();
    await behind?.drain().catch((err: unknown) => { throw fsError('syncing', file as string, err); });
    if (fd !== undefined && (options.durable ?? true)) syncFile(fd, file as string);
    options.onProgress?.({ doneBytes: written.sizeBytes });
    return { ...step.value, sizeBytes: written.sizeBytes };
  } finally {
    // A flush still running holds the descriptor: wait for it before closing.
    await behind?.drain().catch(() => undefined);
    if (fd !== undefined) closeSync(fd);
  }
}

function openFile(file: string): number {
  try {
    // "wx": a file that already exists means something else is writing here.
    return openSync(file, 'wx', FILE_MODE);
  } catch (err) {
    throw fsError('creating', file, err);
  }
}

function syncFile(fd: number, file: string): void {
  try {
    fsyncSync(fd);
  } catch (err) {
    throw fsError('syncing', file, err);
  }
}

/** Writes a small file completely, synced unless `durable` is false. */
export function writeSmallFile(file: string, bytes: Uint8Array, sizeBytes = bytes.length, durable = true): void {
  const fd = openFile(file);
  try {
    try {
      writeFully(fd, bytes, 0);
      // The WAL segment is preallocated, as etcd does (fallocate): a durable restore writes
      // the zeros, so the blocks are really allocated and a small disk fails here, not when
      // etcd first appends. Node has no fallocate. A throwaway (drill) dir stays sparse.
      if (sizeBytes > bytes.length && durable) writeZeros(fd, bytes.length, sizeBytes);
      else if (sizeBytes > bytes.length) ftruncateSync(fd, sizeBytes);
    } catch (err) {
      throw fsError('writing', file, err);
    }
    if (durable) syncFile(fd, file);
  } finally {
    closeSync(fd);
  }
}

const ZEROS = new Uint8Array(1024 * 1024);

/** Writes zeros over [from, to) of `fd`. */
function writeZeros(fd: number, from: number, to: number): void {
  for (let at = from; at < to; at += ZEROS.length) writeFully(fd, ZEROS.subarray(0, Math.min(ZEROS.length, to - at)), at);
}

/** Checks that `walDir` (when it is on its own file system) has room for the WAL segment. */
export async function checkWalSpace(plan: RestorePlan, walDir: string): Promise<void> {
  await checkFreeSpace(walDir, plan.wal.sizeBytes, 'restore the WAL dir', undefined, 'Free space on that file system, or choose another --wal-dir; nothing was written');
}

/** The WAL segment into `walDir` and the .snap file into `snapDir`; returns their paths. */
export function writeWalAndSnap(plan: RestorePlan, walDir: string, snapDir: string, durable = true): { walFile: string; snapFile: string } {
  const walFile = path.join(walDir, plan.wal.name);
  writeSmallFile(walFile, plan.wal.head, plan.wal.sizeBytes, durable);
  const snapFile = path.join(snapDir, plan.snap.name);
  writeSmallFile(snapFile, plan.snap.bytes, plan.snap.bytes.length, durable);
  crashPoint('restore.staged');
  return { walFile, snapFile };
}
