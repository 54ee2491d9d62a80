/**
 * Storing and reading one data object of a backup: plaintext -> compression -> encryption
 * -> backend on the way in, the reverse on the way out, with sha256 taps on both sides of
 * the transforms so the manifest can vouch for the stored bytes and for the content.
 */
import { type Compression, type Identity, type Recipient, compressStream, decompressStream, decryptStream, encryptStream } from '../crypto/index.js';
import { AppError } from '../errors.js';
import { isNotFound } from '../storage/index.js';
import { type StreamDigest, digestOf, digestTap, snapshotDigestTap } from './backup-digest.js';
import { type BackupObject, type Manifest, type ObjectRole, objectNameFor } from './manifest.js';
import { probeCompression } from './backup-probe.js';
import { type BackupRepository, dataHandle } from './repository.js';

/** The stored bytes do not match the manifest (corruption at rest or in transit). */
export class ObjectMismatchError extends AppError {
  constructor(what: string, readonly expected: string, readonly actual: string, hint?: string) {
    super('backup-object-mismatch', `${what}: sha256 mismatch: expected ${expected}, got ${actual}`, {
      hint: hint ?? 'The stored object is damaged; use another backup ("kubekeeper backup list") and check the storage',
    });
  }
}

export interface StoreObjectOptions {
  compression: Compression;
  /** Codec level (gzip 1-9, zstd 1-22); the codec's default when omitted. */
  compressionLevel?: number;
  /** Empty: stored without encryption (only when the caller allowed it). */
  recipients: readonly Recipient[];
  signal?: AbortSignal;
  /** Test-compress the start and store uncompressed when it does not shrink (backup-probe). */
  probe?: boolean;
  /** The content digest when the caller already hashes the plaintext (no second pass). */
  contentDigest?: () => StreamDigest | undefined;
  /** The save's attempt token, part of the object name (see manifest.ATTEMPT_PATTERN). */
  attempt?: string;
}

/**
 * Compresses, encrypts and saves `plaintext` as the `role` object of backup `backupName`;
 * returns its manifest record. With `probe`, data that does not compress is stored as is.
 */
export async function storeObject(repo: BackupRepository, role: ObjectRole, backupName: string, plaintext: AsyncIterable<Uint8Array>, options: StoreObjectOptions): Promise<BackupObject> {
  let tapped: StreamDigest | undefined;
  let stored: StreamDigest | undefined;
  let source = options.contentDigest ? plaintext : digestTap(plaintext, (d) => (tapped = d));
  let compression = options.compression;
  if (options.probe && compression !== 'none') {
    const probed = await probeCompression(source, compression, options.compressionLevel);
    compression = probed.compression;
    source = probed.stream;
    repo.logger.log('info', 'backup.compression-probe', { role, sampleBytes: probed.sampleBytes, compressedBytes: probed.sampleCompressedBytes, compression });
  }
  const objectName = objectNameFor(backupName, role, compression, options.recipients.length > 0, options.attempt);
  const compressed = compressStream(source, compression, { level: options.compressionLevel });
  const encrypted = options.recipients.length > 0 ? encryptStream(compressed, options.recipients) : compressed;
  const result = await repo.backend.save(dataHandle(objectName), digestTap(encrypted, (d) => (stored = d)), { signal: options.signal });
  const content = options.contentDigest ? options.contentDigest() : tapped;
  if (!content || !stored || result.sizeBytes !== stored.sizeBytes) {
    await repo.backend.remove(dataHandle(objectName)).catch(() => undefined);
    throw new AppError('backup-store-incomplete', `Storing "${objectName}" in "${repo.location}" ended early: ${result.sizeBytes} bytes stored`, {
      hint: 'Retry the backup; if it repeats, check the storage backend',
    });
  }
  return { role, name: objectName, compression, sizeBytes: stored.sizeBytes, sha256: stored.sha256, contentSizeBytes: content.sizeBytes, contentSha256: content.sha256 };
}

/** Loads an object; a missing one is reported as an incomplete backup, with a hint. */
export async function loadObject<T>(repo: BackupRepository, manifest: Manifest, object: BackupObject, consume: (stored: AsyncIterable<Uint8Array>) => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await repo.backend.load(dataHandle(object.name), consume, { signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    throw new AppError('backup-incomplete', `Backup "${manifest.name}" is incomplete: its ${object.role} object "${object.name}" is missing from "${repo.location}"`, {
      hint: `Use another backup ("kubekeeper backup list --repo ${repo.location}"); remove this one with "kubekeeper backup delete ${manifest.name}"`,
      cause: err,
    });
  }
}

/** Re-reads a stored object and checks its size and sha256 against the record. */
export async function rereadObject(repo: BackupRepository, manifest: Manifest, object: BackupObject, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<StreamDigest> {
  const digest = await loadObject(repo, manifest, object, (s) => digestOf(s, signal, onBytes), signal);
  if (digest.sizeBytes !== object.sizeBytes || digest.sha256 !== object.sha256) {
    throw new ObjectMismatchError(`Stored ${object.role} object "${object.name}" (${digest.sizeBytes} bytes, manifest ${object.sizeBytes})`, object.sha256, digest.sha256);
  }
  return digest;
}

/**
 * The plaintext of a stored object: stored bytes -> (sha256 check) -> decryption ->
 * decompression -> (sha256 check). Hash mismatches throw from the iterator after the last
 * chunk, so a consumer that writes a file never reaches its final rename.
 */
export async function* openObjectContent(
  stored: AsyncIterable<Uint8Array>, manifest: Manifest, object: BackupObject, identities: readonly Identity[],
  options: {
    checkStored?: boolean;
    /**
     * For the snapshot object: also check its sha256 trailer (after the content hash) and
     * report the image's sha256, from the same single sha256 pass over the content.
     */
    onSnapshotImage?: (dbSha256: string) => void;
    /**
     * Hash the content (default true). false checks only its size: for a caller that hashes
     * the written file itself and compares with the manifest (a drill's restore does).
     */
    hashContent?: boolean;
  } = {},
): AsyncGenerator<Uint8Array> {
  // Stops as soon as the output passes the recorded size: a small hostile object cannot fill the disk.
  const content = decompressStream(openObjectCompressed(stored, manifest, object, identities, options), object.compression, { maxOutputBytes: object.contentSizeBytes });
  const what = `Content of ${object.role} object "${object.name}"`;
  const { onSnapshotImage } = options;
  if (options.hashContent === false) {
    yield* checkSize(content, object);
    return;
  }
  if (onSnapshotImage && object.role === 'snapshot') {
    const checkContent = (d: StreamDigest) => compareDigest(d, what, object.contentSizeBytes, object.contentSha256);
    yield* snapshotDigestTap(content, `Snapshot of backup "${manifest.name}"`, (d) => onSnapshotImage(d.dbSha256), checkContent);
    return;
  }
  yield* checkDigest(content, what, object.contentSizeBytes, object.contentSha256);
}

/**
 * The first half of openObjectContent: stored bytes -> (sha256 check) -> decryption; the
 * result is still compressed with `object.compression`.
 */
export function openObjectCompressed(
  stored: AsyncIterable<Uint8Array>, manifest: Manifest, object: BackupObject, identities: readonly Identity[], options: { checkStored?: boolean } = {},
): AsyncIterable<Uint8Array> {
  // verify judges the stored bytes itself (checkStored: false), to report both failures apart.
  const checkedStored = options.checkStored === false ? stored : checkDigest(stored, `Stored ${object.role} object "${object.name}"`, object.sizeBytes, object.sha256);
  return manifest.encryption.scheme === 'age' ? decryptStream(checkedStored, identities) : checkedStored;
}

/** Throws ObjectMismatchError unless a content of `sizeBytes` was written (its hash is the caller's). */
export function checkContentSize(object: BackupObject, sizeBytes: number): void {
  if (sizeBytes !== object.contentSizeBytes) {
    const what = `Content of ${object.role} object "${object.name}"`;
    throw new ObjectMismatchError(`${what} (${sizeBytes} bytes, manifest ${object.contentSizeBytes}; content not hashed here)`, `${object.contentSizeBytes} bytes`, `${sizeBytes} bytes`);
  }
}

function compareDigest(digest: StreamDigest | undefined, what: string, sizeBytes: number, sha256: string): void {
  if (!digest || digest.sha256 !== sha256 || digest.sizeBytes !== sizeBytes) {
    throw new ObjectMismatchError(`${what} (${digest?.sizeBytes ?? 0} bytes, manifest ${sizeBytes})`, sha256, digest?.sha256 ?? 'nothing');
  }
}

async function* checkSize(source: AsyncIterable<Uint8Array>, object: BackupObject): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of source) {
    n += chunk.length;
    yield chunk;
  }
  checkContentSize(object, n);
}

async function* checkDigest(source: AsyncIterable<Uint8Array>, what: string, sizeBytes: number, sha256: string): AsyncGenerator<Uint8Array> {
  let digest: StreamDigest | undefined;
  yield* digestTap(source, (d) => (digest = d));
  compareDigest(digest, what, sizeBytes, sha256);
}
