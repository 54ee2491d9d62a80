import assert from 'node:assert/strict';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { AppError } from '../../errors.js';
import { tempDir } from '../../../test/support/temp.js';
import { readRunbookState, writeRunbookState } from './state-file.js';

const state = { version: 1 as const, runbook: 'upgrade-node', key: { node: 'n1' }, data: {}, steps: { cordon: { status: 'done' as const, at: '2024-05-01T00:00:00Z' } }, startedAt: '2024-05-01T00:00:00Z' };

test('writeRunbookState writes 0600 in a 0700 directory and leaves no temp file', async (t) => {
  const dir = path.join(await tempDir(t), 'state');
  const file = path.join(dir, 'u.json');
  await writeRunbookState(file, state);
  await writeRunbookState(file, { ...state, finishedAt: '2024-05-01T01:00:00Z' });
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  assert.deepEqual(await readdir(dir), ['u.json']);
  assert.equal((await readRunbookState(file))?.finishedAt, '2024-05-01T01:00:00Z');
});

test('readRunbookState returns undefined for a missing file and AppError for a foreign one', async (t) => {
  const dir = await tempDir(t);
  assert.equal(await readRunbookState(path.join(dir, 'none.json')), undefined);
  await writeFile(path.join(dir, 'bad.json'), '{"hello": 1}');
  await assert.rejects(readRunbookState(path.join(dir, 'bad.json')), (err: AppError) => err.code === 'state-file' && err.hint === 'Move the file away to start over');
  await writeFile(path.join(dir, 'torn.json'), '{"version": 1, "ste');
  await assert.rejects(readRunbookState(path.join(dir, 'torn.json')), AppError);
});
