/** Pass-through taps that measure a stream on its way: sha256 and byte count, progress. */
import { createHash } from 'node:crypto';
import { throwIfAborted } from '../errors.js';

export interface StreamDigest {
  sizeBytes: number;
  /** Lower-case hex sha256. */
  sha256: string;
}

/** Yields `source` unchanged; after the last chunk calls `onDone` with its size and sha256. */
export async function* digestTap(source: AsyncIterable<Uint8Array>, onDone: (digest: StreamDigest) => void): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    sizeBytes += chunk.length;
    yield chunk;
  }
  onDone({ sizeBytes, sha256: hash.digest('hex') });
}

/** Reads a whole stream, returning its size and sha256 (memory stays at one chunk). */
export async function digestOf(source: AsyncIterable<Uint8Array>, signal?: AbortSignal, onBytes?: (total: number) => void): Promise<StreamDigest> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of source) {
    throwIfAborted(signal, 'Reading');
    hash.update(chunk);
    sizeBytes += chunk.length;
    onBytes?.(sizeBytes);
  }
  return { sizeBytes, sha256: hash.digest('hex') };
}

/** Yields `source` unchanged, reporting the running byte count after each chunk; checks `signal`. */
export async function* progressTap(source: AsyncIterable<Uint8Array>, onBytes: (total: number) => void, signal: AbortSignal | undefined, what: string): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    throwIfAborted(signal, what);
    total += chunk.length;
    onBytes(total);
    yield chunk;
  }
}
