/**
 * The sha256 trailer of `etcdctl snapshot save` files: the bbolt image followed by the
 * SHA-256 of the bytes to its left. A file has it iff size % 512 == 32 (bbolt images are
 * page multiples, hence multiples of 512). Spec §1.1.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';

export const TRAILER_BYTES = 32;

export function hasTrailer(sizeBytes: number): boolean {
  return sizeBytes % 512 === TRAILER_BYTES;
}

/** The snapshot's stored hash does not match its content. */
export class ChecksumMismatchError extends AppError {
  readonly expected: string;
  readonly actual: string;
  constructor(what: string, expected: string, actual: string) {
    super('checksum-mismatch', `${what}: sha256 mismatch: expected ${expected}, got ${actual}`, {
      hint: 'The snapshot is corrupt or truncated; take a new one or use another backup',
    });
    this.expected = expected;
    this.actual = actual;
  }
}

export interface TrailerResult {
  /** Bytes of the bbolt image (without the trailer). */
  dbSizeBytes: number;
  /** Hex sha256 of the image, equal to the trailer. */
  sha256: string;
}

/**
 * Passes a snapshot stream through unchanged while checking its trailer: the last 32 bytes
 * must be the sha256 of everything before them. `onDone` receives the result after the last
 * chunk; a mismatch or a stream too short throws ChecksumMismatchError from the iterator,
 * so a consumer writing a file never reaches its final rename.
 */
export async function* verifyTrailerStream(
  source: AsyncIterable<Uint8Array>,
  what: string,
  onDone?: (result: TrailerResult) => void,
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  // Holds back the newest <= 32 bytes: they may be the trailer.
  let tail = new Uint8Array(0);
  let dbSizeBytes = 0;
  for await (const chunk of source) {
    yield chunk;
    if (chunk.length >= TRAILER_BYTES) {
      // The usual case: everything held back and all but the chunk's last 32 bytes are image.
      // Hashing in place spares a copy of every chunk (a whole snapshot's worth of memcpy).
      if (tail.length > 0) hash.update(tail);
      hash.update(chunk.subarray(0, chunk.length - TRAILER_BYTES));
      dbSizeBytes += tail.length + chunk.length - TRAILER_BYTES;
      tail = chunk.slice(chunk.length - TRAILER_BYTES);
      continue;
    }
    const joined = tail.length === 0 ? chunk : concat(tail, chunk);
    const cut = Math.max(joined.length - TRAILER_BYTES, 0);
    if (cut > 0) {
      hash.update(joined.subarray(0, cut));
      dbSizeBytes += cut;
    }
    tail = joined.slice(cut);
  }
  if (tail.length < TRAILER_BYTES) {
    throw new ChecksumMismatchError(what, 'a 32-byte sha256 trailer', `a stream of ${dbSizeBytes + tail.length} bytes`);
  }
  const actual = hash.digest('hex');
  const expected = Buffer.from(tail).toString('hex');
  if (actual !== expected) throw new ChecksumMismatchError(what, expected, actual);
  onDone?.({ dbSizeBytes, sha256: actual });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
