import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openBolt, openBoltFile } from './bolt-reader.js';
import { rewriteTree } from './bolt-rewrite.js';
import { bucketRefs, leafNodes, rootRef } from './bolt-walk.js';
import { PageSet } from './bolt-page.js';
import { BoltWriter } from './bolt-writer.js';
import { u64le } from './bytes.js';
import { randomAccessFromBytes } from './random-access.js';
import { verifySnapshot } from './verify.js';
import { memorySink } from '../../test/support/bolt-sink.js';

const text = (s: string) => new TextEncoder().encode(s);
const key = (i: number) => text(`k${String(i).padStart(6, '0')}`);

/** A db with one bucket "b" holding keys [0, n) with `valueBytes`-byte values, page size 1024. */
function tree(n: number, valueBytes: number): Uint8Array {
  const sink = memorySink();
  const w = new BoltWriter({ pageSize: 1024, sink });
  w.beginBucket(text('b'));
  for (let i = 0; i < n; i++) w.put(key(i), new Uint8Array(valueBytes).fill(i & 0xff));
  w.endBucket();
  w.finish();
  return sink.bytes();
}

/** Applies the edit to bucket "b" copy-on-write; returns the new file and bucket "b"'s keys. */
function edit(source: Uint8Array, drop: number[], append: number[], valueBytes: number) {
  const file = openBoltFile(randomAccessFromBytes(source));
  const [ref] = [...leafNodes(file, file.root, rootRef(file), new PageSet(file.pgid))].flatMap((leaf) => bucketRefs(leaf, true));
  const sink = memorySink(source);
  const w = new BoltWriter({ pageSize: 1024, sink, firstPgid: file.pgid, txid: 3 });
  const root = rewriteTree(file, u64le((ref as { value: Uint8Array }).value, 0), {
    drop: drop.map(key), append: append.map((i) => ({ key: key(i), value: new Uint8Array(valueBytes).fill(i & 0xff) })),
  }, (leaf, elements) => w.placeNode(leaf, elements));
  if (root === undefined) {
    w.beginBucket(text('b'));
    w.endBucket();
  } else {
    const value = new Uint8Array(16);
    new DataView(value.buffer).setBigUint64(0, BigInt(root), true);
    w.putBucketValue(text('b'), value);
  }
  w.finish();
  const bytes = sink.bytes();
  assert.deepEqual(verifySnapshot(randomAccessFromBytes(bytes)).checks.filter((c) => !c.ok && c.name !== 'buckets' && c.name !== 'consistent-index'), []);
  const db = openBolt(randomAccessFromBytes(bytes));
  const entries = [...(db.bucket('b')?.entries() ?? [])];
  for (const e of entries) assert.equal(e.value?.[0], Number(new TextDecoder().decode(e.key).slice(1)) & 0xff);
  return { bytes, keys: entries.map((e) => new TextDecoder().decode(e.key)), oldPgid: file.pgid };
}

const names = (ids: number[]) => ids.map((i) => new TextDecoder().decode(key(i)));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

test('rewriteTree appends past full leaves, splitting nodes up to a new root level', () => {
  const source = tree(300, 40);
  // 3000 appended keys make a tree several times larger: every level on the right splits.
  const { keys } = edit(source, [], range(300, 3300), 40);
  assert.deepEqual(keys, names(range(0, 3300)));
});

test('rewriteTree drops keys from the middle, a whole run of leaves and the last leaf', () => {
  const dropped = [...range(10, 12), ...range(100, 400), ...range(590, 600)];
  const { keys, bytes, oldPgid } = edit(tree(600, 40), dropped, [], 40);
  assert.deepEqual(keys, names(range(0, 600).filter((i) => !dropped.includes(i))));
  // Only the paths to the changed leaves were written again.
  assert.ok(bytes.length / 1024 - oldPgid < oldPgid / 2);
});

test('rewriteTree leaves the tree as it is for an empty edit and empties it when every key is dropped', () => {
  const source = tree(200, 40);
  const file = openBoltFile(randomAccessFromBytes(source));
  assert.equal(rewriteTree(file, 7, { drop: [], append: [] }, () => assert.fail('nothing to place')), 7);
  assert.deepEqual(edit(source, range(0, 200), [], 40).keys, []);
  assert.deepEqual(edit(source, range(0, 200), [200, 201], 40).keys, names([200, 201]));
});

test('rewriteTree refuses an appended key that does not sort after the last key', () => {
  assert.throws(() => edit(tree(200, 40), [], [150], 40), /after the last key/);
});
