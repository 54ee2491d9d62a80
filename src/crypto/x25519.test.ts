import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBase64 } from './base64.js';
import { AgeHeaderError } from './errors.js';
import type { Stanza } from './header.js';
import { wrapX25519, X25519Identity, X25519Recipient } from './x25519.js';

// Spec §12 vector 1.
const bytes = (from: number, n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => from + i));
const SECRET = bytes(0x01, 32);
const EPHEMERAL = bytes(0x21, 32);
const FILE_KEY = Buffer.from('YELLOW SUBMARINE');
const RECIPIENT_HEX = '07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c';
const SHARE = 'WGmv9FBUlzLLqu1eXfmzCm2jHLDldCutWtShp2jxpns';
const BODY = 'snRJckTaHu3kg2MfWeKo8jQlZ46TMwULwCrV5KeF0mI';

const stanza = (args: string[], body: Uint8Array, type = 'X25519'): Stanza => ({ type, args, body });
const identity = new X25519Identity(SECRET);

async function fatal(stanzas: Stanza[], reason: RegExp): Promise<void> {
  await assert.rejects(identity.unwrap(stanzas), (err: unknown) => err instanceof AgeHeaderError && reason.test(err.reason));
}

describe('X25519', () => {
  it('derives the spec recipient from the spec identity', () => {
    assert.equal(identity.recipient().toString(), 'age1q73he0q5yzfu3d64msd3p6rvksnrwjk3d2598mgtmlqt9wrdr37q2vrn72');
    assert.equal(identity.encodeSecret(), 'AGE-SECRET-KEY-1QYPQXPQ9QCRSSZG2PVXQ6RS0ZQG3YYC5Z5TPWXQERGD3C8G7RUSQGPQYEE');
  });

  it('wraps the spec file key into the spec stanza', () => {
    const s = wrapX25519(FILE_KEY, Buffer.from(RECIPIENT_HEX, 'hex'), EPHEMERAL);
    assert.deepEqual([s.type, s.args, encodeBase64(s.body)], ['X25519', [SHARE], BODY]);
  });

  it('unwraps the spec stanza and skips stanzas of other types', async () => {
    const key = await identity.unwrap([stanza(['x'], Buffer.alloc(32), 'example.com/grease'), stanza([SHARE], Buffer.from(BODY, 'base64'))]);
    assert.deepEqual(Buffer.from(key!), FILE_KEY);
  });

  it('returns undefined for a stanza addressed to another key and for a lowercase type (x25519_lowercase)', async () => {
    const other = new X25519Identity(bytes(0x50, 32));
    assert.equal(await other.unwrap([stanza([SHARE], Buffer.from(BODY, 'base64'))]), undefined);
    assert.equal(await identity.unwrap([stanza([SHARE], Buffer.from(BODY, 'base64'), 'x25519')]), undefined);
  });

  it('wraps for a random recipient so that only its identity unwraps', async () => {
    const recipient = identity.recipient();
    const [s] = await recipient.wrap(FILE_KEY);
    assert.deepEqual(Buffer.from((await identity.unwrap([s!]))!), FILE_KEY);
    assert.ok(recipient instanceof X25519Recipient);
    assert.match(recipient.fingerprint(), /^[0-9a-f]{16}$/);
  });

  it('rejects an extra argument (x25519_extra_argument)', () => fatal([stanza([SHARE, 'x'], Buffer.from(BODY, 'base64'))], /exactly one argument/));
  it('rejects a non-canonical share (x25519_not_canonical_share)', () => fatal([stanza([`${SHARE.slice(0, -1)}t`], Buffer.from(BODY, 'base64'))], /share is not 32 bytes/));
  it('rejects a short share (x25519_short_share)', () => fatal([stanza([encodeBase64(Buffer.alloc(31, 1))], Buffer.from(BODY, 'base64'))], /share is not 32 bytes/));
  it('rejects a long share (x25519_long_share)', () => fatal([stanza([encodeBase64(Buffer.alloc(33, 1))], Buffer.from(BODY, 'base64'))], /share is not 32 bytes/));
  it('rejects a body that is not 32 bytes before decrypting (x25519_long_file_key)', () =>
    fatal([stanza([SHARE], Buffer.alloc(48))], /body is not 32 bytes/));
  it('rejects the all-zero share, whose shared secret is zero (x25519_identity)', () =>
    fatal([stanza([encodeBase64(Buffer.alloc(32))], Buffer.from(BODY, 'base64'))], /low-order/));
  it('rejects a low-order share (x25519_low_order)', () => {
    // A point of order 8 on Curve25519 (from the libsodium blocklist).
    const lowOrder = Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex');
    return fatal([stanza([encodeBase64(lowOrder)], Buffer.from(BODY, 'base64'))], /low-order/);
  });

  it('keeps the secret out of util.inspect and JSON', async () => {
    const { inspect } = await import('node:util');
    const secretHex = SECRET.toString('hex');
    assert.ok(!inspect(identity, { depth: 5, showHidden: true }).includes(secretHex));
    assert.ok(!JSON.stringify(identity).includes('AGE-SECRET'));
    assert.ok(!inspect(identity).includes('QYPQXPQ9'));
  });
});
