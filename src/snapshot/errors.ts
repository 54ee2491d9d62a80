/**
 * Errors for snapshot files that cannot be read as an etcd bbolt database. Each carries where
 * the problem is (page id and/or absolute byte offset) so a user can look at the bytes, and
 * none of them is a crash: a corrupt file is an expected input, reported with exit code 1.
 */
import { AppError } from '../errors.js';

const CORRUPT_HINT = 'The snapshot is corrupt or truncated; run "kubekeeper snapshot verify" on it for details, or use another backup';

export interface SnapshotLocation {
  /** The page where the problem was found (the page holding a bad reference, not its target). */
  pageId?: number;
  /** Absolute byte offset in the file of the bad field. */
  offset?: number;
}

/** The file is not a well-formed bbolt database (or not an etcd one). */
export class SnapshotFormatError extends AppError {
  readonly pageId: number | undefined;
  readonly offset: number | undefined;
  /** The message without the "(page N, offset M)" suffix, for reports that show the location apart. */
  readonly reason: string;
  constructor(message: string, where: SnapshotLocation = {}, code = 'snapshot-format') {
    super(code, withLocation(message, where), { hint: CORRUPT_HINT });
    this.pageId = where.pageId;
    this.offset = where.offset;
    this.reason = message;
  }
}

/** Neither meta page is valid: wrong magic, version or checksum (bbolt: "invalid database"). */
export class SnapshotMetaError extends SnapshotFormatError {
  /** Why each meta page was rejected, page 0 first. */
  readonly reasons: readonly string[];
  constructor(reasons: readonly string[]) {
    super(`Cannot open snapshot: no valid bbolt meta page (${reasons.join('; ')})`, { pageId: 0, offset: 0 }, 'snapshot-meta');
    this.reasons = reasons;
  }
}

/** The file ends before the pages its meta page says it has. */
export class SnapshotTruncatedError extends SnapshotFormatError {
  readonly expectedBytes: number;
  readonly actualBytes: number;
  constructor(expectedBytes: number, actualBytes: number) {
    super(`Snapshot is truncated: its meta page needs ${expectedBytes} bytes, the file has ${actualBytes}`, { offset: actualBytes }, 'snapshot-truncated');
    this.expectedBytes = expectedBytes;
    this.actualBytes = actualBytes;
  }
}

/** A page or element is malformed: bad header, out-of-bounds reference, page reached twice. */
export class SnapshotPageError extends SnapshotFormatError {
  constructor(message: string, where: SnapshotLocation) {
    super(message, where, 'snapshot-page');
  }
}

/** A length or count read from disk exceeds a named limit (see limits.ts). */
export class SnapshotLimitError extends SnapshotFormatError {
  readonly limit: number;
  constructor(message: string, limit: number, where: SnapshotLocation) {
    super(message, where, 'snapshot-limit');
    this.limit = limit;
  }
}

/** The bbolt structure is readable but an etcd bucket, key or value is not what etcd writes. */
export class EtcdDataError extends SnapshotFormatError {
  readonly bucket: string;
  /** Hex of the offending key (bucket keys are binary). */
  readonly keyHex: string | undefined;
  constructor(message: string, bucket: string, key?: Uint8Array) {
    const keyHex = key === undefined ? undefined : Buffer.from(key).toString('hex');
    super(keyHex === undefined ? `${message} in bucket "${bucket}"` : `${message} in bucket "${bucket}" at key ${keyHex}`, {}, 'snapshot-etcd-data');
    this.bucket = bucket;
    this.keyHex = keyHex;
  }
}

function withLocation(message: string, where: SnapshotLocation): string {
  const parts: string[] = [];
  if (where.pageId !== undefined) parts.push(`page ${where.pageId}`);
  if (where.offset !== undefined) parts.push(`offset ${where.offset}`);
  return parts.length === 0 ? message : `${message} (${parts.join(', ')})`;
}
