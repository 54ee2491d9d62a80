import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { decryptStream, encryptStream, encryptWithFileKey } from './age.js';
import { AgeHeaderError, HeaderMacError, NoIdentityMatchError, PayloadError } from './errors.js';
import { encodeHeader } from './header.js';
import { generateIdentity, parseIdentityFile, parseRecipient, passphraseIdentity, passphraseRecipient, type Identity } from './keys.js';
import { ScryptRecipient } from './scrypt.js';
import { chunksOf, collect, collectUntilError, EDGE_LENGTHS, ODD_CHUNK_SIZES, patternBytes } from './testing.js';
import { wrapX25519, X25519Identity } from './x25519.js';

const bytes = (from: number, n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => from + i));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const SPEC_IDENTITY = 'AGE-SECRET-KEY-1QYPQXPQ9QCRSSZG2PVXQ6RS0ZQG3YYC5Z5TPWXQERGD3C8G7RUSQGPQYEE';

function newKey(): { identity: Identity; recipient: ReturnType<typeof parseRecipient>; text: { identity: string; recipient: string } } {
  const text = generateIdentity();
  return { identity: parseIdentityFile(text.identity)[0]!, recipient: parseRecipient(text.recipient), text };
}

async function encrypt(plain: Uint8Array, recipients: Parameters<typeof encryptStream>[1], chunkBytes = 4096, armor = false): Promise<Buffer> {
  return collect(encryptStream(chunksOf(plain, chunkBytes), recipients, { armor }));
}

describe('age files', () => {
  it('reproduces spec vector 1 byte for byte and decrypts it', async () => {
    const fileKey = Buffer.from('YELLOW SUBMARINE');
    const recipient = Buffer.from('07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c', 'hex');
    const stanza = wrapX25519(fileKey, recipient, bytes(0x21, 32));
    const file = await collect(encryptWithFileKey(chunksOf(Buffer.from('hello age\n'), 3), [stanza], fileKey, bytes(0x10, 16)));
    assert.equal(file.length, 210);
    assert.equal(sha256(file), 'c86481f0c520f8820d6156e9d7739d46de634259c5d5b4fa6e3cbca66a24c427');
    assert.equal((await collect(decryptStream(chunksOf(file, 1), parseIdentityFile(SPEC_IDENTITY)))).toString(), 'hello age\n');
  });

  it('decrypts spec vector 2 (scrypt, empty plaintext)', async () => {
    const header = 'age-encryption.org/v1\n-> scrypt MDEyMzQ1Njc4OTo7PD0+Pw 10\ng+4Jg6p6V0DlYe//ge57C9fBlhdwzLlnzlJMCD9npaE\n--- EZ3bfkYdTAGyzxFkShVbKftFnR+NWjXhPt6nhMo1D+A\n';
    const file = Buffer.concat([Buffer.from(header), Buffer.alloc(16), Buffer.from('f70b493dc55265dc5d6d15489637ae71', 'hex')]);
    assert.equal((await collect(decryptStream(chunksOf(file, 5), [passphraseIdentity('password')]))).length, 0);
  });

  for (const size of ODD_CHUNK_SIZES) {
    it(`round-trips 2 chunks + 7 bytes when input and ciphertext arrive in ${size}-byte chunks`, async () => {
      const { identity, recipient } = newKey();
      const plain = patternBytes(2 * 65536 + 7);
      const file = await encrypt(plain, [recipient], size);
      assert.deepEqual(await collect(decryptStream(chunksOf(file, size), [identity])), plain);
    });
  }

  for (const n of EDGE_LENGTHS) {
    it(`round-trips a plaintext of ${n} bytes with the payload size of spec §7`, async () => {
      const { identity, recipient, text } = newKey();
      const file = await encrypt(patternBytes(n), [recipient]);
      const headerBytes = file.indexOf('\n---') + 1 + 48;
      assert.equal(file.length - headerBytes, 16 + n + 16 * Math.max(1, Math.ceil(n / 65536)), text.recipient);
      assert.deepEqual(await collect(decryptStream(chunksOf(file, 65536), [identity])), patternBytes(n));
    });
  }

  it('lets each of several recipients decrypt, and tries identities in order', async () => {
    const keys = [newKey(), newKey(), newKey()];
    const file = await encrypt(Buffer.from('shared'), keys.map((k) => k.recipient));
    for (const k of keys) assert.equal((await collect(decryptStream(chunksOf(file, 100), [k.identity]))).toString(), 'shared');
    const stranger = newKey();
    assert.equal((await collect(decryptStream(chunksOf(file, 100), [stranger.identity, keys[2]!.identity]))).toString(), 'shared');
  });

  it('round-trips with a passphrase', async () => {
    const file = await encrypt(Buffer.from('secret'), [passphraseRecipient('correct horse', 10)]);
    assert.match(file.toString('latin1'), /^age-encryption.org\/v1\n-> scrypt [A-Za-z0-9+/]{22} 10\n/);
    assert.equal((await collect(decryptStream(chunksOf(file, 1), [passphraseIdentity('correct horse')]))).toString(), 'secret');
  });

  it('round-trips armored output, also with whitespace around it', async () => {
    const { identity, recipient } = newKey();
    const plain = patternBytes(100_000);
    const armored = await encrypt(plain, [recipient], 513, true);
    assert.match(armored.toString('latin1'), /^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    const padded = Buffer.concat([Buffer.from(' \n\t\r\n'), armored, Buffer.from('\n  \n')]);
    assert.deepEqual(await collect(decryptStream(chunksOf(padded, 511), [identity])), plain);
  });

  it('uses a fresh file key, nonce and ephemeral share for every file', async () => {
    const { recipient } = newKey();
    const [a, b] = [await encrypt(Buffer.from('x'), [recipient]), await encrypt(Buffer.from('x'), [recipient])];
    assert.notEqual(a.toString('latin1').split('\n')[1], b.toString('latin1').split('\n')[1]);
    assert.notDeepEqual(a.subarray(-33), b.subarray(-33));
  });

  it('stops reading the ciphertext when the consumer stops early', async () => {
    const { identity, recipient } = newKey();
    const file = await encrypt(patternBytes(5 * 65536), [recipient]);
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* chunksOf(file, 1000);
      } finally {
        closed = true;
      }
    }
    for await (const chunk of decryptStream(source(), [identity])) {
      assert.equal(chunk.length, 65536);
      break;
    }
    assert.equal(closed, true);
  });
});

describe('age encryption errors', () => {
  it('refuses no recipients and a passphrase mixed with keys', async () => {
    await assert.rejects(encrypt(Buffer.from('x'), []), { code: 'age-no-recipients' });
    await assert.rejects(encrypt(Buffer.from('x'), [passphraseRecipient('p', 10), newKey().recipient]), { code: 'age-scrypt-not-alone' });
  });
});

describe('age decryption errors', () => {
  it('names the identities tried, not their secrets, when no key matches', async () => {
    const file = await encrypt(Buffer.from('x'), [newKey().recipient, newKey().recipient]);
    const wrong = newKey();
    const { released, error } = await collectUntilError(decryptStream(chunksOf(file, 64), [wrong.identity]));
    assert.ok(error instanceof NoIdentityMatchError);
    assert.equal(error.code, 'age-no-identity-matched');
    assert.equal(released.length, 0);
    assert.match(error.message, /the identity \([0-9a-f]{16}\) does not match any of the file's 2 recipient stanzas/);
    assert.match(error.hint!, /age-keygen -y/);
    assert.ok(!error.message.includes(wrong.text.identity) && !error.message.includes(wrong.text.identity.slice(16, 40)));
  });

  it('says wrong passphrase, or that a passphrase is needed, for passphrase files', async () => {
    const file = await encrypt(Buffer.from('x'), [passphraseRecipient('right', 10)]);
    await assert.rejects(collect(decryptStream(chunksOf(file, 64), [passphraseIdentity('wrong')])),
      (err: unknown) => err instanceof NoIdentityMatchError && /wrong passphrase/.test(err.message) && !err.message.includes('right'));
    await assert.rejects(collect(decryptStream(chunksOf(file, 64), [newKey().identity])), /encrypted with a passphrase, and no passphrase was given/);
  });

  it('says an identity is needed when only a passphrase was given for a key-encrypted file', async () => {
    const file = await encrypt(Buffer.from('x'), [newKey().recipient]);
    await assert.rejects(collect(decryptStream(chunksOf(file, 64), [passphraseIdentity('p')])), /encrypted to public keys, and no identity was given/);
  });

  it('refuses an empty identity list', async () => {
    await assert.rejects(collect(decryptStream(chunksOf(Buffer.from('age'), 1), [])), { code: 'age-no-identities' });
  });

  it('rejects an scrypt stanza next to another stanza before trying any identity (scrypt_and_x25519, scrypt_double)', async () => {
    const fileKey = Buffer.alloc(16, 9);
    const { recipient } = newKey();
    for (const others of [await recipient.wrap(fileKey), await new ScryptRecipient('p', 10).wrap(fileKey)]) {
      const [scrypt] = await new ScryptRecipient('p', 10).wrap(fileKey);
      const file = await collect(encryptWithFileKey(chunksOf(Buffer.from('x'), 1), [scrypt!, ...others], fileKey, Buffer.alloc(16)));
      await assert.rejects(collect(decryptStream(chunksOf(file, 64), [passphraseIdentity('p')])),
        (err: unknown) => err instanceof AgeHeaderError && /only stanza/.test(err.reason));
    }
  });

  it('rejects a header MAC mismatch without releasing plaintext (hmac_bad)', async () => {
    const { identity, recipient } = newKey();
    const file = await encrypt(Buffer.from('plaintext'), [recipient]);
    // Change a stanza argument's MAC-covered bytes by adding an unknown stanza: parses, MAC fails.
    const at = file.indexOf('\n---') + 1;
    const tampered = Buffer.concat([file.subarray(0, at), Buffer.from('-> example.com/x\n\n'), file.subarray(at)]);
    const { released, error } = await collectUntilError(decryptStream(chunksOf(tampered, 64), [identity]));
    assert.ok(error instanceof HeaderMacError);
    assert.equal(released.length, 0);
  });

  it('rejects a payload shorter than its 16-byte nonce (stream_short_nonce)', async () => {
    const fileKey = Buffer.alloc(16, 1);
    const identity = new X25519Identity(Buffer.alloc(32, 3));
    const header = encodeHeader(await identity.recipient().wrap(fileKey), fileKey);
    const { error } = await collectUntilError(decryptStream(chunksOf(Buffer.concat([header, Buffer.alloc(15)]), 64), [identity]));
    assert.ok(error instanceof PayloadError && error.truncated);
  });

  for (const cut of [1, 16, 17, 65552]) {
    it(`rejects a file truncated by ${cut} bytes and never completes`, async () => {
      const { identity, recipient } = newKey();
      const file = await encrypt(patternBytes(2 * 65536 + 100), [recipient]);
      const { error } = await collectUntilError(decryptStream(chunksOf(file.subarray(0, file.length - cut), 4096), [identity]));
      assert.ok(error instanceof PayloadError, String(error));
    });
  }
});
