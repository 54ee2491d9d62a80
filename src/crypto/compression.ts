/**
 * Compression of backup streams: zstd where node:zlib has it (Node >= 22.15 / 23.8) or where
 * the `zstd` program is installed (zstd-process.ts), gzip otherwise, or none. The choice is
 * recorded in the backup manifest, so restore picks the matching decompressor instead of
 * sniffing. zstd reads an etcd snapshot ~7x faster than gzip and writes it ~6x faster.
 */
import { Readable, type Transform, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { AppError } from '../errors.js';
import { zstdDecompressIntoFd, zstdProgram, zstdThroughProcess } from './zstd-process.js';

export type Compression = 'zstd' | 'gzip' | 'none';

export const COMPRESSIONS: readonly Compression[] = ['zstd', 'gzip', 'none'];
/**
 * Default gzip level: 6 (zlib's default) writes ~11% less than level 1 on an etcd snapshot
 * at about half the speed (~200 vs ~400 MiB/s here, docs/benchmarks.md), still faster than
 * an etcd snapshot stream. zstd uses its own default level (3).
 */
export const GZIP_LEVEL = 6;

export interface CompressOptions {
  /** Compression level of the codec (gzip 1-9, zstd 1-22); the codec's default when omitted. */
  level?: number;
}

/** The zstd factories of node:zlib, absent before Node 22.15 / 23.8. */
interface ZstdZlib {
  createZstdCompress?: (options?: { params?: Record<number, number> }) => Transform;
  createZstdDecompress?: (options?: { chunkSize?: number }) => Transform;
}

/** True when this runtime's node:zlib can compress and decompress zstd. */
export function zstdInZlib(): boolean {
  const z = zlib as unknown as ZstdZlib;
  return typeof z.createZstdCompress === 'function' && typeof z.createZstdDecompress === 'function';
}

/** How zstd runs here: node:zlib, the zstd program, or not at all. */
export function zstdEngine(): 'zlib' | 'program' | undefined {
  if (zstdInZlib()) return 'zlib';
  return zstdProgram() === undefined ? undefined : 'program';
}

/** True when zstd can be written and read here (node:zlib or the zstd program). */
export function zstdAvailable(): boolean {
  return zstdEngine() !== undefined;
}

/**
 * True when a `c` stream can be decompressed by another process straight into a file
 * descriptor (decompressIntoFd): zstd through the zstd program.
 */
export function canDecompressIntoFd(c: Compression): boolean {
  return c === 'zstd' && zstdEngine() === 'program';
}

/** Decompresses `source` into `fd`; only where canDecompressIntoFd(c). See DecompressOptions for the bound. */
export async function decompressIntoFd(source: AsyncIterable<Uint8Array>, c: Compression, fd: number, options: DecompressOptions = {}): Promise<void> {
  if (!canDecompressIntoFd(c)) throw new RangeError(`decompressIntoFd: ${c} is decompressed in this process here`);
  await zstdDecompressIntoFd(source, fd, options.maxOutputBytes === undefined ? undefined : {
    maxOutputBytes: options.maxOutputBytes, onExceeded: (n) => tooLarge(c, options.maxOutputBytes as number, n),
  });
}

export interface DecompressOptions {
  /**
   * The most output accepted (a manifest's content size): decompression stops, with
   * AppError 'decompress-too-large', as soon as the output passes it, instead of filling a
   * disk from a small hostile object. Into a descriptor, the output is watched every
   * DECOMPRESS_WATCH_MS, so it may pass the bound by what zstd writes in that time.
   */
  maxOutputBytes?: number;
}

function tooLarge(c: Compression, max: number, seen: number): AppError {
  return new AppError('decompress-too-large', `Decompressing the ${c} stream produced more than ${max} bytes (the size the manifest records; ${seen} so far): stopped`, {
    hint: 'The backup is damaged or forged; verify it ("kubekeeper backup verify") and use another backup',
  });
}

/** Throws as soon as the total output passes `max`. */
async function* bounded(source: AsyncIterable<Uint8Array>, c: Compression, max: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > max) throw tooLarge(c, max, total);
    yield chunk;
  }
}

/** zstd when it is available here, else gzip. */
export function defaultCompression(): Compression {
  return zstdAvailable() ? 'zstd' : 'gzip';
}

/**
 * Output chunk size of gzip and zstd decompression (zlib's default is 16 KiB): a snapshot compresses
 * up to 40:1, and every output chunk then passes several hash and write stages, so 16 KiB
 * pieces cost more in per-chunk overhead than the inflate itself.
 */
const DECOMPRESS_CHUNK_BYTES = 1024 * 1024;

function createTransform(c: Compression, direction: 'compress' | 'decompress', level?: number): Transform | undefined {
  const z = zlib as unknown as ZstdZlib;
  switch (c) {
    case 'none':
      return undefined;
    case 'gzip':
      return direction === 'compress' ? zlib.createGzip({ level: level ?? GZIP_LEVEL }) : zlib.createGunzip({ chunkSize: DECOMPRESS_CHUNK_BYTES });
    case 'zstd': {
      const create = direction === 'compress' ? z.createZstdCompress : z.createZstdDecompress;
      if (!create) return undefined; // the zstd program does it: see compressStream
      if (direction === 'decompress') return (z.createZstdDecompress as NonNullable<ZstdZlib['createZstdDecompress']>)({ chunkSize: DECOMPRESS_CHUNK_BYTES });
      if (level === undefined) return create();
      // ZSTD_c_compressionLevel, from node:zlib's constants where zstd exists.
      const param = (zlib.constants as unknown as Record<string, number>).ZSTD_c_compressionLevel!;
      return (z.createZstdCompress as NonNullable<ZstdZlib['createZstdCompress']>)({ params: { [param]: level } });
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
export async function* compressStream(source: AsyncIterable<Uint8Array>, c: Compression, options: CompressOptions = {}): AsyncGenerator<Uint8Array> {
  if (c === 'zstd' && !zstdInZlib()) {
    yield* zstdThroughProcess(source, 'compress', options.level);
    return;
  }
  const transform = createTransform(c, 'compress', options.level);
  yield* transform ? through(source, transform) : source;
}

/**
 * Decompresses `source` written with `c`. Corrupt input throws AppError 'decompress-failed';
 * zstd on a runtime without it throws 'compression-unavailable'; output beyond
 * `maxOutputBytes` throws 'decompress-too-large' at once (the decompressor is stopped).
 */
export function decompressStream(source: AsyncIterable<Uint8Array>, c: Compression, options: DecompressOptions = {}): AsyncGenerator<Uint8Array> {
  const out = decompressUnbounded(source, c);
  return options.maxOutputBytes === undefined ? out : bounded(out, c, options.maxOutputBytes);
}

async function* decompressUnbounded(source: AsyncIterable<Uint8Array>, c: Compression): AsyncGenerator<Uint8Array> {
  if (c === 'zstd' && !zstdInZlib()) {
    yield* zstdThroughProcess(source, 'decompress');
    return;
  }
  const transform = createTransform(c, 'decompress');
  if (!transform) {
    yield* source;
    return;
  }
  try {
    yield* through(source, transform);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    // zlib errors carry Z_* codes (gzip) or ZSTD_* codes (zstd); anything else is not ours to rename.
    if (err instanceof AppError || !(code.startsWith('Z_') || code.startsWith('ZSTD_'))) throw err;
    throw new AppError('decompress-failed', `Cannot decompress the ${c} stream: ${(err as Error).message}`, {
      hint: 'The backup is damaged or its manifest names the wrong compression; try another backup',
      cause: err,
    });
  }
}
