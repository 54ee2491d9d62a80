/**
 * Durable replacement of small files (manifests, journals, state files, certificates): write
 * under a hidden temporary name in the same directory, fsync, rename over the target, fsync
 * the directory. A reader sees the old file or the new one, never a partial one, even across
 * a crash. The temporary name starts with a dot because the kubelet ignores dot-files in its
 * static pod directory. Streams (snapshots, downloads) use backup's writeFileAtomic instead.
 */
import { randomBytes } from 'node:crypto';
import { chown, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface FileOwnership {
  /** Permission bits; applied with fchmod so the umask cannot narrow or widen them. */
  mode: number;
  uid?: number;
  gid?: number;
}

/** fsyncs a file, or a directory so a rename inside it survives a power loss. */
export async function fsyncPath(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to `target` exclusively (fails if it exists), with `ownership`, and fsyncs it.
 * Ownership is only changed when running as root and it differs (a non-root user cannot chown).
 */
export async function writeNewFile(target: string, data: string | Uint8Array, ownership: FileOwnership): Promise<void> {
  const handle = await open(target, 'wx', ownership.mode);
  try {
    await handle.chmod(ownership.mode);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const uid = ownership.uid;
  const gid = ownership.gid;
  if (process.getuid?.() === 0 && uid !== undefined && gid !== undefined) await chown(target, uid, gid);
}

/** Replaces (or creates) `target` atomically with `data`. */
export async function replaceFileAtomic(target: string, data: string | Uint8Array, ownership: FileOwnership): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeNewFile(temp, data, ownership);
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await fsyncPath(path.dirname(target));
}
