import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSizeSI } from './humanize.js';

// Spec §6.6, observed from etcdctl 3.4 (go-humanize).
const VECTORS: [number, string][] = [
  [0, '0 B'], [9, '9 B'], [10, '10 B'], [999, '999 B'], [1000, '1.0 kB'], [4096, '4.1 kB'], [8192, '8.2 kB'],
  [12288, '12 kB'], [16384, '16 kB'], [20480, '20 kB'], [24576, '25 kB'], [28672, '29 kB'], [32768, '33 kB'],
  [65536, '66 kB'], [94208, '94 kB'], [139264, '139 kB'], [155648, '156 kB'], [999424, '999 kB'],
  [1003520, '1.0 MB'], [2052096, '2.1 MB'], [24576000, '25 MB'], [2147483648, '2.1 GB'],
  [1e6, '1.0 MB'], [1e9, '1.0 GB'], [1e12, '1.0 TB'],
];

for (const [bytes, expected] of VECTORS) {
  test(`formatSizeSI prints "${expected}" when given ${bytes} bytes`, () => {
    assert.equal(formatSizeSI(bytes), expected);
  });
}

test('formatSizeSI rounds a tie half to even when the tenths digit is 5', () => {
  assert.equal(formatSizeSI(20500), '20 kB');
  assert.equal(formatSizeSI(21500), '22 kB');
  assert.equal(formatSizeSI(20600), '21 kB');
});
