import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import { BLOCK_BYTES, CachedFileReader, CACHE_BLOCKS, openSnapshotFile } from './snapshot-file.js';
import { HashAlong } from './snapshot-hash-along.js';

async function fileOf(t: import('node:test').TestContext, bytes: number): Promise<{ data: Buffer; ra: CachedFileReader }> {
  const dir = await tempDir(t);
  const data = randomBytes(bytes);
  const file = path.join(dir, 's.db');
  await writeFile(file, data);
  const snap = await openSnapshotFile(file);
  t.after(() => snap.close());
  return { data, ra: snap.ra as CachedFileReader };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('HashAlong gives the sha256 of the first N bytes whatever the order of the reads, each byte hashed once', async (t) => {
  const blocks = 3 * CACHE_BLOCKS + 5;
  const { data, ra } = await fileOf(t, blocks * BLOCK_BYTES + 777);
  const image = data.length - 32;
  let seed = 7;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 48271) + 11) >>> 0) % n);
  const patterns: [string, number[]][] = [
    ['in file order', Array.from({ length: blocks + 1 }, (_, i) => i)],
    ['backwards', Array.from({ length: blocks + 1 }, (_, i) => blocks - i)],
    ['random', Array.from({ length: 200 }, () => rnd(blocks + 1))],
    ['small jumps ahead and back', Array.from({ length: blocks + 1 }, (_, i) => Math.min(blocks, i % 5 === 0 ? i + 3 : i))],
    ['nothing read', []],
  ];
  for (const [name, order] of patterns) {
    const along = new HashAlong(ra, image);
    for (const b of order) ra.read(Math.min(b * BLOCK_BYTES + 10, data.length - 1), 1);
    assert.equal(along.finish(), sha(data.subarray(0, image)), name);
  }
});

test('HashAlong reads a walk in file order once: no read of its own', async (t) => {
  const blocks = 2 * CACHE_BLOCKS;
  const { data, ra } = await fileOf(t, blocks * BLOCK_BYTES);
  const along = new HashAlong(ra, data.length);
  for (let b = 0; b < blocks; b++) ra.read(b * BLOCK_BYTES, 16);
  assert.equal(along.finish(), sha(data));
  assert.equal(along.extraReads, 0);
  // A walk that skips every 4th block (freelist pages): each skipped block is read once for the hash.
  const { data: d2, ra: ra2 } = await fileOf(t, blocks * BLOCK_BYTES);
  const along2 = new HashAlong(ra2, d2.length);
  for (let b = 0; b < blocks; b++) if (b % 4 !== 3) ra2.read(b * BLOCK_BYTES, 16);
  assert.equal(along2.finish(), sha(d2));
  assert.equal(along2.extraReads, blocks / 4);
});
