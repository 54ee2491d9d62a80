import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBolt, resealMeta, revKey, withTrailer } from '../../test/support/bolt-builder.js';
import { minimalDb } from '../../test/fixtures/snapshot/minimal-db.js';
import { openBolt, type BoltEntry } from './bolt-reader.js';
import { SnapshotMetaError, SnapshotTruncatedError } from './errors.js';
import { randomAccessFromBytes } from './random-access.js';
import { snapshotStatus } from './status.js';

const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString());
const open = (bytes: Uint8Array) => openBolt(randomAccessFromBytes(bytes));

test('openBolt lists buckets and entries in key order when reading the spec minimal db', () => {
  const db = open(minimalDb());
  assert.equal(db.pageSize, 4096);
  assert.deepEqual(db.meta, { pageSize: 4096, root: 2n, freelist: 0xffffffffffffffffn, pgid: 3n, txid: 2n });
  const names = [...db.buckets()].map((b) => text(b.name));
  assert.deepEqual(names, ['key', 'meta']);
  const meta = [...(db.bucket('meta')?.entries() ?? [])];
  assert.deepEqual(meta.map((e) => [text(e.key), Buffer.from(e.value ?? []).toString('hex')]), [['consistent_index', '0000000000000001']]);
  assert.equal(db.bucket('nope'), undefined);
});

test('openBolt yields copies that stay intact when other buckets are read in between', () => {
  const entries = Array.from({ length: 300 }, (_, i) => [revKey(i + 1), `value-${i}`.padEnd(100, '.')] as [Uint8Array, string]);
  const built = buildBolt([{ name: 'key', entries }, { name: 'other', entries: [['a', '1']], noInline: true }], { maxPerNode: 7 });
  const db = open(built.bytes);
  const kept: BoltEntry[] = [];
  for (const e of db.bucket('key')?.entries() ?? []) {
    kept.push(e);
    assert.equal([...(db.bucket('other')?.entries() ?? [])].length, 1);
  }
  assert.equal(kept.length, 300);
  kept.forEach((e, i) => {
    assert.deepEqual(e.key, revKey(i + 1));
    assert.equal(text(e.value), `value-${i}`.padEnd(100, '.'));
  });
});

test('BoltBucket.scan visits the same entries as entries(), in order, with flags', () => {
  const entries = Array.from({ length: 300 }, (_, i) => [revKey(i + 1), `value-${i}`.padEnd(100, '.')] as [Uint8Array, string]);
  const db = open(buildBolt([{ name: 'key', entries }], { maxPerNode: 7 }).bytes);
  const scanned: string[] = [];
  db.bucket('key')?.scan((b, flags, keyStart, keyEnd, valueEnd) => {
    scanned.push(`${Buffer.from(b.subarray(keyStart, keyEnd)).toString('hex')}=${text(b.subarray(keyEnd, valueEnd))}/${flags}`);
  });
  const expected = [...(db.bucket('key')?.entries() ?? [])].map((e) => `${Buffer.from(e.key).toString('hex')}=${text(e.value)}/${e.flags}`);
  assert.equal(scanned.length, 300);
  assert.deepEqual(scanned, expected);
});

test('openBolt reports a nested bucket as a null value when a bucket nests another', () => {
  const built = buildBolt([{ name: 'a', entries: [['k', 'v']], nested: [{ name: 'n', entries: [['x', 'y']] }] }]);
  const entries = [...(open(built.bytes).bucket('a')?.entries() ?? [])];
  assert.deepEqual(entries.map((e) => [text(e.key), text(e.value), e.flags]), [['k', 'v', 0], ['n', null, 1]]);
});

test('openBolt reads the bucket sequence when it is set', () => {
  const built = buildBolt([{ name: 'a', entries: [], sequence: 42n }]);
  assert.equal([...open(built.bytes).buckets()][0]?.sequence, 42n);
});

for (const pageSize of [1024, 16384, 65536]) {
  test(`openBolt finds the page size when pages are ${pageSize} bytes`, () => {
    const built = buildBolt([{ name: 'key', entries: [[revKey(5), 'v']] }], { pageSize });
    assert.equal(open(built.bytes).pageSize, pageSize);
    assert.equal(snapshotStatus(randomAccessFromBytes(built.bytes)).totalSize, built.pgid * pageSize);
  });
}

test('openBolt falls back to meta page 1 (found by probing) when meta page 0 is damaged', () => {
  const built = buildBolt([{ name: 'key', entries: [[revKey(5), 'v']] }], { pageSize: 16384 });
  built.bytes[20] = 9; // meta 0 version: invalid
  const db = open(built.bytes);
  assert.equal(db.pageSize, 16384);
  assert.equal(db.meta.txid, 1n);
});

test('openBolt selects the meta with the higher txid when both are valid', () => {
  const bytes = minimalDb();
  new DataView(bytes.buffer).setBigUint64(4096 + 64, 7n, true);
  resealMeta(bytes, 1, 4096);
  assert.equal(open(bytes).meta.txid, 7n);
});

test('openBolt throws SnapshotMetaError naming both pages when neither meta is valid', () => {
  const bytes = minimalDb();
  bytes[72] = 0;
  bytes[4096 + 16] = 0;
  assert.throws(() => open(bytes), (err) => err instanceof SnapshotMetaError && err.reasons.length === 2 && /checksum/.test(err.reasons[0] ?? '') && /magic/.test(err.message));
});

test('openBolt throws SnapshotTruncatedError with both sizes when the file ends before pgid pages', () => {
  assert.throws(() => open(minimalDb().subarray(0, 8192)), (err) => err instanceof SnapshotTruncatedError && err.expectedBytes === 12288 && err.actualBytes === 8192);
});

test('openBolt ignores the sha256 trailer when the file has one', async () => {
  const db = open(await withTrailer(minimalDb()));
  assert.equal([...db.buckets()].length, 2);
});
