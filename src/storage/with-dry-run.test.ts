import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBackend } from './memory/memory-backend.js';
import { chunksOf, listNames, testBytes } from './testing.js';
import { type DryRunWrite, withDryRun } from './with-dry-run.js';

test('withDryRun reads the whole body and reports the save without storing anything', async () => {
  const memory = new MemoryBackend();
  const writes: DryRunWrite[] = [];
  const result = await withDryRun(memory, (w) => writes.push(w)).save({ type: 'data', name: 'x' }, chunksOf(testBytes(1000), 7));
  assert.equal(result.sizeBytes, 1000);
  assert.deepEqual(writes, [{ operation: 'save', handle: { type: 'data', name: 'x' }, sizeBytes: 1000 }]);
  assert.deepEqual(await listNames(memory, 'data'), []);
});

test('withDryRun reports a remove and keeps the object', async () => {
  const memory = new MemoryBackend();
  await memory.save({ type: 'manifest', name: 'm' }, chunksOf(testBytes(3), 1));
  const writes: DryRunWrite[] = [];
  const dry = withDryRun(memory, (w) => writes.push(w));
  await dry.remove({ type: 'manifest', name: 'm' });
  assert.deepEqual(writes, [{ operation: 'remove', handle: { type: 'manifest', name: 'm' } }]);
  assert.deepEqual(await listNames(dry, 'manifest'), ['m']);
});
