/** Test helpers for crypto/: byte sources cut at chosen sizes and collecting streams. */

/** Yields `bytes` in pieces of `size` bytes (the last may be shorter); an empty input yields nothing. */
export async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

/** Concatenates everything a stream yields. */
export async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

/** Collects a stream that is expected to fail: the bytes released before the error, and the error. */
export async function collectUntilError(source: AsyncIterable<Uint8Array>): Promise<{ released: Buffer; error: unknown }> {
  const parts: Uint8Array[] = [];
  try {
    for await (const part of source) parts.push(part);
  } catch (error) {
    return { released: Buffer.concat(parts), error };
  }
  return { released: Buffer.concat(parts), error: undefined };
}

/** `length` bytes of a repeating, position-dependent pattern (cheap, not compressible to nothing). */
export function patternBytes(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

/** Input chunk sizes around the 64 KiB STREAM chunk and odd small sizes (STYLE habit 1). */
export const ODD_CHUNK_SIZES = [1, 511, 513, 65535, 65536, 65537] as const;
/** Plaintext lengths at the STREAM chunk boundaries. */
export const EDGE_LENGTHS = [0, 1, 65535, 65536, 65537, 2 * 65536, 2 * 65536 + 1] as const;
