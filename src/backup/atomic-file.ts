/**
 * Writing a stream to a file so that nothing half-written ever appears under the final
 * name: write `<path>.<pid>-<start>.part` (0600 by default), fsync, move it into place, fsync
 * the directory. On any failure (source error, abort, disk full) the .part file is removed
 * and the final name is untouched. Used for snapshots, restores and downloaded backups.
 * A writer killed before its clean-up (SIGKILL) leaves its .part: the next write to that
 * path removes it once its writer (named in the file name) is provably gone, and reports
 * it. A .part of a live writer makes a write without `overwrite` fail naming it; a legacy
 * `<path>.part` (no writer recorded) does too, with the fix, but never blocks `overwrite`.
 */
import { constants } from 'node:fs';
import { access, link, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crashPoint } from '../crash-point.js';
import { AbortedError, AppError, throwIfAborted } from '../errors.js';
import { ownerGone, ownerTag, parseOwnerTag } from '../process-owner.js';
import type { LeftoverListener } from './leftovers.js';

/** Chunks are gathered to this size before each write: fewer syscalls than one per 16 KiB frame. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Below the usual IOV_MAX (1024), and bounds the array when a source yields tiny chunks. */
const MAX_BATCH_BUFFERS = 512;

export interface WriteFileAtomicOptions {
  /** Permission bits of the new file; default 0600 (cluster data). */
  mode?: number;
  /** Replace an existing file; default false: an existing file is an error. */
  overwrite?: boolean;
  signal?: AbortSignal;
  /** Names the operation in messages: "save the snapshot". */
  action?: string;
  /**
   * fsync the file and its directory (default true). false only for scratch files that are
   * removed after use (a drill's download): the rename stays atomic, only a crash may lose it.
   */
  durable?: boolean;
  /** Told about .part files of killed writers found next to the target (and removed when dead). */
  onLeftover?: LeftoverListener;
}

/**
 * Deals with the .part files of earlier writers of `file` (see the file comment). Throws
 * when one blocks this write.
 */
async function sweepPartFiles(file: string, options: WriteFileAtomicOptions, action: string): Promise<void> {
  const dir = path.dirname(file);
  const base = `${path.basename(file)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(base) || !name.endsWith('.part')) continue;
    const part = path.join(dir, name);
    const middle = name.slice(base.length, -'.part'.length);
    if (middle === '') {
      if (options.overwrite) continue;
      throw new AppError('file-exists', `Cannot ${action}: "${part}" already exists`, {
        hint: `Another save may be running; if not, remove "${part}" (left by an interrupted save), or pass --force`,
      });
    }
    const owner = parseOwnerTag(middle);
    if (!owner || `${owner.pid}-${owner.start}` !== middle) continue;
    if (owner.pid !== process.pid && ownerGone(owner)) {
      await unlink(part).catch(() => undefined);
      options.onLeftover?.({ path: part, kind: 'part-file', action: 'removed', reason: `left by PID ${owner.pid}, which is gone` });
    } else if (!options.overwrite) {
      options.onLeftover?.({ path: part, kind: 'part-file', action: 'kept', reason: `PID ${owner.pid} is still writing it` });
      throw new AppError('file-exists', `Cannot ${action}: PID ${owner.pid} is writing "${part}"`, {
        hint: 'Wait for that save to finish, or pass --force to write anyway (the last one to finish wins)',
      });
    }
  }
}

/** The target file exists and `overwrite` was not set. */
export class FileExistsError extends AppError {
  readonly path: string;
  constructor(file: string, action: string) {
    super('file-exists', `Cannot ${action}: "${file}" already exists`, { hint: 'Choose another file name, remove the file, or pass --force to replace it' });
    this.path = file;
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EROFS: 'the file system is read-only',
  EACCES: 'permission denied', EPERM: 'operation not permitted', ENOENT: 'the directory does not exist',
  ENOTDIR: 'a parent path is not a directory', EISDIR: 'the path is a directory', EIO: 'I/O error',
};

/** Maps a file system error to a one-line AppError naming the file and the next step. */
export function fileWriteError(err: unknown, file: string, action: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const dir = path.dirname(file);
  const reason = REASONS[code] ?? (err as Error).message;
  const hints: Record<string, string> = {
    ENOSPC: `Free space in "${dir}" or write to another directory`,
    EDQUOT: `Free space in "${dir}" or write to another directory`,
    EROFS: 'Write to a directory on a writable file system',
    EACCES: `Check the permissions of "${dir}" or write to another directory`,
    ENOENT: `Create the directory first (mkdir -p "${dir}") or choose another path`,
    ENOTDIR: 'Check the path: one of its parents is a file',
  };
  return new AppError('write-failed', `Cannot ${action} to "${file}": ${reason}${code ? ` (${code})` : ''}`, {
    hint: hints[code] ?? `Check "${dir}" and retry`,
    cause: err,
  });
}

/**
 * Fails early, before any network work, when the file could not be written: it exists (and
 * `overwrite` is off), or its directory is missing, not a directory, or not writable.
 */
export async function checkWritableTarget(file: string, options: Pick<WriteFileAtomicOptions, 'overwrite' | 'action'> = {}): Promise<void> {
  const action = options.action ?? 'write';
  if (!options.overwrite && (await stat(file).then(() => true, () => false))) throw new FileExistsError(file, action);
  const dir = path.dirname(file);
  try {
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw fileWriteError(err, file, action);
  }
}

/** writev until every byte is written (a regular file may take a short write before ENOSPC). */
async function writeAll(handle: FileHandle, buffers: Uint8Array[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    let n = (await handle.writev(rest)).bytesWritten;
    if (n === 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
    const next: Uint8Array[] = [];
    for (const b of rest) {
      if (n >= b.length) {
        n -= b.length;
        continue;
      }
      next.push(n > 0 ? b.subarray(n) : b);
      n = 0;
    }
    rest = next;
  }
}

/**
 * Streams `source` into the open handle: chunks are gathered into batches (no copy; writev
 * takes them as they are), one batch being written while the next fills. Copying into two
 * reused buffers instead measured more CPU and no less memory.
 * File system errors are mapped by `onWriteError`; errors of `source` pass through as they are.
 */
async function pump(handle: FileHandle, source: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined, what: string, onWriteError: (err: unknown) => AppError): Promise<number> {
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let sizeBytes = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    // One write at a time: a FileHandle must not have two writes racing for the position.
    await inFlight;
    inFlight = writeAll(handle, batch).catch((err: unknown) => {
      throw onWriteError(err);
    });
    // A failed write must not be an unhandled rejection while the next batch fills; it is awaited next.
    inFlight.catch(() => undefined);
    batch = [];
    batchBytes = 0;
  };
  try {
    for await (const chunk of source) {
      if (signal?.aborted) throw new AbortedError(what);
      batch.push(chunk);
      batchBytes += chunk.length;
      sizeBytes += chunk.length;
      if (batchBytes >= WRITE_BATCH_BYTES || batch.length >= MAX_BATCH_BUFFERS) await flush();
    }
    if (batchBytes > 0) await flush();
  } finally {
    // Never leave a write running on a handle that is about to be closed.
    await inFlight.catch(() => undefined);
  }
  await inFlight;
  return sizeBytes;
}

/** Moves `part` to `file`; without overwrite via link+unlink so an existing file is never replaced. */
async function moveIntoPlace(part: string, file: string, overwrite: boolean, action: string): Promise<void> {
  if (overwrite) return rename(part, file);
  try {
    await link(part, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Someone created the file while the stream ran: keep theirs.
    if (code === 'EEXIST') throw new FileExistsError(file, action);
    // Some file systems (vfat, some FUSE) have no hard links: fall back to rename.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw err;
    return rename(part, file);
  }
  await unlink(part);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `source` to `file` atomically (see the file comment). Returns the byte count.
 * Errors from `source` are rethrown unchanged; file system errors become AppErrors. A `.part`
 * file that already exists is an error (another writer, or a crashed one: remove it).
 */
export async function writeFileAtomic(file: string, source: AsyncIterable<Uint8Array>, options: WriteFileAtomicOptions = {}): Promise<{ sizeBytes: number }> {
  return writeFileAtomicWith(file, (handle, ctx) => pump(handle, source, options.signal, ctx.what, ctx.writeError), options);
}

/** What `fill` gets besides the handle: the operation's name and the file-error mapping. */
export interface FillContext {
  what: string;
  writeError: (err: unknown) => AppError;
}

/**
 * writeFileAtomic with the writing done by `fill`, which gets the open `.part` handle (at
 * offset 0, mode already set) and returns the byte count it wrote: for a producer that
 * writes into the descriptor itself, such as a child process. Same guarantees and errors.
 */
export async function writeFileAtomicWith(
  file: string, fill: (handle: FileHandle, context: FillContext) => Promise<number>, options: WriteFileAtomicOptions = {},
): Promise<{ sizeBytes: number }> {
  const action = options.action ?? 'write';
  const mode = options.mode ?? 0o600;
  const part = `${file}.${ownerTag()}.part`;
  if (!options.overwrite && (await stat(file).then(() => true, () => false))) throw new FileExistsError(file, action);
  await sweepPartFiles(file, options, action);
  let handle: FileHandle;
  try {
    handle = await open(part, 'wx', mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new AppError('file-exists', `Cannot ${action}: "${part}" already exists`, { hint: `Another write by this process is running; if not, remove "${part}"` });
    }
    throw fileWriteError(err, file, action);
  }
  const fsStep = async <T>(step: Promise<T>): Promise<T> => {
    try {
      return await step;
    } catch (err) {
      throw fileWriteError(err, file, action);
    }
  };
  let closed = false;
  try {
    // open() applies the umask; chmod makes the mode exact.
    await fsStep(handle.chmod(mode));
    // "The attempt to save the snapshot was interrupted": `action` is a verb phrase.
    const what = `The attempt to ${action}`;
    const sizeBytes = await fill(handle, { what, writeError: (err) => fileWriteError(err, file, action) });
    crashPoint('part-file.written');
    // Data must be on disk before the rename makes it visible under the final name.
    const durable = options.durable ?? true;
    if (durable) await fsStep(handle.sync());
    closed = true;
    await fsStep(handle.close());
    throwIfAborted(options.signal, what);
    await fsStep(moveIntoPlace(part, file, options.overwrite ?? false, action));
    if (durable) await fsStep(fsyncDir(path.dirname(file)));
    return { sizeBytes };
  } catch (err) {
    if (!closed) await handle.close().catch(() => undefined);
    await unlink(part).catch(() => undefined);
    throw err;
  }
}
