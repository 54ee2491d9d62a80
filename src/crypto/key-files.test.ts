import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import { loadIdentities, loadRecipients } from './key-files.js';
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
});
