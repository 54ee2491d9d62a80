/**
 * `backup verify`: proves a backup can be restored. Re-reads every stored object and checks
 * its size and sha256 against the manifest; with the identity (or for an unencrypted
 * backup) also decrypts, decompresses, checks the content hash and runs every snapshot
 * check (`snapshot verify`) on the result, spooled to a private temp file. Returns a report
 * of named checks instead of stopping at the first problem. A wrong key is not a damaged
 * backup: it throws (NoIdentityMatchError) instead of failing a check.
 */
import path from 'node:path';
import { DecryptionError, NoIdentityMatchError, type Identity } from '../crypto/index.js';
import { AppError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { TRAILER_BYTES, verifySnapshot } from '../snapshot/index.js';
import { type StreamDigest, digestOf, digestTap } from './backup-digest.js';
import { loadObject, openObjectContent, rereadObject } from './backup-object.js';
import { withScratchDir, writeStreamToFile } from './backup-spool.js';
import { crashPoint } from '../crash-point.js';
import type { BackupObject, Manifest } from './manifest.js';
import type { BackupRepository } from './repository.js';
import { openSnapshotFile } from './snapshot-file.js';

export interface BackupCheck {
  /** "manifest", "stored:snapshot", "content:bundle", "snapshot:structure", ... */
  name: string;
  ok: boolean;
  skipped?: boolean;
  detail: string;
}

export interface VerifyBackupOptions {
  /** Keys or passphrase; without them only the stored bytes are checked. */
  identities?: readonly Identity[];
  /** Where the decrypted snapshot is spooled for the snapshot checks (default OS temp dir). */
  workDir?: string;
  signal?: AbortSignal;
  onProgress?: (p: { object: string; doneBytes: number; totalBytes: number }) => void;
  logger?: Logger;
}

export interface VerifyBackupResult {
  name: string;
  manifest: Manifest;
  ok: boolean;
  checks: BackupCheck[];
  /** Stored bytes read, and wall time. */
  bytesRead: number;
  durationMs: number;
}

const pass = (name: string, detail: string): BackupCheck => ({ name, ok: true, detail });
const fail = (name: string, detail: string): BackupCheck => ({ name, ok: false, detail });
const skip = (name: string, detail: string): BackupCheck => ({ name, ok: true, skipped: true, detail });

export async function verifyBackup(repo: BackupRepository, ref: string, options: VerifyBackupOptions = {}): Promise<VerifyBackupResult> {
  const started = Date.now();
  const { signal } = options;
  const logger = options.logger ?? silentLogger;
  // A broken manifest throws ManifestError, whose exit code is 3: a problem found.
  const manifest = await repo.resolve(ref, signal);
  const checks: BackupCheck[] = [pass('manifest', `format ${manifest.format}, ${manifest.objects.length} object(s), written ${manifest.completedAt}`)];
  const identities = options.identities ?? [];
  const canDecrypt = manifest.encryption.scheme === 'none' || identities.length > 0;
  let bytesRead = 0;
  for (const object of manifest.objects) {
    const onBytes = (n: number) => options.onProgress?.({ object: object.name, doneBytes: n, totalBytes: object.sizeBytes });
    if (!canDecrypt) {
      checks.push(await storedCheck(repo, manifest, object, signal, onBytes).catch(missingCheck(object)));
      checks.push(skip(`content:${object.role}`, 'no identity or passphrase given: only the stored bytes were checked'));
      bytesRead += object.sizeBytes;
      continue;
    }
    await withScratchDir(options.workDir, async (dir) => {
      const file = path.join(dir, object.role === 'snapshot' ? 'snapshot.db' : 'bundle.tar');
      let stored: StreamDigest | undefined;
      let contentError: unknown;
      try {
        await loadObject<unknown>(repo, manifest, object, (s) => {
          const content = openObjectContent(digestTap(progress(s, onBytes), (d) => (stored = d)), manifest, object, identities, { checkStored: false });
          // Only the snapshot needs random access; the bundle is checked by its hashes.
          return object.role === 'snapshot' ? writeStreamToFile(content, file, signal) : digestOf(content, signal);
        }, signal);
      } catch (err) {
        if (err instanceof AppError && err.code === 'backup-incomplete') {
          // A missing object is a problem found (exit 3): reported as a failed check.
          checks.push(fail(`stored:${object.role}`, `${err.message}; ${err.hint ?? ''}`), skip(`content:${object.role}`, 'not run: the object is missing'));
          return;
        }
        if (err instanceof NoIdentityMatchError || !(err instanceof AppError) || err.code === 'aborted') throw err;
        contentError = err;
      }
      // A failed decryption stops reading early: re-read to judge the stored bytes on their own.
      checks.push(stored ? storedResult(object, stored) : await storedCheck(repo, manifest, object, signal, onBytes));
      bytesRead += stored?.sizeBytes ?? object.sizeBytes;
      if (contentError) {
        checks.push(fail(`content:${object.role}`, describe(contentError)));
        if (object.role === 'snapshot') checks.push(skip('snapshot', 'not run: the content could not be read'));
        return;
      }
      checks.push(pass(`content:${object.role}`, `${object.contentSizeBytes} bytes decrypted and decompressed, sha256 ${object.contentSha256.slice(0, 16)}... matches`));
      if (object.role === 'snapshot') crashPoint('verify.spooled');
      if (object.role === 'snapshot') checks.push(...(await snapshotChecks(file, manifest)));
    }, logger);
  }
  const ok = checks.every((c) => c.ok);
  logger.log(ok ? 'info' : 'warn', 'backup.verify.done', { name: manifest.name, ok, bytesRead });
  return { name: manifest.name, manifest, ok, checks, bytesRead, durationMs: Date.now() - started };
}

async function* progress(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of source) {
    n += chunk.length;
    onBytes(n);
    yield chunk;
  }
}

/** A missing object as a failed stored check; other errors pass through. */
function missingCheck(object: BackupObject): (err: unknown) => BackupCheck {
  return (err) => {
    if (err instanceof AppError && err.code === 'backup-incomplete') return fail(`stored:${object.role}`, `${err.message}; ${err.hint ?? ''}`);
    throw err;
  };
}

function storedResult(object: BackupObject, digest: StreamDigest): BackupCheck {
  const name = `stored:${object.role}`;
  if (digest.sizeBytes !== object.sizeBytes) return fail(name, `"${object.name}" has ${digest.sizeBytes} bytes, the manifest says ${object.sizeBytes} (truncated or appended)`);
  if (digest.sha256 !== object.sha256) return fail(name, `"${object.name}" sha256 is ${digest.sha256}, the manifest says ${object.sha256} (modified at rest)`);
  return pass(name, `"${object.name}": ${digest.sizeBytes} bytes, sha256 matches`);
}

async function storedCheck(repo: BackupRepository, manifest: Manifest, object: BackupObject, signal: AbortSignal | undefined, onBytes: (n: number) => void): Promise<BackupCheck> {
  try {
    return storedResult(object, await rereadObject(repo, manifest, object, signal, onBytes));
  } catch (err) {
    if (err instanceof AppError && err.code === 'backup-object-mismatch') {
      return storedResult(object, await loadObject(repo, manifest, object, (s) => digestOf(s, signal), signal));
    }
    throw err;
  }
}

function describe(err: unknown): string {
  if (err instanceof DecryptionError || err instanceof AppError) return err.message;
  return String(err);
}

/** Runs `snapshot verify` on the spooled file and checks its trailer against the manifest. */
async function snapshotChecks(file: string, manifest: Manifest): Promise<BackupCheck[]> {
  const snapshot = await openSnapshotFile(file);
  try {
    const report = verifySnapshot(snapshot.ra, { requireTrailer: true });
    const trailer = snapshot.sizeBytes >= TRAILER_BYTES ? Buffer.from(snapshot.ra.read(snapshot.sizeBytes - TRAILER_BYTES, TRAILER_BYTES)).toString('hex') : 'none';
    return [
      ...report.checks.map((c): BackupCheck => ({ name: `snapshot:${c.name}`, ok: c.ok, ...(c.skipped ? { skipped: true } : {}), detail: c.detail ?? '' })),
      trailer === manifest.snapshot.dbSha256
        ? pass('snapshot:manifest-hash', 'the trailer equals the db sha256 in the manifest')
        : fail('snapshot:manifest-hash', `the trailer ${trailer} differs from the manifest's ${manifest.snapshot.dbSha256}`),
    ];
  } finally {
    await snapshot.close();
  }
}
