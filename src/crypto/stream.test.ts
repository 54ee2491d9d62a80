import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ByteReader } from './byte-reader.js';
import { PayloadError } from './errors.js';
import { aeadSeal } from './primitives.js';
import { CHUNK_BYTES, ENCRYPTED_CHUNK_BYTES, openPayload, sealPayload } from './stream.js';
import { chunksOf, collect, collectUntilError, EDGE_LENGTHS, ODD_CHUNK_SIZES, patternBytes } from './testing.js';

// Spec §12 vector 3: payload key 0x40..0x5f, plaintext n bytes of "a".
const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x40 + i));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function nonce(counter: number, final: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeUIntBE(counter, 5, 6);
  n[11] = final ? 1 : 0;
  return n;
}

/** Hand-built STREAM chunks: [plaintext length, counter, final flag]. */
function chunks(...specs: [number, number, boolean][]): Buffer {
  return Buffer.concat(specs.map(([n, counter, final]) => aeadSeal(KEY, nonce(counter, final), Buffer.alloc(n, 0x61))));
}

function open(payload: Uint8Array, chunkBytes = 4096) {
  return collectUntilError(openPayload(new ByteReader(chunksOf(payload, chunkBytes)), KEY));
}

async function rejectsPayload(payload: Uint8Array, reason: RegExp, releasedBytes: number): Promise<void> {
  const { released, error } = await open(payload);
  assert.ok(error instanceof PayloadError, `expected PayloadError, got ${String(error)}`);
  assert.match(error.reason, reason);
  assert.equal(released.length, releasedBytes);
}

describe('sealPayload', () => {
  for (const [n, hash] of [
    [0, 'a06ccc8f86ef6dbbaf2fc7d31f4003792895e0e0021c8c6ee6985526eaf86d7b'],
    [65536, '10016bf5dcfa3ebf0bd1361ee5a93f1ab1dd3a5986f4382d2d504f716107bd3a'],
    [65537, '7a448ba9de8553aef93cb9431bf52a10b8da4a534dad7d18cd5c643b459cae75'],
  ] as const) {
    it(`matches spec vector 3 for ${n} bytes`, async () => {
      assert.equal(sha256(await collect(sealPayload(chunksOf(Buffer.alloc(n, 0x61), 1000), KEY))), hash);
    });
  }

  for (const size of ODD_CHUNK_SIZES) {
    it(`gives the same ciphertext whatever the input chunk size (${size} bytes) and round-trips`, async () => {
      const plain = patternBytes(2 * CHUNK_BYTES + 1234);
      const sealed = await collect(sealPayload(chunksOf(plain, size), KEY));
      assert.equal(sha256(sealed), sha256(await collect(sealPayload(chunksOf(plain, plain.length), KEY))));
      assert.deepEqual(await collect(openPayload(new ByteReader(chunksOf(sealed, size)), KEY)), plain);
    });
  }

  for (const n of EDGE_LENGTHS) {
    it(`writes 16 × max(1, ceil(n/64Ki)) tag bytes and round-trips when n = ${n}`, async () => {
      const plain = patternBytes(n);
      const sealed = await collect(sealPayload(chunksOf(plain, 4096), KEY));
      assert.equal(sealed.length, n + 16 * Math.max(1, Math.ceil(n / CHUNK_BYTES)));
      assert.deepEqual(await collect(openPayload(new ByteReader(chunksOf(sealed, 1000)), KEY)), plain);
    });
  }
});

describe('openPayload', () => {
  it('releases each chunk as soon as it authenticates', async () => {
    const reader = new ByteReader(chunksOf(chunks([CHUNK_BYTES, 0, false], [5, 1, true]), 70000));
    const gen = openPayload(reader, KEY);
    assert.equal(((await gen.next()).value as Uint8Array).length, CHUNK_BYTES);
    assert.equal(((await gen.next()).value as Uint8Array).length, 5);
    assert.equal((await gen.next()).done, true);
  });

  // Checklist item 13: no chunk at all.
  it('rejects an empty payload (stream_no_chunks)', () => rejectsPayload(Buffer.alloc(0), /has no chunks/, 0));
  // Item 14: authentication of every chunk.
  it('rejects a chunk sealed with the wrong final flag (stream_no_final)', () => rejectsPayload(chunks([5, 0, false]), /chunk 0 failed/, 0));
  it('rejects a wrong counter', () => rejectsPayload(chunks([CHUNK_BYTES, 0, false], [5, 2, true]), /chunk 1 failed/, CHUNK_BYTES));
  it('rejects reordered chunks', () => rejectsPayload(chunks([CHUNK_BYTES, 1, false], [CHUNK_BYTES, 0, false], [1, 2, true]), /chunk 0 failed/, 0));
  it('rejects a flipped ciphertext byte (stream_bad_tag)', () => {
    const payload = chunks([CHUNK_BYTES, 0, false], [100, 1, true]);
    payload[CHUNK_BYTES + 20] = payload[CHUNK_BYTES + 20]! ^ 1;
    return rejectsPayload(payload, /chunk 1 failed/, CHUNK_BYTES);
  });
  it('rejects a final chunk shorter than its tag (stream_missing_tag)', () => rejectsPayload(chunks([10, 0, true]).subarray(0, 15), /shorter than its tag/, 0));
  it('rejects a truncated last chunk', () => rejectsPayload(chunks([CHUNK_BYTES, 0, false], [100, 1, true]).subarray(0, ENCRYPTED_CHUNK_BYTES + 50), /chunk 1 failed/, CHUNK_BYTES));
  // Item 15: an empty final chunk is only valid as the only chunk.
  it('rejects an empty final chunk after a full one (stream_last_chunk_empty)', () =>
    rejectsPayload(chunks([CHUNK_BYTES, 0, false], [0, 1, true]), /empty final chunk 1/, CHUNK_BYTES));
  it('accepts an empty final chunk as the only chunk', async () => {
    const { released, error } = await open(chunks([0, 0, true]));
    assert.equal(error, undefined);
    assert.equal(released.length, 0);
  });
  // Item 16: nothing after the final chunk.
  it('rejects data after a full final chunk and releases that chunk first (stream_trailing_garbage_long)', () =>
    rejectsPayload(Buffer.concat([chunks([CHUNK_BYTES, 0, true]), Buffer.from('x')]), /data after the final chunk/, CHUNK_BYTES));
  it('rejects a second final chunk (stream_two_final_chunks)', () =>
    rejectsPayload(chunks([CHUNK_BYTES, 0, true], [5, 1, true]), /data after the final chunk/, CHUNK_BYTES));
  it('rejects trailing bytes glued to a short final chunk', () => rejectsPayload(Buffer.concat([chunks([5, 0, true]), Buffer.from('x')]), /chunk 0 failed/, 0));
  // Item 17: the input must not end after a non-final chunk.
  it('rejects a payload that ends after a non-final chunk (stream_no_final_full)', async () => {
    const { error } = await open(chunks([CHUNK_BYTES, 0, false]));
    assert.ok(error instanceof PayloadError);
    assert.equal(error.truncated, true);
    assert.equal(error.code, 'age-payload-truncated');
    assert.match(error.reason, /without a final chunk/);
  });
});
