import assert from 'node:assert/strict';
import { statSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import { createSigningKeyFile, generateSigningKey, loadSigningKey, loadTrustedSigners, parseSignerPublicKey, parseSigningKeyFile } from './signing.js';

test('a signing key signs, its public key verifies, and another key or altered bytes do not', () => {
  const { key, fileText } = generateSigningKey();
  const other = generateSigningKey().key;
  const message = Buffer.from('manifest bytes');
  const sig = key.sign(message);
  assert.equal(key.publicKey.verify(message, sig), true);
  assert.equal(other.publicKey.verify(message, sig), false);
  assert.equal(key.publicKey.verify(Buffer.from('manifest bytez'), sig), false);
  const reread = parseSigningKeyFile(fileText, 'test');
  assert.equal(reread.publicKey.toString(), key.publicKey.toString());
  assert.match(key.publicKey.toString(), /^kksign1[a-z0-9]{50,}$/);
  assert.equal(parseSignerPublicKey(` ${key.publicKey.toString()}\n`).keyId(), key.publicKey.keyId());
});

test('parseSignerPublicKey refuses a typo, a secret key and an age recipient without echoing secrets', () => {
  const { key, fileText } = generateSigningKey();
  const pub = key.publicKey.toString();
  assert.throws(() => parseSignerPublicKey(`${pub.slice(0, -1)}${pub.endsWith('q') ? 'p' : 'q'}`), /checksum is wrong/);
  const secret = fileText.split('\n').find((l) => l.startsWith('KKSIGN-SECRET-KEY-1')) as string;
  assert.throws(() => parseSignerPublicKey(secret), (e: Error) => /secret signing key/.test(e.message) && !e.message.includes(secret));
  assert.throws(() => parseSignerPublicKey('age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq'), /unknown key type "age"/);
});

test('createSigningKeyFile writes 0600 once; loadSigningKey refuses a key others can read; trusted signers load from a file', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'signing.key');
  const pub = await createSigningKeyFile(file);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal((await loadSigningKey(file)).publicKey.keyId(), pub.keyId());
  await assert.rejects(createSigningKeyFile(file), { code: 'signing-key-exists' });
  chmodSync(file, 0o640);
  await assert.rejects(loadSigningKey(file), { code: 'signing-key-insecure' });
  const list = path.join(dir, 'signers');
  const second = generateSigningKey().key.publicKey;
  writeFileSync(list, `# node cp-1\n${pub.toString()}\n\n${second.toString()}\n`);
  assert.deepEqual((await loadTrustedSigners(list)).map((k) => k.keyId()), [pub.keyId(), second.keyId()]);
  assert.deepEqual((await loadTrustedSigners(pub.toString())).map((k) => k.keyId()), [pub.keyId()]);
});
