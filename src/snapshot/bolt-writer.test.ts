import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openBolt } from './bolt-reader.js';
import { BoltWriter } from './bolt-writer.js';
import { randomAccessFromBytes } from './random-access.js';
import { snapshotStatus } from './status.js';
import { verifySnapshot } from './verify.js';
import { memorySink } from '../../test/support/bolt-sink.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const text = (s: string) => new TextEncoder().encode(s);

type Buckets = [string, [Uint8Array, Uint8Array][]][];

function writeDb(buckets: Buckets, pageSize = 4096, fillPercent = 1.0): Uint8Array {
  const sink = memorySink();
  const w = new BoltWriter({ pageSize, fillPercent, sink });
  for (const [name, entries] of buckets) {
    w.beginBucket(text(name));
    for (const [k, v] of entries) w.put(k, v);
    w.endBucket();
  }
  const result = w.finish();
  assert.equal(sink.bytes().length, result.sizeBytes);
  return sink.bytes();
}

function readDb(bytes: Uint8Array): Buckets {
  const db = openBolt(randomAccessFromBytes(bytes));
  return [...db.buckets()].map((b) => [new TextDecoder().decode(b.name), [...b.entries()].map((e) => [e.key, e.value as Uint8Array])]);
}

/** §6.4: the canonical 12288-byte db, every byte not listed zero. */
const MINIMAL_DB_ROWS: [number, string][] = [
  [0x00000, '00000000000000000400000000000000'], [0x00010, 'edda0ced020000000010000000000000'],
  [0x00020, '02000000000000000000000000000000'], [0x00030, 'ffffffffffffffff0300000000000000'],
  [0x00040, '02000000000000004067af04a0b168e3'],
  [0x01000, '01000000000000000400000000000000'], [0x01010, 'edda0ced020000000010000000000000'],
  [0x01020, '02000000000000000000000000000000'], [0x01030, 'ffffffffffffffff0300000000000000'],
  [0x01040, '0100000000000000a3457d25bb065940'],
  [0x02000, '02000000000000000200020000000000'], [0x02010, '01000000200000000300000051000000'],
  [0x02020, '01000000640000000400000048000000'], [0x02030, '6b657900000000000000000000000000'],
  [0x02040, '00000000000000000000000200010000'], [0x02050, '00000000000000100000001100000010'],
  [0x02060, '00000000000000000000025f00000000'], [0x02070, '000000000a03666f6f1002180220012a'],
  [0x02080, '036261726d6574610000000000000000'], [0x020a0, '02000100000000000000000010000000'],
  [0x020b0, '1000000008000000636f6e7369737465'], [0x020c0, '6e745f696e6465780000000000000001'],
];

const minimalBuckets: Buckets = [
  ['key', [[hex('0000000000000002 5f 0000000000000000'), hex('0a03666f6f 1002 1802 2001 2a03626172')]]],
  ['meta', [[text('consistent_index'), hex('0000000000000001')]]],
];

test('BoltWriter writes the spec §6.4 minimal db byte for byte', () => {
  const expected = new Uint8Array(12288);
  for (const [offset, row] of MINIMAL_DB_ROWS) expected.set(hex(row), offset);
  const actual = writeDb(minimalBuckets);
  assert.equal(actual.length, 12288);
  assert.equal(Buffer.compare(actual, expected), 0, `first difference at ${actual.findIndex((b, i) => b !== expected[i])}`);
  assert.deepEqual(snapshotStatus(randomAccessFromBytes(actual)), { hash: 2462609387, revision: 2n, totalKey: 2, totalSize: 12288 });
});

/** Deterministic pseudo-random bytes. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 0x100000000;
  };
}

function randomBucket(n: number, rand: () => number, maxValue: number): [Uint8Array, Uint8Array][] {
  const keys = new Map<string, Uint8Array>();
  while (keys.size < n) {
    const k = Uint8Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.floor(rand() * 256));
    keys.set(Buffer.from(k).toString('hex'), k);
  }
  return [...keys.values()].sort((a, b) => Buffer.compare(a, b)).map((k) => {
    const big = rand() < 0.01;
    return [k, Uint8Array.from({ length: Math.floor(rand() * (big ? maxValue * 20 : maxValue)) }, () => Math.floor(rand() * 256))];
  });
}

for (const [pageSize, fill] of [[4096, 1.0], [4096, 0.5], [1024, 0.9], [16384, 0.1]] as const) {
  test(`BoltWriter round-trips multi-level trees through the reader when pages are ${pageSize} bytes at fill ${fill}`, () => {
    const rand = rng(pageSize + fill * 1000);
    const buckets: Buckets = [
      ['alarm', []],
      ['big', randomBucket(3000, rand, 300)],
      ['inline', randomBucket(3, rand, 10)],
      ['large-values', randomBucket(40, rand, pageSize)],
    ];
    const bytes = writeDb(buckets, pageSize, fill);
    assert.deepEqual(readDb(bytes), buckets);
    const report = verifySnapshot(randomAccessFromBytes(bytes));
    for (const name of ['meta', 'size', 'structure', 'freelist'] as const) {
      const check = report.checks.find((c) => c.name === name);
      assert.equal(check?.ok, true, `${name}: ${check?.detail}`);
    }
  });
}

/** Spec §2.10's batch split, over element sizes: node sizes of one level. */
function batchSplit(sizes: number[], pageSize: number, fill: number): number[][] {
  const out: number[][] = [];
  let rest = sizes;
  for (;;) {
    const total = 16 + rest.reduce((a, b) => a + b, 0);
    if (rest.length <= 4 || total < pageSize) return [...out, rest];
    let acc = 16;
    let idx = 0;
    for (let i = 0; i < rest.length - 2; i++) {
      idx = i;
      if (i >= 2 && acc + (rest[i] as number) > Math.floor(pageSize * fill)) break;
      acc += rest[i] as number;
    }
    out.push(rest.slice(0, idx));
    rest = rest.slice(idx);
  }
}

/** Pages of the canonical layout of one non-inline bucket plus the root leaf and metas. */
function canonicalPages(entries: [Uint8Array, Uint8Array][], pageSize: number, fill: number): number {
  const pages = (node: number[]) => Math.ceil((16 + node.reduce((a, b) => a + b, 0)) / pageSize);
  let level = batchSplit(entries.map(([k, v]) => 16 + k.length + v.length), pageSize, fill);
  let firstKeys: number[] = [];
  let total = level.reduce((n, node) => n + pages(node), 0);
  let offset = 0;
  firstKeys = level.map((node) => { const k = entries[offset]?.[0].length ?? 0; offset += node.length; return k; });
  while (level.length > 1) {
    const next = batchSplit(firstKeys.map((k) => 16 + k), pageSize, fill);
    let at = 0;
    const nextKeys = next.map((node) => { const k = firstKeys[at] as number; at += node.length; return k; });
    total += next.reduce((n, node) => n + pages(node), 0);
    level = next;
    firstKeys = nextKeys;
  }
  return 2 + total + 1;
}

for (const [seed, fill, maxValue] of [[1, 1.0, 200], [2, 0.5, 200], [3, 0.9, 3000], [4, 1.0, 9000], [5, 0.1, 50]] as const) {
  test(`BoltWriter splits a stream into the same nodes as the batch split when seed is ${seed} and fill ${fill}`, () => {
    const entries = randomBucket(4000, rng(seed), maxValue);
    const bytes = writeDb([['k', entries]], 4096, fill);
    assert.equal(bytes.length / 4096, canonicalPages(entries, 4096, fill));
  });
}

test('BoltWriter packs leaves like bbolt compact when fill is 1.0 (every page but the last is over 3/4 full)', () => {
  const rand = rng(7);
  const entries = randomBucket(5000, rand, 60);
  const bytes = writeDb([['k', entries]]);
  const payload = entries.reduce((n, [k, v]) => n + 16 + k.length + v.length, 0);
  const pages = bytes.length / 4096 - 2;
  assert.ok(pages <= Math.ceil(payload / 4096 / 0.95) + 3, `${pages} pages for ${payload} payload bytes`);
});

test('BoltWriter writes inline buckets up to a quarter page and pages above', () => {
  // 16 header + 16 element + 4 key + v: inline iff <= 1024.
  for (const [v, inline] of [[988, true], [989, false]] as const) {
    const bytes = writeDb([['b', [[text('keyy'), new Uint8Array(v)]]]]);
    assert.equal(bytes.length, (inline ? 3 : 4) * 4096, `value ${v}`);
  }
});

test('BoltWriter refuses keys out of order, empty keys and unsorted buckets', () => {
  const w = new BoltWriter({ pageSize: 4096, sink: memorySink() });
  w.beginBucket(text('b'));
  w.put(text('b'), new Uint8Array());
  assert.throws(() => w.put(text('a'), new Uint8Array()), /strictly ascending/);
  assert.throws(() => w.put(text('b'), new Uint8Array()), /strictly ascending/);
  assert.throws(() => w.put(new Uint8Array(), new Uint8Array()), /Key of 0 bytes/);
  w.endBucket();
  assert.throws(() => w.beginBucket(text('a')), /ascending/);
});

test('BoltWriter batches contiguous pages into few sink writes', () => {
  const sink = memorySink();
  const w = new BoltWriter({ pageSize: 4096, sink });
  w.beginBucket(text('k'));
  for (let i = 0; i < 20000; i++) w.put(text(`key-${String(i).padStart(8, '0')}`), new Uint8Array(100));
  w.endBucket();
  const { sizeBytes } = w.finish();
  assert.ok(sizeBytes > 2_000_000);
  assert.ok(sink.writes < 5, `${sink.writes} writes`);
});
