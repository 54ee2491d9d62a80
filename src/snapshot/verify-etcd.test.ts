import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter } from '../protobuf/index.js';
import type { BoltNode } from './bolt-page.js';
import { EtcdVerifier } from './verify-etcd.js';

/** A revision key: 8-byte main, "_", 8-byte sub, optional tombstone mark. */
function revKey(main: bigint, sub = 0n, tombstone = false): Uint8Array {
  const key = new Uint8Array(tombstone ? 18 : 17);
  const view = new DataView(key.buffer);
  view.setBigUint64(0, BigInt.asUintN(64, main));
  key[8] = 0x5f;
  view.setBigUint64(9, BigInt.asUintN(64, sub));
  if (tombstone) key[17] = 0x74;
  return key;
}

const kv = (mod: bigint, create = mod, version = 1n, lease = 0n) =>
  new ProtoWriter().bytes(1, 'k').varint(2, BigInt.asUintN(64, create)).varint(3, BigInt.asUintN(64, mod)).varint(4, BigInt.asUintN(64, version)).bytes(5, 'v').varintIfNonZero(6, BigInt.asUintN(64, lease)).finish();

/** The `key` bucket's entries through one verifier; its results. `exactOnly` turns the fast path off. */
function verify(entries: [Uint8Array, Uint8Array][], exactOnly: boolean) {
  const v = new EtcdVerifier();
  if (exactOnly) Object.assign(v, { revisionPasses: () => false });
  v.bucket(new TextEncoder().encode('key'));
  for (const [key, value] of entries) {
    // Inside a larger leaf, as the walk passes entries: bytes before and after (a varint that
    // never ends, so that reading past the entry would show).
    const bytes = new Uint8Array(3 + key.length + value.length + 3).fill(0xff);
    bytes.set(key, 3);
    bytes.set(value, 3 + key.length);
    const leaf: BoltNode = { pageId: 2, flags: 2, count: 1, bytes, fileOffset: 8192 };
    v.entry(leaf, 0, 3, 3 + key.length, 3 + key.length + value.length);
  }
  return { order: v.order.result('ordered'), checks: v.results() };
}

function assertSame(entries: [Uint8Array, Uint8Array][], why: string): void {
  assert.deepEqual(verify(entries, false), verify(entries, true), why);
}

test('the verifier fast path reports what the exact check reports, on well-formed and edge-case revisions', () => {
  const cases: [string, [Uint8Array, Uint8Array][]][] = [
    ['plain revisions', [[revKey(1n), kv(1n)], [revKey(2n), kv(2n, 1n, 2n)], [revKey(3n, 1n), kv(3n)]]],
    ['a tombstone', [[revKey(5n), kv(5n)], [revKey(6n, 0n, true), new ProtoWriter().bytes(1, 'k').varint(3, 6n).finish()]]],
    ['a bumped revision with an empty value (etcd 3.5)', [[revKey(1_000_000_005n), new Uint8Array(0)]]],
    ['a tombstone with an empty value', [[revKey(7n, 0n, true), new Uint8Array(0)]]],
    ['revisions past 2^53', [[revKey(2n ** 53n + 1n), kv(2n ** 53n + 1n)], [revKey(2n ** 60n), kv(2n ** 60n)]]],
    ['a negative revision', [[revKey(-5n), kv(-5n)]]],
    ['a negative sub-revision', [[revKey(5n, -1n), kv(5n)]]],
    ['revision 0', [[revKey(0n), kv(0n)]]],
    ['mod_revision differs', [[revKey(9n), kv(8n)]]],
    ['create_revision above mod', [[revKey(9n), kv(9n, 10n)]]],
    ['create_revision 0', [[revKey(9n), kv(9n, 0n)]]],
    ['create_revision negative', [[revKey(9n), kv(9n, -1n)]]],
    ['version 0', [[revKey(9n), kv(9n, 9n, 0n)]]],
    ['version negative', [[revKey(9n), kv(9n, 9n, -3n)]]],
    ['a lease past 2^53 and a negative one', [[revKey(9n), kv(9n, 9n, 1n, 2n ** 62n)], [revKey(10n), kv(10n, 10n, 1n, -1n)]]],
    ['an empty key', [[revKey(9n), new ProtoWriter().varint(2, 9n).varint(3, 9n).varint(4, 1n).finish()]]],
    ['a wrong wire type', [[revKey(9n), new ProtoWriter().bytes(1, 'k').bytes(3, 'x').finish()]]],
    ['unknown fields', [[revKey(9n), new ProtoWriter().bytes(1, 'k').varint(2, 9n).varint(3, 9n).varint(4, 1n).bytes(7, 'x').varint(9, 1n).finish()]]],
    ['a field number past 2^29', [[revKey(9n), Uint8Array.from([...kv(9n), 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x05])]]],
    // Its key varint is too long for a number: wire type 2 (a length past the end) read as 0.
    ['a field number past 2^29 with a length past the end', [[revKey(9n), Uint8Array.from([...kv(9n), 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x05])]]],
    ['a truncated value', [[revKey(9n), kv(9n).subarray(0, 6)]]],
    ['a short key', [[revKey(9n).subarray(0, 16), kv(9n)]]],
    ['a bad separator', [[Uint8Array.from([...revKey(9n).subarray(0, 8), 0x2d, ...revKey(9n).subarray(9)]), kv(9n)]]],
    ['a bad tombstone mark', [[Uint8Array.from([...revKey(9n), 0x75]), kv(9n)]]],
    ['keys out of order', [[revKey(9n), kv(9n)], [revKey(8n), kv(8n)]]],
    ['a repeated field (the last wins)', [[revKey(9n), new ProtoWriter().bytes(1, 'k').varint(3, 1n).varint(2, 9n).varint(3, 9n).varint(4, 1n).finish()]]],
  ];
  for (const [why, entries] of cases) assertSame(entries, why);
});

test('the verifier fast path takes the well-formed revisions itself', () => {
  const v = new EtcdVerifier();
  const fast = v as unknown as { revisionPasses(b: Uint8Array, keyStart: number, keyEnd: number, valueEnd: number): boolean };
  // The entry inside a larger leaf, as the walk passes it: bytes before and after it.
  const passes = (key: Uint8Array, value: Uint8Array) => {
    const b = Uint8Array.from([0xff, 0x0a, ...key, ...value, 0x08, 0x01]);
    return fast.revisionPasses.call(v, b, 2, 2 + key.length, 2 + key.length + value.length);
  };
  assert.equal(passes(revKey(3n), kv(3n, 1n, 2n)), true);
  assert.equal(passes(revKey(4n, 0n, true), new ProtoWriter().bytes(1, 'k').varint(3, 4n).finish()), true);
  assert.equal(passes(revKey(1_000_000_005n), new Uint8Array(0)), true);
  assert.equal(passes(revKey(2n ** 53n + 1n), kv(2n ** 53n + 1n)), false, 'past 2^53: the exact way');
  assert.equal(passes(revKey(9n), kv(8n)), false, 'damage: the exact way reports it');
});

test('the verifier fast path reports what the exact check reports, on 20,000 randomly damaged entries', () => {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let round = 0; round < 2000; round++) {
    const entries: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 10; i++) {
      const rev = BigInt(round * 10 + i + 1);
      const key = revKey(rev, 0n, rnd(8) === 0);
      const value = kv(rev, BigInt(1 + rnd(Number(rev))), BigInt(1 + rnd(3)), BigInt(rnd(2) * rnd(1000)));
      // Flip a few bytes of the key or the value (or none).
      for (let flips = rnd(3); flips > 0; flips--) {
        const target = rnd(3) === 0 ? key : value;
        const at = rnd(target.length);
        target[at] = (target[at] as number) ^ (1 << rnd(8));
      }
      entries.push([key, rnd(20) === 0 ? value.subarray(0, rnd(value.length)) : value]);
    }
    assertSame(entries, `round ${round}`);
  }
});
