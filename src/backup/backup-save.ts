/**
 * `backup save`: one streaming pass from the etcd member into the repository, then proof.
 *   snapshot stream -> sha256 trailer check -> compression -> encryption -> backend.save
 * The DR bundle (--include) goes first, as a second object made the same way. Then every
 * stored object is re-read and its sha256 compared, and only then is the manifest written:
 * until that moment the backup does not exist for `list`. On any failure the objects this
 * save stored are removed again. Memory does not grow with the snapshot size.
 *
 * Two saves of one name (the same config on several control-plane nodes in the same UTC
 * second) cannot hurt each other: each names its objects with its own attempt token, so
 * one's clean-up never touches the other's data; the manifest is created create-only
 * (If-None-Match on S3, link() on disk) and read back, and a save whose manifest is not
 * the stored one fails with "backup-exists" instead of exiting 0 with nothing behind it.
 */
import { randomBytes } from 'node:crypto';
import { type Compression, type Recipient, defaultCompression, recipientFingerprint } from '../crypto/index.js';
import { AbortedError, AppError, throwIfAborted } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { type BundleFile, MANIFEST_FORMAT, type BackupObject, type Manifest, isValidBackupName, withoutContentHash } from './manifest.js';
import { type BundleEntry, bundleTarStream, collectBundleEntries } from './bundle.js';
import { rereadObject, storeObject } from './backup-object.js';
import { type SnapshotDigest, progressTap, snapshotDigestTap } from './backup-digest.js';
import { type BackupRepository, dataHandle } from './repository.js';
import { StorageError } from '../storage/index.js';
import type { SnapshotSource } from './backup-source.js';
import { kubekeeperVersion } from './backup-version.js';

export type SavePhase = 'bundle' | 'snapshot' | 'reread' | 'manifest';

export interface SaveProgress {
  phase: SavePhase;
  doneBytes: number;
  /** Known for the snapshot (the member's reported db size, approximate) and for re-reads. */
  totalBytes?: number;
}

export interface SaveBackupOptions {
  /** Default "etcd-<UTC time>", e.g. etcd-20240510T120000Z. */
  name?: string;
  /**
   * Default defaultCompression() (zstd where the runtime has it, else gzip), skipped per
   * object when a sample of its data does not compress (backup-probe). A codec given here
   * is always used.
   */
  compression?: Compression;
  /** Codec level (gzip 1-9, zstd 1-22); default BACKUP_GZIP_LEVEL for gzip, zstd's own (3). */
  compressionLevel?: number;
  /** age recipients (keys or one passphrase). Empty is refused unless allowUnencrypted. */
  recipients: readonly Recipient[];
  allowUnencrypted?: boolean;
  /** Files and directories for the DR bundle (e.g. /etc/kubernetes/pki). */
  include?: readonly string[];
  /** Re-read each stored object before writing the manifest (default true). */
  reread?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: SaveProgress) => void;
  logger?: Logger;
  now?: () => Date;
  /**
   * The attempt token in object names (8 hex digits); default random. For tests: '' writes
   * the names of versions before tokens ("<name>.snapshot.db..."), as an old repository has.
   */
  attempt?: string;
}

export interface SaveBackupResult {
  manifest: Manifest;
  /** Wall time of the whole save, and of its parts. */
  durationMs: number;
  snapshotMs: number;
  rereadMs: number;
  /** Snapshot bytes read from etcd (with trailer), and bytes stored for all objects. */
  snapshotBytes: number;
  storedBytes: number;
}

/**
 * gzip level for backups when zstd is missing (Node < 22.15): level 1 costs ~40% less CPU
 * than zlib's 6 on a 1 GiB etcd and stores ~2% more (docs/benchmarks.md); the save sits on
 * the critical path of every maintenance window, so speed wins.
 */
export const BACKUP_GZIP_LEVEL = 1;

/**
 * "etcd-20240510T120000123Z": the UTC time to the millisecond (two saves within one second get
 * two names), fixed width so names sort by time, valid on every backend (no dots).
 */
export function defaultBackupName(at: Date): string {
  return `etcd-${at.toISOString().replace(/[-:.]/g, '')}`;
}

function checkOptions(repo: BackupRepository, name: string, options: SaveBackupOptions): void {
  if (!isValidBackupName(name)) {
    throw new AppError('backup-name-invalid', `Invalid backup name "${name}"`, { hint: 'Use letters, digits, "-" and "_" (at most 100), starting with a letter or digit' });
  }
  if (options.recipients.length === 0 && !options.allowUnencrypted) {
    throw new AppError('backup-no-recipient', `Refusing to store an unencrypted backup in "${repo.location}"`, {
      hint: 'Pass --recipient age1... or --recipient FILE (a recipients file), or --passphrase-file FILE; the snapshot holds every Secret of the cluster',
    });
  }
}

export async function saveBackup(repo: BackupRepository, source: SnapshotSource, options: SaveBackupOptions): Promise<SaveBackupResult> {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  const { signal } = options;
  const started = now();
  const name = options.name ?? defaultBackupName(started);
  checkOptions(repo, name, options);
  const compression = options.compression ?? defaultCompression();
  const encrypted = options.recipients.length > 0;
  if (await repo.hasManifest(name, signal)) {
    throw new AppError('backup-exists', `Backup "${name}" already exists in "${repo.location}"`, { hint: 'Choose another --name; backups are never overwritten' });
  }
  // Walk the bundle paths before the snapshot: a wrong --include fails in milliseconds.
  const entries: BundleEntry[] = options.include?.length ? await collectBundleEntries(options.include, signal) : [];
  const info = await source.describe(signal);
  const progress = (phase: SavePhase, totalBytes?: number) => (doneBytes: number) => options.onProgress?.({ phase, doneBytes, totalBytes });
  const compressionLevel = options.compressionLevel ?? (compression === 'gzip' ? BACKUP_GZIP_LEVEL : undefined);
  // Probe only the default codec: a codec the caller named is used as asked.
  const attempt = options.attempt ?? randomBytes(4).toString('hex');
  const storeOptions = { compression, compressionLevel, recipients: options.recipients, signal, probe: options.compression === undefined, attempt };
  const objects: BackupObject[] = [];
  const files: BundleFile[] = [];
  logger.log('info', 'backup.save.start', { name, location: repo.location, endpoint: info.endpoint, compression, encrypted, include: entries.length });
  try {
    if (entries.length > 0) {
      // An encrypted backup keeps file hashes inside the encrypted tar only: a hash of a small
      // secret in the plaintext manifest would let a reader of the repository confirm guesses.
      const tar = progressTap(bundleTarStream(entries, (f) => files.push(encrypted ? withoutContentHash(f) : f), signal), progress('bundle'), signal, 'Saving the bundle');
      objects.push(await storeObject(repo, 'bundle', name, tar, storeOptions));
    }
    const snapshotStarted = Date.now();
    let trailer: SnapshotDigest | undefined;
    const stream = snapshotDigestTap(
      progressTap(source.snapshot(signal), progress('snapshot', info.dbSizeBytes), signal, `Saving backup "${name}"`),
      `Snapshot from ${info.endpoint}`, (t) => (trailer = t),
    );
    const snapshotObject = await storeObject(repo, 'snapshot', name, stream, { ...storeOptions, contentDigest: () => trailer });
    objects.push(snapshotObject);
    const snapshotMs = Date.now() - snapshotStarted;
    if (!trailer) throw new AppError('backup-snapshot-incomplete', `Snapshot from ${info.endpoint} ended without its trailer`, { hint: 'Retry the backup' });

    const manifest: Manifest = {
      format: MANIFEST_FORMAT, name, createdAt: started.toISOString(), completedAt: '',
      cluster: {
        clusterId: info.clusterId, memberId: info.memberId, ...(info.memberName ? { memberName: info.memberName } : {}),
        endpoint: info.endpoint, etcdVersion: info.etcdVersion, revision: info.revision,
        ...(info.raftTerm !== undefined ? { raftTerm: info.raftTerm } : {}), dbSizeBytes: info.dbSizeBytes,
      },
      snapshot: { sizeBytes: snapshotObject.contentSizeBytes, sha256: snapshotObject.contentSha256, dbSha256: trailer.dbSha256 },
      compression,
      encryption: encrypted ? { scheme: 'age', recipients: options.recipients.map(recipientFingerprint) } : { scheme: 'none' },
      objects,
      ...(entries.length > 0 ? { bundle: { files } } : {}),
      kubekeeperVersion: await kubekeeperVersion(),
    };
    // Verify on both sides: what the backend holds must be what we hashed on the way in.
    const rereadStarted = Date.now();
    if (options.reread ?? true) {
      for (const object of objects) await rereadObject(repo, manifest, object, signal, progress('reread', object.sizeBytes));
    }
    const rereadMs = Date.now() - rereadStarted;
    throwIfAborted(signal, `Saving backup "${name}"`);
    manifest.completedAt = now().toISOString();
    options.onProgress?.({ phase: 'manifest', doneBytes: 0 });
    await claimManifest(repo, manifest, signal);
    const storedBytes = objects.reduce((n, o) => n + o.sizeBytes, 0);
    const durationMs = now().getTime() - started.getTime();
    logger.log('info', 'backup.save.done', { name, snapshotBytes: snapshotObject.contentSizeBytes, storedBytes, durationMs });
    return { manifest, durationMs, snapshotMs, rereadMs, snapshotBytes: snapshotObject.contentSizeBytes, storedBytes };
  } catch (err) {
    const left = await removeStored(repo, objects, logger);
    // Whatever broke while the signal fired (a gRPC cancel, a DOMException) is an interruption.
    if (signal?.aborted && !(err instanceof AbortedError)) throw new AbortedError(`Saving backup "${name}"`);
    if (left.length > 0 && err instanceof Error) {
      // The operator must learn what stays in the repository when clean-up could not reach it.
      err.message += `; clean-up could not remove ${left.map((n) => `"data/${n}"`).join(', ')} from "${repo.location}" ("kubekeeper backup prune" removes such orphans later)`;
    }
    throw err;
  }
}

/**
 * Creates the manifest create-only and reads it back: exits 0 only when the stored manifest
 * is this save's (names this attempt's objects). A lost race is "backup-exists".
 */
async function claimManifest(repo: BackupRepository, manifest: Manifest, signal: AbortSignal | undefined): Promise<void> {
  const mine = manifest.objects.map((o) => o.name).join('\n');
  let writeError: unknown;
  try {
    await repo.writeManifest(manifest, signal);
  } catch (err) {
    // Even "exists" may be our own write: a retried PUT whose first answer was lost.
    writeError = err;
  }
  // A store that ignores If-None-Match lets the last writer win: only the read-back tells.
  let stored: Manifest;
  try {
    // Whatever the reader's trust policy (signers, encryption): only the object names matter here.
    stored = (await repo.readSignedManifest(manifest.name, signal)).manifest;
  } catch (err) {
    throw writeError ?? err;
  }
  if (stored.objects.map((o) => o.name).join('\n') === mine) return;
  if (writeError && !(writeError instanceof StorageError && writeError.code === 'storage-exists')) throw writeError;
  throw new AppError('backup-exists', `Backup "${manifest.name}" was created in "${repo.location}" by another save while this one ran`, {
    hint: 'Run scheduled backups on one node at a time, or give each node its own --name; this save removed its own objects',
  });
}

/** Best-effort clean-up of a failed save; returns the objects it could not remove. */
async function removeStored(repo: BackupRepository, objects: readonly BackupObject[], logger: Logger): Promise<string[]> {
  const left: string[] = [];
  for (const object of objects) {
    try {
      // No signal: the clean-up must run even when the save was interrupted.
      await repo.backend.remove(dataHandle(object.name));
    } catch (err) {
      left.push(object.name);
      logger.log('warn', 'backup.save.cleanup-failed', { object: object.name, error: (err as { code?: string }).code ?? 'error' });
    }
  }
  return left;
}
