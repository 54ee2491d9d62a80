import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64, decodeBase64Padded, encodeBase64 } from './base64.js';

describe('base64', () => {
  it('encodeBase64 drops the padding when the length is not a multiple of 3', () => {
    assert.equal(encodeBase64(Buffer.from('ab')), 'YWI');
    assert.equal(encodeBase64(Buffer.from('abc')), 'YWJj');
    assert.equal(encodeBase64(new Uint8Array(0)), '');
  });

  it('decodeBase64 round-trips every length from 0 to 50', () => {
    for (let n = 0; n <= 50; n++) {
      const bytes = Buffer.alloc(n, n);
      assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
    }
  });

  it('decodeBase64 rejects padding, foreign characters and non-canonical trailing bits', () => {
    // "YWJ" and "ABD" have non-zero unused low bits: "YWI" is the canonical form of "ab".
    for (const bad of ['YWI=', 'YW I', 'YW-_', 'YWI\n', 'YWI\r', 'ABD', 'YWJ', 'A', 'AAAAA']) {
      assert.equal(decodeBase64(bad), undefined, JSON.stringify(bad));
    }
    assert.deepEqual(decodeBase64('YWI'), Buffer.from('ab'));
  });

  it('decodeBase64Padded accepts canonical padded text and rejects missing padding or bad bits', () => {
    assert.deepEqual(decodeBase64Padded('YWI='), Buffer.from('ab'));
    assert.equal(decodeBase64Padded('YWI'), undefined);
    assert.equal(decodeBase64Padded('YWJ='), undefined);
    assert.equal(decodeBase64Padded('Y==='), undefined);
    assert.equal(decodeBase64Padded('YW=I'), undefined);
  });
});
