import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bech32Decode, bech32Encode } from './bech32.js';

// Spec §12 vector 1: identity bytes 0x01..0x20 and its recipient.
const SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));
const IDENTITY = 'AGE-SECRET-KEY-1QYPQXPQ9QCRSSZG2PVXQ6RS0ZQG3YYC5Z5TPWXQERGD3C8G7RUSQGPQYEE';
const RECIPIENT = 'age1q73he0q5yzfu3d64msd3p6rvksnrwjk3d2598mgtmlqt9wrdr37q2vrn72';

describe('bech32', () => {
  it('bech32Encode reproduces the spec identity when uppercased', () => {
    assert.equal(bech32Encode('age-secret-key-', SECRET).toUpperCase(), IDENTITY);
  });

  it('bech32Decode returns the HRP as written and the key bytes', () => {
    assert.deepEqual(bech32Decode(IDENTITY), { hrp: 'AGE-SECRET-KEY-', data: Uint8Array.from(SECRET) });
    const { hrp, data } = bech32Decode(RECIPIENT);
    assert.equal(hrp, 'age');
    assert.equal(Buffer.from(data).toString('hex'), '07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c');
  });

  it('bech32Decode rejects mixed case, a bad checksum and a missing separator', () => {
    assert.throws(() => bech32Decode(`A${RECIPIENT.slice(1)}`), /mixes upper and lower case/);
    assert.throws(() => bech32Decode(`${RECIPIENT.slice(0, -1)}3`), /checksum/);
    assert.throws(() => bech32Decode('agexyz'), /separator/);
    assert.throws(() => bech32Decode(`${RECIPIENT.slice(0, 10)}b${RECIPIENT.slice(11)}`), /Bech32 alphabet/);
  });

  it('bech32Decode splits at the last "1", so age1pq1... has HRP "age1pq"', () => {
    const pq = bech32Encode('age1pq', new Uint8Array(4));
    assert.equal(bech32Decode(pq).hrp, 'age1pq');
  });

  it('bech32Decode rejects non-zero padding bits', () => {
    // 1 byte = 8 bits -> two 5-bit words with 2 pad bits; set a pad bit by hand and fix the checksum.
    const valid = bech32Encode('age', Uint8Array.of(0xff));
    assert.deepEqual(bech32Decode(valid).data, Uint8Array.of(0xff));
    assert.equal(bech32EncodeWords('age', [31, 28]), valid);
    // Same byte with the two pad bits set: a different string, with a valid checksum.
    assert.throws(() => bech32Decode(bech32EncodeWords('age', [31, 31])), /padding bits/);
  });
});

/** Encodes raw 5-bit words (to build invalid padding) with a valid checksum. */
function bech32EncodeWords(hrp: string, words: number[]): string {
  const charset = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  const polymod = (values: number[]): number => {
    let chk = 1;
    for (const v of values) {
      const top = chk >>> 25;
      chk = ((chk & 0x1ffffff) << 5) ^ v;
      for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i]!;
    }
    return chk;
  };
  const codes = [...hrp].map((c) => c.charCodeAt(0));
  const expanded = [...codes.map((c) => c >> 5), 0, ...codes.map((c) => c & 31)];
  const mod = polymod([...expanded, ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...checksum].map((w) => charset[w]).join('')}`;
}
