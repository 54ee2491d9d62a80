/**
 * The age payload (spec §7): a 16-byte nonce, then STREAM, ChaCha20-Poly1305 over 64 KiB
 * chunks with an 11-byte big-endian counter and a final-chunk flag as the nonce. Both
 * directions are streaming: at most one chunk is held in memory.
 */
import { ByteReader } from './byte-reader.js';
import { PayloadError } from './errors.js';
import { aeadOpen, aeadSeal, hkdf, TAG_BYTES } from './primitives.js';

export const CHUNK_BYTES = 64 * 1024;
export const ENCRYPTED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES;
export const PAYLOAD_NONCE_BYTES = 16;
/** The counter is written as 6 bytes (the upper 5 of the 11 stay zero): 2^48 chunks is 16 EiB. */
const MAX_CHUNKS = 2 ** 48;

export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return hkdf(fileKey, nonce, 'payload');
}

function chunkNonce(counter: number, final: boolean): Buffer {
  if (counter >= MAX_CHUNKS) throw new RangeError('age STREAM chunk counter overflow');
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

/**
 * Encrypts `source` into STREAM chunks (without the payload nonce). A full chunk is sealed as
 * non-final only once a further byte is seen, so a length that is a multiple of 64 KiB ends
 * with a full final chunk and an empty input gives a single empty final chunk.
 */
export async function* sealPayload(source: AsyncIterable<Uint8Array>, key: Uint8Array): AsyncGenerator<Uint8Array> {
  const pending = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0;
  let counter = 0;
  for await (const input of source) {
    let offset = 0;
    while (offset < input.length) {
      if (filled === CHUNK_BYTES) {
        yield aeadSeal(key, chunkNonce(counter++, false), pending);
        filled = 0;
      }
      // Large aligned inputs are sealed in place, skipping the copy into `pending`.
      if (filled === 0 && input.length - offset > CHUNK_BYTES) {
        yield aeadSeal(key, chunkNonce(counter++, false), input.subarray(offset, offset + CHUNK_BYTES));
        offset += CHUNK_BYTES;
        continue;
      }
      const n = Math.min(CHUNK_BYTES - filled, input.length - offset);
      pending.set(input.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
    }
  }
  yield aeadSeal(key, chunkNonce(counter, true), pending.subarray(0, filled));
}

/**
 * Decrypts STREAM chunks from `reader` (positioned after the payload nonce) with the
 * algorithm of the Go reference, so the plaintext released before an error matches the test
 * kit: each chunk is yielded only after it authenticates; the stream is complete only when
 * a final chunk authenticated and the input ended right after it. Throws PayloadError.
 */
export async function* openPayload(reader: ByteReader, key: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let counter = 0; ; counter++) {
    const sealed = await reader.read(ENCRYPTED_CHUNK_BYTES);
    if (sealed.length === 0) {
      throw new PayloadError(counter === 0 ? 'has no chunks' : `ends after chunk ${counter - 1} without a final chunk`, true);
    }
    if (sealed.length === ENCRYPTED_CHUNK_BYTES) {
      const plaintext = aeadOpen(key, chunkNonce(counter, false), sealed);
      if (plaintext) {
        yield plaintext;
        continue;
      }
      // A full chunk can also be the final one (a length that is a multiple of 64 KiB).
      const last = aeadOpen(key, chunkNonce(counter, true), sealed);
      if (!last) throw new PayloadError(`chunk ${counter} failed authentication`);
      yield last;
      if (!(await reader.atEof())) throw new PayloadError(`has data after the final chunk ${counter}`);
      return;
    }
    // A short read is the end of the input, so this must be the final chunk.
    if (sealed.length === TAG_BYTES && counter > 0) throw new PayloadError(`has an empty final chunk ${counter}, which encryptors never write`);
    const last = aeadOpen(key, chunkNonce(counter, true), sealed);
    if (!last) {
      const why = sealed.length < TAG_BYTES ? 'is shorter than its tag' : 'failed authentication (truncated or modified)';
      throw new PayloadError(`chunk ${counter} ${why}`, sealed.length < TAG_BYTES);
    }
    yield last;
    return;
  }
}
