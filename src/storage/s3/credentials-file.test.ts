import assert from 'node:assert/strict';
import { writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../../test/support/temp.js';
import { silentLogger } from '../../logger.js';
import { StorageError } from '../errors.js';
import { loadCredentialsFile, parseCredentialsFile } from './credentials-file.js';

test('parseCredentialsFile reads the default profile of an AWS INI file', () => {
  const text = '[other]\naws_access_key_id = O\naws_secret_access_key = OS\n\n[default]\naws_access_key_id = AK\naws_secret_access_key = SK\naws_session_token = T\n';
  assert.deepEqual(parseCredentialsFile(text), { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'T' });
  assert.deepEqual(parseCredentialsFile(text, 'other'), { accessKeyId: 'O', secretAccessKey: 'OS' });
});

test('parseCredentialsFile reads env-style lines with export and quotes', () => {
  assert.deepEqual(parseCredentialsFile('# creds\nexport AWS_ACCESS_KEY_ID="AK"\nAWS_SECRET_ACCESS_KEY=\'S=K\'\n'), { accessKeyId: 'AK', secretAccessKey: 'S=K' });
});

test('loadCredentialsFile fails with a hint and without the values when the secret is missing', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'creds');
  await writeFile(file, 'aws_access_key_id = AKIAMARKER\n');
  await chmod(file, 0o600);
  await assert.rejects(loadCredentialsFile(file, undefined, silentLogger), (err: unknown) => {
    assert.ok(err instanceof StorageError);
    assert.equal(err.code, 'storage-config');
    assert.doesNotMatch(err.message, /AKIAMARKER/);
    assert.match(err.hint ?? '', /aws_secret_access_key/);
    return true;
  });
});

test('loadCredentialsFile warns when the file is readable by others', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'creds');
  await writeFile(file, 'AWS_ACCESS_KEY_ID=a\nAWS_SECRET_ACCESS_KEY=b\n');
  await chmod(file, 0o644);
  const events: string[] = [];
  const creds = await loadCredentialsFile(file, undefined, { log: (_l, e) => void events.push(e) });
  assert.equal(creds.accessKeyId, 'a');
  assert.deepEqual(events, ['storage.s3.credentials-file-readable']);
});

test('loadCredentialsFile names the file and errno when it cannot be read', async () => {
  await assert.rejects(loadCredentialsFile('/nonexistent/creds', undefined, silentLogger), /"\/nonexistent\/creds": ENOENT/);
});
