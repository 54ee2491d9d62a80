/**
 * Strict base64 as age uses it (spec §1): standard alphabet, canonical encodings only.
 * Node's decoder is lenient (padding, spaces, URL-safe characters and non-zero trailing bits
 * all decode), so every decode re-encodes and compares.
 */

const UNPADDED = /^[A-Za-z0-9+/]*$/;
const PADDED = /^[A-Za-z0-9+/]*={0,2}$/;

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Unpadded standard base64, as in age headers. */
export function encodeBase64(bytes: Uint8Array): string {
  return toBuffer(bytes).toString('base64').replace(/=+$/, '');
}

/** Decodes canonical unpadded base64; undefined for anything else. */
export function decodeBase64(text: string): Buffer | undefined {
  if (!UNPADDED.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return encodeBase64(bytes) === text ? bytes : undefined;
}

/** Decodes canonical padded base64 (the ASCII armor); undefined for anything else. */
export function decodeBase64Padded(text: string): Buffer | undefined {
  if (!PADDED.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
