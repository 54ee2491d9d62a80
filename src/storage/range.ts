/** Range checks shared by the backends: every offset/length is checked before use. */
import type { Handle, LoadOptions } from './backend.js';
import { StorageError } from './errors.js';

export interface ByteRange {
  offset: number;
  /** undefined: to the end. */
  length: number | undefined;
}

/** Validates `offset`/`length`: non-negative safe integers. Throws StorageError otherwise. */
export function checkRange(options: LoadOptions, location: string, handle: Handle): ByteRange {
  const offset = options.offset ?? 0;
  const length = options.length;
  const ok = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!ok(offset) || (length !== undefined && !ok(length))) {
    throw new StorageError('storage-io', `Cannot load "${handle.type}/${handle.name}" from "${location}": invalid range offset ${offset}, length ${length}`);
  }
  return { offset, length };
}

/** The requested part of `bytes`; a range past the end yields what exists (like a file read). */
export function sliceRange(bytes: Uint8Array, options: LoadOptions, location: string, handle: Handle): Uint8Array {
  const { offset, length } = checkRange(options, location, handle);
  return bytes.subarray(offset, length === undefined ? undefined : offset + length);
}
