/**
 * Probe object contents: deterministic pseudo-random bytes (incompressible, so no store or
 * proxy can shrink them), streamed in chunks, with their sha256 known up front.
 */
import { createHash } from 'node:crypto';

const CHUNK_BYTES = 256 * 1024;

/** xorshift32 bytes from `seed`; the same seed gives the same bytes. */
function fill(buf: Uint8Array, state: { x: number }): void {
  let x = state.x;
  for (let i = 0; i < buf.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
    buf[i + 1] = (x >>> 8) & 0xff;
    buf[i + 2] = (x >>> 16) & 0xff;
    buf[i + 3] = (x >>> 24) & 0xff;
  }
  state.x = x;
}

/** `sizeBytes` bytes from `seed` (non-zero), in chunks of at most 256 KiB. */
export async function* probeBytes(sizeBytes: number, seed: number): AsyncGenerator<Uint8Array> {
  const state = { x: seed >>> 0 || 1 };
  for (let left = sizeBytes; left > 0; left -= CHUNK_BYTES) {
    const chunk = new Uint8Array(Math.ceil(Math.min(CHUNK_BYTES, left) / 4) * 4);
    fill(chunk, state);
    yield chunk.subarray(0, Math.min(CHUNK_BYTES, left));
  }
}

/** The sha256 (hex) and length of a stream. */
export async function digestOf(stream: AsyncIterable<Uint8Array>): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    sizeBytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}
