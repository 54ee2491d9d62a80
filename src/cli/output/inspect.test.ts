import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { writeJsonArray } from './inspect.js';

async function render(items: unknown[], highWaterMark = 16): Promise<string> {
  const out = new PassThrough({ highWaterMark });
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeJsonArray(out, items);
  out.end();
  return Buffer.concat(chunks).toString();
}

test('writeJsonArray writes valid JSON for empty, small and batch-spanning arrays', async () => {
  assert.deepEqual(JSON.parse(await render([])), []);
  assert.equal(await render([{ a: 1 }, { b: 2n }]), '[\n  {"a":1},\n  {"b":2}\n]\n');
  const many = Array.from({ length: 20_000 }, (_, i) => ({ i, name: `object-${i}`.padEnd(80, '.'), rev: BigInt(i) * 10n ** 18n }));
  const parsed = JSON.parse(await render(many)) as Array<{ i: number; rev: string | number }>;
  assert.equal(parsed.length, 20_000);
  assert.equal(parsed[19_999]?.i, 19_999);
  assert.equal(parsed[19_999]?.rev, '19999000000000000000000', 'revisions beyond 2^53 stay exact as strings');
});
