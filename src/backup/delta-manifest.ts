/**
 * Delta segment manifests: one small JSON object per segment, written after its data object is
 * stored and re-read, signed like backup manifests. Stored as "manifest/delta.<first>-<last>.json"
 * (revisions zero-padded to 20 digits: name order is revision order); the dot keeps them out
 * of the backup listing, whose names have none. A compaction gap is recorded as
 * "manifest/delta-gap.<from>-<to>.json".
 */
import type { Compression } from '../crypto/index.js';
import type { EncryptionInfo } from './manifest.js';

export const DELTA_FORMAT = 'kubekeeper.delta/v1';
export const DELTA_GAP_FORMAT = 'kubekeeper.delta-gap/v1';
export const DELTA_MANIFEST_RE = /^delta\.(\d{20})-(\d{20})\.json$/;
export const DELTA_GAP_RE = /^delta-gap\.(\d{20})-(\d{20})\.json$/;
/** Data objects of segments: never taken for a backup's objects or orphans (backupNameOfObject ignores them). */
export const DELTA_OBJECT_RE = /^delta\.(\d{20})-(\d{20})\.[0-9a-f]{8}\.kkd(\.zst|\.gz)?(\.age)?$/;

/** One segment: revisions firstRevision..lastRevision, every one of them complete. */
export interface DeltaManifest {
  format: typeof DELTA_FORMAT;
  /** "delta.<first>-<last>" (padded); the manifest object is this plus ".json". */
  name: string;
  clusterId: string;
  firstRevision: number;
  lastRevision: number;
  /** Events stored (reserved keys excluded) and lease records. */
  eventCount: number;
  leaseCount: number;
  /** The segment before this one (lastRevision === firstRevision - 1), absent for the first after a full backup or gap. */
  previous?: { name: string; lastRevision: number };
  /** Names of the segments merged into this one, in order. */
  mergedFrom?: string[];
  /** [revision, epoch ms]: the last revision received in each second, ascending. */
  receivedAt: [number, number][];
  createdAt: string;
  compression: Compression;
  encryption: EncryptionInfo;
  object: { name: string; compression: Compression; sizeBytes: number; sha256: string; contentSizeBytes: number; contentSha256: string };
  kubekeeperVersion: string;
}

/** A revision range etcd compacted away before the streamer could read it. */
export interface DeltaGap {
  format: typeof DELTA_GAP_FORMAT;
  name: string;
  clusterId: string;
  /** Revisions missing: fromRevision..toRevision. */
  fromRevision: number;
  toRevision: number;
  detectedAt: string;
  reason: string;
}

export function padRevision(revision: number | bigint): string {
  return revision.toString().padStart(20, '0');
}

export function deltaName(first: number, last: number): string {
  return `delta.${padRevision(first)}-${padRevision(last)}`;
}

export function deltaGapName(from: number, to: number): string {
  return `delta-gap.${padRevision(from)}-${padRevision(to)}`;
}

export function deltaObjectName(name: string, attempt: string, compression: Compression, encrypted: boolean): string {
  return `${name}.${attempt}.kkd${compression === 'zstd' ? '.zst' : compression === 'gzip' ? '.gz' : ''}${encrypted ? '.age' : ''}`;
}
