/**
 * Temporary files for work that needs random access (the snapshot checks walk bbolt pages):
 * a private 0700 directory holding a 0600 file, removed afterwards whatever happens.
 * Scratch dirs that hold decrypted backups (withScratchDir) carry their owner's PID and start
 * time in their name; a run killed before its clean-up (SIGKILL, OOM) leaves one behind, and
 * the next run reaps it once the owner is provably gone, checking that it is a real directory
 * (not a symlink) of this user with mode 0700 before removing it.
 */
import { lstat, mkdir, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { throwIfAborted } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { ownerGone, ownerTag, parseOwnerTag } from '../process-owner.js';

/** Prefix of scratch dirs holding decrypted backups (verify, restore --from-backup). */
export const SCRATCH_PREFIX = 'kubekeeper-scratch-';

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


/**
 * Removes the scratch dirs under `parent` left by killed runs: named SCRATCH_PREFIX plus an
 * owner that is gone, a directory (lstat: never a symlink) of this user, mode 0700. Returns
 * the paths removed.
 */
export async function reapScratchDirs(parent: string, logger: Logger = silentLogger): Promise<string[]> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names.filter((n) => n.startsWith(SCRATCH_PREFIX))) {
    const dir = path.join(parent, name);
    const owner = parseOwnerTag(name.slice(SCRATCH_PREFIX.length));
    if (!owner || owner.pid === process.pid || !ownerGone(owner)) continue;
    const info = await lstat(dir).catch(() => undefined);
    if (!info?.isDirectory() || (info.mode & 0o777) !== 0o700 || (process.getuid && info.uid !== process.getuid())) continue;
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
    logger.log('warn', 'scratch.reaped', { dir, ownerPid: owner.pid });
  }
  return removed;
}

/**
 * Runs `work` with a fresh private (0700) scratch dir under `parent` (default the OS temp
 * dir), removed afterwards whatever happens. Scratch dirs of killed runs are reaped first.
 */
export async function withScratchDir<T>(parent: string | undefined, work: (dir: string) => Promise<T>, logger?: Logger): Promise<T> {
  const root = parent ?? os.tmpdir();
  await reapScratchDirs(root, logger);
  const dir = path.join(root, `${SCRATCH_PREFIX}${ownerTag()}-${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { mode: 0o700 });
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
