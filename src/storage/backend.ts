/**
 * The storage role, modeled on restic's Backend: a flat store of opaque, immutable objects
 * addressed by a Handle. Backends know nothing of snapshots, compression or encryption; the
 * backup repository layers those on top. Every implementation runs the conformance suite in
 * ./testing.ts, which is the executable form of the contract below.
 */

/** The kinds of object a repository stores; each kind lives in its own folder. */
export type FileType = 'data' | 'manifest';

export const FILE_TYPES: readonly FileType[] = ['data', 'manifest'];

/** Names one object: its kind and a name that is unique within that kind. */
export interface Handle {
  type: FileType;
  /** See isValidHandleName: a safe single path segment. */
  name: string;
}

/** What `stat` and `list` report about a stored object. */
export interface FileInfo {
  name: string;
  sizeBytes: number;
  /** When the store last wrote the object, when it knows. */
  modifiedAt?: Date;
}

export interface OperationOptions {
  /** Aborting stops the operation; it then rejects with AbortedError and leaves nothing behind. */
  signal?: AbortSignal;
}

export interface LoadOptions extends OperationOptions {
  /** First byte to read (default 0). */
  offset?: number;
  /** Bytes to read from `offset` (default: to the end). */
  length?: number;
}

/** A save that started a multipart upload and never finished it (S3): parts stored, no object. */
export interface UnfinishedUpload {
  type: FileType;
  /** The object name the upload was for. */
  name: string;
  uploadId: string;
  startedAt?: Date;
}

export interface SaveResult {
  /** Bytes the backend stored, counted as they passed through. */
  sizeBytes: number;
}

/**
 * A store of immutable objects.
 *
 * Contract (checked by runBackendConformance):
 * - `save` is atomic: until it resolves, no `stat`, `load` or `list` sees the object; when it
 *   rejects (body error, abort, I/O), nothing is left under the handle's name. The body is
 *   read once, to its end, by the backend; an error the body throws is rethrown unchanged
 *   (so a checksum failure upstream reaches the caller as itself). Saving over an existing name is refused with
 *   StorageError code 'storage-exists': objects are immutable.
 * - `load` owns the stream: it opens it, passes it to `consume`, and closes it when `consume`
 *   settles (also when `consume` stops early or throws). The stream must not be used after
 *   `consume` settles. `consume` may be called again when a decorator retries, so it must
 *   start from scratch on each call. A missing object rejects with NotFoundError.
 * - `stat` of a missing object rejects with NotFoundError.
 * - `list` yields every stored object of a type exactly once, in no particular order; never
 *   objects whose save has not completed.
 * - `remove` deletes an object; removing a missing one is not an error (S3 cannot tell).
 * - Backends do not retry; wrap them with withRetry(). Failures are StorageError (code
 *   'storage-*', `transient` true when a retry may succeed) or AbortedError; messages name
 *   the location and the object, never credentials.
 */
export interface Backend {
  /** Where the objects live, for messages: "/var/backups/kubekeeper" or "s3://bucket/folder". */
  readonly location: string;
  save(handle: Handle, body: AsyncIterable<Uint8Array>, options?: OperationOptions): Promise<SaveResult>;
  load<T>(handle: Handle, consume: (stream: AsyncIterable<Uint8Array>) => Promise<T>, options?: LoadOptions): Promise<T>;
  stat(handle: Handle, options?: OperationOptions): Promise<FileInfo>;
  list(type: FileType, options?: OperationOptions): AsyncIterable<FileInfo>;
  remove(handle: Handle, options?: OperationOptions): Promise<void>;
  /**
   * Uploads started and never completed (only stores with multipart uploads have them); they
   * are invisible to `list`. Absent when the backend has no such thing.
   */
  listUnfinished?(options?: OperationOptions): AsyncIterable<UnfinishedUpload>;
  /** Discards an unfinished upload's parts; one already gone is not an error. */
  abortUnfinished?(upload: UnfinishedUpload, options?: OperationOptions): Promise<void>;
  /** Releases connections. The backend is unusable afterwards. */
  close(): Promise<void>;
  /**
   * Optional: temporary files of saves killed mid-way (a local backend's dot-files), with
   * what was done. `remove` deletes those whose writer is provably gone; others are kept.
   */
  sweepTemporaries?(options: { remove: boolean }): Promise<TemporaryLeftover[]>;
}

/** A temporary object of an unfinished save, found by sweepTemporaries. */
export interface TemporaryLeftover {
  path: string;
  sizeBytes: number;
  action: 'removed' | 'kept' | 'would remove';
  reason: string;
}

/** Longest accepted object name; S3 keys allow 1024 bytes and we add a folder in front. */
export const MAX_HANDLE_NAME_LENGTH = 200;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Object names are one path segment of ASCII letters, digits, '.', '_' and '-', not starting
 * with a dot (backends use dot-names for temporary files) and not '..'-like, so a name can
 * never escape the repository on any backend.
 */
export function isValidHandleName(name: string): boolean {
  return name.length <= MAX_HANDLE_NAME_LENGTH && NAME_PATTERN.test(name);
}

/** "manifest/nightly.json", for messages and logs. */
export function handleToString(handle: Handle): string {
  return `${handle.type}/${handle.name}`;
}
