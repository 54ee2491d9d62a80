import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fnv1a64 } from './fnv.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const initMeta = 'edda0ced 02000000 00100000 00000000 0300000000000000 0000000000000000 0200000000000000 0400000000000000';

test('fnv1a64 matches the spec vectors for empty input and "a"', () => {
  assert.equal(fnv1a64(new Uint8Array(0)).toString(16), 'cbf29ce484222325');
  assert.equal(fnv1a64(new TextEncoder().encode('a')).toString(16), 'af63dc4c8601ec8c');
});

test('fnv1a64 gives the bbolt meta checksums when hashing an init meta with txid 0 and 1', () => {
  assert.equal(fnv1a64(hex(`${initMeta} 0000000000000000`)).toString(16).padStart(16, '0'), '07516e114689fdee');
  assert.equal(fnv1a64(hex(`${initMeta} 0100000000000000`)).toString(16), '264c351a5179480f');
});

test('fnv1a64 hashes only [start, end) when given a range', () => {
  const data = hex(`ffff ${initMeta} 0100000000000000 ffff`);
  assert.equal(fnv1a64(data, 2, data.length - 2).toString(16), '264c351a5179480f');
});
