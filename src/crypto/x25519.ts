/**
 * The X25519 recipient type (spec §4): an ephemeral key agreement per file and recipient,
 * HKDF into a wrap key, ChaCha20-Poly1305 around the file key. Secrets live in private
 * fields, which util.inspect, JSON.stringify and error messages never show.
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64.js';
import { AgeHeaderError } from './errors.js';
import type { Stanza } from './header.js';
import { aeadOpen, aeadSeal, hkdf, KEY_BYTES, x25519, x25519PrivateKey, x25519PublicBytes } from './primitives.js';
import { bech32Encode } from './bech32.js';

export const X25519_TYPE = 'X25519';
const X25519_INFO = 'age-encryption.org/v1/X25519';
const ZERO_NONCE = new Uint8Array(12);
const FILE_KEY_BYTES = 16;
const WRAPPED_KEY_BYTES = FILE_KEY_BYTES + 16;

/** A public key (age1...) that files can be encrypted to. */
export class X25519Recipient {
  readonly kind = 'x25519';
  readonly #publicKey: Uint8Array;

  /** `publicKey`: the raw 32 bytes. */
  constructor(publicKey: Uint8Array) {
    if (publicKey.length !== KEY_BYTES) throw new RangeError('an X25519 public key has 32 bytes');
    this.#publicKey = Uint8Array.from(publicKey);
  }

  /** The age1... encoding. */
  toString(): string {
    return bech32Encode('age', this.#publicKey);
  }

  /** First 16 hex digits of the SHA-256 of the age1... string: stable and not secret. */
  fingerprint(): string {
    return createHash('sha256').update(this.toString()).digest('hex').slice(0, 16);
  }

  async wrap(fileKey: Uint8Array): Promise<Stanza[]> {
    return [wrapX25519(fileKey, this.#publicKey, randomBytes(KEY_BYTES))];
  }
}

/** The stanza for one recipient; the ephemeral secret is a parameter for test vectors. */
export function wrapX25519(fileKey: Uint8Array, recipient: Uint8Array, ephemeralSecret: Uint8Array): Stanza {
  const ephemeral = x25519PrivateKey(ephemeralSecret);
  const share = x25519PublicBytes(ephemeral);
  const shared = x25519(ephemeral, recipient);
  if (!shared) throw new RangeError('the X25519 recipient is a low-order point');
  const wrapKey = hkdf(shared, Buffer.concat([share, recipient]), X25519_INFO);
  return { type: X25519_TYPE, args: [encodeBase64(share)], body: aeadSeal(wrapKey, ZERO_NONCE, fileKey) };
}

/** A secret key (AGE-SECRET-KEY-1...) that unwraps X25519 stanzas. */
export class X25519Identity {
  readonly kind = 'x25519';
  readonly #secret: Uint8Array;
  readonly #privateKey: KeyObject;
  readonly #publicKey: Buffer;

  /** `secret`: the raw 32 bytes, stored unclamped as age does. */
  constructor(secret: Uint8Array) {
    if (secret.length !== KEY_BYTES) throw new RangeError('an X25519 identity has 32 bytes');
    this.#secret = Uint8Array.from(secret);
    this.#privateKey = x25519PrivateKey(this.#secret);
    this.#publicKey = x25519PublicBytes(this.#privateKey);
  }

  /** The recipient (public key) of this identity. */
  recipient(): X25519Recipient {
    return new X25519Recipient(this.#publicKey);
  }

  /** The AGE-SECRET-KEY-1... encoding. Secret: only for writing an identity file. */
  encodeSecret(): string {
    return bech32Encode('age-secret-key-', this.#secret).toUpperCase();
  }

  /**
   * The file key from the first X25519 stanza this identity opens, or undefined. A stanza
   * addressed to X25519 but malformed is fatal for the whole file (spec §4 steps 2-5).
   */
  async unwrap(stanzas: readonly Stanza[]): Promise<Uint8Array | undefined> {
    for (const stanza of stanzas) {
      if (stanza.type !== X25519_TYPE) continue;
      if (stanza.args.length !== 1) throw new AgeHeaderError('an X25519 stanza must have exactly one argument');
      const share = decodeBase64(stanza.args[0]!);
      if (!share || share.length !== KEY_BYTES) throw new AgeHeaderError('an X25519 share is not 32 bytes of canonical base64');
      // Checked before decrypting: a longer body enables partitioning-oracle attacks.
      if (stanza.body.length !== WRAPPED_KEY_BYTES) throw new AgeHeaderError('an X25519 stanza body is not 32 bytes');
      const shared = x25519(this.#privateKey, share);
      if (!shared) throw new AgeHeaderError('an X25519 share is a low-order point');
      const wrapKey = hkdf(shared, Buffer.concat([share, this.#publicKey]), X25519_INFO);
      const fileKey = aeadOpen(wrapKey, ZERO_NONCE, stanza.body);
      if (fileKey) return fileKey;
    }
    return undefined;
  }
}
