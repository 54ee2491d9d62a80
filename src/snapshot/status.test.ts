import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBolt, revKey } from '../../test/support/bolt-builder.js';
import { crc32c } from './crc32c.js';
import { EtcdDataError } from './errors.js';
import { randomAccessFromBytes } from './random-access.js';
import { snapshotStatus } from './status.js';
import { minimalDb } from '../../test/fixtures/snapshot/minimal-db.js';

const kv = (key: string, rev: number, value: string) => {
  // mvccpb.KeyValue{key, create_revision, mod_revision, version 1, value}
  const k = Buffer.from(key);
  const v = Buffer.from(value);
  return Buffer.concat([Buffer.from([0x0a, k.length]), k, Buffer.from([0x10, rev, 0x18, rev, 0x20, 1, 0x2a, v.length]), v]);
};
const u64be = (n: number) => {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(n));
  return out;
};

test('snapshotStatus matches spec §6.4 when reading the hand-built minimal db', () => {
  const status = snapshotStatus(randomAccessFromBytes(minimalDb()));
  assert.deepEqual(status, { hash: 2462609387, revision: 2n, totalKey: 2, totalSize: 12288 });
  assert.equal(status.hash.toString(16), '92c86feb');
});

test('the test builder reproduces spec §6.4 byte for byte when given its buckets', () => {
  const built = buildBolt([
    { name: 'key', entries: [[revKey(2), kv('foo', 2, 'bar')]] },
    { name: 'meta', entries: [['consistent_index', u64be(1)]] },
  ]);
  assert.deepEqual(Buffer.from(built.bytes), Buffer.from(minimalDb()));
});

test('snapshotStatus gives hash 0be686de when the value is "T" and consistent_index is 20', () => {
  const built = buildBolt([
    { name: 'key', entries: [[revKey(2), kv('foo', 2, 'T')]] },
    { name: 'meta', entries: [['consistent_index', u64be(20)]] },
  ]);
  assert.equal(snapshotStatus(randomAccessFromBytes(built.bytes)).hash, 0x0be686de);
});

function manyKeys(n: number): [Uint8Array, Uint8Array][] {
  return Array.from({ length: n }, (_, i) => [revKey(i + 2), kv(`key-${i}`, (i % 100) + 2, 'x'.repeat(40))] as [Uint8Array, Uint8Array]);
}

test('snapshotStatus gives the same hash when the same data is laid out as a deep tree', () => {
  const buckets = [{ name: 'key', entries: manyKeys(500) }, { name: 'meta', entries: [['consistent_index', u64be(7)]] as [string, Uint8Array][] }];
  const flat = buildBolt(buckets);
  const deep = buildBolt(buckets, { maxPerNode: 3 });
  assert.ok(deep.buckets.key && deep.buckets.key.branches.length > 10, 'the deep layout has many branch pages');
  const a = snapshotStatus(randomAccessFromBytes(flat.bytes));
  const b = snapshotStatus(randomAccessFromBytes(deep.bytes));
  assert.equal(b.hash, a.hash);
  assert.equal(b.revision, 501n);
  assert.equal(b.totalKey, 501);
  assert.equal(b.totalSize, deep.pgid * 4096);
});

test('snapshotStatus hashes names, keys and values in order when a value spans overflow pages', () => {
  const big = Buffer.alloc(13000, 7);
  const built = buildBolt([{ name: 'key', entries: [[revKey(3), big]] }, { name: 'x', entries: [['k', 'v']] }]);
  const expected = crc32c(Buffer.concat([Buffer.from('key'), revKey(3), big, Buffer.from('xkv')]));
  assert.equal(snapshotStatus(randomAccessFromBytes(built.bytes)).hash, expected);
});

test('snapshotStatus hashes a nested bucket as its key alone when a bucket nests another', () => {
  const built = buildBolt([{ name: 'a', entries: [['k', 'v']], nested: [{ name: 'n', entries: [['deep', 'x']] }] }]);
  const status = snapshotStatus(randomAccessFromBytes(built.bytes));
  assert.equal(status.hash, crc32c(Buffer.from('akvn')));
  assert.equal(status.totalKey, 2);
});

test('snapshotStatus reports revision 0 when there is no key bucket', () => {
  const built = buildBolt([{ name: 'meta', entries: [['consistent_index', u64be(1)]] }]);
  assert.equal(snapshotStatus(randomAccessFromBytes(built.bytes)).revision, 0n);
});

test('snapshotStatus throws EtcdDataError when a key bucket key is shorter than 8 bytes', () => {
  const built = buildBolt([{ name: 'key', entries: [['short', 'v']] }]);
  assert.throws(() => snapshotStatus(randomAccessFromBytes(built.bytes)), (err) => err instanceof EtcdDataError && err.bucket === 'key' && err.keyHex === '73686f7274');
});

test('snapshotStatus reports the last revision as a signed int64 when the top bit is set', () => {
  const key = revKey(0);
  key[0] = 0xff;
  const built = buildBolt([{ name: 'key', entries: [[key, 'v']] }]);
  assert.equal(snapshotStatus(randomAccessFromBytes(built.bytes)).revision, BigInt.asIntN(64, 0xff00000000000000n));
});

test('snapshotStatus reads storageVersion and counts live user keys when etcd 3.6+ wrote the snapshot', () => {
  const tomb = (n: number) => Buffer.concat([revKey(n), Buffer.from('t')]);
  const entries: [Uint8Array, Uint8Array][] = [
    [revKey(2), kv('a', 2, 'x')], [revKey(3), kv('b', 3, 'y')], [revKey(4), kv('a', 4, 'z')],
    [tomb(5), Buffer.from([0x0a, 1, 0x62])], [revKey(6), kv('c', 6, 'w')],
  ];
  const legacy = snapshotStatus(randomAccessFromBytes(buildBolt([{ name: 'key', entries }, { name: 'meta', entries: [['consistent_index', u64be(6)]] }]).bytes));
  assert.equal(legacy.storageVersion, undefined);
  assert.equal(legacy.liveKeys, undefined);
  assert.equal(legacy.totalKey, 6);
  const v36 = snapshotStatus(randomAccessFromBytes(buildBolt([
    { name: 'key', entries },
    { name: 'meta', entries: [['consistent_index', u64be(6)], ['storageVersion', Buffer.from('3.6.0')]] },
  ]).bytes));
  // a (put twice) and c are alive; b was deleted.
  assert.deepEqual([v36.storageVersion, v36.liveKeys, v36.totalKey, v36.revision], ['3.6.0', 2, 7, 6n]);
});

test('snapshotStatus ignores a storageVersion that is not semver, as etcdutl does', () => {
  const built = buildBolt([{ name: 'key', entries: [[revKey(2), kv('foo', 2, 'T')]] }, { name: 'meta', entries: [['storageVersion', Buffer.from('3.6')]] }]);
  assert.equal(snapshotStatus(randomAccessFromBytes(built.bytes)).storageVersion, undefined);
});
