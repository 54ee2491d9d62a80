/**
 * The restore's directories: refusing a target that holds anything, building into a hidden
 * temporary sibling (same parent, so the final rename is atomic and never crosses file
 * systems), and moving it into place only once every file is written and synced. Until that
 * rename the target does not exist (or stays the empty directory it was); on failure the
 * temporary directory and any parent directory this restore created are removed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError, messageOf } from '../errors.js';

/** Mode of every directory restore creates: the data is the cluster's secrets. */
export const DIR_MODE = 0o700;
/** Mode of every file restore writes. */
export const FILE_MODE = 0o600;

/** A target directory cannot be used, or a file system step failed. */
export class RestoreTargetError extends AppError {
  readonly path: string;
  constructor(code: string, target: string, message: string, hint: string, cause?: unknown) {
    super(code, message, { hint, cause });
    this.path = target;
  }
}

/** Describes a failed file system call in the error style: what, where, why. */
export function fsError(action: string, target: string, err: unknown): RestoreTargetError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' ? 'no space left on device'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'EROFS' ? 'read-only file system'
        : messageOf(err);
  const hint = code === 'ENOSPC' ? 'Free space on that file system or restore to another one; nothing was left behind'
    : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'Restore into a directory you can write (etcd data dirs usually belong to root or etcd)'
      : 'Check the path and the disk; nothing was left behind';
  return new RestoreTargetError(`restore-${code?.toLowerCase() ?? 'io'}`, target, `Cannot restore: ${action} "${target}" failed: ${why}`, hint, err);
}

/**
 * Checks that `dir` is absent or an empty directory (etcdutl 3.5's rule; 3.4 refused any
 * existing dir). `what` names the flag for the message.
 */
export async function checkTargetEmpty(snapshotPath: string, dir: string, what: 'data dir' | 'WAL dir'): Promise<'absent' | 'empty'> {
  const flag = what === 'data dir' ? '--data-dir' : '--wal-dir';
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw fsError(`checking the ${what}`, dir, err);
  }
  if (!info.isDirectory()) {
    throw new RestoreTargetError('restore-target-not-dir', dir, `Cannot restore "${snapshotPath}": ${what} "${dir}" exists and is not a directory`, `Use another ${flag}`);
  }
  const entries = await readdir(dir).catch((err: unknown) => { throw fsError(`reading the ${what}`, dir, err); });
  if (entries.length > 0) {
    throw new RestoreTargetError('restore-target-not-empty', dir, `Cannot restore "${snapshotPath}": ${what} "${dir}" is not empty`,
      `Use an empty ${flag}, or move the old one away first (kubekeeper never overwrites etcd data)`);
  }
  return 'empty';
}

/** A directory under construction, renamed onto `target` by `commit`. */
export interface StagedDir {
  target: string;
  temp: string;
}

/**
 * Creates the missing parents of `target` (0700, like etcd) and a hidden temporary sibling.
 * Returns the staged dir and the parents created, deepest last, for `discard`.
 */
export async function stageDir(target: string): Promise<{ staged: StagedDir; createdParents: string[] }> {
  const parent = path.dirname(target);
  const createdParents: string[] = [];
  for (let dir = parent; ; dir = path.dirname(dir)) {
    const exists = await stat(dir).then(() => true, (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw fsError('checking the parent directory', dir, err);
    });
    if (exists || dir === path.dirname(dir)) break;
    createdParents.unshift(dir);
  }
  const temp = path.join(parent, `.${path.basename(target)}.kubekeeper-restore-${randomBytes(4).toString('hex')}`);
  try {
    for (const dir of createdParents) await mkdir(dir, { mode: DIR_MODE });
    await mkdir(temp, { mode: DIR_MODE });
  } catch (err) {
    await removeParents(createdParents);
    throw fsError('creating a directory in', parent, err);
  }
  return { staged: { target, temp }, createdParents };
}

/** Makes a directory's entries durable (file names are data in the directory's inode). */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Renames the staged dir onto its target (an absent or empty directory) and syncs the parent unless `durable` is false. */
export async function commitStaged(staged: StagedDir, durable = true): Promise<void> {
  await rename(staged.temp, staged.target).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new RestoreTargetError('restore-target-not-empty', staged.target, `Cannot restore: "${staged.target}" was filled by something else during the restore`,
        'Make sure nothing else (a running etcd?) uses that directory, then restore again');
    }
    throw fsError('moving the restored directory to', staged.target, err);
  });
  if (durable) fsyncDir(path.dirname(staged.target));
}

/** Removes a staged dir (ignores one already gone) and the parents this restore created. */
export async function discard(staged: StagedDir | undefined, createdParents: readonly string[]): Promise<void> {
  if (staged) await rm(staged.temp, { recursive: true, force: true });
  await removeParents(createdParents);
}

async function removeParents(createdParents: readonly string[]): Promise<void> {
  for (const dir of [...createdParents].reverse()) {
    // rmdir, not rm -r: a parent someone else filled meanwhile stays.
    await rmdir(dir).catch(() => undefined);
  }
}
