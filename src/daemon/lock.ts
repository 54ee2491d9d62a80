/**
 * One backup at a time per host: a lock file created with O_EXCL holding the owner's PID,
 * its start time and host. A lock whose process is gone (killed, crashed, host rebooted
 * into a new PID space) is taken over and the caller is told so. A live owner makes the
 * caller wait up to `waitMs`, then fail with a clear error.
 *
 * The lock file is complete the moment it exists: the owner record is written to a private
 * temp file and link()ed into place (link fails with EEXIST, as O_EXCL does), so a contender
 * never reads a half-written lock. An unreadable lock is judged stale only when it is older
 * than {@link UNREADABLE_LOCK_STALE_MS} (a lock written by an older version, crashed mid-write).
 * Takeover is serialised by a second link()-created guard file: only the guard's holder
 * re-reads the stale lock, checks it is the same inode that was judged stale, and removes it,
 * so two contenders can never both remove a lock, or remove a fresh one.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AbortedError, AppError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { processStartTime } from './lock-process.js';

export interface LockOwner {
  pid: number;
  hostname: string;
  /** Kernel start time of the process (Linux /proc/PID/stat), to tell a reused PID apart. */
  startTime?: string;
  acquiredAt: string;
  token: string;
}

export interface AcquireLockOptions {
  /** How long to wait for a live owner; default 0 (fail at once). */
  waitMs?: number;
  /** Poll interval while waiting; default 250 ms. */
  pollMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** What the lock protects, for messages: default "backup". */
  purpose?: string;
}

export interface HeldLock {
  takenOver: boolean;
  /** The owner whose stale lock was taken over. */
  previousOwner?: LockOwner;
  release(): Promise<void>;
}

/** The lock is held by a live process and did not come free within the wait. */
export class LockHeldError extends AppError {
  constructor(readonly file: string, readonly owner: LockOwner | undefined, waitedMs: number, purpose: string) {
    const who = owner ? `PID ${owner.pid} on ${owner.hostname} since ${owner.acquiredAt}` : 'another process';
    super('lock-held', `Cannot start the ${purpose}: ${who} holds the lock "${file}"${waitedMs > 0 ? ` (waited ${Math.round(waitedMs / 1000)}s)` : ''}`, {
      hint: 'Another run is in progress: wait for it, or pass --wait DURATION; remove the file only if that process is not kubekeeper',
    });
  }
}

/** An unreadable lock younger than this is treated as held (its writer may still be writing). */
export const UNREADABLE_LOCK_STALE_MS = 60_000;

interface LockFileState { owner: LockOwner | undefined; ino: number; mtimeMs: number }

async function readOwner(file: string): Promise<LockFileState | undefined> {
  try {
    const info = await stat(file);
    const text = await readFile(file, 'utf8');
    try {
      const owner = JSON.parse(text) as LockOwner;
      return { owner: Number.isSafeInteger(owner.pid) ? owner : undefined, ino: info.ino, mtimeMs: info.mtimeMs };
    } catch {
      return { owner: undefined, ino: info.ino, mtimeMs: info.mtimeMs };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** True when `owner` is certainly gone: same host, and its PID is dead or now another process. */
async function isStale(state: LockFileState, hostname: string): Promise<boolean> {
  const { owner } = state;
  // An unreadable lock is stale only when old: a fresh one may be mid-write by an older version.
  if (!owner) return Date.now() - state.mtimeMs > UNREADABLE_LOCK_STALE_MS;
  // On another host (shared file system) liveness cannot be checked: assume alive.
  if (owner.hostname !== hostname) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  const now = await processStartTime(owner.pid);
  return owner.startTime !== undefined && now !== undefined && now !== owner.startTime;
}

/**
 * Creates `file` holding `content`, complete from the moment it exists: the content goes to a
 * private temp file first, which is then link()ed to `file`. False when `file` exists.
 */
async function createComplete(file: string, content: string): Promise<boolean> {
  const temp = `${file}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temp, content, { flag: 'wx', mode: 0o600 });
    try {
      await link(temp, file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  } catch (err) {
    throw new AppError('lock-unwritable', `Cannot create the lock file "${file}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'Set lockFile in the config to a writable path (e.g. under /run/kubekeeper or $XDG_RUNTIME_DIR)', cause: err,
    });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Moves `file` aside and removes it if it is still the inode judged stale; puts it back otherwise. */
async function removeIfSameInode(file: string, ino: number): Promise<boolean> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if ((await stat(aside)).ino === ino) {
    await unlink(aside);
    return true;
  }
  await link(aside, file).catch(() => undefined);
  await unlink(aside);
  return false;
}

/**
 * Removes the stale lock (inode `ino`) under the takeover guard `<file>.takeover`, so only one
 * contender at a time re-checks and removes it: while the guard is held, a lock judged stale
 * cannot be replaced by a fresh one (only guard holders remove locks, and a dead owner does not
 * release). A guard left by a killed contender is itself removed once its owner is gone.
 */
async function removeStale(file: string, ino: number, owner: LockOwner, hostname: string): Promise<boolean> {
  const guard = `${file}.takeover`;
  if (!(await createComplete(guard, `${JSON.stringify(owner)}\n`))) {
    const held = await readOwner(guard);
    if (held && (await isStale(held, hostname))) await removeIfSameInode(guard, held.ino);
    return false;
  }
  try {
    const current = await readOwner(file);
    if (current?.ino !== ino || !(await isStale(current, hostname))) return false;
    await unlink(file);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  return createComplete(file, `${JSON.stringify(owner)}\n`);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError('Waiting for the lock'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('Waiting for the lock'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Refuses a lock directory this user does not control: one another user created first (in a
 * shared temp dir, before us), a symlink, or one others can write to without the sticky bit.
 * There, the other user could remove or plant lock files and so stop backups or run two at once.
 */
async function checkLockDir(dir: string): Promise<void> {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const info = await lstat(dir);
  const problem = !info.isDirectory()
    ? 'it is not a directory (a symlink?)'
    : info.uid !== uid && info.uid !== 0
      ? `it belongs to uid ${info.uid}, not to this user (uid ${uid}) or root`
      : (info.mode & 0o022) !== 0 && (info.mode & 0o1000) === 0
        ? `other users can write to it (mode ${(info.mode & 0o7777).toString(8)})`
        : undefined;
  if (problem) {
    throw new AppError('lock-dir-insecure', `Refusing the lock directory "${dir}": ${problem}`, {
      hint: 'Set KUBEKEEPER_LOCK_FILE (or lockFile in the config) to a path in a directory only this user owns',
    });
  }
}

/**
 * Takes the lock at `file` (its directory is created 0700, and must belong to this user or root). Returns at once when free or
 * stale; waits up to `waitMs` for a live owner, then throws LockHeldError.
 */
export async function acquireLock(file: string, options: AcquireLockOptions = {}): Promise<HeldLock> {
  const logger = options.logger ?? silentLogger;
  const purpose = options.purpose ?? 'backup';
  const hostname = os.hostname();
  const owner: LockOwner = { pid: process.pid, hostname, startTime: await processStartTime(process.pid), acquiredAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await checkLockDir(path.dirname(file));
  const started = Date.now();
  let previousOwner: LockOwner | undefined;
  let takenOver = false;
  let lastWaitLog: number | undefined;
  for (;;) {
    if (await tryCreate(file, owner)) {
      if (takenOver) logger.log('warn', 'lock.takeover', { file, previousPid: previousOwner?.pid ?? null, previousSince: previousOwner?.acquiredAt ?? null });
      logger.log('info', 'lock.acquired', { file, waitedMs: Date.now() - started });
      return { takenOver, previousOwner, release: () => releaseLock(file, owner.token) };
    }
    const current = await readOwner(file);
    if (current === undefined) continue; // released between our create and read: try again
    if (await isStale(current, hostname)) {
      if (await removeStale(file, current.ino, owner, hostname)) {
        takenOver = true;
        previousOwner = current.owner;
      }
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= (options.waitMs ?? 0)) throw new LockHeldError(file, current.owner, waited, purpose);
    // Logged when the wait starts, then every 10 s (not by modulo: a slow poll must not skip it).
    if (lastWaitLog === undefined || Date.now() - lastWaitLog >= 10_000) {
      lastWaitLog = Date.now();
      logger.log('info', 'lock.waiting', { file, ownerPid: current.owner?.pid ?? null });
    }
    await sleep(Math.min(options.pollMs ?? 250, Math.max(1, (options.waitMs ?? 0) - waited)), options.signal);
  }
}

/** Removes the lock only if it is still ours (never another run's). */
async function releaseLock(file: string, token: string): Promise<void> {
  const current = await readOwner(file);
  if (current?.owner?.token === token) await unlink(file).catch(() => undefined);
}
