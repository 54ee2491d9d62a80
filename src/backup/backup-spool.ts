/**
 * Temporary files for work that needs random access (the snapshot checks walk bbolt pages):
 * a private 0700 directory holding a 0600 file, removed afterwards whatever happens.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { throwIfAborted } from '../errors.js';

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

/** Runs `work` with a fresh private directory `<prefix>XXXXXX` under `parent` (default the OS temp dir). */
export async function withTempDir<T>(parent: string | undefined, work: (dir: string) => Promise<T>, prefix = 'kubekeeper-'): Promise<T> {
  const dir = await mkdtemp(path.join(parent ?? os.tmpdir(), prefix));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

