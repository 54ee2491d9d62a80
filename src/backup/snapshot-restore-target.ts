/**
 * The restore's directories: refusing a target that holds anything, building into a hidden
 * staging dir, and publishing it only once every file is written and synced.
 * - An absent target is built in a hidden sibling (same parent, so the rename is atomic and
 *   never crosses file systems) that is renamed onto it.
 * - An existing empty directory (often a mount point: a dedicated etcd volume, where renaming
 *   onto it fails with EBUSY, and writing a sibling would fill the parent disk) is built
 *   inside itself, in a hidden staging dir, and published by renaming its children (one:
 *   "member") into it. The directory keeps its owner and mode.
 * Until publication the target does not exist (or stays the empty directory it was); on
 * failure the staging dir and any parent directory this restore created are removed.
 * Staging dirs carry their owner's PID and start time in their name: one left by a killed
 * restore is removed by the next restore of that target once its owner is provably gone,
 * and reported either way.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { AppError, messageOf } from '../errors.js';
import { type Leftover, type LeftoverListener, ownerGone, ownerTag, parseOwnerTag } from './leftovers.js';

/** Marks a staging dir: `.<target>.kubekeeper-restore-<pid>-<start>-<rand>` beside it, or `.kubekeeper-restore-...` inside it. */
export const STAGING_MARK = '.kubekeeper-restore-';

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
 * Finds the staging dirs of earlier restores of `target` (beside it, and inside it when it
 * is a directory); removes those whose owner is gone, keeps the rest. Tells `onLeftover`
 * about each and returns them.
 */
export async function reapRestoreLeftovers(target: string, onLeftover?: LeftoverListener): Promise<Leftover[]> {
  const found: Leftover[] = [];
  const scan = async (dir: string, prefix: string) => {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.startsWith(prefix)).sort()) {
      const full = path.join(dir, name);
      const owner = parseOwnerTag(name.slice(prefix.length));
      let leftover: Leftover;
      if (!owner) {
        leftover = { path: full, kind: 'restore-staging', action: 'kept', reason: `left by an interrupted restore of an older version (no owner recorded): remove it with rm -rf "${full}"` };
      } else if (owner.pid === process.pid || !ownerGone(owner)) {
        leftover = { path: full, kind: 'restore-staging', action: 'kept', reason: `restore PID ${owner.pid} is still running` };
      } else {
        await rm(full, { recursive: true, force: true });
        leftover = { path: full, kind: 'restore-staging', action: 'removed', reason: `left by restore PID ${owner.pid}, which is gone` };
      }
      found.push(leftover);
      onLeftover?.(leftover);
    }
  };
  await scan(path.dirname(target), `.${path.basename(target)}${STAGING_MARK}`);
  await scan(target, STAGING_MARK);
  return found;
}

/**
 * Checks that `dir` is absent or an empty directory (etcdutl 3.5's rule; 3.4 refused any
 * existing dir). `what` names the flag for the message. Staging dirs of killed restores are
 * reaped first (see reapRestoreLeftovers); one still there is named in the error.
 */
export async function checkTargetEmpty(snapshotPath: string, dir: string, what: 'data dir' | 'WAL dir', onLeftover?: LeftoverListener): Promise<'absent' | 'empty'> {
  const flag = what === 'data dir' ? '--data-dir' : '--wal-dir';
  const kept = (await reapRestoreLeftovers(dir, onLeftover)).filter((l) => l.action === 'kept' && path.dirname(l.path) === dir);
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
  if (entries.length > 0 && kept.length > 0) {
    throw new RestoreTargetError('restore-target-not-empty', dir, `Cannot restore "${snapshotPath}": ${what} "${dir}" holds the staging dir "${kept[0]?.path}" of another restore (${kept[0]?.reason})`,
      `Wait for that restore to finish; if it is not running, remove "${kept[0]?.path}"`);
  }
  if (entries.length > 0) {
    throw new RestoreTargetError('restore-target-not-empty', dir, `Cannot restore "${snapshotPath}": ${what} "${dir}" is not empty`,
      `Use an empty ${flag}, or move the old one away first (kubekeeper never overwrites etcd data)`);
  }
  return 'empty';
}

/** A directory under construction, published onto `target` by `commitStaged`. */
export interface StagedDir {
  target: string;
  temp: string;
  /** `temp` is inside the existing, empty `target`: publish by moving its children. */
  inside?: boolean;
}

/**
 * Creates the missing parents of `target` (0700, like etcd) and a hidden staging dir: inside
 * `target` when it is an existing (empty) directory, else beside it. Returns the staged dir
 * and the parents created, deepest last, for `discard`.
 */
export async function stageDir(target: string): Promise<{ staged: StagedDir; createdParents: string[] }> {
  const existing = await stat(target).then((s) => s.isDirectory(), () => false);
  if (existing) {
    const temp = path.join(target, `${STAGING_MARK}${ownerTag()}-${randomBytes(4).toString('hex')}`);
    await mkdir(temp, { mode: DIR_MODE }).catch((err: unknown) => { throw fsError('creating a directory in', target, err); });
    return { staged: { target, temp, inside: true }, createdParents: [] };
  }
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
  const temp = path.join(parent, `.${path.basename(target)}${STAGING_MARK}${ownerTag()}-${randomBytes(4).toString('hex')}`);
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

/** Moves the children of `from` into `to` (no existing entry is replaced). */
async function moveChildren(from: string, to: string, skip?: string): Promise<void> {
  for (const name of await readdir(from)) {
    if (path.join(from, name) === skip) continue;
    if (await stat(path.join(to, name)).then(() => true, () => false)) {
      throw Object.assign(new Error(`"${path.join(to, name)}" exists`), { code: 'EEXIST' });
    }
    await rename(path.join(from, name), path.join(to, name));
  }
}

/**
 * Publishes the staged dir: renames it onto its absent target, or (inside mode) moves its
 * children into the target and removes it; syncs the directory unless `durable` is false.
 */
export async function commitStaged(staged: StagedDir, durable = true): Promise<void> {
  const publish = staged.inside
    ? moveChildren(staged.temp, staged.target).then(() => rmdir(staged.temp))
    : rename(staged.temp, staged.target);
  await publish.catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new RestoreTargetError('restore-target-not-empty', staged.target, `Cannot restore: "${staged.target}" was filled by something else during the restore`,
        'Make sure nothing else (a running etcd?) uses that directory, then restore again');
    }
    throw fsError('moving the restored directory to', staged.target, err);
  });
  if (durable) fsyncDir(staged.inside ? staged.target : path.dirname(staged.target));
}

/** Undoes commitStaged (best effort): the published entries go back into the staging dir. */
export async function uncommitStaged(staged: StagedDir): Promise<void> {
  if (!staged.inside) return rename(staged.target, staged.temp);
  await mkdir(staged.temp, { mode: DIR_MODE }).catch(() => undefined);
  await moveChildren(staged.target, staged.temp, staged.temp);
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

/** Kept free beyond what a restore or download writes: metadata, and room for etcd to start. */
export const FREE_SPACE_MARGIN_BYTES = 16 * 1024 * 1024;

/** Bytes available to this user on the file system holding `dir` (its nearest existing ancestor). */
export async function freeBytes(dir: string): Promise<number> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      const s = await statfs(d);
      return s.bavail * s.bsize;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || d === path.dirname(d)) throw err;
    }
  }
}

/** The target's file system lacks room for what is about to be written. */
export class NoSpaceError extends AppError {
  constructor(readonly dir: string, readonly neededBytes: number, readonly freeBytes: number, what: string, hint: string) {
    super('no-space', `Cannot ${what}: "${dir}" has ${mib(freeBytes)} free, ${mib(neededBytes)} are needed`, { hint });
  }
}

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Throws NoSpaceError unless the file system of `dir` has `neededBytes` plus
 * FREE_SPACE_MARGIN_BYTES available. `what` names the action, `hint` the way out; the
 * message names `shown` (default: `dir`, or the target a restore staging dir is built for).
 */
export async function checkFreeSpace(dir: string, neededBytes: number, what: string, shown: string | undefined, hint: string): Promise<void> {
  const free = await freeBytes(dir);
  if (free < neededBytes + FREE_SPACE_MARGIN_BYTES) throw new NoSpaceError(shown ?? targetOfStaging(dir), neededBytes + FREE_SPACE_MARGIN_BYTES, free, what, hint);
}

/** The target a path inside a restore staging dir is built for (the path itself otherwise). */
export function targetOfStaging(p: string): string {
  const parts = path.resolve(p).split(path.sep);
  const i = parts.findIndex((part) => part.startsWith('.') && part.includes(STAGING_MARK));
  if (i < 0) return p;
  const part = parts[i] as string;
  // Inside mode: "<target>/.kubekeeper-restore-..."; beside: "<parent>/.<target>.kubekeeper-restore-...".
  if (part.startsWith(STAGING_MARK)) return parts.slice(0, i).join(path.sep);
  return [...parts.slice(0, i), part.slice(1, part.indexOf(STAGING_MARK))].join(path.sep);
}
