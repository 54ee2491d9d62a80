/**
 * Restore's gate: the whole snapshot is verified before anything is created. The trailer
 * follows etcd's rules (spec §1.2): a file without one needs --skip-hash-check, and
 * --skip-hash-check ignores a present one. Every other check of `snapshot verify` (metas,
 * size, bbolt structure, etcd buckets, revisions, consistent index, leases) must pass: a db
 * etcd cannot serve is better refused now than discovered when the cluster does not start.
 */
import { AppError, throwIfAborted } from '../errors.js';
import { ChecksumMismatchError, TRAILER_BYTES, hasTrailer, verifySnapshot, type RandomAccess } from '../snapshot/index.js';
import { sha256OnWorker } from './snapshot-restore-hash.js';

export interface SourceCheck {
  /** The file ends with etcdctl's sha256 trailer. */
  hasTrailer: boolean;
  /** The trailer was compared (false with --skip-hash-check or without a trailer). */
  hashChecked: boolean;
  /** sha256 of the bbolt image, when checked. */
  sha256?: string;
}

/** The snapshot failed one of the structural or etcd checks. */
export class SnapshotRejectedError extends AppError {
  readonly failedChecks: string[];
  constructor(snapshotPath: string, failed: { name: string; detail: string }[]) {
    super('restore-snapshot-invalid', `Cannot restore "${snapshotPath}": the snapshot failed verification: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`, {
      hint: `Run "kubekeeper snapshot verify ${snapshotPath}" for the full report, and restore another snapshot`,
    });
    this.failedChecks = failed.map((c) => c.name);
  }
}

/**
 * Throws unless the snapshot may be restored; see the file comment. `expectedSha256` is the
 * image hash recorded in a backup manifest: the computed hash must equal it as well as the
 * trailer (it needs the hash check: not with --skip-hash-check or without a trailer).
 */
export async function verifyForRestore(
  snapshotPath: string, ra: RandomAccess, skipHashCheck: boolean, context: { signal?: AbortSignal; expectedSha256?: string } = {},
): Promise<SourceCheck> {
  const trailer = hasTrailer(ra.sizeBytes);
  if (!trailer && !skipHashCheck) {
    throw new AppError('restore-missing-hash', `Cannot restore "${snapshotPath}": the file has no sha256 trailer (etcd: "snapshot missing hash but --skip-hash-check=false")`, {
      hint: 'A db copied from a data dir (member/snap/db) has no trailer: pass --skip-hash-check to restore it',
    });
  }
  const imageBytes = trailer ? ra.sizeBytes - TRAILER_BYTES : ra.sizeBytes;
  const hashChecked = trailer && !skipHashCheck;
  const recorded = context.expectedSha256?.toLowerCase();
  if (recorded !== undefined && !hashChecked) throw new RangeError('verifyForRestore: expectedSha256 needs a trailer and the hash check');
  const expected = hashChecked ? Buffer.from(ra.read(imageBytes, TRAILER_BYTES)).toString('hex') : undefined;
  // The hash runs on another core while this thread walks the structure; `stop` ends the
  // worker early on any failure, so an error exits at once instead of after the hash.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  context.signal?.addEventListener('abort', onAbort, { once: true });
  const hashing = !hashChecked ? undefined : sha256OnWorker(snapshotPath, imageBytes, stop.signal);
  hashing?.catch(() => undefined);
  let report;
  let actual: string | undefined;
  try {
    // Without the trailer in view, verifySnapshot checks everything but the hash.
    report = verifySnapshot({ sizeBytes: imageBytes, read: (offset, length) => ra.read(offset, length) });
    throwIfAborted(context.signal, 'The restore');
    actual = await hashing;
  } catch (err) {
    stop.abort();
    throwIfAborted(context.signal, 'The restore');
    throw err;
  } finally {
    context.signal?.removeEventListener('abort', onAbort);
  }
  if (hashChecked && actual !== expected) throw new ChecksumMismatchError(`Cannot restore "${snapshotPath}"`, expected as string, actual as string);
  if (recorded !== undefined && actual !== recorded) throw new ChecksumMismatchError(`Cannot restore "${snapshotPath}": the image differs from the one the backup manifest recorded;`, recorded, actual as string);
  const failed = report.checks.filter((c) => !c.ok);
  if (failed.length > 0) throw new SnapshotRejectedError(snapshotPath, failed);
  return { hasTrailer: trailer, hashChecked, ...(actual ? { sha256: actual } : {}) };
}
