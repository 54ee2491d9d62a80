import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import { DashboardTokenError, readDashboardToken, sessionValue, tokenMatches } from './token.js';

test('dashboard token is read from a 0600 file and refused when group or others may read it, or when short', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'token');
  await writeFile(file, 'abcdefghijklmnopqrstuvwxyz\nignored\n', { mode: 0o600 });
  assert.equal(await readDashboardToken(file), 'abcdefghijklmnopqrstuvwxyz');
  for (const mode of [0o640, 0o604, 0o644]) {
    await chmod(file, mode);
    await assert.rejects(readDashboardToken(file), (err) => err instanceof DashboardTokenError && err.message.includes(`mode is 0${mode.toString(8)}`) && err.hint === `Run "chmod 600 ${file}"`);
  }
  const short = path.join(dir, 'short');
  await writeFile(short, 'tooshort\n', { mode: 0o600 });
  await assert.rejects(readDashboardToken(short), /the token is 8 characters, fewer than 16/);
  await assert.rejects(readDashboardToken(path.join(dir, 'missing')), /it does not exist/);
});

test('dashboard token matches only itself, and the session cookie is not the token', () => {
  assert.equal(tokenMatches('a-token-of-some-length', 'a-token-of-some-length'), true);
  assert.equal(tokenMatches('a-token-of-some-length', 'a-token-of-some-lengtH'), false);
  assert.equal(tokenMatches('a-token-of-some-length', ''), false);
  assert.equal(tokenMatches('a-token-of-some-length', undefined), false);
  assert.notEqual(sessionValue('a-token-of-some-length'), 'a-token-of-some-length');
  assert.notEqual(sessionValue('a-token-of-some-length'), sessionValue('another-token-of-length'));
});
