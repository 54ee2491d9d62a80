/**
 * A Backend in process memory: the reference implementation of the contract, used by unit
 * tests of everything above storage and by `--dry-run` style experiments. Objects are kept
 * as one Uint8Array each, so it is for small data only.
 */
import { throwIfAborted } from '../../errors.js';
import type { Backend, FileInfo, FileType, Handle, LoadOptions, OperationOptions, SaveResult } from '../backend.js';
import { NotFoundError, StorageError, checkHandle } from '../errors.js';
import { sliceRange } from '../range.js';

interface Stored {
  bytes: Uint8Array;
  modifiedAt: Date;
}

export interface MemoryBackendOptions {
  /** Shown in messages; default "memory:". */
  location?: string;
  now?: () => Date;
}

export class MemoryBackend implements Backend {
  readonly location: string;
  private readonly objects = new Map<string, Stored>();
  private readonly now: () => Date;

  constructor(options: MemoryBackendOptions = {}) {
    this.location = options.location ?? 'memory:';
    this.now = options.now ?? (() => new Date());
  }

  async save(handle: Handle, body: AsyncIterable<Uint8Array>, options: OperationOptions = {}): Promise<SaveResult> {
    checkHandle(handle);
    const key = keyOf(handle);
    if (this.objects.has(key)) throw existsError(this.location, handle);
    const chunks: Uint8Array[] = [];
    let sizeBytes = 0;
    for await (const chunk of body) {
      throwIfAborted(options.signal, `Saving "${key}"`);
      chunks.push(chunk.slice());
      sizeBytes += chunk.length;
    }
    throwIfAborted(options.signal, `Saving "${key}"`);
    // Checked again: another save of the same name may have finished while we read the body.
    if (this.objects.has(key)) throw existsError(this.location, handle);
    this.objects.set(key, { bytes: Buffer.concat(chunks), modifiedAt: this.now() });
    return { sizeBytes };
  }

  async load<T>(handle: Handle, consume: (stream: AsyncIterable<Uint8Array>) => Promise<T>, options: LoadOptions = {}): Promise<T> {
    checkHandle(handle);
    throwIfAborted(options.signal, `Loading "${keyOf(handle)}"`);
    const stored = this.objects.get(keyOf(handle));
    if (!stored) throw new NotFoundError(this.location, handle);
    const bytes = sliceRange(stored.bytes, options, this.location, handle);
    return consume(chunked(bytes));
  }

  async stat(handle: Handle, options: OperationOptions = {}): Promise<FileInfo> {
    checkHandle(handle);
    throwIfAborted(options.signal, `Reading "${keyOf(handle)}"`);
    const stored = this.objects.get(keyOf(handle));
    if (!stored) throw new NotFoundError(this.location, handle);
    return { name: handle.name, sizeBytes: stored.bytes.length, modifiedAt: stored.modifiedAt };
  }

  async *list(type: FileType, options: OperationOptions = {}): AsyncIterable<FileInfo> {
    const prefix = `${type}/`;
    // A copy: callers may remove objects while they list.
    for (const [key, stored] of [...this.objects]) {
      throwIfAborted(options.signal, `Listing "${type}"`);
      if (key.startsWith(prefix)) yield { name: key.slice(prefix.length), sizeBytes: stored.bytes.length, modifiedAt: stored.modifiedAt };
    }
  }

  async remove(handle: Handle, options: OperationOptions = {}): Promise<void> {
    checkHandle(handle);
    throwIfAborted(options.signal, `Removing "${keyOf(handle)}"`);
    this.objects.delete(keyOf(handle));
  }

  async close(): Promise<void> {
    // Nothing to release; the objects stay for inspection by tests.
  }

  /** Test hook: replaces an object's bytes in place (to simulate corruption at rest). */
  corrupt(handle: Handle, edit: (bytes: Uint8Array) => Uint8Array): void {
    const stored = this.objects.get(keyOf(handle));
    if (!stored) throw new NotFoundError(this.location, handle);
    stored.bytes = edit(stored.bytes.slice());
  }
}

function keyOf(handle: Handle): string {
  return `${handle.type}/${handle.name}`;
}

function existsError(location: string, handle: Handle): StorageError {
  return new StorageError('storage-exists', `Object "${keyOf(handle)}" already exists in "${location}"`, {
    hint: 'Objects are immutable; choose another name',
  });
}

/** Yields in 64 KiB pieces so consumers see a real stream, not one big chunk. */
async function* chunked(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  const CHUNK_BYTES = 64 * 1024;
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) yield bytes.subarray(at, at + CHUNK_BYTES);
}
