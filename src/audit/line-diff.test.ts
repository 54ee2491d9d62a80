import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffLines, unifiedDiff } from './line-diff.js';

test('diffLines finds the insertions and deletions between two texts', () => {
  const ops = diffLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']);
  assert.deepEqual(ops.map((o) => `${o.kind}:${o.line}`), ['same:a', 'del:b', 'add:x', 'same:c', 'same:d', 'add:e']);
});

test('unifiedDiff renders hunks with diff -u headers and line ranges', () => {
  const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
  const after = before.replace('line 3', 'line three').replace('line 18', 'line 18\nline 18.5');
  assert.equal(unifiedDiff(before, after, 'a', 'b'), [
    '--- a', '+++ b',
    '@@ -1,6 +1,6 @@', ' line 1', ' line 2', '-line 3', '+line three', ' line 4', ' line 5', ' line 6',
    '@@ -16,5 +16,6 @@', ' line 16', ' line 17', ' line 18', '+line 18.5', ' line 19', ' line 20',
    '',
  ].join('\n'));
  assert.equal(unifiedDiff('same', 'same', 'a', 'b'), '');
});
