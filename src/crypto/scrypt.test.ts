import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBase64 } from './base64.js';
import { AgeHeaderError } from './errors.js';
import type { Stanza } from './header.js';
import { ScryptIdentity, ScryptRecipient } from './scrypt.js';

// Spec §12 vector 2: passphrase "password", log2 N = 10.
const SALT = 'MDEyMzQ1Njc4OTo7PD0+Pw';
const BODY = Buffer.from('g+4Jg6p6V0DlYe//ge57C9fBlhdwzLlnzlJMCD9npaE', 'base64');
const FILE_KEY = Buffer.from('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf', 'hex');
const identity = new ScryptIdentity('password');
const stanza = (args: string[], body: Uint8Array = BODY): Stanza => ({ type: 'scrypt', args, body });

async function fatal(args: string[], reason: RegExp, body?: Uint8Array): Promise<void> {
  await assert.rejects(identity.unwrap([stanza(args, body)]), (err: unknown) => err instanceof AgeHeaderError && reason.test(err.reason));
}

describe('scrypt', () => {
  it('wraps the spec file key into the spec stanza', async () => {
    const [s] = await new ScryptRecipient('password', 10).wrap(FILE_KEY, Buffer.from(SALT, 'base64'));
    assert.deepEqual([s!.type, s!.args, encodeBase64(s!.body)], ['scrypt', [SALT, '10'], encodeBase64(BODY)]);
  });

  it('unwraps the spec stanza with the right passphrase', async () => {
    assert.deepEqual(Buffer.from((await identity.unwrap([stanza([SALT, '10'])]))!), FILE_KEY);
  });

  it('returns undefined for a wrong passphrase (scrypt_no_match) and an uppercase type (scrypt_uppercase)', async () => {
    assert.equal(await new ScryptIdentity('Password').unwrap([stanza([SALT, '10'])]), undefined);
    assert.equal(await identity.unwrap([{ ...stanza([SALT, '10']), type: 'SCRYPT' }]), undefined);
  });

  it('returns undefined for a wrong work factor (scrypt_work_factor_wrong)', async () => {
    assert.equal(await identity.unwrap([stanza([SALT, '11'])]), undefined);
  });

  it('rejects a missing or extra argument (scrypt_extra_argument, scrypt_salt_missing)', async () => {
    await fatal([SALT, '10', 'x'], /exactly two arguments/);
    await fatal(['10'], /exactly two arguments/);
  });
  it('rejects a short, long or non-canonical salt', async () => {
    await fatal([encodeBase64(Buffer.alloc(15)), '10'], /salt is not 16 bytes/);
    await fatal([encodeBase64(Buffer.alloc(17)), '10'], /salt is not 16 bytes/);
    await fatal([`${SALT.slice(0, -1)}x`, '10'], /salt is not 16 bytes/);
  });
  for (const [name, text] of [
    ['zero', '0'], ['leading zero', '010'], ['octal', '012'], ['plus', '+10'], ['negative', '-10'], ['hex', '0xa'],
    ['leading garbage', 'x10'], ['trailing garbage', '10x'], ['empty', ''],
  ] as const) {
    it(`rejects a work factor with ${name} (${JSON.stringify(text)})`, () => fatal([SALT, text], /work factor is not a decimal/));
  }
  it('rejects a work factor above 22 without computing it (scrypt_work_factor_23)', () => fatal([SALT, '23'], /work factor 23 exceeds the limit of 22/));
  it('rejects an overflowing work factor', () => fatal([SALT, '99999999999999999999'], /exceeds the limit/));
  it('rejects a body that is not 32 bytes (scrypt_long_file_key)', () => fatal([SALT, '10'], /body is not 32 bytes/, Buffer.alloc(48)));

  it('keeps the passphrase out of util.inspect and JSON', async () => {
    const { inspect } = await import('node:util');
    const r = new ScryptRecipient('correct horse battery', 10);
    for (const text of [inspect(r, { showHidden: true }), inspect(identity, { showHidden: true }), JSON.stringify(r)]) {
      assert.ok(!text.includes('correct horse') && !text.includes('password'), text);
    }
  });
});
