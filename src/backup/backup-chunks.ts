/**
 * Re-cutting a stream of small chunks into large ones. etcd sends its snapshot in 32 KiB
 * messages: 32k chunks per GiB, each paying for every async stage of the save pipeline
 * (progress, trailer hash, probe, encryption, upload body). One copy into 1 MiB buffers
 * costs less than those stages do per chunk (docs/benchmarks.md, "Backup save to S3").
 */

/** Chunk size after coalescing: 16 age STREAM chunks, so encryption seals in place. */
export const COALESCED_CHUNK_BYTES = 1024 * 1024;

/**
 * Yields the bytes of `source` unchanged and in order, in chunks of `chunkBytes` (the last
 * may be shorter). Chunks at least that large that arrive on a boundary pass through
 * without a copy. Every yielded buffer is fresh: a consumer may keep it.
 */
export async function* coalesceChunks(source: AsyncIterable<Uint8Array>, chunkBytes = COALESCED_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  let buffer: Buffer | undefined;
  let used = 0;
  for await (const chunk of source) {
    if (used === 0 && chunk.length >= chunkBytes) {
      yield chunk;
      continue;
    }
    let offset = 0;
    while (offset < chunk.length) {
      buffer ??= Buffer.allocUnsafeSlow(chunkBytes);
      const n = Math.min(chunkBytes - used, chunk.length - offset);
      buffer.set(chunk.subarray(offset, offset + n), used);
      used += n;
      offset += n;
      if (used === chunkBytes) {
        yield buffer;
        buffer = undefined;
        used = 0;
      }
    }
  }
  if (buffer && used > 0) yield buffer.subarray(0, used);
}
