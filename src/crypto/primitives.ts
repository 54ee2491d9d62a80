/**
 * The cryptographic building blocks of age on node:crypto (spec §1, §11): HKDF-SHA-256,
 * ChaCha20-Poly1305 without associated data, X25519 on raw 32-byte keys, scrypt, HMAC.
 */
import {
  createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman,
  hkdfSync, scrypt, timingSafeEqual, type KeyObject,
} from 'node:crypto';

export const TAG_BYTES = 16;
export const KEY_BYTES = 32;
/** Raw keys are imported through fixed DER prefixes (PKCS#8 / SPKI for OID 1.3.101.110). */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** HKDF-SHA-256 with 32 bytes of output. */
export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, KEY_BYTES));
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Constant-time equality of two byte strings of the same length. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** ChaCha20-Poly1305 seal: ciphertext followed by the 16-byte tag. */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_BYTES });
  const body = cipher.update(plaintext);
  cipher.final();
  return Buffer.concat([body, cipher.getAuthTag()]);
}

/** ChaCha20-Poly1305 open; undefined when the tag does not authenticate (or input < 16 bytes). */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < TAG_BYTES) return undefined;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    decipher.final();
  } catch {
    return undefined;
  }
  return plaintext;
}

/** Imports a raw 32-byte X25519 secret (unclamped, as age stores it). */
export function x25519PrivateKey(secret: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, secret]), format: 'der', type: 'pkcs8' });
}

/** The raw 32-byte public key of an X25519 private key: X25519(secret, basepoint). */
export function x25519PublicBytes(privateKey: KeyObject): Buffer {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - KEY_BYTES);
}

/**
 * X25519(privateKey, publicKey). Undefined when the result would be all zeros (a low-order
 * or zero share): OpenSSL refuses to derive it, and age requires rejecting it (spec §4).
 */
export function x25519(privateKey: KeyObject, publicKey: Uint8Array): Buffer | undefined {
  let shared: Buffer;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
    shared = diffieHellman({ privateKey, publicKey: key });
  } catch {
    return undefined;
  }
  return shared.every((b) => b === 0) ? undefined : shared;
}

/** scrypt with r = 8, p = 1, 32 bytes out; maxmem leaves room above 128·N·r (spec §11). */
export function scryptKey(passphrase: Uint8Array, salt: Uint8Array, logN: number): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    scrypt(passphrase, salt, KEY_BYTES, { N, r: 8, p: 1, maxmem: 256 * N * 8 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
