/**
 * Files written from streams: temporary files for work that needs random access (the
 * snapshot checks walk bbolt pages) in a private 0700 directory removed afterwards, and
 * atomic 0600 output files for downloads.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError, throwIfAborted } from '../errors.js';

/** Writes are batched: fewer syscalls for streams of 64 KiB chunks. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/** Writes `source` to `file` (created 0600, must not exist); returns the bytes written. */
export async function writeStreamToFile(source: AsyncIterable<Uint8Array>, file: string, signal?: AbortSignal): Promise<number> {
  const handle = await open(file, 'wx', 0o600);
  let total = 0;
  try {
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    for await (const chunk of source) {
      throwIfAborted(signal, `Writing "${file}"`);
      batch.push(chunk);
      batchBytes += chunk.length;
      if (batchBytes >= WRITE_BATCH_BYTES) {
        await handle.writev(batch);
        total += batchBytes;
        batch = [];
        batchBytes = 0;
      }
    }
    if (batchBytes > 0) await handle.writev(batch);
    return total + batchBytes;
  } finally {
    await handle.close();
  }
}

/** Runs `work` with a fresh private directory under `parent` (default the OS temp dir). */
export async function withTempDir<T>(parent: string | undefined, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(parent ?? os.tmpdir(), 'kubekeeper-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes `source` to `file` atomically: a dot-named temp file beside it (0600), fsync,
 * rename, fsync of the directory. A failed or interrupted stream leaves no file under the
 * final name. Refuses to replace an existing file unless `overwrite`.
 */
export async function writeStreamAtomic(source: AsyncIterable<Uint8Array>, file: string, options: { overwrite?: boolean; signal?: AbortSignal } = {}): Promise<number> {
  const dir = path.dirname(path.resolve(file));
  if (!options.overwrite && (await exists(file))) {
    throw new AppError('output-exists', `Refusing to overwrite "${file}"`, { hint: 'Choose another output path, remove the file, or pass --force' });
  }
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const written = await writeStreamToFile(source, temp, options.signal);
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    return written;
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
