/**
 * Compression of backup streams: zstd where node:zlib has it (Node >= 22.15 / 23.8), gzip
 * otherwise, or none. The choice is recorded in the backup manifest, so restore picks the
 * matching decompressor instead of sniffing.
 */
import { Readable, type Transform, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { AppError } from '../errors.js';

export type Compression = 'zstd' | 'gzip' | 'none';

export const COMPRESSIONS: readonly Compression[] = ['zstd', 'gzip', 'none'];
/**
 * gzip level: 6 (zlib's default) trades a few percent of size on etcd snapshots for about
 * half the speed of level 1, see docs/benchmarks.md. zstd uses its default level 3.
 */
export const GZIP_LEVEL = 6;

/** The zstd factories of node:zlib, absent before Node 22.15 / 23.8. */
interface ZstdZlib {
  createZstdCompress?: () => Transform;
  createZstdDecompress?: () => Transform;
}

/** True when this runtime's node:zlib can compress and decompress zstd. */
export function zstdAvailable(): boolean {
  const z = zlib as unknown as ZstdZlib;
  return typeof z.createZstdCompress === 'function' && typeof z.createZstdDecompress === 'function';
}

/** zstd when the runtime has it, else gzip. */
export function defaultCompression(): Compression {
  return zstdAvailable() ? 'zstd' : 'gzip';
}

function zstdMissing(): AppError {
  return new AppError('compression-unavailable', `zstd is not available in this Node.js (${process.version})`, {
    hint: 'Use Node.js 22.15+ or 23.8+ to read zstd backups, or choose gzip compression',
  });
}

function createTransform(c: Compression, direction: 'compress' | 'decompress'): Transform | undefined {
  const z = zlib as unknown as ZstdZlib;
  switch (c) {
    case 'none':
      return undefined;
    case 'gzip':
      return direction === 'compress' ? zlib.createGzip({ level: GZIP_LEVEL }) : zlib.createGunzip();
    case 'zstd': {
      const create = direction === 'compress' ? z.createZstdCompress : z.createZstdDecompress;
      if (!create) throw zstdMissing();
      return create();
    }
    default:
      throw new RangeError(`unknown compression "${String(c)}"`);
  }
}

/** Input is handed to zlib in pieces of at least this size: each write costs a zlib call. */
const MIN_WRITE_BYTES = 64 * 1024;

/** Joins small chunks (e.g. 1-byte or small gRPC messages) into writes of >= MIN_WRITE_BYTES. */
async function* coalesce(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    if (total === 0 && chunk.length >= MIN_WRITE_BYTES) {
      yield chunk;
      continue;
    }
    parts.push(chunk);
    total += chunk.length;
    if (total >= MIN_WRITE_BYTES) {
      yield Buffer.concat(parts, total);
      parts = [];
      total = 0;
    }
  }
  if (total > 0) yield Buffer.concat(parts, total);
}

/** Runs `source` through a zlib transform with backpressure; errors from either side surface here. */
async function* through(source: AsyncIterable<Uint8Array>, transform: Transform): AsyncGenerator<Uint8Array> {
  // pipeline destroys every stream on error or early exit, and forwards the error to `transform`.
  const out = pipeline(Readable.from(coalesce(source), { objectMode: false }), transform, () => undefined);
  for await (const chunk of out) yield chunk as Uint8Array;
}

/** Compresses `source` with `c` ('none' passes it through). */
export async function* compressStream(source: AsyncIterable<Uint8Array>, c: Compression): AsyncGenerator<Uint8Array> {
  const transform = createTransform(c, 'compress');
  yield* transform ? through(source, transform) : source;
}

/**
 * Decompresses `source` written with `c`. Corrupt input throws AppError 'decompress-failed';
 * zstd on a runtime without it throws 'compression-unavailable'.
 */
export async function* decompressStream(source: AsyncIterable<Uint8Array>, c: Compression): AsyncGenerator<Uint8Array> {
  const transform = createTransform(c, 'decompress');
  if (!transform) {
    yield* source;
    return;
  }
  try {
    yield* through(source, transform);
  } catch (err) {
    if (err instanceof AppError || !(err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw err;
    throw new AppError('decompress-failed', `Cannot decompress the ${c} stream: ${(err as Error).message}`, {
      hint: 'The backup is damaged or its manifest names the wrong compression; try another backup',
      cause: err,
    });
  }
}
