/**
 * What crosses between the main thread and the delta-reading worker (delta-restore-worker.ts):
 * its start data, and errors as their fields (structured clone keeps no class), rebuilt as the
 * same AppError subclasses, so a broken segment reads the same from either thread.
 */
import type { S3Config } from '../storage/index.js';
import { AppError } from '../errors.js';
import type { BackupKeySources } from './backup-keys.js';
import type { DeltaRestorePlan } from './delta-restore.js';
import { DeltaSegmentError } from './delta-segment.js';
import { DeltaChainError } from './delta-store.js';

/** Where the worker reads from: the repository as the command line named it, and the key sources. */
export interface DeltaWorkerSource {
  location: string;
  s3?: Partial<S3Config>;
  /** The environment the repository's credentials come from. */
  env: NodeJS.ProcessEnv;
  keys: BackupKeySources;
}

export interface DeltaWorkerData extends DeltaWorkerSource {
  plan: DeltaRestorePlan;
  snapshotRevision: number;
}

export interface PackedError {
  name: string;
  message: string;
  code?: string;
  hint?: string;
  exitCode?: number;
  segment?: string;
  latest?: number;
}

export function packError(err: unknown): PackedError {
  const e = err instanceof Error ? err : new Error(String(err));
  const out: PackedError = { name: e.name, message: e.message };
  if (err instanceof AppError) Object.assign(out, { code: err.code, hint: err.hint, exitCode: err.exitCode });
  if (err instanceof DeltaChainError) Object.assign(out, { segment: err.segment, latest: err.latestRestorableRevision });
  if (err instanceof DeltaSegmentError) out.segment = err.segment;
  return out;
}

export function unpackError(e: PackedError): Error {
  if (e.name === 'DeltaChainError') return new DeltaChainError(e.message, e.hint ?? '', e.segment, e.latest);
  if (e.name === 'DeltaSegmentError' && e.segment !== undefined) {
    const err = new DeltaSegmentError(e.segment, '');
    err.message = e.message;
    return err;
  }
  if (e.code !== undefined) return new AppError(e.code, e.message, { hint: e.hint, exitCode: e.exitCode });
  return new Error(e.message);
}
