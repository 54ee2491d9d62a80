import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import { ScryptIdentity } from '../crypto/index.js';
import type { AppError } from '../errors.js';
import { loadBackupIdentities, loadBackupRecipients } from './backup-keys.js';

test('loadBackupIdentities refuses a passphrase file every user can read, naming the chmod', async (t) => {
  const file = path.join(await tempDir(t), 'passphrase');
  await writeFile(file, 'correct horse battery staple\n');
  await chmod(file, 0o644);
  const insecure = (err: AppError) => err.code === 'passphrase-file-insecure' && err.hint === `It holds the backup passphrase: run "chmod 600 ${file}"` && !err.message.includes('horse');
  await assert.rejects(loadBackupIdentities({ passphraseFile: file }), insecure);
  await assert.rejects(loadBackupRecipients({ passphraseFile: file }), insecure);
  await chmod(file, 0o600);
  assert.equal((await loadBackupIdentities({ passphraseFile: file })).length, 1);
});

test('an unattended run refuses a passphrase file asking for more scrypt work than 2^18, before computing it', async () => {
  const [unattended] = await loadBackupIdentities({ passphrase: 'pw', unattended: true });
  const [attended] = await loadBackupIdentities({ passphrase: 'pw' });
  assert.ok(unattended instanceof ScryptIdentity && attended instanceof ScryptIdentity);
  assert.equal(unattended.maxWorkFactor, 18);
  assert.equal(attended.maxWorkFactor, 22);
  // A forged header asking for 2^21 (2 GiB): refused at once, with the way out.
  const stanza = { type: 'scrypt', args: ['MDEyMzQ1Njc4OTo7PD0+Pw', '21'], body: new Uint8Array(32) };
  await assert.rejects(unattended.unwrap([stanza]), (err: AppError) => err.code === 'age-scrypt-work-factor-capped' && /2048 MiB/.test(err.message) && /on a terminal/.test(err.hint ?? ''));
});
