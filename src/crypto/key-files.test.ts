import assert from 'node:assert/strict';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import { createIdentityFile, loadIdentities, loadRecipients } from './key-files.js';
import { formatIdentityFile, generateIdentity } from './keys.js';

describe('key files', () => {
  it('loadIdentities reads a 0600 identity file', async (t) => {
    const dir = await tempDir(t);
    const pair = generateIdentity();
    const file = path.join(dir, 'key.txt');
    await writeFile(file, formatIdentityFile(pair, new Date()), { mode: 0o600 });
    const [identity] = await loadIdentities(file);
    assert.equal(identity!.kind === 'x25519' && identity!.recipient().toString(), pair.recipient);
  });

  it('loadIdentities refuses a world-readable file with a chmod hint, unless allowed', async (t) => {
    const file = path.join(await tempDir(t), 'key.txt');
    await writeFile(file, generateIdentity().identity);
    await chmod(file, 0o644);
    await assert.rejects(loadIdentities(file), (err: Error & { code?: string; hint?: string }) =>
      err.code === 'identity-file-insecure' && /mode 644/.test(err.message) && err.hint === `It holds a secret key: run "chmod 600 ${file}"`);
    assert.equal((await loadIdentities(file, { allowWorldReadable: true })).length, 1);
  });

  it('loadIdentities names a missing file and how to create one', async (t) => {
    const file = path.join(await tempDir(t), 'missing.txt');
    await assert.rejects(loadIdentities(file), (err: Error & { code?: string; hint?: string }) =>
      err.code === 'identity-file-missing' && err.message.includes(`"${file}"`) && /kubekeeper keygen -o FILE/.test(err.hint ?? ''));
  });

  it('loadIdentities names the file and line of an invalid key', async (t) => {
    const file = path.join(await tempDir(t), 'key.txt');
    await writeFile(file, '# comment\nAGE-SECRET-KEY-1XYZ\n', { mode: 0o600 });
    await assert.rejects(loadIdentities(file), new RegExp(`line 2 of "${file}"`));
  });

  it('loadRecipients takes an age1 string or a recipients file', async (t) => {
    const [a, b] = [generateIdentity().recipient, generateIdentity().recipient];
    assert.deepEqual((await loadRecipients(a)).map(String), [a]);
    const file = path.join(await tempDir(t), 'recipients.txt');
    await writeFile(file, `# team\n${a}\n${b}\n`);
    assert.deepEqual((await loadRecipients(file)).map(String), [a, b]);
  });

  it('loadRecipients names a missing recipients file', async (t) => {
    const file = path.join(await tempDir(t), 'nope.txt');
    await assert.rejects(loadRecipients(file), { code: 'recipients-file-missing' });
  });

  it('createIdentityFile writes a 0600 age-keygen style file that loadIdentities reads', async (t) => {
    const dir = await tempDir(t);
    const file = path.join(dir, 'key.txt');
    const { recipient } = await createIdentityFile(file, new Date('2024-05-06T07:08:09Z'));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.match(await readFile(file, 'utf8'), new RegExp(`^# created: 2024-05-06T07:08:09Z\n# public key: ${recipient}\nAGE-SECRET-KEY-1[A-Z0-9]{58}\n$`));
    const [identity] = await loadIdentities(file);
    assert.equal(identity!.kind === 'x25519' && identity!.recipient().toString(), recipient);
    assert.deepEqual(await readdir(dir), ['key.txt'], 'no temp file left');
  });

  it('createIdentityFile never overwrites an existing file', async (t) => {
    const dir = await tempDir(t);
    const file = path.join(dir, 'key.txt');
    await writeFile(file, 'precious');
    await assert.rejects(createIdentityFile(file), { code: 'identity-file-exists' });
    assert.equal(await readFile(file, 'utf8'), 'precious');
    assert.deepEqual(await readdir(dir), ['key.txt']);
  });

  it('createIdentityFile names a missing directory', async (t) => {
    const file = path.join(await tempDir(t), 'nope', 'key.txt');
    await assert.rejects(createIdentityFile(file), { code: 'identity-file-unwritable' });
  });
});
