import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderSnapshotStatus } from './snapshot-status.js';

// Spec §4.2 / §6.5: exact etcdctl 3.4 output.
const s1 = { hash: 0xa5d5a23d, revision: 6n, totalKey: 10, totalSize: 20480 };

test('renderSnapshotStatus prints etcdctl simple output when the format is simple', () => {
  assert.equal(renderSnapshotStatus(s1, 'simple'), 'a5d5a23d, 6, 10, 20 kB\n');
});

test('renderSnapshotStatus prints etcdctl json output when the format is json', () => {
  assert.equal(renderSnapshotStatus(s1, 'json'), '{"hash":2782241341,"revision":6,"totalKey":10,"totalSize":20480}\n');
});

test('renderSnapshotStatus prints etcdctl fields output when the format is fields', () => {
  assert.equal(renderSnapshotStatus(s1, 'fields'), '"Hash" : 2782241341\n"Revision" : 6\n"Keys" : 10\n"Size" : 20480\n');
});

test('renderSnapshotStatus prints the etcdctl table when the format is table', () => {
  assert.equal(renderSnapshotStatus(s1, 'table'), [
    '+----------+----------+------------+------------+',
    '|   HASH   | REVISION | TOTAL KEYS | TOTAL SIZE |',
    '+----------+----------+------------+------------+',
    '| a5d5a23d |        6 |         10 |      20 kB |',
    '+----------+----------+------------+------------+',
    '',
  ].join('\n'));
});

test('renderSnapshotStatus narrows the hash column when the hash has 7 hex digits', () => {
  const out = renderSnapshotStatus({ hash: 0x0be686de, revision: 2n, totalKey: 2, totalSize: 12288 }, 'table');
  assert.equal(out, [
    '+---------+----------+------------+------------+',
    '|  HASH   | REVISION | TOTAL KEYS | TOTAL SIZE |',
    '+---------+----------+------------+------------+',
    '| be686de |        2 |          2 |      12 kB |',
    '+---------+----------+------------+------------+',
    '',
  ].join('\n'));
  assert.equal(renderSnapshotStatus({ hash: 0x0be686de, revision: 2n, totalKey: 2, totalSize: 12288 }, 'simple'), 'be686de, 2, 2, 12 kB\n');
});
