import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ChecksumMismatchError, hasTrailer, verifyTrailerStream, type TrailerResult } from './trailer.js';

function withTrailer(db: Uint8Array): Uint8Array {
  return Buffer.concat([db, createHash('sha256').update(db).digest()]);
}

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of source) parts.push(c);
  return Buffer.concat(parts);
}

test('hasTrailer follows the size % 512 == 32 rule', () => {
  assert.equal(hasTrailer(20512), true);
  assert.equal(hasTrailer(20480), false);
  assert.equal(hasTrailer(32), true);
});

for (const size of [1, 31, 32, 33, 511, 513, 4096]) {
  test(`verifyTrailerStream passes bytes through and reports the hash when chunks are ${size} bytes`, async () => {
    const db = randomBytes(8192);
    const file = withTrailer(db);
    let result: TrailerResult | undefined;
    const out = await drain(verifyTrailerStream(chunks(file, size), 'test', (r) => (result = r)));
    assert.deepEqual(Buffer.from(out), Buffer.from(file));
    assert.equal(result?.dbSizeBytes, 8192);
    assert.equal(result?.sha256, createHash('sha256').update(db).digest('hex'));
  });
}

test('verifyTrailerStream reports the hash when short and long chunks alternate', async () => {
  const db = randomBytes(8192);
  const file = withTrailer(db);
  // Sizes around the trailer length, so a held-back tail meets both kinds of next chunk.
  const sizes = [5, 100, 1, 31, 40, 32, 3, 513, 33, 2];
  async function* mixed(): AsyncGenerator<Uint8Array> {
    for (let i = 0, k = 0; i < file.length; k++) {
      const n = sizes[k % sizes.length] as number;
      yield file.subarray(i, i + n);
      i += n;
    }
  }
  let result: TrailerResult | undefined;
  const out = await drain(verifyTrailerStream(mixed(), 'test', (r) => (result = r)));
  assert.deepEqual(Buffer.from(out), Buffer.from(file));
  assert.equal(result?.dbSizeBytes, 8192);
  assert.equal(result?.sha256, createHash('sha256').update(db).digest('hex'));
});

test('verifyTrailerStream throws ChecksumMismatchError when one byte is flipped', async () => {
  const file = withTrailer(randomBytes(4096));
  file[100] = (file[100] as number) ^ 1;
  await assert.rejects(drain(verifyTrailerStream(chunks(file, 513), 'snap')), (err: unknown) =>
    err instanceof ChecksumMismatchError && err.expected !== err.actual && /snap: sha256 mismatch/.test(err.message));
});

test('verifyTrailerStream throws when the stream is shorter than a trailer', async () => {
  await assert.rejects(drain(verifyTrailerStream(chunks(new Uint8Array(10), 3), 'short')), ChecksumMismatchError);
});
