/**
 * `audit search --follow`: reads a live audit log from its start and keeps reading what the
 * API server appends, like `tail -F`. Survives rotation (the file is renamed and a new one
 * created: the rest of the old file is read, then the new one from its start) and truncation.
 * Polls, because inotify does not see files on every volume type a log may live on.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { emptyScanStats } from './line-scanner.js';
import { READ_CHUNK_BYTES } from './log-files.js';
import { scanSource, type AuditSearch, type FileSearchStats } from './search.js';
import { compileFilter, type AuditFilter } from './search-filter.js';

export const FOLLOW_POLL_MS = 250;

export interface FollowOptions {
  signal: AbortSignal;
  pollMs?: number;
  /** Called when the file was rotated or truncated and reading starts over. */
  onRestart?: (reason: 'rotated' | 'truncated') => void;
}

async function openWhenPresent(file: string, options: FollowOptions): Promise<FileHandle | undefined> {
  for (;;) {
    try {
      return await open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // Between the rename and the creation of the new file: wait for it.
    if (!(await pause(options))) return undefined;
  }
}

/** Waits one poll interval; false when aborted. */
async function pause(options: FollowOptions): Promise<boolean> {
  try {
    await sleep(options.pollMs ?? FOLLOW_POLL_MS, undefined, { signal: options.signal });
    return true;
  } catch {
    return false;
  }
}

/** Reads everything from `position` to the current end of the file. */
async function* readToEnd(handle: FileHandle, start: number): AsyncGenerator<Uint8Array, number> {
  let position = start;
  for (;;) {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return position;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** Chunks of `file` from its start, then as they are appended, until `signal` fires. */
export async function* followLogChunks(file: string, options: FollowOptions): AsyncGenerator<Uint8Array> {
  let handle = await openWhenPresent(file, options);
  let position = 0;
  try {
    while (handle) {
      position = yield* readToEnd(handle, position);
      const [current, opened] = await Promise.all([stat(file).catch(() => undefined), handle.stat()]);
      if (current && (current.ino !== opened.ino || current.dev !== opened.dev)) {
        // Rotated: drain what was written to the old file before the rename, then switch.
        position = yield* readToEnd(handle, position);
        await handle.close();
        handle = undefined;
        options.onRestart?.('rotated');
        handle = await openWhenPresent(file, options);
        position = 0;
        continue;
      }
      if (opened.size < position) {
        options.onRestart?.('truncated');
        position = 0;
        continue;
      }
      if (!(await pause(options))) return;
    }
  } finally {
    await handle?.close();
  }
}

/** Searches a live log: its existing events, then new ones as they are written, until `signal` fires. */
export function followAuditLog(file: string, filter: AuditFilter, options: FollowOptions): AuditSearch {
  const stats: FileSearchStats = { ...emptyScanStats(), path: file };
  const matches = scanSource(followLogChunks(file, options), file, compileFilter(filter), stats, undefined);
  return { matches, stats: { files: [stats] } };
}
