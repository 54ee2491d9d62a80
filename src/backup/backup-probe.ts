/**
 * Skipping compression for data that does not compress: an etcd full of encrypted Secrets
 * (encryption at rest), images or random tokens costs gzip ~25 s of CPU per GiB for a 2%
 * gain (docs/benchmarks.md). The first PROBE_BYTES of an object are compressed as a sample;
 * when that saves less than MIN_SAVING, the object is stored uncompressed and the manifest
 * records so per object. Memory: the sample, once.
 */
import { type Compression, compressStream } from '../crypto/index.js';

/** Sample size: several bbolt leaf pages' worth, small enough to hold in memory. */
export const PROBE_BYTES = 8 * 1024 * 1024;
/** Compress only when the sample shrinks by at least this fraction. */
export const MIN_SAVING = 0.1;

export interface ProbedStream {
  /** The compression to use for the whole object. */
  compression: Compression;
  /** The same bytes as the input, from the start (the sample first, then the rest). */
  stream: AsyncIterable<Uint8Array>;
  /** Sample bytes and their compressed size, for logs. */
  sampleBytes: number;
  sampleCompressedBytes: number;
}

async function* sampleOnce(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/** Reads up to PROBE_BYTES of `source`, test-compresses them, and hands back the whole stream. */
export async function probeCompression(source: AsyncIterable<Uint8Array>, compression: Compression, level: number | undefined): Promise<ProbedStream> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let sampleBytes = 0;
  let ended = false;
  try {
    while (sampleBytes < PROBE_BYTES) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      head.push(next.value);
      sampleBytes += next.value.length;
    }
  } catch (err) {
    await iterator.return?.();
    throw err;
  }
  let sampleCompressedBytes = sampleBytes;
  if (compression !== 'none' && sampleBytes > 0) {
    sampleCompressedBytes = 0;
    for await (const chunk of compressStream(sampleOnce(head), compression, { level })) sampleCompressedBytes += chunk.length;
  }
  const worth = sampleBytes === 0 || sampleCompressedBytes <= sampleBytes * (1 - MIN_SAVING);
  async function* whole(): AsyncGenerator<Uint8Array> {
    yield* head;
    if (ended) return;
    // The rest of the same iterator; a consumer that stops early closes it via return().
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  return { compression: worth ? compression : 'none', stream: whole(), sampleBytes, sampleCompressedBytes };
}
