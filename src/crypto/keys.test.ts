import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyFormatError } from './errors.js';
import {
  formatIdentityFile, generateIdentity, identityFingerprint, parseIdentityFile, parseRecipient, parseRecipientsFile,
  passphraseIdentity, passphraseRecipient, recipientFingerprint,
} from './keys.js';

const IDENTITY = 'AGE-SECRET-KEY-1QYPQXPQ9QCRSSZG2PVXQ6RS0ZQG3YYC5Z5TPWXQERGD3C8G7RUSQGPQYEE';
const RECIPIENT = 'age1q73he0q5yzfu3d64msd3p6rvksnrwjk3d2598mgtmlqt9wrdr37q2vrn72';

function rejectsKey(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof KeyFormatError, String(err));
    assert.match(err.message, message);
    assert.equal(err.code, 'age-key-invalid');
    assert.ok(!err.message.includes(IDENTITY.slice(16)) && !err.message.includes(IDENTITY.slice(16).toLowerCase()), 'secret leaked');
    return true;
  });
}

describe('parseRecipient', () => {
  it('parses an age1 recipient and ignores surrounding whitespace', () => {
    assert.equal(parseRecipient(` ${RECIPIENT}\n`).toString(), RECIPIENT);
  });
  it('rejects an uppercase recipient', () => rejectsKey(() => parseRecipient(RECIPIENT.toUpperCase()), /lowercase/));
  it('rejects a typo through the checksum and quotes the public text', () =>
    rejectsKey(() => parseRecipient(`${RECIPIENT.slice(0, -1)}3`), new RegExp(`"${RECIPIENT.slice(0, -1)}3".*checksum`)));
  it('rejects a secret key without echoing it', () => rejectsKey(() => parseRecipient(IDENTITY), /secret identity, not a public recipient/));
  it('rejects a post-quantum and an SSH recipient', () => {
    rejectsKey(() => parseRecipient('age1pq1qqqqqqqqqqqqqqqqqqqqqqqqqqq'), /.+/);
    rejectsKey(() => parseRecipient('ssh-ed25519 AAAA'), /SSH keys/);
  });
});

describe('parseRecipientsFile', () => {
  it('reads one recipient per line with comments, blank lines and CRLF', () => {
    const other = generateIdentity().recipient;
    const list = parseRecipientsFile(`# backups\r\n${RECIPIENT}\r\n\n${other}\n`);
    assert.deepEqual(list.map(String), [RECIPIENT, other]);
  });
  it('names the line of a bad recipient', () => rejectsKey(() => parseRecipientsFile(`# x\n${RECIPIENT}\nage1nope\n`), /line 3 of the recipients file/));
  it('rejects a file without recipients', () => rejectsKey(() => parseRecipientsFile('# only a comment\n'), /No recipient found/));
  it('rejects leading whitespace on a line', () => rejectsKey(() => parseRecipientsFile(` ${RECIPIENT}\n`), /whitespace/));
});

describe('parseIdentityFile', () => {
  it('reads age-keygen output', () => {
    const text = formatIdentityFile({ identity: IDENTITY, recipient: RECIPIENT }, new Date('2024-01-02T03:04:05.678Z'));
    assert.equal(text, `# created: 2024-01-02T03:04:05Z\n# public key: ${RECIPIENT}\n${IDENTITY}\n`);
    const [identity] = parseIdentityFile(text);
    assert.equal(identity!.kind === 'x25519' && identity!.recipient().toString(), RECIPIENT);
  });
  it('accepts CRLF and several identities', () => assert.equal(parseIdentityFile(`${IDENTITY}\r\n${generateIdentity().identity}\r\n`).length, 2));
  it('rejects a lowercase identity without echoing it', () => rejectsKey(() => parseIdentityFile(IDENTITY.toLowerCase()), /line 1 .*uppercase/));
  it('rejects a leading space', () => rejectsKey(() => parseIdentityFile(` ${IDENTITY}`), /whitespace/));
  it('rejects a changed character without echoing the line', () => rejectsKey(() => parseIdentityFile(`#\n${IDENTITY.slice(0, -1)}A`), /line 2 .*checksum/));
  it('rejects a recipient given as identity', () => rejectsKey(() => parseIdentityFile(RECIPIENT), /public recipient, not a secret identity/));
  it('rejects an empty file', () => rejectsKey(() => parseIdentityFile('# nothing\n\n'), /No identity found/));
  it('rejects an encrypted identity file with a hint to decrypt it', () => rejectsKey(() => parseIdentityFile('age-encryption.org/v1\n-> scrypt'), /passphrase-protected/));
});

describe('keys', () => {
  it('generateIdentity returns a matching pair', () => {
    const { identity, recipient } = generateIdentity();
    assert.match(identity, /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/);
    assert.match(recipient, /^age1[02-9ac-hj-np-z]{58}$/);
    const [parsed] = parseIdentityFile(identity);
    assert.equal(identityFingerprint(parsed!), recipientFingerprint(parseRecipient(recipient)));
  });
  it('recipientFingerprint is 16 hex digits of sha256 of the age1 string, "scrypt" for a passphrase', async () => {
    const { createHash } = await import('node:crypto');
    assert.equal(recipientFingerprint(parseRecipient(RECIPIENT)), createHash('sha256').update(RECIPIENT).digest('hex').slice(0, 16));
    assert.equal(recipientFingerprint(passphraseRecipient('x', 10)), 'scrypt');
    assert.equal(identityFingerprint(passphraseIdentity('x')), 'scrypt');
  });
  it('passphraseRecipient refuses an empty passphrase and work factors outside 1..22', () => {
    assert.throws(() => passphraseRecipient(''), { code: 'age-passphrase-empty' });
    assert.throws(() => passphraseRecipient('x', 23), RangeError);
    assert.throws(() => passphraseRecipient('x', 0), RangeError);
  });
});
