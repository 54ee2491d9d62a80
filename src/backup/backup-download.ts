/**
 * `backup download`: a backup back to a local snapshot file that `snapshot status`,
 * `snapshot verify` and `snapshot restore` accept, byte-identical to what etcd sent.
 * stored bytes -> sha256 check -> decryption -> decompression -> sha256 + trailer check ->
 * atomic 0600 file. Nothing appears under the output name unless every check passed.
 */
import path from 'node:path';
import { canDecompressIntoFd, decompressIntoFd, type Identity } from '../crypto/index.js';
import { throwIfAborted } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { checkContentSize, loadObject, openObjectCompressed, openObjectContent } from './backup-object.js';
import { writeFileAtomic, writeFileAtomicWith } from './atomic-file.js';
import { withScratchDir } from './backup-spool.js';
import { checkFreeSpace } from './snapshot-restore-target.js';
import type { LeftoverListener } from './leftovers.js';
import type { BackupObject, Manifest } from './manifest.js';
import type { BackupRepository } from './repository.js';

export interface DownloadBackupOptions {
  identities: readonly Identity[];
  /** The snapshot file to write. */
  output: string;
  /** Also write the DR bundle (a tar file) here, when the backup has one. */
  bundleOutput?: string;
  /** Replace existing output files. */
  overwrite?: boolean;
  /** fsync the output (default true); false for scratch files removed after use. */
  durable?: boolean;
  /**
   * Leave the snapshot's content hash to the caller (default false): only its size is
   * checked here (the stored bytes are still hashed, and zstd checks its frames). The caller
   * must hash the file and compare with `manifest.snapshot.dbSha256` and the trailer before
   * trusting it: a drill's restore does, on a worker thread, while it builds the data dir.
   */
  deferSnapshotHash?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { object: string; doneBytes: number; totalBytes: number }) => void;
  logger?: Logger;
  /** Told about .part files of killed downloads found next to the output (removed when their writer is gone). */
  onLeftover?: LeftoverListener;
}

export interface DownloadBackupResult {
  manifest: Manifest;
  path: string;
  sizeBytes: number;
  /** Hex sha256 of the snapshot's bbolt image, checked against its trailer while writing (not with deferSnapshotHash). */
  dbSha256?: string;
  bundlePath?: string;
  bundleBytes?: number;
  durationMs: number;
}

async function* counted(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of source) {
    n += chunk.length;
    onBytes(n);
    yield chunk;
  }
}

/**
 * Writes one object's content to `file`, checking every hash on the way; for the snapshot
 * also returns the image sha256 its trailer was checked against.
 */
async function restoreObject(
  repo: BackupRepository, manifest: Manifest, object: BackupObject, file: string, options: DownloadBackupOptions,
): Promise<{ sizeBytes: number; dbSha256?: string }> {
  const onBytes = (n: number) => options.onProgress?.({ object: object.name, doneBytes: n, totalBytes: object.sizeBytes });
  let dbSha256: string | undefined;
  await checkFreeSpace(path.dirname(path.resolve(file)), object.contentSizeBytes, `download backup "${manifest.name}"`, undefined,
    `Free space there, or download to another directory (--output${options.durable === false ? ', --work-dir' : ''})`);
  const written = await loadObject(repo, manifest, object, (stored) => {
    const deferred = object.role === 'snapshot' && options.deferSnapshotHash === true;
    const writeOptions = { overwrite: options.overwrite, signal: options.signal, action: `download backup "${manifest.name}"`, durable: options.durable, onLeftover: options.onLeftover };
    if (deferred && canDecompressIntoFd(object.compression)) {
      // Nothing to hash here: the zstd program writes the content into the file itself.
      return writeFileAtomicWith(file, async (handle, { writeError }) => {
        await decompressIntoFd(openObjectCompressed(counted(stored, onBytes), manifest, object, options.identities), object.compression, handle.fd, { maxOutputBytes: object.contentSizeBytes });
        const written = await handle.stat().catch((err: unknown) => { throw writeError(err); });
        checkContentSize(object, written.size);
        return written.size;
      }, writeOptions);
    }
    // One sha256 pass over the content checks it against the manifest and the trailer (unless deferred).
    const content = openObjectContent(counted(stored, onBytes), manifest, object, options.identities, { onSnapshotImage: (sha) => (dbSha256 = sha), hashContent: !deferred });
    return writeFileAtomic(file, content, writeOptions);
  }, options.signal);
  return { sizeBytes: written.sizeBytes, ...(dbSha256 ? { dbSha256 } : {}) };
}

export async function downloadBackup(repo: BackupRepository, ref: string, options: DownloadBackupOptions): Promise<DownloadBackupResult> {
  const started = Date.now();
  const logger = options.logger ?? silentLogger;
  const manifest = await repo.resolve(ref, options.signal);
  const snapshot = manifest.objects.find((o) => o.role === 'snapshot') as BackupObject;
  const { sizeBytes, dbSha256 } = await restoreObject(repo, manifest, snapshot, options.output, options);
  // The trailer check throws before the file is renamed into place unless it reported a hash.
  const result: DownloadBackupResult = { manifest, path: path.resolve(options.output), sizeBytes, ...(dbSha256 ? { dbSha256 } : {}), durationMs: 0 };
  const bundle = manifest.objects.find((o) => o.role === 'bundle');
  if (options.bundleOutput && bundle) {
    throwIfAborted(options.signal, `Downloading backup "${manifest.name}"`);
    result.bundleBytes = (await restoreObject(repo, manifest, bundle, options.bundleOutput, options)).sizeBytes;
    result.bundlePath = path.resolve(options.bundleOutput);
  }
  result.durationMs = Date.now() - started;
  logger.log('info', 'backup.download.done', { name: manifest.name, path: result.path, sizeBytes, durationMs: result.durationMs });
  return result;
}

/**
 * For `snapshot restore --from-backup`: fetches backup `ref` ("latest" or a name) from the
 * repository into `dir` as "<name>.db", fully checked (stored hash, decryption, content
 * hash, sha256 trailer), and returns its path. The caller owns `dir` and removes it.
 */
export async function resolveBackupToLocalFile(
  repo: BackupRepository, ref: string, identities: readonly Identity[], dir: string,
  options: Pick<DownloadBackupOptions, 'signal' | 'onProgress' | 'logger' | 'deferSnapshotHash'> = {},
): Promise<{ path: string; manifest: Manifest; sizeBytes: number }> {
  const manifest = await repo.resolve(ref, options.signal);
  // A scratch copy in the caller's temp dir: no fsync, it is removed after use.
  const result = await downloadBackup(repo, manifest.name, { ...options, identities, output: path.join(dir, `${manifest.name}.db`), durable: false });
  return { path: result.path, manifest: result.manifest, sizeBytes: result.sizeBytes };
}

/**
 * Runs `work` with backup `ref` fetched and checked into a private temp directory (under
 * `workDir`, default the OS temp dir), removed afterwards whatever happens. For commands
 * that take a snapshot file and should also accept a backup (`snapshot restore`).
 */
export async function withBackupSnapshot<T>(
  repo: BackupRepository, ref: string, identities: readonly Identity[], work: (file: { path: string; manifest: Manifest }) => Promise<T>,
  options: Pick<DownloadBackupOptions, 'signal' | 'onProgress' | 'logger'> & { workDir?: string } = {},
): Promise<T> {
  return withScratchDir(options.workDir, async (dir) => work(await resolveBackupToLocalFile(repo, ref, identities, dir, options)), options.logger);
}
