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

test('renderSnapshotStatus prints etcdutl 3.6 layout (VERSION column, live keys) when storageVersion is 3.6', () => {
  const s = { hash: 0xa59c4133, revision: 5n, totalKey: 11, totalSize: 20480, storageVersion: '3.6.0', liveKeys: 2 };
  assert.equal(renderSnapshotStatus(s, 'simple'), 'a59c4133, 5, 2, 20 kB, 3.6.0\n');
  assert.equal(renderSnapshotStatus(s, 'json'), '{"hash":2778480947,"revision":5,"totalKey":2,"totalSize":20480,"version":"3.6.0"}\n');
  assert.equal(renderSnapshotStatus(s, 'fields'), '"Hash" : 2778480947\n"Revision" : 5\n"Keys" : 2\n"Size" : 20480\n"Version" : 3.6.0\n');
  assert.equal(renderSnapshotStatus(s, 'table'), [
    '+----------+----------+------------+------------+---------+',
    '|   HASH   | REVISION | TOTAL KEYS | TOTAL SIZE | VERSION |',
    '+----------+----------+------------+------------+---------+',
    '| a59c4133 |        5 |          2 |      20 kB |   3.6.0 |',
    '+----------+----------+------------+------------+---------+',
    '',
  ].join('\n'));
});

test('renderSnapshotStatus draws tablewriter 1.x box borders when storageVersion is 3.7', () => {
  const s = { hash: 0x0d899a9a, revision: 5n, totalKey: 11, totalSize: 20480, storageVersion: '3.7.0', liveKeys: 2 };
  assert.equal(renderSnapshotStatus(s, 'table'), [
    '┌─────────┬──────────┬────────────┬────────────┬─────────┐',
    '│  HASH   │ REVISION │ TOTAL KEYS │ TOTAL SIZE │ VERSION │',
    '├─────────┼──────────┼────────────┼────────────┼─────────┤',
    '│ d899a9a │        5 │          2 │      20 kB │   3.7.0 │',
    '└─────────┴──────────┴────────────┴────────────┴─────────┘',
    '',
  ].join('\n'));
});

test('renderSnapshotStatus prints a revision above 2^53 exactly in json', () => {
  const out = renderSnapshotStatus({ hash: 1, revision: 9223370937343148031n, totalKey: 1, totalSize: 4096 }, 'json');
  assert.equal(out, '{"hash":1,"revision":9223370937343148031,"totalKey":1,"totalSize":4096}\n');
});
