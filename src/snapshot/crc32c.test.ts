import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { crc32c } from './crc32c.js';

/** Bit-at-a-time reference, independent of the table code. */
function crc32cSlow(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

test('crc32c matches the spec vector when hashing "123456789"', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')).toString(16), 'e3069283');
});

test('crc32c is 0 when the input is empty', () => {
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

test('crc32c equals a bitwise reference when lengths and offsets are odd', () => {
  const data = randomBytes(4099);
  for (const [start, end] of [[0, 4099], [1, 4098], [3, 10], [7, 7], [5, 13], [511, 1024]] as const) {
    assert.equal(crc32c(data, 0, start, end), crc32cSlow(data.subarray(start, end)), `range ${start}-${end}`);
  }
});

test('crc32c continues a finished CRC when given prev, like Go crc32.Update', () => {
  const a = randomBytes(37);
  const c = randomBytes(1000);
  assert.equal(crc32c(c, crc32c(a)), crc32c(Buffer.concat([a, c])));
});
