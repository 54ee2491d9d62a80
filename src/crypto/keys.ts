/**
 * Text forms of keys (spec §6, §10): age1... recipients, AGE-SECRET-KEY-1... identities and
 * the files holding them, passphrases, fingerprints. Pure: the file I/O is in key-files.ts.
 * Errors never echo secret text; identity lines are named by their line number.
 */
import { bech32Decode } from './bech32.js';
import { KeyFormatError } from './errors.js';
import { DEFAULT_WORK_FACTOR, MAX_WORK_FACTOR, ScryptIdentity, ScryptRecipient } from './scrypt.js';
import { X25519Identity, X25519Recipient } from './x25519.js';
import { generateKeyPairSync } from 'node:crypto';
import { AppError } from '../errors.js';

export type Recipient = X25519Recipient | ScryptRecipient;
export type Identity = X25519Identity | ScryptIdentity;

const RECIPIENT_HINT = 'A recipient is an "age1..." public key as printed by "kubekeeper keygen" or "age-keygen"';
const IDENTITY_HINT = 'An identity file holds "AGE-SECRET-KEY-1..." lines as written by "kubekeeper keygen -o FILE" or "age-keygen -o FILE"';

/** Parses one "age1..." recipient; surrounding whitespace is ignored. */
export function parseRecipient(text: string): Recipient {
  const key = text.trim();
  const fail = (why: string): never => {
    // Quoting is safe only for text that looks public; a pasted secret key must not be echoed.
    const shown = key.startsWith('age1') && key.length < 200 ? ` "${key}"` : '';
    throw new KeyFormatError(`Invalid recipient${shown}: ${why}`, RECIPIENT_HINT);
  };
  if (key.toUpperCase().startsWith('AGE-SECRET-KEY-')) fail('this is a secret identity, not a public recipient; never share it');
  if (key.startsWith('ssh-')) fail('SSH keys are not supported as recipients');
  let decoded: { hrp: string; data: Uint8Array };
  try {
    decoded = bech32Decode(key);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (decoded.hrp === 'age1pq') fail('post-quantum (age1pq1...) recipients are not supported');
  if (decoded.hrp !== 'age') fail(decoded.hrp.toLowerCase() === 'age' ? 'recipients are written in lowercase' : `unknown key type "${decoded.hrp}"`);
  if (decoded.data.length !== 32) fail('it does not encode 32 bytes');
  return new X25519Recipient(decoded.data);
}

/** Parses an identity line; `where` names it in errors ("line 3 of FILE"). */
function parseIdentityLine(line: string, where: string): Identity {
  const fail = (why: string): never => {
    throw new KeyFormatError(`Invalid identity at ${where}: ${why}`, IDENTITY_HINT);
  };
  if (line !== line.trim()) fail('leading or trailing whitespace');
  if (line.startsWith('age1')) fail('this is a public recipient, not a secret identity');
  if (line.startsWith('AGE-PLUGIN-') || line.startsWith('AGE-SECRET-KEY-PQ-1')) fail('plugin and post-quantum identities are not supported');
  let decoded: { hrp: string; data: Uint8Array };
  try {
    decoded = bech32Decode(line);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (decoded.hrp !== 'AGE-SECRET-KEY-') fail(decoded.hrp === 'age-secret-key-' ? 'identities are written in uppercase' : 'unknown key type');
  if (decoded.data.length !== 32) fail('it does not encode 32 bytes');
  return new X25519Identity(decoded.data);
}

/** Non-empty lines that do not start with "#", with their 1-based numbers; LF or CRLF. */
function keyLines(text: string): { line: string; number: number }[] {
  return text.split('\n')
    .map((line, i) => ({ line: line.endsWith('\r') ? line.slice(0, -1) : line, number: i + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'));
}

/** Parses a recipients file (`age -R`): one age1... per line, "#" comments, at least one. */
export function parseRecipientsFile(text: string, source = 'the recipients file'): Recipient[] {
  const lines = keyLines(text);
  if (lines.length === 0) throw new KeyFormatError(`No recipient found in ${source}`, RECIPIENT_HINT);
  return lines.map(({ line, number }) => {
    if (line !== line.trim()) throw new KeyFormatError(`Invalid recipient at line ${number} of ${source}: leading or trailing whitespace`, RECIPIENT_HINT);
    try {
      return parseRecipient(line);
    } catch (err) {
      if (err instanceof KeyFormatError) throw new KeyFormatError(`${err.message} (line ${number} of ${source})`, RECIPIENT_HINT);
      throw err;
    }
  });
}

/** Parses an identity file (`age -i`, age-keygen output): AGE-SECRET-KEY-1... lines, "#" comments. */
export function parseIdentityFile(text: string, source = 'the identity file'): Identity[] {
  if (text.startsWith('age-encryption.org/') || text.trimStart().startsWith('-----BEGIN AGE ENCRYPTED FILE-----')) {
    throw new KeyFormatError(`Cannot read ${source}: passphrase-protected identity files are not supported`,
      'Decrypt it first ("age -d -o plain.txt FILE") and keep the result with mode 0600');
  }
  const lines = keyLines(text);
  if (lines.length === 0) throw new KeyFormatError(`No identity found in ${source}`, IDENTITY_HINT);
  return lines.map(({ line, number }) => parseIdentityLine(line, `line ${number} of ${source}`));
}

/** A passphrase recipient; `workFactor` is log2(N) of scrypt, 1..22, default 18 like age. */
export function passphraseRecipient(passphrase: string, workFactor = DEFAULT_WORK_FACTOR): Recipient {
  if (passphrase === '') throw new AppError('age-passphrase-empty', 'Cannot encrypt with an empty passphrase', { hint: 'Choose a long passphrase, or use a recipient key' });
  if (!Number.isInteger(workFactor) || workFactor < 1 || workFactor > MAX_WORK_FACTOR) {
    throw new RangeError(`scrypt work factor must be an integer from 1 to ${MAX_WORK_FACTOR}, got ${workFactor}`);
  }
  return new ScryptRecipient(passphrase, workFactor);
}

/**
 * A passphrase identity for decrypting; files asking for a work factor above `maxWorkFactor`
 * (22, 4 GiB of memory, by default) are refused before any scrypt work.
 */
export function passphraseIdentity(passphrase: string, maxWorkFactor = MAX_WORK_FACTOR): Identity {
  return new ScryptIdentity(passphrase, maxWorkFactor);
}

/** A new random identity and its recipient, in their text forms. */
export function generateIdentity(): { identity: string; recipient: string } {
  const jwk = generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' });
  const identity = new X25519Identity(Buffer.from(jwk.d!, 'base64url'));
  return { identity: identity.encodeSecret(), recipient: identity.recipient().toString() };
}

/** The identity file text that age-keygen writes: creation time, public key, secret key. */
export function formatIdentityFile(generated: { identity: string; recipient: string }, createdAt: Date): string {
  const created = createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `# created: ${created}\n# public key: ${generated.recipient}\n${generated.identity}\n`;
}

/** Stable, non-secret name of a recipient: 16 hex digits of sha256("age1..."), or "scrypt". */
export function recipientFingerprint(r: Recipient): string {
  return r.kind === 'scrypt' ? 'scrypt' : r.fingerprint();
}

/** The fingerprint of the recipient an identity decrypts for; "scrypt" for a passphrase. */
export function identityFingerprint(i: Identity): string {
  return i.kind === 'scrypt' ? 'scrypt' : i.recipient().fingerprint();
}
