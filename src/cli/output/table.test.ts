import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTable } from './table.js';

test('renderTable matches etcdctl snapshot status table byte for byte', () => {
  const out = renderTable(['hash', 'revision', 'total keys', 'total size'], [['a5d5a23d', '6', '10', '20 kB']]);
  assert.equal(out, [
    '+----------+----------+------------+------------+',
    '|   HASH   | REVISION | TOTAL KEYS | TOTAL SIZE |',
    '+----------+----------+------------+------------+',
    '| a5d5a23d |        6 |         10 |      20 kB |',
    '+----------+----------+------------+------------+',
    '',
  ].join('\n'));
});

test('renderTable centres headers with the extra space on the right when widths are odd', () => {
  const out = renderTable(['hash'], [['be686de']]);
  assert.equal(out.split('\n')[1], '|  HASH   |');
});

test('renderTable left-aligns cells when asked', () => {
  assert.equal(renderTable(['name'], [['ab'], ['abcdef']], { align: 'left' }).split('\n')[3], '| ab     |');
});
