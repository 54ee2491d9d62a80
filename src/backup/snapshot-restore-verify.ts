/**
 * Restore's gate: the whole snapshot is verified before anything is made visible: its
 * structure before anything is created, its sha256 (from the walk's own reads, or on a worker) before the
 * staged output is renamed into place, so that building and hashing overlap. The trailer
 * follows etcd's rules (spec §1.2): a file without one needs --skip-hash-check, and
 * --skip-hash-check ignores a present one. Every other check of `snapshot verify` (metas,
 * size, bbolt structure, etcd buckets, revisions, consistent index, leases) must pass: a db
 * etcd cannot serve is better refused now than discovered when the cluster does not start.
 */
import { AppError, messageOf, throwIfAborted } from '../errors.js';
import { ChecksumMismatchError, TRAILER_BYTES, hasTrailer, openBolt, verifySnapshot, type RandomAccess, type VerifyOptions } from '../snapshot/index.js';
import { CachedFileReader } from './snapshot-file.js';
import { HashAlong } from './snapshot-hash-along.js';
import { startRestoreWorker } from './snapshot-restore-hash.js';

export interface SourceCheck {
  /** The file ends with etcdctl's sha256 trailer. */
  hasTrailer: boolean;
  /** The trailer was compared (false with --skip-hash-check or without a trailer). */
  hashChecked: boolean;
  /** sha256 of the bbolt image, when checked. */
  sha256?: string;
  /** Damage a reader tolerates, found by the checks (e.g. one invalid meta page). */
  warnings: string[];
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

/** A verification whose structural part passed; the hash may still be running. */
export interface PendingVerification {
  /** Waits for the hash and throws ChecksumMismatchError unless it matches; then the result. */
  finish(): Promise<SourceCheck>;
  /** Stops the worker (after a failure elsewhere) and waits until it has; finish() must not be used then. */
  cancel(): Promise<void>;
  /** The snapshot is copied to `copyTo` (and flushed when durable); resolves at once without copyTo. */
  copied: Promise<void>;
}

/**
 * Starts the verification (see the file comment): checks the structure on this thread while
 * the sha256 runs on a worker, and throws if the structure fails (the hash mismatch first,
 * when the hash fails too: a damaged file is the better explanation). When the structure
 * passes it returns at once, so the caller may build its staged output while the hash
 * finishes; the caller must await finish() before making anything visible. `expectedSha256`
 * is the image hash recorded in a backup manifest: the computed hash must equal it as well
 * as the trailer (it needs the hash check: not with --skip-hash-check or without a trailer).
 */
export async function startVerifyForRestore(
  snapshotPath: string, ra: RandomAccess, skipHashCheck: boolean, context: {
    signal?: AbortSignal; expectedSha256?: string; visitor?: VerifyOptions['visitor'];
    /** An empty file the caller created: the worker copies the snapshot into it during the walk. */
    copyTo?: string;
    /** Flush that copy as it grows and at its end. */
    durable?: boolean;
  } = {},
): Promise<PendingVerification> {
  const trailer = hasTrailer(ra.sizeBytes);
  if (!trailer && !skipHashCheck) {
    // Only a real bbolt db (valid meta page, whole pages) is told about --skip-hash-check:
    // random bytes or a cut file would fail later anyway, after the user was sent the wrong way.
    try {
      openBolt(ra);
    } catch (err) {
      throw new SnapshotRejectedError(snapshotPath, [{ name: 'structure', detail: `not a snapshot (no sha256 trailer) and not a bbolt db: ${messageOf(err)}` }]);
    }
    throw new AppError('restore-missing-hash', `Cannot restore "${snapshotPath}": the file has no sha256 trailer (etcd: "snapshot missing hash but --skip-hash-check=false")`, {
      hint: 'A db copied from a data dir (member/snap/db) has no trailer: pass --skip-hash-check to restore it',
    });
  }
  const imageBytes = trailer ? ra.sizeBytes - TRAILER_BYTES : ra.sizeBytes;
  const hashChecked = trailer && !skipHashCheck;
  const recorded = context.expectedSha256?.toLowerCase();
  if (recorded !== undefined && !hashChecked) throw new RangeError('startVerifyForRestore: expectedSha256 needs a trailer and the hash check');
  const expected = hashChecked ? Buffer.from(ra.read(imageBytes, TRAILER_BYTES)).toString('hex') : undefined;
  // A snapshot file is hashed from the blocks the walk reads (snapshot-hash-along.ts); other
  // sources on the worker. The copy runs on the worker, on another core, while this thread
  // walks; a stop ends the worker early on any failure, so an error exits without waiting.
  const along = hashChecked && ra instanceof CachedFileReader ? new HashAlong(ra, imageBytes) : undefined;
  const workerHashes = hashChecked && !along;
  const worker = workerHashes || context.copyTo !== undefined
    ? startRestoreWorker(snapshotPath, { hashBytes: workerHashes ? imageBytes : 0, signal: context.signal, ...(context.copyTo !== undefined ? { copyTo: context.copyTo, durable: context.durable ?? false } : {}) })
    : undefined;
  let hashing: Promise<string | undefined> = workerHashes && worker ? worker.sha256 : Promise.resolve(undefined);
  const stop = async () => { await worker?.stop(); };
  const warnings: string[] = [];
  const judge = (actual: string | undefined): SourceCheck => {
    if (hashChecked && actual !== expected) throw new ChecksumMismatchError(`Cannot restore "${snapshotPath}"`, expected as string, actual as string);
    if (recorded !== undefined && actual !== recorded) throw new ChecksumMismatchError(`Cannot restore "${snapshotPath}": the image differs from the one the backup manifest recorded;`, recorded, actual as string);
    return { hasTrailer: trailer, hashChecked, ...(actual ? { sha256: actual } : {}), warnings };
  };
  let report;
  try {
    // Without the trailer in view, verifySnapshot checks everything but the hash.
    report = verifySnapshot({ sizeBytes: imageBytes, read: (offset, length) => ra.read(offset, length) }, context.visitor ? { visitor: context.visitor } : {});
    if (along) hashing = Promise.resolve(along.finish());
    throwIfAborted(context.signal, 'The restore');
  } catch (err) {
    await stop();
    throwIfAborted(context.signal, 'The restore');
    throw err;
  }
  const failed = report.checks.filter((c) => !c.ok);
  for (const c of report.checks) if (c.warning) warnings.push(`${c.name}: ${c.detail}`);
  if (failed.length > 0) {
    try {
      judge(await hashing);
    } finally {
      await stop();
    }
    throw new SnapshotRejectedError(snapshotPath, failed);
  }
  return {
    async finish() {
      try {
        return judge(await hashing);
      } catch (err) {
        throwIfAborted(context.signal, 'The restore');
        throw err;
      }
    },
    cancel: stop,
    copied: worker ? worker.copied : Promise.resolve(),
  };
}
