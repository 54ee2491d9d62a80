/**
 * Corrupt snapshots: every structural damage must end in an AppError subclass that names
 * the page (and offset) — never a crash, a hang or an unbounded allocation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBolt, resealMeta, revKey, type BuiltDb } from '../../test/support/bolt-builder.js';
import { AppError } from '../errors.js';
import { openBolt } from './bolt-reader.js';
import { EtcdDataError, SnapshotFormatError, SnapshotLimitError, SnapshotPageError } from './errors.js';
import { MAX_NODE_BYTES, MAX_TREE_DEPTH } from './limits.js';
import { randomAccessFromBytes, type RandomAccess } from './random-access.js';
import { snapshotStatus } from './status.js';
import { verifySnapshot } from './verify.js';
import { seededRandom } from '../seeded-random.js';

const PS = 4096;

function sampleDb(): BuiltDb {
  const entries = Array.from({ length: 200 }, (_, i) => [revKey(i + 2), Buffer.alloc(60, i)] as [Uint8Array, Uint8Array]);
  entries.push([revKey(300), Buffer.alloc(9000, 1)]);
  return buildBolt([
    { name: 'key', entries },
    { name: 'meta', entries: [['consistent_index', Buffer.alloc(8, 1)]] },
  ], { maxPerNode: 8 });
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const status = (bytes: Uint8Array) => snapshotStatus(randomAccessFromBytes(bytes));

function expectPageError(bytes: Uint8Array, pageId: number, pattern: RegExp, offset?: number): void {
  assert.throws(() => status(bytes), (err) => {
    assert.ok(err instanceof SnapshotPageError, `got ${String(err)}`);
    assert.equal(err.pageId, pageId);
    if (offset !== undefined) assert.equal(err.offset, offset);
    assert.match(err.message, pattern);
    assert.ok(err.hint);
    return true;
  });
}

const keyTree = (db: BuiltDb) => db.buckets.key as { root: number; leaves: number[]; branches: number[] };

test('status throws SnapshotPageError at the branch when a child points back to it (cycle)', () => {
  const db = sampleDb();
  const branch = keyTree(db).root;
  view(db.bytes).setBigUint64(branch * PS + 16 + 8, BigInt(branch), true);
  expectPageError(db.bytes, branch, /referenced more than once/, branch * PS + 16 + 8);
});

test('status throws SnapshotPageError when two branch elements share a child', () => {
  const db = sampleDb();
  const branch = keyTree(db).root;
  const v = view(db.bytes);
  v.setBigUint64(branch * PS + 32 + 8, v.getBigUint64(branch * PS + 16 + 8, true), true);
  expectPageError(db.bytes, branch, /referenced more than once/);
});

for (const [label, target] of [['past pgid', 10_000n], ['2^64-1', 0xffffffffffffffffn], ['meta page 1', 1n]] as const) {
  test(`status throws SnapshotPageError with the element offset when a child pointer is ${label}`, () => {
    const db = sampleDb();
    const branch = keyTree(db).root;
    view(db.bytes).setBigUint64(branch * PS + 16 + 8, target, true);
    expectPageError(db.bytes, branch, /outside the data pages/, branch * PS + 16 + 8);
  });
}

test('status throws SnapshotPageError when a page header id does not match its position', () => {
  const db = sampleDb();
  const leaf = keyTree(db).leaves[3] as number;
  view(db.bytes).setBigUint64(leaf * PS, 99n, true);
  expectPageError(db.bytes, leaf, /header id 99/, leaf * PS);
});

test('status throws SnapshotPageError when a tree page has the freelist type', () => {
  const db = sampleDb();
  const leaf = keyTree(db).leaves[0] as number;
  view(db.bytes).setUint16(leaf * PS + 8, 0x10, true);
  expectPageError(db.bytes, leaf, /freelist page where a branch or leaf page was expected/, leaf * PS + 8);
});

test('status throws SnapshotPageError when a leaf count does not fit in the page', () => {
  const db = sampleDb();
  const leaf = keyTree(db).leaves[1] as number;
  view(db.bytes).setUint16(leaf * PS + 10, 0xffff, true);
  expectPageError(db.bytes, leaf, /65535 elements/, leaf * PS + 10);
});

test('status throws SnapshotPageError at the element when a leaf key position points past the node', () => {
  const db = sampleDb();
  const leaf = keyTree(db).leaves[2] as number;
  view(db.bytes).setUint32(leaf * PS + 16 + 16 + 4, 0x7fffffff, true);
  expectPageError(db.bytes, leaf, /points past the end/, leaf * PS + 32);
});

test('status throws SnapshotPageError when overflow pages run past the last page', () => {
  const db = sampleDb();
  const leaf = keyTree(db).leaves.at(-1) as number;
  view(db.bytes).setUint32(leaf * PS + 12, 0xffffffff, true);
  expectPageError(db.bytes, leaf, /overflow pages, past the last page/, leaf * PS + 12);
});

test('status throws SnapshotPageError when an inline bucket page is not a leaf', () => {
  const db = sampleDb();
  // Root leaf: elem 1 is "meta" (inline); its page image follows the 16-byte bucket header.
  const v = view(db.bytes);
  const e = db.rootPage * PS + 32;
  const valueOffset = e + v.getUint32(e + 4, true) + v.getUint32(e + 8, true);
  v.setUint16(valueOffset + 16 + 8, 0x01, true);
  expectPageError(db.bytes, db.rootPage, /Inline bucket page is a branch page/);
});

test('status throws SnapshotPageError when the meta root points at a page of plain keys', () => {
  const db = sampleDb();
  for (const id of [0, 1] as const) {
    view(db.bytes).setBigUint64(id * PS + 32, BigInt(keyTree(db).leaves[0] as number), true);
    resealMeta(db.bytes, id, PS);
  }
  expectPageError(db.bytes, keyTree(db).leaves[0] as number, /is not a bucket/);
});

test('status throws SnapshotLimitError when branches nest deeper than MAX_TREE_DEPTH', () => {
  // Pages 2..(2+depth) are one-element branches, each pointing at the next; then an empty leaf.
  const depth = MAX_TREE_DEPTH + 5;
  const pgid = 3 + depth;
  const bytes = new Uint8Array(pgid * PS);
  const v = view(bytes);
  for (let id = 2; id < 2 + depth; id++) {
    v.setBigUint64(id * PS, BigInt(id), true);
    v.setUint16(id * PS + 8, 0x01, true);
    v.setUint16(id * PS + 10, 1, true);
    v.setUint32(id * PS + 16, 16, true);
    v.setUint32(id * PS + 20, 1, true);
    v.setBigUint64(id * PS + 24, BigInt(id + 1), true);
    bytes[id * PS + 32] = 0x61;
  }
  v.setBigUint64((2 + depth) * PS, BigInt(2 + depth), true);
  v.setUint16((2 + depth) * PS + 8, 0x02, true);
  const base = buildBolt([]);
  bytes.set(base.bytes.subarray(0, 2 * PS));
  for (const id of [0, 1] as const) {
    v.setBigUint64(id * PS + 32, 2n, true);
    v.setBigUint64(id * PS + 56, BigInt(pgid), true);
    resealMeta(bytes, id, PS);
  }
  assert.throws(() => status(bytes), (err) => err instanceof SnapshotLimitError && err.limit === MAX_TREE_DEPTH);
});

test('status throws SnapshotLimitError without allocating when a node claims more than MAX_NODE_BYTES', () => {
  // A sparse 1 TiB "file": only the metas and the root page exist; reads elsewhere are zeros.
  const sizeBytes = 2 ** 40;
  const pgid = sizeBytes / PS;
  const head = new Uint8Array(3 * PS);
  const v = view(head);
  const overflow = MAX_NODE_BYTES / PS + 10;
  v.setBigUint64(2 * PS, 2n, true);
  v.setUint16(2 * PS + 8, 0x02, true);
  v.setUint32(2 * PS + 12, overflow, true);
  for (const id of [0, 1] as const) {
    head.set(buildBolt([]).bytes.subarray(id * PS, (id + 1) * PS), id * PS);
    v.setBigUint64(id * PS + 32, 2n, true);
    v.setBigUint64(id * PS + 56, BigInt(pgid), true);
    resealMeta(head, id, PS);
  }
  let largestRead = 0;
  const ra: RandomAccess = {
    sizeBytes,
    read(offset, length) {
      largestRead = Math.max(largestRead, length);
      return offset + length <= head.length ? head.subarray(offset, offset + length) : new Uint8Array(length);
    },
  };
  assert.throws(() => snapshotStatus(ra), (err) => err instanceof SnapshotLimitError && err.pageId === 2);
  assert.ok(largestRead <= PS, `largest read ${largestRead}`);
});

test('status throws SnapshotPageError listing bbolt-style problems when a stored freelist is wrong', () => {
  const db = buildBolt([{ name: 'key', entries: [[revKey(2), 'v']], noInline: true }], { freelist: true, freePages: 2 });
  assert.equal(status(db.bytes).totalKey, 1, 'the intact freelist passes');
  const v = view(db.bytes);
  const fl = (db.freelistPage as number) * PS;
  v.setBigUint64(fl + 16, BigInt(keyTree(db).root), true); // a reachable page listed as free
  assert.throws(() => status(db.bytes), (err) => err instanceof SnapshotPageError && /reachable freed/.test(err.message) && /unreachable unfreed/.test(err.message));
});

test('status throws EtcdDataError naming the key when a key bucket key is too short', () => {
  const db = buildBolt([{ name: 'key', entries: [['abc', 'v']] }]);
  assert.throws(() => status(db.bytes), EtcdDataError);
});

test('status and openBolt throw SnapshotFormatError when truncated at every page boundary', () => {
  const db = sampleDb();
  for (let page = 0; page < db.pgid; page++) {
    for (const cut of [page * PS, page * PS + 1, page * PS + 16, page * PS + PS / 2]) {
      const bytes = db.bytes.subarray(0, cut);
      assert.throws(() => status(bytes), SnapshotFormatError, `cut at ${cut}`);
      assert.throws(() => [...openBolt(randomAccessFromBytes(bytes)).buckets()], SnapshotFormatError, `cut at ${cut}`);
    }
  }
});

/** Offsets worth hitting: page headers, element arrays and meta fields of pages in use. */
function structuralOffset(db: BuiltDb, rnd: () => number): number {
  const page = Math.floor(rnd() * db.pgid);
  return page * PS + Math.floor(rnd() * (rnd() < 0.7 ? 96 : PS));
}

test('status, bucket iteration and verify never fail with anything but AppError when fuzzed (3000 seeded mutations)', () => {
  const db = sampleDb();
  const rnd = seededRandom(20240601);
  const kinds = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const bytes = db.bytes.slice();
    const v = view(bytes);
    const at = structuralOffset(db, rnd);
    const r = rnd();
    if (r < 0.4) bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(rnd() * 8));
    else if (r < 0.6) bytes[at] = Math.floor(rnd() * 256);
    else if (r < 0.85 && at + 4 <= bytes.length) v.setUint32(at, [0xffffffff, 0x7fffffff, 0, 1, Math.floor(rnd() * 2 ** 32)][Math.floor(rnd() * 5)] as number, true);
    else if (at + 8 <= bytes.length) v.setBigUint64(at, BigInt(Math.floor(rnd() * 2 ** 20)), true);
    if (rnd() < 0.3) resealMeta(bytes, 0, PS);
    // verify reports instead of throwing, whatever the damage.
    assert.equal(verifySnapshot(randomAccessFromBytes(bytes)).checks.length, 9);
    try {
      status(bytes);
      for (const b of openBolt(randomAccessFromBytes(bytes)).buckets()) for (const _ of b.entries()) void _;
      kinds.set('ok', (kinds.get('ok') ?? 0) + 1);
    } catch (err) {
      assert.ok(err instanceof AppError, `case ${i} at ${at}: ${err instanceof Error ? err.stack : String(err)}`);
      kinds.set(err.code, (kinds.get(err.code) ?? 0) + 1);
    }
  }
  // The loop must exercise both outcomes and several error kinds to mean anything.
  assert.ok((kinds.get('ok') ?? 0) > 100 && kinds.size >= 4, JSON.stringify([...kinds]));
});
