import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { coalesceChunks } from './backup-chunks.js';

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of source) out.push(chunk);
  return out;
}

describe('coalesceChunks', () => {
  const data = randomBytes(10_000);
  for (const size of [1, 511, 512, 513, 4096, 10_000]) {
    test(`coalesceChunks yields the same bytes in 512-byte chunks when input chunks are ${size} bytes`, async () => {
      const out = await collect(coalesceChunks(chunksOf(data, size), 512));
      assert.deepEqual(Buffer.concat(out), data);
      // Every chunk but the last is exactly 512 bytes, except chunks that came in larger on a boundary.
      for (const chunk of out.slice(0, -1)) assert.ok(size >= 512 ? chunk.length >= 512 : chunk.length === 512, `chunk of ${chunk.length}`);
    });
  }

  test('coalesceChunks yields fresh buffers when the consumer keeps every chunk', async () => {
    const out = await collect(coalesceChunks(chunksOf(data, 100), 512));
    assert.equal(new Set(out.map((c) => c.buffer)).size, out.length);
  });

  test('coalesceChunks yields nothing when the source is empty', async () => {
    assert.deepEqual(await collect(coalesceChunks(chunksOf(new Uint8Array(0), 1), 512)), []);
  });
});
