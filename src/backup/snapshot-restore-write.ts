/**
 * Writing a restored member's files: the db as a kernel copy of the snapshot edited
 * copy-on-write (snapshot/restore-edit.ts), the WAL segment (records, then extended to its
 * 64 000 000 bytes) and the .snap file. Every file is created exclusively, ends with mode
 * 0600 and is fsynced before the directory holding it is renamed into place (unless the
 * caller asked for a throwaway, non-durable dir).
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { chmod, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import {
  BoltWriter, editRestoredDb, recordsAfter, type AppendSource, type BoltFile, type BoltSink, type RestoreDbResult, type RestorePlan, type RestoreScan,
} from '../snapshot/index.js';
import { FILE_MODE, checkFreeSpace, fsError } from './snapshot-restore-target.js';

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
 * Creates the (empty) db file the restore's worker copies the snapshot into: exclusively, mode
 * 0600, inside the 0700 staging dir. The kernel copy gives it the source's mode, which
 * openCopiedDb sets back to 0600.
 */
export async function createDbFile(file: string): Promise<void> {
  const handle = await open(file, 'wx', FILE_MODE).catch((err: unknown) => { throw fsError('creating', file, err); });
  await handle.close();
}

/**
 * Opens the copy at `file` (copySnapshotFile) for the edit: mode 0600, the sha256 trailer
 * and anything after the snapshot's last page cut. The caller closes the handle.
 */
export async function openCopiedDb(file: string, imageBytes: number): Promise<FileHandle> {
  // The copy has the snapshot's mode (0400 for a read-only snapshot): 0600 before opening it
  // for writing, which a non-root owner could not do otherwise.
  await chmod(file, FILE_MODE).catch((err: unknown) => { throw fsError('writing', file, err); });
  const handle = await open(file, 'r+').catch((err: unknown) => { throw fsError('writing', file, err); });
  try {
    await handle.truncate(imageBytes);
    return handle;
  } catch (err) {
    await handle.close();
    throw fsError('writing', file, err);
  }
}

/**
 * Writes the restore's edits (editRestoredDb) past the snapshot's last page of the copy open
 * at `fd`, and the new metas; `fd` undefined = dry run: nothing is written. Does not sync.
 */
export function editDb(
  fd: number | undefined, file: string, source: BoltFile, scan: RestoreScan, plan: RestorePlan,
  options: { extraRevisions?: AppendSource; extraLeases?: readonly { key: Uint8Array; value: Uint8Array }[] } = {},
): DbWriteResult {
  const sink: BoltSink = fd === undefined ? countingSink() : {
    write: (offset, bytes) => {
      try {
        writeFully(fd, bytes, offset);
      } catch (err) {
        throw fsError('writing', file, err);
      }
    },
  };
  const writer = new BoltWriter({ pageSize: source.pageSize, sink, firstPgid: source.pgid, txid: Number(source.selected.meta.txid) + 1 });
  // Deltas start at the backup's recorded revision; the snapshot may hold a few after it.
  const last = scan.lastKey;
  const extraRevisions = options.extraRevisions && recordsAfter(options.extraRevisions, last);
  const result = editRestoredDb(source, scan, writer, {
    cluster: plan.cluster, bump: plan.bump, ...(extraRevisions ? { extraRevisions } : {}), ...(options.extraLeases ? { extraLeases: options.extraLeases } : {}),
  });
  return { ...result, sizeBytes: writer.pagesWritten * source.pageSize };
}

/** Creates a small file, writes it completely and extends it to `sizeBytes` (sparse; not synced: see syncFile). */
function writeSmallFile(file: string, bytes: Uint8Array, sizeBytes: number): void {
  let fd: number;
  try {
    // "wx": a file that already exists means something else is writing here.
    fd = openSync(file, 'wx', FILE_MODE);
  } catch (err) {
    throw fsError('creating', file, err);
  }
  try {
    writeFully(fd, bytes, 0);
    if (sizeBytes > bytes.length) ftruncateSync(fd, sizeBytes);
  } catch (err) {
    throw fsError('writing', file, err);
  } finally {
    closeSync(fd);
  }
}

const ZEROS = new Uint8Array(1024 * 1024);
/** Where fallocate(1) is looked for (util-linux; Debian's is essential): never the caller's PATH. */
const FALLOCATE_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';
const FALLOCATE_TIMEOUT_MS = 30_000;

/**
 * Allocates the blocks of [`from`, `sizeBytes`) of `file`, as etcd preallocates a WAL segment
 * (fallocate(2)): a small disk fails here, not when etcd first appends. Node has no fallocate:
 * util-linux's fallocate(1) does it (unwritten extents: nothing to write, nothing to flush);
 * where it is missing or the file system refuses, zeros are written instead. The file's
 * content is unchanged (its tail is already zeros). `program`: for tests of the fallback.
 */
export async function allocateFile(file: string, from: number, sizeBytes: number, program = 'fallocate'): Promise<void> {
  const allocated = await new Promise<boolean>((resolve) => {
    execFile(program, ['--length', String(sizeBytes), file], { env: { PATH: FALLOCATE_PATH }, timeout: FALLOCATE_TIMEOUT_MS }, (err) => resolve(!err));
  });
  if (allocated) return;
  const handle = await open(file, 'r+').catch((err: unknown) => { throw fsError('writing', file, err); });
  try {
    for (let at = from; at < sizeBytes; at += ZEROS.length) {
      const chunk = ZEROS.subarray(0, Math.min(ZEROS.length, sizeBytes - at));
      for (let done = 0; done < chunk.length;) done += (await handle.write(chunk, done, chunk.length - done, at + done)).bytesWritten;
    }
  } catch (err) {
    throw fsError('writing', file, err);
  } finally {
    await handle.close();
  }
}

/** fsyncs `file` on libuv's thread pool (so that several files flush at once). */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r').catch((err: unknown) => { throw fsError('syncing', file, err); });
  try {
    await handle.sync().catch((err: unknown) => { throw fsError('syncing', file, err); });
  } finally {
    await handle.close();
  }
}

/** Checks that the file system of `snapDir` has room for a db of about `dbBytes`, the WAL segment and the .snap file. */
export async function checkDbSpace(plan: RestorePlan, snapDir: string, dbBytes: number): Promise<void> {
  const needed = dbBytes + plan.wal.sizeBytes + plan.snap.bytes.length;
  await checkFreeSpace(snapDir, needed, 'restore the data dir', undefined, 'Free space on that file system, or restore to another one (--data-dir, and --wal-dir for the 64 MB WAL); nothing was written');
}

/** Checks that `walDir` (when it is on its own file system) has room for the WAL segment. */
export async function checkWalSpace(plan: RestorePlan, walDir: string): Promise<void> {
  await checkFreeSpace(walDir, plan.wal.sizeBytes, 'restore the WAL dir', undefined, 'Free space on that file system, or choose another --wal-dir; nothing was written');
}

/**
 * The WAL segment into `walDir` and the .snap file into `snapDir`, not synced (the caller
 * syncs them with the db); the WAL's blocks are allocated when `durable` (a throwaway dir
 * stays sparse). Returns their paths.
 */
export async function writeWalAndSnap(plan: RestorePlan, walDir: string, snapDir: string, durable = true): Promise<{ walFile: string; snapFile: string }> {
  const walFile = path.join(walDir, plan.wal.name);
  writeSmallFile(walFile, plan.wal.head, plan.wal.sizeBytes);
  const snapFile = path.join(snapDir, plan.snap.name);
  writeSmallFile(snapFile, plan.snap.bytes, plan.snap.bytes.length);
  if (durable && plan.wal.sizeBytes > plan.wal.head.length) await allocateFile(walFile, plan.wal.head.length, plan.wal.sizeBytes);
  return { walFile, snapFile };
}
