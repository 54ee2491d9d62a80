import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBolt, revKey } from '../../test/support/bolt-builder.js';
import { ProtoWriter } from '../protobuf/index.js';
import { openBoltFile } from './bolt-reader.js';
import { walkDb } from './bolt-walk.js';
import { randomAccessFromBytes } from './random-access.js';
import { RESERVED_PREFIX } from './reserved-prefix.js';
import { RestoreScan } from './restore-scan.js';

const kv = (key: string, rev: number, lease = 0) => new ProtoWriter().bytes(1, key).varint(2, rev).varint(3, rev).varint(4, 1).bytes(5, 'v').varintIfNonZero(6, lease).finish();
const u64be = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

test('RestoreScan counts every bucket\'s entries (the last one too), keeps the last kept revision and what a restore drops', () => {
  const keys: [Uint8Array, Uint8Array][] = [];
  for (let i = 1; i <= 95; i++) keys.push([revKey(i), kv(i % 10 === 0 ? `${RESERVED_PREFIX}lock/${i}` : `/registry/pods/p${i}`, i, i % 10 === 0 ? 1000 + i : 0)]);
  keys.push([revKey(96), kv(`${RESERVED_PREFIX}leader`, 96, 2000)]);
  const db = buildBolt([
    { name: 'key', entries: keys },
    { name: 'lease', entries: [[u64be(1010), 'a'], [u64be(1020), 'b'], [u64be(1500), 'c']] },
    { name: 'members', entries: [['m1', '{}'], ['m2', '{}']] },
    { name: 'meta', entries: [['consistent_index', u64be(7)], ['term', u64be(2)], ['zzz', 'x']] },
  ], { maxPerNode: 8 });
  const scan = new RestoreScan();
  walkDb(openBoltFile(randomAccessFromBytes(db.bytes)), scan);
  assert.deepEqual([...scan.entryCounts], [['key', 96], ['lease', 3], ['members', 2], ['meta', 3]]);
  assert.equal(scan.kubernetes, true);
  // Revision 96 is reserved (dropped): the last kept one is 95.
  assert.deepEqual(scan.lastKey, revKey(95));
  assert.equal(scan.reservedDropped, 10);
  assert.deepEqual(scan.droppedRevisions, [10, 20, 30, 40, 50, 60, 70, 80, 90, 96].map((i) => revKey(i)));
  assert.deepEqual(scan.droppedLeases, [u64be(1010), u64be(1020)].map((b) => new Uint8Array(b)));
});

test('RestoreScan without Kubernetes keys, and with a key bucket whose last entry is kept', () => {
  // Revisions past 2^56: every byte of the kept key matters.
  const db = buildBolt([
    { name: 'key', entries: [[revKey(2 ** 56), kv('a', 2)], [revKey(2 ** 56 + 2 ** 40, 3, true), kv('b', 3)]] },
    { name: 'meta', entries: [['consistent_index', u64be(3)]] },
  ]);
  const scan = new RestoreScan();
  walkDb(openBoltFile(randomAccessFromBytes(db.bytes)), scan);
  assert.equal(scan.kubernetes, false);
  assert.deepEqual(scan.lastKey, revKey(2 ** 56 + 2 ** 40, 3, true));
  assert.deepEqual([...scan.entryCounts], [['key', 2], ['meta', 1]]);
});
