/**
 * A Backend on an S3-compatible bucket (AWS, MinIO, Ceph RGW, ...): objects are keys
 * <folder>/<type>/<name>. Saves stream through @aws-sdk/lib-storage: bodies up to one part
 * go up as one PutObject, larger ones as a multipart upload that S3 only publishes on
 * CompleteMultipartUpload, which makes saves atomic. Memory stays at about
 * (queueSize + 1) x partSize whatever the object size.
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { throwIfAborted } from '../../errors.js';
import { type Logger, silentLogger } from '../../logger.js';
import { type Backend, type FileInfo, type FileType, type Handle, type LoadOptions, type OperationOptions, type SaveResult, type UnfinishedUpload, FILE_TYPES } from '../backend.js';
import { BodyTracker } from '../body.js';
import { NotFoundError, StorageError, checkHandle, isNotFound } from '../errors.js';
import { checkRange } from '../range.js';
import { type S3ErrorContext, s3Error } from './s3-errors.js';

/** S3's minimum part size; also our default (memory: queueSize x this). */
export const DEFAULT_PART_SIZE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 2;

export interface S3BackendOptions {
  client: S3Client;
  bucket: string;
  /** Folder inside the bucket, without leading or trailing '/'; '' for the bucket root. */
  folder: string;
  /** Custom endpoint URL, for messages only (the client already has it). */
  endpoint?: string;
  partSizeBytes?: number;
  queueSize?: number;
  logger?: Logger;
  /** Per-request bound and SDK attempts, for messages (the client enforces them). */
  timeoutMs?: number;
  maxAttempts?: number;
  /** Send `If-None-Match: *` on creates (see S3Config.conditionalWrites). */
  conditionalWrites?: boolean;
  /** Where the credentials came from, for access-denied messages. */
  credentialSource?: string;
}

export class S3Backend implements Backend {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly logger: Logger;

  constructor(private readonly options: S3BackendOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.folder === '' ? '' : `${options.folder}/`;
    this.location = `s3://${options.bucket}/${options.folder}`;
    this.logger = options.logger ?? silentLogger;
  }

  private keyOf(handle: Handle): string {
    checkHandle(handle);
    return `${this.prefix}${handle.type}/${handle.name}`;
  }

  private ctx(action: string, handle?: Handle): S3ErrorContext {
    const o = this.options;
    return { action, location: this.location, bucket: this.bucket, endpoint: o.endpoint, handle, timeoutMs: o.timeoutMs, attempts: o.maxAttempts, credentialSource: o.credentialSource };
  }

  async save(handle: Handle, body: AsyncIterable<Uint8Array>, options: OperationOptions = {}): Promise<SaveResult> {
    const key = this.keyOf(handle);
    const action = `Cannot save "${handle.type}/${handle.name}" to "${this.location}"`;
    throwIfAborted(options.signal, action);
    // Objects are immutable. The check is quick but not atomic; `If-None-Match: *` on the
    // PutObject or CompleteMultipartUpload is, where the store has it (a store without it
    // ignores the header, and the backup layer's per-attempt names keep writers apart).
    try {
      await this.stat(handle, options);
      throw new StorageError('storage-exists', `Object "${handle.type}/${handle.name}" already exists in "${this.location}"`, {
        hint: 'Objects are immutable; choose another name',
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const tracker = new BodyTracker();
    const abortController = new AbortController();
    const onAbort = () => abortController.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const source = Readable.from(tracker.wrap(body), { objectMode: false });
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket, Key: key, Body: source, ContentType: 'application/octet-stream',
        ...(this.options.conditionalWrites ? { IfNoneMatch: '*' } : {}),
      },
      partSize: this.options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES,
      queueSize: this.options.queueSize ?? DEFAULT_QUEUE_SIZE,
      // We abort ourselves: lib-storage's own abort would replace the body's error with the
      // abort's (stores without AbortMultipartUpload answer it with an error).
      leavePartsOnError: true,
      abortController,
    });
    try {
      await upload.done();
      if (options.signal?.aborted) throw new Error('aborted after completion');
      return { sizeBytes: tracker.bytes };
    } catch (err) {
      const aborted = await this.abortUpload(key, upload.uploadId);
      if (options.signal?.aborted) {
        // The upload may have completed just before the abort: do not leave it behind.
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => undefined);
        throwIfAborted(options.signal, `Saving "${handle.type}/${handle.name}"`);
      }
      if (tracker.isBodyError(err)) throw err;
      const mapped = s3Error(err, this.ctx(action, handle));
      if (!aborted && mapped instanceof StorageError) {
        // Named in the error: the parts cost storage until prune (or a lifecycle rule) aborts them.
        throw new StorageError(mapped.code, `${mapped.message}; its unfinished multipart upload (ID ${upload.uploadId}) was left in the bucket`, {
          transient: mapped.transient, cause: mapped.cause,
          hint: `${mapped.hint ?? 'Retry'}; "kubekeeper backup prune" aborts the upload once the endpoint answers`,
        });
      }
      throw mapped;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      // Stops the body generator (and whatever feeds it, e.g. an etcd stream) on failure.
      source.destroy();
    }
  }

  /**
   * Aborts an unfinished multipart upload so its parts stop costing storage; false when the
   * abort failed and the upload is still there (true when there was none).
   */
  private async abortUpload(key: string, uploadId: string | undefined): Promise<boolean> {
    if (!uploadId) return true;
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
      this.logger.log('info', 'storage.s3.multipart-aborted', { key, uploadId });
      return true;
    } catch (err) {
      // Not fatal: prune, or a bucket lifecycle rule (AbortIncompleteMultipartUpload), cleans up later.
      this.logger.log('warn', 'storage.s3.multipart-abort-failed', { key, uploadId, error: (err as Error).name });
      return false;
    }
  }

  /**
   * Multipart uploads under this repository's folder that were started and never completed
   * or aborted (a save killed mid-upload): invisible to `list`, but their parts are billed.
   */
  async *listUnfinished(options: OperationOptions = {}): AsyncIterable<UnfinishedUpload> {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: this.prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }), { abortSignal: options.signal });
      } catch (err) {
        // A store without the call (s3rver) has nothing to report; the lifecycle rule still applies.
        if ((err as { name?: string }).name === 'NotImplemented') {
          this.logger.log('debug', 'storage.s3.list-uploads-unsupported', { location: this.location });
          return;
        }
        throw s3Error(err, this.ctx(`Cannot list unfinished uploads in "${this.location}"`));
      }
      for (const upload of page.Uploads ?? []) {
        const [type, name, ...rest] = (upload.Key ?? '').slice(this.prefix.length).split('/');
        if (!FILE_TYPES.includes(type as FileType) || !name || rest.length > 0 || !upload.UploadId) continue;
        yield { type: type as FileType, name, uploadId: upload.UploadId, ...(upload.Initiated ? { startedAt: upload.Initiated } : {}) };
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
  }

  /** Aborts one unfinished upload found by listUnfinished; one already gone is not an error. */
  async abortUnfinished(upload: UnfinishedUpload, options: OperationOptions = {}): Promise<void> {
    const handle = { type: upload.type, name: upload.name };
    const key = this.keyOf(handle);
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: upload.uploadId }), { abortSignal: options.signal });
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchUpload') return;
      throw s3Error(err, this.ctx(`Cannot abort the unfinished upload of "${handle.type}/${handle.name}" (ID ${upload.uploadId}) in "${this.location}"`));
    }
  }

  async load<T>(handle: Handle, consume: (stream: AsyncIterable<Uint8Array>) => Promise<T>, options: LoadOptions = {}): Promise<T> {
    const key = this.keyOf(handle);
    const action = `Cannot load "${handle.type}/${handle.name}" from "${this.location}"`;
    throwIfAborted(options.signal, action);
    const { offset, length } = checkRange(options, this.location, handle);
    if (length === 0) {
      await this.stat(handle, options);
      return consume(Readable.from([]));
    }
    const range = offset === 0 && length === undefined ? undefined : `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`;
    let body: Readable;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range }), { abortSignal: options.signal });
      body = out.Body as Readable;
    } catch (err) {
      // A range starting past the end: S3 answers 416; a file read would return nothing.
      if ((err as { name?: string }).name === 'InvalidRange') return consume(Readable.from([]));
      throw s3Error(err, this.ctx(action, handle));
    }
    try {
      return await consume(this.wrapBody(body, action, handle, length));
    } finally {
      body.destroy();
    }
  }

  /** Passes the body through, capped at `limit` bytes: some stores (s3rver) ignore "bytes=0-0". */
  private async *wrapBody(body: Readable, action: string, handle: Handle, limit: number | undefined): AsyncGenerator<Uint8Array> {
    let left = limit ?? Infinity;
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        if (chunk.length >= left) {
          if (left > 0) yield chunk.subarray(0, left);
          return;
        }
        left -= chunk.length;
        yield chunk;
      }
    } catch (err) {
      throw s3Error(err, this.ctx(action, handle));
    }
  }

  async stat(handle: Handle, options: OperationOptions = {}): Promise<FileInfo> {
    const key = this.keyOf(handle);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: options.signal });
      return { name: handle.name, sizeBytes: out.ContentLength ?? 0, modifiedAt: out.LastModified };
    } catch (err) {
      throw s3Error(err, this.ctx(`Cannot read "${handle.type}/${handle.name}" in "${this.location}"`, handle));
    }
  }

  async *list(type: FileType, options: OperationOptions = {}): AsyncIterable<FileInfo> {
    const prefix = `${this.prefix}${type}/`;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: options.signal });
      } catch (err) {
        throw s3Error(err, this.ctx(`Cannot list "${type}" in "${this.location}"`));
      }
      for (const item of page.Contents ?? []) {
        const name = (item.Key ?? '').slice(prefix.length);
        // Deeper keys and dot-names are not ours to report.
        if (name === '' || name.includes('/') || name.startsWith('.')) continue;
        yield { name, sizeBytes: item.Size ?? 0, modifiedAt: item.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async remove(handle: Handle, options: OperationOptions = {}): Promise<void> {
    const key = this.keyOf(handle);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: options.signal });
    } catch (err) {
      const mapped = s3Error(err, this.ctx(`Cannot remove "${handle.type}/${handle.name}" from "${this.location}"`, handle));
      if (mapped instanceof NotFoundError) return;
      throw mapped;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
