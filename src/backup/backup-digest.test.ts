import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ChecksumMismatchError } from '../snapshot/index.js';
import { chunksOf, collect, testBytes } from '../storage/testing.js';
import { withTrailer } from './backup-fakes.js';
import { type SnapshotDigest, snapshotDigestTap } from './backup-digest.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('snapshotDigestTap passes every byte and hashes image and file in one pass, whatever the chunk sizes', async () => {
  const db = testBytes(4096 * 3);
  const file = withTrailer(db);
  for (const size of [1, 31, 32, 33, 511, 513, file.length]) {
    let digest: SnapshotDigest | undefined;
    const out = await collect(snapshotDigestTap(chunksOf(file, size), 'snap', (d) => (digest = d)));
    assert.deepEqual(out, file, `chunk ${size}`);
    assert.deepEqual(digest, { sizeBytes: file.length, sha256: sha(file), dbSizeBytes: db.length, dbSha256: sha(db) }, `chunk ${size}`);
  }
});

test('snapshotDigestTap throws ChecksumMismatchError with both hashes when the trailer does not match', async () => {
  const file = withTrailer(testBytes(8192));
  file[10] = (file[10] ?? 0) ^ 1;
  await assert.rejects(collect(snapshotDigestTap(chunksOf(file, 513), 'snap', () => undefined)), (err: unknown) => {
    assert.ok(err instanceof ChecksumMismatchError);
    assert.equal(err.expected, Buffer.from(file.subarray(-32)).toString('hex'));
    assert.equal(err.actual, sha(file.subarray(0, -32)));
    return true;
  });
});

test('snapshotDigestTap rejects a stream shorter than a trailer', async () => {
  await assert.rejects(collect(snapshotDigestTap(chunksOf(testBytes(20), 7), 'snap', () => undefined)), /a stream of 20 bytes/);
});

test('snapshotDigestTap shows the whole-file digest to beforeTrailerCheck first, whose error wins over a bad trailer', async () => {
  const file = withTrailer(testBytes(8192));
  let seen: unknown;
  await collect(snapshotDigestTap(chunksOf(file, 100), 'snap', () => undefined, (whole) => (seen = whole)));
  assert.deepEqual(seen, { sizeBytes: file.length, sha256: sha(file) });
  file[10] = (file[10] ?? 0) ^ 1;
  const first = new Error('content hash differs from the manifest');
  await assert.rejects(collect(snapshotDigestTap(chunksOf(file, 100), 'snap', () => undefined, () => {
    throw first;
  })), (err: unknown) => err === first);
  const short = testBytes(20);
  await assert.rejects(collect(snapshotDigestTap(chunksOf(short, 7), 'snap', () => undefined, (whole) => {
    assert.deepEqual(whole, { sizeBytes: 20, sha256: sha(short) });
    throw first;
  })), (err: unknown) => err === first);
});
