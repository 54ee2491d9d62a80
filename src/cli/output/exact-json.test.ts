import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringifyExact } from './exact-json.js';

test('stringifyExact prints bigints above 2^53 as exact number literals and leaves strings alone', () => {
  const out = stringifyExact({ revision: { before: 3n, after: 9223370937343148031n }, path: '"\u0000bigint:1"', n: 2 });
  assert.equal(out, '{"revision":{"before":3,"after":9223370937343148031},"path":"\\"\\u0000bigint:1\\"","n":2}');
  assert.equal(JSON.parse(out.replace(/9223370937343148031/, '"x"')).revision.after, 'x');
});
