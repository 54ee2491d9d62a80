/**
 * Delta segments in a backup repository: stored like a backup's objects (compression, age
 * encryption, sha256 of stored bytes and content, re-read before the manifest is written,
 * manifest signed when the repository has a signing key), listed from object names alone,
 * and read back with every hash and the signature checked.
 */
import { randomBytes } from 'node:crypto';
import { type Compression, type Identity, type Recipient, compressStream, recipientFingerprint } from '../crypto/index.js';
import { AppError, ExitCode } from '../errors.js';
import { isNotFound, replayableBody } from '../storage/index.js';
import { type StreamDigest, digestOf, digestTap } from './backup-digest.js';
import { encryptStream } from '../crypto/index.js';
import { openObjectContent } from './backup-object.js';
import { kubekeeperVersion } from './backup-version.js';
import {
  DELTA_FORMAT, DELTA_GAP_FORMAT, DELTA_GAP_RE, DELTA_MANIFEST_RE, DELTA_OBJECT_RE, type DeltaGap, type DeltaManifest, deltaGapName, deltaName, deltaObjectName,
} from './delta-manifest.js';
import { type DeltaLease, type DeltaRecord, DeltaSegmentBuffer, decodeDeltaSegmentBytes, encodeDeltaRecord, encodeDeltaSegment } from './delta-segment.js';
import type { BackupObject, Manifest } from './manifest.js';
import { checkManifestSignature, describeSignature } from './manifest-signature.js';
import { type BackupRepository, dataHandle } from './repository.js';

const MAX_DELTA_MANIFEST_BYTES = 8 * 1024 * 1024;

/** A segment or gap as its name says (no read). */
export interface DeltaRange {
  name: string;
  firstRevision: number;
  lastRevision: number;
}

export interface DeltaListing {
  segments: DeltaRange[];
  gaps: DeltaRange[];
  /** Data objects of segments, by name (for retention and orphan clean-up). */
  objects: string[];
  /** The same objects with their size and age (orphans are removed only past a grace period). */
  objectInfo: DeltaObjectInfo[];
}

/** A delta data object as listed. */
export interface DeltaObjectInfo {
  name: string;
  sizeBytes: number;
  modifiedAt?: Date;
}

/** A segment that cannot be used: missing, altered, unsigned, or not what its name says. */
export class DeltaChainError extends AppError {
  constructor(message: string, hint: string, readonly segment?: string, readonly latestRestorableRevision?: number) {
    super('delta-chain-broken', message, { hint, exitCode: ExitCode.checkFailed });
  }
}

/** Segment and gap names in the repository, sorted by first revision (one listing, no reads). */
export async function listDeltas(repo: BackupRepository, signal?: AbortSignal): Promise<DeltaListing> {
  const out: DeltaListing = { segments: [], gaps: [], objects: [], objectInfo: [] };
  for await (const info of repo.backend.list('manifest', { signal })) {
    const seg = DELTA_MANIFEST_RE.exec(info.name);
    const gap = DELTA_GAP_RE.exec(info.name);
    const m = seg ?? gap;
    if (!m) continue;
    const range = { name: info.name.slice(0, -'.json'.length), firstRevision: Number(m[1]), lastRevision: Number(m[2]) };
    (seg ? out.segments : out.gaps).push(range);
  }
  for await (const info of repo.backend.list('data', { signal })) {
    if (!DELTA_OBJECT_RE.test(info.name)) continue;
    out.objects.push(info.name);
    out.objectInfo.push({ name: info.name, sizeBytes: info.sizeBytes, ...(info.modifiedAt ? { modifiedAt: info.modifiedAt } : {}) });
  }
  const order = (a: DeltaRange, b: DeltaRange) => a.firstRevision - b.firstRevision || b.lastRevision - a.lastRevision;
  out.segments.sort(order);
  out.gaps.sort(order);
  return out;
}

export interface WriteSegmentOptions {
  clusterId: string;
  firstRevision: number;
  lastRevision: number;
  /** The records, or a segment already built from them (the streamer's). */
  records: readonly DeltaRecord[] | DeltaSegmentBuffer;
  /** Leases to store after the records (the buffer is not changed). */
  leases?: readonly DeltaLease[];
  previous?: { name: string; lastRevision: number };
  mergedFrom?: string[];
  receivedAt: [number, number][];
  compression: Compression;
  recipients: readonly Recipient[];
  signal?: AbortSignal;
  now?: () => Date;
}

async function* chunksOf(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/** Stores one segment: data object, re-read, then its manifest. Returns the manifest. */
export async function writeDeltaSegment(repo: BackupRepository, options: WriteSegmentOptions): Promise<DeltaManifest> {
  const name = deltaName(options.firstRevision, options.lastRevision);
  const encrypted = options.recipients.length > 0;
  const objectName = deltaObjectName(name, randomBytes(4).toString('hex'), options.compression, encrypted);
  let content: StreamDigest | undefined;
  let stored: StreamDigest | undefined;
  const segment = options.records instanceof DeltaSegmentBuffer ? options.records : undefined;
  const records = segment ? [] : options.records as readonly DeltaRecord[];
  const leases = options.leases ?? [];
  const plain = digestTap(segment ? chunksOf([...segment.chunks(), ...leases.map(encodeDeltaRecord)]) : encodeDeltaSegment([...records, ...leases]), (d) => (content = d));
  const compressed = compressStream(plain, options.compression);
  const body = digestTap(encrypted ? encryptStream(compressed, options.recipients) : compressed, (d) => (stored = d));
  await repo.backend.save(dataHandle(objectName), body, { signal: options.signal });
  if (!content || !stored) throw new AppError('backup-store-incomplete', `Storing "${objectName}" ended early`, { hint: 'Check the storage; the stream retries the segment' });
  const reread = await repo.backend.load(dataHandle(objectName), (s) => digestOf(s, options.signal), { signal: options.signal });
  if (reread.sha256 !== stored.sha256 || reread.sizeBytes !== stored.sizeBytes) {
    await repo.backend.remove(dataHandle(objectName)).catch(() => undefined);
    throw new AppError('backup-object-mismatch', `Stored delta object "${objectName}" reads back as ${reread.sizeBytes} bytes (sha256 ${reread.sha256}), ${stored.sizeBytes} written`, {
      hint: 'Run "kubekeeper backup check-storage" against the repository',
    });
  }
  const events = segment ? segment.eventCount : records.filter((r) => r.kind === 'event').length;
  const leaseCount = (segment ? 0 : records.length - events) + leases.length;
  const manifest: DeltaManifest = {
    format: DELTA_FORMAT, name, clusterId: options.clusterId, firstRevision: options.firstRevision, lastRevision: options.lastRevision,
    eventCount: events, leaseCount,
    ...(options.previous ? { previous: options.previous } : {}),
    ...(options.mergedFrom ? { mergedFrom: options.mergedFrom } : {}),
    receivedAt: options.receivedAt,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    compression: options.compression,
    encryption: encrypted ? { scheme: 'age', recipients: options.recipients.map(recipientFingerprint) } : { scheme: 'none' },
    object: { name: objectName, compression: options.compression, sizeBytes: stored.sizeBytes, sha256: stored.sha256, contentSizeBytes: content.sizeBytes, contentSha256: content.sha256 },
    kubekeeperVersion: await kubekeeperVersion(),
  };
  // writeManifest stores any JSON object under "<name>.json", signed with the repository's key.
  await repo.writeManifest(manifest as unknown as Manifest, options.signal);
  return manifest;
}

/** Records a compaction gap (revisions etcd no longer had). */
export async function writeDeltaGap(repo: BackupRepository, gap: Omit<DeltaGap, 'format' | 'name'>, signal?: AbortSignal): Promise<DeltaGap> {
  const full: DeltaGap = { format: DELTA_GAP_FORMAT, name: deltaGapName(gap.fromRevision, gap.toRevision), ...gap };
  await repo.backend.save({ type: 'manifest', name: `${full.name}.json` }, replayableBody(Buffer.from(`${JSON.stringify(full, null, 2)}\n`)), { signal }).catch((err: unknown) => {
    if (!(err instanceof AppError && err.code === 'storage-exists')) throw err;
  });
  return full;
}

async function readBytes(repo: BackupRepository, name: string, signal?: AbortSignal): Promise<Uint8Array> {
  return repo.backend.load({ type: 'manifest', name: `${name}.json` }, async (s) => {
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const c of s) {
      n += c.length;
      if (n > MAX_DELTA_MANIFEST_BYTES) throw new DeltaChainError(`Delta manifest "${name}" is larger than ${MAX_DELTA_MANIFEST_BYTES} bytes`, 'It was not written by kubekeeper', name);
      parts.push(c);
    }
    return Buffer.concat(parts);
  }, { signal });
}

/**
 * Reads a segment manifest and checks it: signature per the repository's trust, format,
 * and that its revisions and object match its name (a renamed or swapped manifest is refused).
 */
export async function readDeltaManifest(repo: BackupRepository, range: DeltaRange, signal?: AbortSignal): Promise<DeltaManifest> {
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(repo, range.name, signal);
  } catch (err) {
    if (isNotFound(err)) throw new DeltaChainError(`Delta segment "${range.name}" is missing from "${repo.location}"`, 'Restore to a revision before it', range.name);
    throw err;
  }
  const trust = repo.manifestTrust;
  const signature = checkManifestSignature(bytes, trust.signers);
  if (trust.signers.length > 0 ? signature.status !== 'signed' && trust.allowUnsigned !== true : signature.status !== 'unsigned') {
    throw new DeltaChainError(`Delta segment "${range.name}" is ${describeSignature(signature)}`, trust.signers.length > 0 ? 'Only segments signed by a --trusted-signer are used' : 'Pass --trusted-signer with the key that signs this repository', range.name);
  }
  let m: DeltaManifest;
  try {
    m = JSON.parse(Buffer.from(bytes).toString('utf8')) as DeltaManifest;
  } catch {
    throw new DeltaChainError(`Delta manifest "${range.name}" is not JSON`, 'It was damaged', range.name);
  }
  const ok = m.format === DELTA_FORMAT && m.name === range.name && m.firstRevision === range.firstRevision && m.lastRevision === range.lastRevision
    && typeof m.object?.name === 'string' && DELTA_OBJECT_RE.test(m.object.name) && m.object.name.startsWith(`${range.name}.`)
    && /^[0-9a-f]{64}$/.test(m.object.sha256 ?? '') && /^[0-9a-f]{64}$/.test(m.object.contentSha256 ?? '');
  if (!ok) throw new DeltaChainError(`Delta manifest "${range.name}" does not describe the segment its name says`, 'It was altered or renamed; restore to a revision before it', range.name);
  if (trust.expectEncrypted && m.encryption.scheme !== 'age' && !trust.allowUnencrypted) {
    throw new DeltaChainError(`Delta segment "${range.name}" says it is unencrypted`, 'Pass --insecure-no-encryption if the stream really was unencrypted', range.name);
  }
  return m;
}

/**
 * The plaintext of a segment, whole, returned only after its stored and content hashes were
 * checked (decryption and decompression included). Missing data and a hash mismatch become
 * DeltaChainError naming the segment.
 */
export async function readDeltaSegmentBytes(repo: BackupRepository, m: DeltaManifest, identities: readonly Identity[], signal?: AbortSignal): Promise<Uint8Array> {
  const object = { ...m.object, role: 'delta' } as unknown as BackupObject;
  const asManifest = { name: m.name, encryption: m.encryption } as unknown as Manifest;
  try {
    return await repo.backend.load(dataHandle(m.object.name), async (stored) => {
      const chunks: Uint8Array[] = [];
      // The hashes are checked when the content ends: nothing is returned from unchecked bytes.
      for await (const chunk of openObjectContent(stored, asManifest, object, identities)) chunks.push(chunk);
      return chunks.length === 1 ? chunks[0] as Uint8Array : Buffer.concat(chunks);
    }, { signal });
  } catch (err) {
    if (isNotFound(err)) throw new DeltaChainError(`Data of delta segment "${m.name}" ("${m.object.name}") is missing`, 'Restore to a revision before it', m.name);
    if (err instanceof AppError && err.code === 'backup-object-mismatch') throw new DeltaChainError(`Delta segment "${m.name}": ${err.message}`, 'The segment was altered or damaged; restore to a revision before it', m.name);
    throw err;
  }
}

/** The records of a segment, in order, decoded once its hashes were checked (readDeltaSegmentBytes). */
export async function* readDeltaRecords(repo: BackupRepository, m: DeltaManifest, identities: readonly Identity[], signal?: AbortSignal): AsyncGenerator<DeltaRecord> {
  yield* decodeDeltaSegmentBytes(await readDeltaSegmentBytes(repo, m, identities, signal), m.name);
}
