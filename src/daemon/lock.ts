/**
 * One backup at a time per host: a lock file created with O_EXCL holding the owner's PID,
 * its start time and host. A lock whose process is gone (killed, crashed, host rebooted
 * into a new PID space) is taken over and the caller is told so. A live owner makes the
 * caller wait up to `waitMs`, then fail with a clear error. Takeover is race-safe: the stale
 * file is moved aside by rename and checked to be the same inode that was judged stale,
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

async function readOwner(file: string): Promise<{ owner: LockOwner | undefined; ino: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    try {
      const owner = JSON.parse(text) as LockOwner;
      return { owner: Number.isSafeInteger(owner.pid) ? owner : undefined, ino: info.ino };
    } catch {
      return { owner: undefined, ino: info.ino };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** True when `owner` is certainly gone: same host, and its PID is dead or now another process. */
async function isStale(owner: LockOwner | undefined, hostname: string): Promise<boolean> {
  // An unreadable lock (half-written by a crash between create and write) is stale.
  if (!owner) return true;
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

/** Moves the stale lock aside if it is still the file judged stale (same inode). */
async function removeStale(file: string, ino: number): Promise<boolean> {
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
  // We moved a fresh lock another contender just made: put it back (link fails if taken again).
  await link(aside, file).catch(() => undefined);
  await unlink(aside);
  return false;
}

async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  try {
    await writeFile(file, `${JSON.stringify(owner)}\n`, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new AppError('lock-unwritable', `Cannot create the lock file "${file}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'Set lockFile in the config to a writable path (e.g. under /run/kubekeeper or $XDG_RUNTIME_DIR)', cause: err,
    });
  }
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
  for (;;) {
    if (await tryCreate(file, owner)) {
      if (takenOver) logger.log('warn', 'lock.takeover', { file, previousPid: previousOwner?.pid ?? null, previousSince: previousOwner?.acquiredAt ?? null });
      logger.log('info', 'lock.acquired', { file, waitedMs: Date.now() - started });
      return { takenOver, previousOwner, release: () => releaseLock(file, owner.token) };
    }
    const current = await readOwner(file);
    if (current === undefined) continue; // released between our create and read: try again
    if (await isStale(current.owner, hostname)) {
      if (await removeStale(file, current.ino)) {
        takenOver = true;
        previousOwner = current.owner;
      }
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= (options.waitMs ?? 0)) throw new LockHeldError(file, current.owner, waited, purpose);
    if (waited === 0 || waited % 10_000 < (options.pollMs ?? 250)) logger.log('info', 'lock.waiting', { file, ownerPid: current.owner?.pid ?? null });
    await sleep(Math.min(options.pollMs ?? 250, Math.max(1, (options.waitMs ?? 0) - waited)), options.signal);
  }
}

/** Removes the lock only if it is still ours (never another run's). */
async function releaseLock(file: string, token: string): Promise<void> {
  const current = await readOwner(file);
  if (current?.owner?.token === token) await unlink(file).catch(() => undefined);
}
