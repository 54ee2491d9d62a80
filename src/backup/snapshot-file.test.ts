import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { buildBolt, revKey } from '../../test/support/bolt-builder.js';
import { tempDir } from '../../test/support/temp.js';
import { openBolt, randomAccessFromBytes, snapshotStatus } from '../snapshot/index.js';
import { BLOCK_BYTES, CACHE_BLOCKS, openSnapshotFile, SnapshotFileError } from './snapshot-file.js';

test('openSnapshotFile reads the same bytes as the file when reads hit, span and miss cached blocks', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(BLOCK_BYTES * (CACHE_BLOCKS + 3) + 1234);
  const file = path.join(dir, 's.db');
  await writeFile(file, data);
  const snap = await openSnapshotFile(file);
  t.after(() => snap.close());
  assert.equal(snap.sizeBytes, data.length);
  let seed = 1;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 48271) + 11) >>> 0) % n);
  const ranges: [number, number][] = [[0, 0], [0, 16], [BLOCK_BYTES - 8, 16], [data.length - 1, 1], [data.length - 1234, 1234], [5, 3 * BLOCK_BYTES]];
  for (let i = 0; i < 400; i++) ranges.push([rnd(data.length - 5000), 1 + rnd(5000)]);
  for (const [offset, length] of ranges) {
    assert.deepEqual(Buffer.from(snap.ra.read(offset, length)), data.subarray(offset, offset + length), `read ${length} at ${offset}`);
  }
});

test('openSnapshotFile reads across block boundaries in file order, in adjacent slots and where the slots wrap, as a walk of large values does', async (t) => {
  const dir = await tempDir(t);
  const blocks = 2 * CACHE_BLOCKS + 3;
  const data = randomBytes(BLOCK_BYTES * blocks + 777);
  const file = path.join(dir, 's.db');
  await writeFile(file, data);
  const snap = await openSnapshotFile(file);
  t.after(() => snap.close());
  // Overflow nodes of ~200 KiB one after the other: most cross a boundary, some the wrap
  // (a read ending in block k * CACHE_BLOCKS), and between them small reads of earlier blocks.
  const node = 200 * 1024 + 96;
  for (let offset = 100; offset + node <= data.length; offset += node) {
    assert.deepEqual(Buffer.from(snap.ra.read(offset, node)), data.subarray(offset, offset + node), `node at ${offset}`);
    const back = Math.max(0, offset - 3 * BLOCK_BYTES);
    assert.deepEqual(Buffer.from(snap.ra.read(back, 4096)), data.subarray(back, back + 4096), `page at ${back}`);
  }
  const wrap = CACHE_BLOCKS * BLOCK_BYTES - 10;
  assert.deepEqual(Buffer.from(snap.ra.read(wrap, 20)), data.subarray(wrap, wrap + 20), 'across the wrap');
  const adjacent = 3 * BLOCK_BYTES - 10;
  assert.deepEqual(Buffer.from(snap.ra.read(adjacent, 20)), data.subarray(adjacent, adjacent + 20), 'across adjacent slots');
});

test('openSnapshotFile reads throw RangeError when a read goes past the end', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 's.db');
  await writeFile(file, Buffer.alloc(100));
  const snap = await openSnapshotFile(file);
  t.after(() => snap.close());
  assert.throws(() => snap.ra.read(90, 11), RangeError);
  assert.throws(() => snap.ra.read(-1, 1), RangeError);
});

test('openSnapshotFile throws snapshot-not-found with a hint when the file does not exist', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(openSnapshotFile(path.join(dir, 'missing.db')), (err) => err instanceof SnapshotFileError && err.code === 'snapshot-not-found' && /missing\.db/.test(err.message) && Boolean(err.hint));
});

test('openSnapshotFile throws snapshot-is-directory naming member/snap/db when given a directory', async (t) => {
  const dir = await tempDir(t);
  await mkdir(path.join(dir, 'data'));
  await assert.rejects(openSnapshotFile(path.join(dir, 'data')), (err) => err instanceof SnapshotFileError && err.code === 'snapshot-is-directory' && /member\/snap\/db/.test(err.hint ?? ''));
});

test('openSnapshotFile throws snapshot-permission when the file is unreadable', { skip: process.getuid?.() === 0 ? 'root can read a 0000 file' : false }, async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 's.db');
  await writeFile(file, Buffer.alloc(10));
  await chmod(file, 0o000);
  await assert.rejects(openSnapshotFile(file), (err) => err instanceof SnapshotFileError && err.code === 'snapshot-permission');
});

test('openSnapshotFile gives openBolt copies that survive cache eviction when the db is larger than the cache', async (t) => {
  const dir = await tempDir(t);
  // ~6 MiB in "key", more than CACHE_BLOCKS × BLOCK_BYTES, then ~2 MiB in "x" so that the
  // root leaf (written last) sits in a block the "key" walk never touches: it gets recycled
  // while the walk still holds the other buckets' values.
  const entries = Array.from({ length: 1500 }, (_, i) => [revKey(i + 1), randomBytes(4000)] as [Uint8Array, Uint8Array]);
  const filler = Array.from({ length: 600 }, (_, i) => [`f${String(i).padStart(4, '0')}`, randomBytes(4000)] as [string, Uint8Array]);
  const built = buildBolt([{ name: 'key', entries }, { name: 'meta', entries: [['consistent_index', Buffer.alloc(8)]] }, { name: 'x', entries: filler }]);
  assert.ok(built.bytes.length > BLOCK_BYTES * CACHE_BLOCKS);
  const file = path.join(dir, 'big.db');
  await writeFile(file, built.bytes);
  const snap = await openSnapshotFile(file);
  t.after(() => snap.close());
  assert.deepEqual(snapshotStatus(snap.ra), snapshotStatus(randomAccessFromBytes(built.bytes)));
  const db = openBolt(snap.ra);
  const bucketsFirst = [...db.buckets()];
  const kept = [...(bucketsFirst[0]?.entries() ?? [])];
  for (const b of db.buckets()) for (const e of b.entries()) void e;
  assert.equal(kept.length, 1500);
  kept.forEach((e, i) => assert.deepEqual(Buffer.from(e.value ?? []), Buffer.from(entries[i]?.[1] ?? []), `entry ${i}`));
  assert.equal(Buffer.from(bucketsFirst[1]?.name ?? []).toString(), 'meta');
});
