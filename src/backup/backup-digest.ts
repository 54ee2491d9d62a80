/** Pass-through taps that measure a stream on its way: sha256 and byte count, progress. */
import { createHash } from 'node:crypto';
import { throwIfAborted } from '../errors.js';
import { ChecksumMismatchError, TRAILER_BYTES } from '../snapshot/index.js';

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

export interface SnapshotDigest extends StreamDigest {
  /** The bbolt image: everything before the 32-byte trailer, and its sha256 (= the trailer). */
  dbSizeBytes: number;
  dbSha256: string;
}

/**
 * Passes a snapshot stream through while checking its sha256 trailer (like
 * snapshot/verifyTrailerStream) and hashing the whole file, in one sha256 pass: the hash of
 * the image is a copy of the running state taken before the trailer goes in. Saves a second
 * pass over a GiB-sized stream. A mismatch or a short stream throws ChecksumMismatchError
 * from the iterator, so nothing downstream completes.
 */
export async function* snapshotDigestTap(
  source: AsyncIterable<Uint8Array>, what: string, onDone: (digest: SnapshotDigest) => void,
  /** Sees the whole stream's digest before the trailer is judged, and may throw first. */
  beforeTrailerCheck?: (whole: StreamDigest) => void,
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  // The newest <= 32 bytes, held back from the hash: they may be the trailer.
  let tail: Uint8Array = new Uint8Array(0);
  let sizeBytes = 0;
  for await (const chunk of source) {
    sizeBytes += chunk.length;
    yield chunk;
    if (chunk.length >= TRAILER_BYTES) {
      if (tail.length > 0) hash.update(tail);
      hash.update(chunk.subarray(0, chunk.length - TRAILER_BYTES));
      tail = chunk.slice(chunk.length - TRAILER_BYTES);
    } else {
      const joined = Buffer.concat([tail, chunk]);
      const cut = Math.max(joined.length - TRAILER_BYTES, 0);
      if (cut > 0) hash.update(joined.subarray(0, cut));
      tail = joined.subarray(cut);
    }
  }
  const dbSha256 = hash.copy().digest('hex');
  hash.update(tail);
  const sha256 = hash.digest('hex');
  beforeTrailerCheck?.({ sizeBytes, sha256 });
  if (tail.length < TRAILER_BYTES) throw new ChecksumMismatchError(what, 'a 32-byte sha256 trailer', `a stream of ${sizeBytes} bytes`);
  const trailer = Buffer.from(tail).toString('hex');
  if (dbSha256 !== trailer) throw new ChecksumMismatchError(what, trailer, dbSha256);
  onDone({ sizeBytes, sha256, dbSizeBytes: sizeBytes - TRAILER_BYTES, dbSha256 });
}
