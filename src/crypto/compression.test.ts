import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { compressStream, decompressStream, defaultCompression, zstdAvailable, zstdEngine, zstdInZlib, type Compression } from './compression.js';
import { ZSTD_PROGRAM_ENV } from './zstd-process.js';
import { chunksOf, collect, collectUntilError, EDGE_LENGTHS, ODD_CHUNK_SIZES, patternBytes } from './testing.js';

const NO_ZSTD = zstdAvailable() ? false : `neither node:zlib in Node ${process.version} nor a zstd program has zstd`;

describe('compression', () => {
  it('defaultCompression is zstd exactly when node:zlib or the zstd program has it', () => {
    assert.equal(defaultCompression(), zstdAvailable() ? 'zstd' : 'gzip');
    assert.equal(zstdEngine(), zstdInZlib() ? 'zlib' : zstdAvailable() ? 'program' : undefined);
  });

  for (const size of ODD_CHUNK_SIZES) {
    it(`gzip round-trips when input arrives in ${size}-byte chunks`, async () => {
      const plain = patternBytes(150_000);
      const packed = await collect(compressStream(chunksOf(plain, size), 'gzip'));
      assert.ok(packed.length < plain.length);
      assert.deepEqual(gunzipSync(packed), plain, 'standard gzip reads it');
      assert.deepEqual(await collect(decompressStream(chunksOf(packed, size), 'gzip')), plain);
    });
  }

  for (const n of EDGE_LENGTHS) {
    it(`gzip round-trips ${n} bytes`, async () => {
      const packed = await collect(compressStream(chunksOf(patternBytes(n), 4096), 'gzip'));
      assert.deepEqual(await collect(decompressStream(chunksOf(packed, 4096), 'gzip')), patternBytes(n));
    });
  }

  it('zstd round-trips where it is available', { skip: NO_ZSTD }, async () => {
    const plain = patternBytes(300_000);
    const packed = await collect(compressStream(chunksOf(plain, 511), 'zstd'));
    assert.equal(packed.readUInt32LE(0), 0xfd2fb528, 'zstd frame magic');
    assert.deepEqual(await collect(decompressStream(chunksOf(packed, 513), 'zstd')), plain);
  });

  it('zstd throws compression-unavailable when neither node:zlib nor a program has it', { skip: zstdInZlib() ? 'this Node has zstd in node:zlib' : false }, async () => {
    const saved = process.env[ZSTD_PROGRAM_ENV];
    process.env[ZSTD_PROGRAM_ENV] = '';
    try {
      assert.equal(defaultCompression(), 'gzip');
      await assert.rejects(collect(compressStream(chunksOf(Buffer.from('x'), 1), 'zstd')), { code: 'compression-unavailable' });
      await assert.rejects(collect(decompressStream(chunksOf(Buffer.from('x'), 1), 'zstd')), { code: 'compression-unavailable' });
    } finally {
      if (saved === undefined) delete process.env[ZSTD_PROGRAM_ENV];
      else process.env[ZSTD_PROGRAM_ENV] = saved;
    }
  });

  it('gzip honours an explicit level', async () => {
    const plain = patternBytes(200_000);
    const fast = await collect(compressStream(chunksOf(plain, 65536), 'gzip', { level: 1 }));
    const stored = await collect(compressStream(chunksOf(plain, 65536), 'gzip', { level: 0 }));
    assert.ok(stored.length > plain.length, 'level 0 stores');
    assert.ok(fast.length < plain.length);
    assert.deepEqual(await collect(decompressStream(chunksOf(fast, 1000), 'gzip')), plain);
  });

  it('"none" passes bytes through unchanged', async () => {
    const plain = patternBytes(1000);
    assert.deepEqual(await collect(decompressStream(compressStream(chunksOf(plain, 7), 'none'), 'none')), plain);
  });

  it('gzip reports a truncated or corrupt stream as decompress-failed', async () => {
    const packed = await collect(compressStream(chunksOf(patternBytes(100_000), 4096), 'gzip'));
    const truncated = await collectUntilError(decompressStream(chunksOf(packed.subarray(0, packed.length - 10), 1000), 'gzip'));
    assert.equal((truncated.error as { code?: string }).code, 'decompress-failed');
    const garbage = await collectUntilError(decompressStream(chunksOf(Buffer.from('not gzip at all'), 4), 'gzip'));
    assert.equal((garbage.error as { code?: string }).code, 'decompress-failed');
  });

  it('passes an error of the source through unchanged', async () => {
    const boom = new Error('source failed');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('abc');
      throw boom;
    }
    for (const c of ['gzip', 'none'] as Compression[]) {
      assert.equal((await collectUntilError(compressStream(failing(), c))).error, boom);
    }
  });

  it('rejects an unknown compression name', async () => {
    await assert.rejects(collect(compressStream(chunksOf(Buffer.from('x'), 1), 'lz4' as Compression)), RangeError);
  });
});
