/**
 * Snapshot format errors come from code that sees bytes, not paths ("Cannot open snapshot: no
 * valid bbolt meta page"); with two files (`snapshot diff a b`) the user must know which one.
 */
import { AppError } from '../errors.js';

/** `err` with the file named when it is a snapshot format error that does not name it. */
export function withSnapshotPath(err: unknown, path: string): unknown {
  if (!(err instanceof AppError) || !err.message.startsWith('Cannot open snapshot:')) return err;
  return new AppError(err.code, err.message.replace(/^Cannot open snapshot:/, `Cannot open snapshot "${path}":`), {
    hint: err.hint?.replace(/ on it\b/, ` on "${path}"`), cause: err, exitCode: err.exitCode,
  });
}

/** Runs `open` (openBolt and what reads through it); a format error names `path`. */
export function namingSnapshot<T>(path: string, open: () => T): T {
  try {
    return open();
  } catch (err) {
    throw withSnapshotPath(err, path);
  }
}
