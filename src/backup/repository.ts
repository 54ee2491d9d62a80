/**
 * The backup repository: backups as manifests plus data objects on a Backend. Layout:
 *   manifest/<name>.json                      one per backup, written last
 *   data/<name>.snapshot.db[.zst|.gz][.age]   the snapshot
 *   data/<name>.bundle.tar[.zst|.gz][.age]    the DR bundle (optional)
 * A backup is good only when its manifest parses and every object it names is stored with
 * the recorded size and the reader trusts it (manifest-signature.ts: signed by a trusted
 * signer when the reader has any; encrypted when the reader holds an identity): an untrusted
 * one is never "latest", never counted for retention, and read by name only when allowed. Data objects without a manifest are
 * orphans of interrupted saves.
 * New repositories require signatures: the first signed save writes manifest/signed-repository
 * (no ".json": never taken for a backup); once it or any signed manifest is there, readers
 * without a trusted signer are refused (SignersRequiredError) unless they allow unsigned
 * manifests. Repositories that never saw a signed manifest read as before.
 */
import { AppError, messageOf } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { type Backend, type FileInfo, type Handle, StorageError, type TemporaryLeftover, isNotFound, replayableBody } from '../storage/index.js';
import { type Manifest, MAX_MANIFEST_BYTES, ManifestError, backupNameOfObject, encodeManifest, isValidBackupName } from './manifest.js';
import { parseManifest } from './manifest-parse.js';
import type { SigningKey } from '../crypto/index.js';
import {
  type ManifestTrust, type SignatureInfo, SignersRequiredError, UntrustedManifestError, checkManifestSignature, describeSignature, encodeSignedManifest, encryptionProblem, signatureProblem, untrustedReason,
} from './manifest-signature.js';

/**
 * "future": the manifest is dated more than {@link FUTURE_SKEW_MS} after this host's clock
 * (a forged manifest or a writer with a wrong clock). It is never "latest", never counted as
 * the newest good backup, and never removed by prune.
 */
export type BackupStatus = 'ok' | 'incomplete' | 'invalid' | 'untrusted' | 'future';

/** Clock skew allowed between the host that wrote a manifest and the one that reads it. */
export const FUTURE_SKEW_MS = 5 * 60_000;

export interface BackupEntry {
  name: string;
  status: BackupStatus;
  /** Why the backup is not ok; empty when it is. */
  problems: string[];
  /** Present when the manifest parsed. */
  manifest?: Manifest;
  /** Who signed the manifest, for the reader's trusted signers. */
  signature?: SignatureInfo;
}

export interface OrphanObject {
  /** The data object's name, and the backup name it was meant for. */
  name: string;
  backupName: string;
  sizeBytes: number;
  modifiedAt?: Date;
}

/** A multipart upload a save started and never finished (S3: a save killed mid-upload). */
export interface UnfinishedUploadEntry {
  /** "data/<object name>" */
  object: string;
  uploadId: string;
  startedAt?: Date;
}

export interface BackupListing {
  /** Newest first (by manifest time; invalid manifests last, by name). */
  backups: BackupEntry[];
  orphans: OrphanObject[];
  /** Only for stores with multipart uploads (S3); oldest first. */
  unfinishedUploads?: UnfinishedUploadEntry[];
  /** Why unfinished uploads could not be listed (a bucket policy without the permission). */
  unfinishedUploadsError?: string;
  /** Temporary files of saves killed mid-way (local repositories), reported, not removed. */
  temporaries?: TemporaryLeftover[];
}

const MANIFEST_SUFFIX = '.json';
/** Manifests read in parallel by listBackups. */
const MANIFEST_READ_CONCURRENCY = 8;

/** A backup the user named does not exist. */
export class BackupNotFoundError extends AppError {
  constructor(ref: string, location: string) {
    super('backup-not-found', `Backup "${ref}" not found in "${location}"`, {
      hint: `Run "kubekeeper backup list --repo ${location}" to see the backups`,
    });
  }
}

/** Written by the first signed save: from then on readers must name a trusted signer. */
export const SIGNED_MARKER: Handle = { type: 'manifest', name: 'signed-repository' };

export function manifestHandle(name: string): Handle {
  return { type: 'manifest', name: `${name}${MANIFEST_SUFFIX}` };
}

export function dataHandle(objectName: string): Handle {
  return { type: 'data', name: objectName };
}

async function readAll(stream: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    // Checked while reading: a huge object is refused before it fills memory.
    if (size > limit) throw new RangeError(`larger than ${limit} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

export interface BackupRepositoryOptions {
  logger?: Logger;
  /** Signs every manifest written. */
  signer?: SigningKey;
  /** Trusted signers; without any, signatures are reported but not required. */
  trust?: ManifestTrust;
}

export class BackupRepository {
  readonly logger: Logger;
  private readonly signer: SigningKey | undefined;
  private readonly trust: ManifestTrust;
  private markerWritten = false;
  constructor(readonly backend: Backend, options: BackupRepositoryOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.signer = options.signer;
    const trust = options.trust ?? { signers: [] };
    // A writer that signs trusts its own key when given no other: its retention then counts
    // only its own signed backups, and it can read the repository its first save marked signed.
    this.trust = trust.signers.length === 0 && options.signer ? { ...trust, signers: [options.signer.publicKey] } : trust;
  }

  /** The trust this repository reads manifests with (delta segments are checked the same way). */
  get manifestTrust(): ManifestTrust {
    return this.trust;
  }

  /** True when this reader trusts no signer and does not allow unsigned manifests either. */
  private get trustsNoSigner(): boolean {
    return this.trust.signers.length === 0 && this.trust.allowUnsigned !== true;
  }

  /** True when the first signed save marked this repository (SIGNED_MARKER). */
  async isMarkedSigned(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.backend.stat(SIGNED_MARKER, { signal });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** SignersRequiredError when this reader trusts no signer and the repository is a signed one. */
  private async requireSignersIfMarked(signal?: AbortSignal): Promise<void> {
    if (this.trustsNoSigner && (await this.isMarkedSigned(signal))) throw new SignersRequiredError(this.location, 'was marked signed by its first signed backup');
  }

  /** True when manifests count only if a trusted signer signed them. */
  get requiresSignatures(): boolean {
    return this.trust.signers.length > 0;
  }

  get location(): string {
    return this.backend.location;
  }

  /**
   * Reads and checks a manifest; BackupNotFoundError when there is none, ManifestError when it
   * is bad, UnsignedManifestError when trusted signers are set, none signed it and
   * allowUnsigned is not.
   */
  async readManifest(name: string, signal?: AbortSignal): Promise<Manifest> {
    const { manifest, signature } = await this.readSignedManifest(name, signal);
    if (this.trustsNoSigner) {
      if (signature.status !== 'unsigned') throw new SignersRequiredError(this.location, `holds signed backups ("${name}" is ${describeSignature(signature)})`);
      await this.requireSignersIfMarked(signal);
    }
    const unsigned = signatureProblem(signature, this.trust);
    if (unsigned !== undefined && this.trust.allowUnsigned !== true) throw new UntrustedManifestError(name, unsigned, false);
    // --allow-unsigned lifts only the signature requirement, never the encryption one.
    const unencrypted = encryptionProblem(manifest, this.trust);
    if (unencrypted !== undefined) throw new UntrustedManifestError(name, unencrypted, true);
    return manifest;
  }

  /** The manifest and what its signature says, whatever it says. */
  async readSignedManifest(name: string, signal?: AbortSignal): Promise<{ manifest: Manifest; signature: SignatureInfo }> {
    if (!isValidBackupName(name)) throw new BackupNotFoundError(name, this.location);
    let bytes: Uint8Array;
    try {
      bytes = await this.backend.load(manifestHandle(name), (s) => readAll(s, MAX_MANIFEST_BYTES), { signal });
    } catch (err) {
      if (isNotFound(err)) throw new BackupNotFoundError(name, this.location);
      if (err instanceof RangeError) throw new ManifestError(name, `larger than ${MAX_MANIFEST_BYTES} bytes`);
      throw err;
    }
    return { manifest: parseManifest(bytes, name), signature: checkManifestSignature(bytes, this.trust.signers) };
  }

  /** Stores a manifest (signed when the repository has a signer); the body is replayable, so withRetry() may repeat it. */
  async writeManifest(manifest: Manifest, signal?: AbortSignal): Promise<void> {
    const bytes = this.signer ? encodeSignedManifest(manifest, this.signer) : encodeManifest(manifest);
    await this.backend.save(manifestHandle(manifest.name), replayableBody(bytes), { signal });
    if (this.signer && !this.markerWritten) await this.markSigned(this.signer, signal);
  }

  /**
   * Writes SIGNED_MARKER unless it is there (objects are immutable: a second save, or a racing
   * node, finds it). A failure is logged, not thrown: the signed manifest marks the repository too.
   */
  private async markSigned(signer: SigningKey, signal?: AbortSignal): Promise<void> {
    try {
      if (!(await this.isMarkedSigned(signal))) {
        const marker = `${JSON.stringify({ signed: true, note: 'manifests here are signed: readers need --trusted-signer', keyId: signer.publicKey.keyId() })}\n`;
        await this.backend.save(SIGNED_MARKER, replayableBody(Buffer.from(marker, 'utf8')), { signal });
      }
      this.markerWritten = true;
    } catch (err) {
      if (err instanceof StorageError && err.code === 'storage-exists') {
        this.markerWritten = true;
        return;
      }
      if (err instanceof AppError && err.code === 'aborted') throw err;
      this.logger.log('warn', 'backup.signed-marker.failed', { repository: this.location, error: messageOf(err) });
    }
  }

  async hasManifest(name: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.backend.stat(manifestHandle(name), { signal });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Every backup with its status, and the orphaned data objects. Costs one listing of each
   * folder plus one read per manifest, not a request per object. `now` judges future dates.
   */
  async listBackups(signal?: AbortSignal, now: Date = new Date()): Promise<BackupListing> {
    const data = new Map<string, FileInfo>();
    for await (const info of this.backend.list('data', { signal })) data.set(info.name, info);
    const names: string[] = [];
    for await (const info of this.backend.list('manifest', { signal })) {
      const name = info.name.slice(0, -MANIFEST_SUFFIX.length);
      if (info.name.endsWith(MANIFEST_SUFFIX) && isValidBackupName(name)) names.push(name);
    }
    // A few manifests at a time: on S3 each read is a round trip.
    const backups: BackupEntry[] = [];
    for (let i = 0; i < names.length; i += MANIFEST_READ_CONCURRENCY) {
      backups.push(...(await Promise.all(names.slice(i, i + MANIFEST_READ_CONCURRENCY).map((name) => this.entryFor(name, data, now, signal)))));
    }
    const claimed = new Set(backups.flatMap((b) => b.manifest?.objects.map((o) => o.name) ?? []));
    // Objects of a backup whose manifest cannot be read are that backup's, not orphans; next
    // to a good manifest, unclaimed objects are another attempt's (a save that lost a race).
    const named = new Set(backups.filter((b) => !b.manifest).map((b) => b.name));
    const orphans: OrphanObject[] = [];
    for (const info of data.values()) {
      const backupName = backupNameOfObject(info.name);
      // Objects that do not follow our naming are not ours: never reported, never touched.
      if (!backupName || claimed.has(info.name) || named.has(backupName)) continue;
      orphans.push({ name: info.name, backupName, sizeBytes: info.sizeBytes, ...(info.modifiedAt ? { modifiedAt: info.modifiedAt } : {}) });
    }
    if (this.trustsNoSigner) {
      const signed = backups.find((b) => b.signature !== undefined && b.signature.status !== 'unsigned');
      if (signed?.signature) throw new SignersRequiredError(this.location, `holds signed backups ("${signed.name}" is ${describeSignature(signed.signature)})`);
      await this.requireSignersIfMarked(signal);
    }
    backups.sort(newestFirst);
    const temporaries = (await this.backend.sweepTemporaries?.({ remove: false })) ?? [];
    const listing: BackupListing = { backups, orphans: orphans.sort((a, b) => a.name.localeCompare(b.name)), temporaries };
    if (this.backend.listUnfinished) {
      try {
        listing.unfinishedUploads = await this.listUnfinishedUploads(signal);
      } catch (err) {
        // Backups stay listable for a key that may list objects but not uploads.
        if (!(err instanceof StorageError && err.code === 'storage-access-denied')) throw err;
        listing.unfinishedUploadsError = `${err.message} (the key needs s3:ListBucketMultipartUploads)`;
      }
    }
    return listing;
  }

  /** Unfinished multipart uploads of this repository (empty for stores without them), oldest first. */
  async listUnfinishedUploads(signal?: AbortSignal): Promise<UnfinishedUploadEntry[]> {
    const out: UnfinishedUploadEntry[] = [];
    if (!this.backend.listUnfinished) return out;
    for await (const u of this.backend.listUnfinished({ signal })) {
      out.push({ object: `${u.type}/${u.name}`, uploadId: u.uploadId, ...(u.startedAt ? { startedAt: u.startedAt } : {}) });
    }
    return out.sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0));
  }

  private async entryFor(name: string, data: Map<string, FileInfo>, now: Date, signal?: AbortSignal): Promise<BackupEntry> {
    let manifest: Manifest;
    let signature: SignatureInfo;
    try {
      ({ manifest, signature } = await this.readSignedManifest(name, signal));
    } catch (err) {
      if (!(err instanceof AppError) || err.code === 'aborted') throw err;
      return { name, status: 'invalid', problems: [err.message] };
    }
    const problems: string[] = [];
    for (const object of manifest.objects) {
      const stored = data.get(object.name);
      if (!stored) problems.push(`${object.role} object "${object.name}" is missing`);
      else if (stored.sizeBytes !== object.sizeBytes) problems.push(`${object.role} object "${object.name}" has ${stored.sizeBytes} bytes, the manifest says ${object.sizeBytes}`);
    }
    if (problems.length > 0) {
      const reason = untrustedReason(manifest, signature, this.trust);
      if (reason !== undefined) problems.unshift(`${reason}: never latest, not counted for retention`);
      return { name, status: 'incomplete', problems, manifest, signature };
    }
    const reason = untrustedReason(manifest, signature, this.trust);
    if (reason !== undefined) return { name, status: 'untrusted', problems: [`${reason}: never latest, not counted for retention`], manifest, signature };
    const aheadMs = Date.parse(manifest.createdAt) - now.getTime();
    if (aheadMs > FUTURE_SKEW_MS) {
      const problem = `dated ${manifest.createdAt}, ${Math.round(aheadMs / 60_000)} min after this host's clock (${now.toISOString()}): never used as "latest"; check the clock of the host that wrote it, or remove it with "kubekeeper backup delete ${name}"`;
      return { name, status: 'future', problems: [problem], manifest, signature };
    }
    return { name, status: 'ok', problems, manifest, signature };
  }

  /**
   * The manifest of `ref`: a backup name, or "latest" for the newest good backup. Throws
   * BackupNotFoundError with a hint when there is no such backup.
   */
  async resolve(ref: string, signal?: AbortSignal): Promise<Manifest> {
    if (ref !== 'latest') return this.readManifest(ref, signal);
    const newest = (await this.listBackups(signal)).backups.find((b) => b.status === 'ok');
    if (!newest?.manifest) throw new BackupNotFoundError(ref, this.location);
    return newest.manifest;
  }
}

function newestFirst(a: BackupEntry, b: BackupEntry): number {
  const ta = a.manifest ? Date.parse(a.manifest.createdAt) : -Infinity;
  const tb = b.manifest ? Date.parse(b.manifest.createdAt) : -Infinity;
  return tb - ta || b.name.localeCompare(a.name);
}
