/**
 * Streaming age v1 encryption and decryption: header, then STREAM payload (spec §2-§8).
 * Interoperates with the age CLI in both directions, armored or binary.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { armorDecode, armorEncode, isArmored } from './armor.js';
import { ByteReader } from './byte-reader.js';
import { AgeHeaderError, HeaderMacError, NoIdentityMatchError, PayloadError } from './errors.js';
import { encodeHeader, headerMac, readHeader, type Stanza } from './header.js';
import { identityFingerprint, type Identity, type Recipient } from './keys.js';
import { bytesEqual } from './primitives.js';
import { SCRYPT_TYPE } from './scrypt.js';
import { openPayload, PAYLOAD_NONCE_BYTES, payloadKey, sealPayload } from './stream.js';

const FILE_KEY_BYTES = 16;

export interface EncryptOptions {
  /** Write the ASCII armor (`age -a`) instead of binary. */
  armor?: boolean;
}

/**
 * Encrypts `source` to `recipients`, yielding the age file. Either any number of age1...
 * recipients or exactly one passphrase (age forbids mixing). The plaintext is read in
 * order and never held beyond one 64 KiB chunk.
 */
export async function* encryptStream(
  source: AsyncIterable<Uint8Array>,
  recipients: readonly Recipient[],
  options: EncryptOptions = {},
): AsyncGenerator<Uint8Array> {
  if (recipients.length === 0) {
    throw new AppError('age-no-recipients', 'Cannot encrypt: no recipient given', { hint: 'Give at least one age1... recipient or a passphrase' });
  }
  if (recipients.some((r) => r.kind === 'scrypt') && recipients.length > 1) {
    throw new AppError('age-scrypt-not-alone', 'Cannot encrypt to a passphrase together with other recipients', {
      hint: 'age files use either a passphrase or recipient keys, not both; choose one',
    });
  }
  const fileKey = randomBytes(FILE_KEY_BYTES);
  const stanzas = (await Promise.all(recipients.map((r) => r.wrap(fileKey)))).flat();
  const file = encryptWithFileKey(source, stanzas, fileKey, randomBytes(PAYLOAD_NONCE_BYTES));
  yield* options.armor ? armorEncode(file) : file;
}

/** The age file for given stanzas, file key and nonce; deterministic for test vectors. */
export async function* encryptWithFileKey(
  source: AsyncIterable<Uint8Array>,
  stanzas: readonly Stanza[],
  fileKey: Uint8Array,
  nonce: Uint8Array,
): AsyncGenerator<Uint8Array> {
  yield Buffer.concat([encodeHeader(stanzas, fileKey), nonce]);
  yield* sealPayload(source, payloadKey(fileKey, nonce));
}

/**
 * Decrypts an age file (binary or armored) with the first identity that unwraps its file
 * key. Plaintext is released chunk by chunk as each 64 KiB chunk authenticates, so a
 * consumer must treat the output as valid only when the generator returns without an error
 * (truncation and trailing data are detected at the end). Throws DecryptionError
 * subclasses: AgeArmorError, AgeHeaderError, NoIdentityMatchError, HeaderMacError, PayloadError.
 */
export async function* decryptStream(
  source: AsyncIterable<Uint8Array>,
  identities: readonly Identity[],
): AsyncGenerator<Uint8Array> {
  if (identities.length === 0) {
    throw new AppError('age-no-identities', 'Cannot decrypt: no identity or passphrase given', { hint: 'Give the identity file or the passphrase used for the file' });
  }
  const readers = [new ByteReader(source)];
  try {
    if (await isArmored(readers[0]!)) readers.push(new ByteReader(armorDecode(readers[0]!)));
    const reader = readers[readers.length - 1]!;
    const header = await readHeader(reader);
    const fileKey = await unwrapFileKey(header.stanzas, identities);
    // Only an unwrapped key can check the MAC; nothing is released before it matches.
    if (!bytesEqual(headerMac(fileKey, header.macInput), header.mac)) throw new HeaderMacError();
    const nonce = await reader.read(PAYLOAD_NONCE_BYTES);
    if (nonce.length < PAYLOAD_NONCE_BYTES) throw new PayloadError('ends before its 16-byte nonce', true);
    yield* openPayload(reader, payloadKey(fileKey, nonce));
  } finally {
    for (const reader of readers.reverse()) await reader.close();
  }
}

/** Tries every identity on the stanzas (spec §3.4); malformed stanzas addressed to us are fatal. */
async function unwrapFileKey(stanzas: readonly Stanza[], identities: readonly Identity[]): Promise<Uint8Array> {
  // Checked before any identity runs, so a mixed header fails the same way for every key.
  if (stanzas.some((s) => s.type === SCRYPT_TYPE) && stanzas.length !== 1) {
    throw new AgeHeaderError('an scrypt stanza must be the only stanza in the header');
  }
  for (const identity of identities) {
    const fileKey = await identity.unwrap(stanzas);
    if (fileKey) return fileKey;
  }
  throw new NoIdentityMatchError({
    stanzaTypes: stanzas.map((s) => s.type),
    identityFingerprints: identities.filter((i) => i.kind === 'x25519').map(identityFingerprint),
    passphraseGiven: identities.some((i) => i.kind === 'scrypt'),
  });
}
