/**
 * Manifest signing keys: ed25519, in text forms like age's. A signing key file holds
 * "KKSIGN-SECRET-KEY-1..." (the 32-byte seed, Bech32, uppercase) with its public key in a
 * comment; a signer public key is "kksign1..." (Bech32, lowercase, with a checksum that catches
 * typos). A key's id is 16 hex digits of sha256 of the public key text, as recipients'
 * fingerprints are. Errors never echo secret text.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { link, open, stat, unlink, readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { bech32Decode, bech32Encode } from './bech32.js';
import { KeyFormatError } from './errors.js';

const SECRET_HRP = 'KKSIGN-SECRET-KEY-';
const PUBLIC_HRP = 'kksign';
/** DER prefixes of an ed25519 PKCS#8 private key and SPKI public key (RFC 8410), before the 32 key bytes. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const MAX_SIGNING_FILE_BYTES = 64 * 1024;
const PUBLIC_HINT = 'A trusted signer is a "kksign1..." public key as printed by "kubekeeper keygen --signing -o FILE", or a file of them';

/** A trusted signer's public key: verifies manifest signatures. */
export class SignerPublicKey {
  private readonly key: KeyObject;
  constructor(readonly raw: Uint8Array) {
    this.key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  }

  toString(): string {
    return bech32Encode(PUBLIC_HRP, this.raw);
  }

  /** 16 hex digits naming the key (not secret). */
  keyId(): string {
    return createHash('sha256').update(this.toString()).digest('hex').slice(0, 16);
  }

  verify(message: Uint8Array, signature: Uint8Array): boolean {
    return signature.length === 64 && verify(null, message, this.key, signature);
  }
}

/** A node's signing key: signs the manifests it writes. */
export class SigningKey {
  private readonly key: KeyObject;
  readonly publicKey: SignerPublicKey;
  constructor(seed: Uint8Array) {
    this.key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(this.key).export({ format: 'der', type: 'spki' });
    this.publicKey = new SignerPublicKey(new Uint8Array(spki.subarray(spki.length - 32)));
  }

  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.key));
  }
}

/** Parses one "kksign1..." public key. */
export function parseSignerPublicKey(text: string): SignerPublicKey {
  const key = text.trim();
  const fail = (why: string): never => {
    throw new KeyFormatError(`Invalid trusted signer${key.startsWith('kksign1') && key.length < 100 ? ` "${key}"` : ''}: ${why}`, PUBLIC_HINT);
  };
  if (key.toUpperCase().startsWith(SECRET_HRP)) fail('this is a secret signing key, not a public key; never share it');
  let decoded: { hrp: string; data: Uint8Array };
  try {
    decoded = bech32Decode(key);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (decoded.hrp !== PUBLIC_HRP) fail(`unknown key type "${decoded.hrp}"`);
  if (decoded.data.length !== 32) fail('it does not encode 32 bytes');
  return new SignerPublicKey(decoded.data);
}

/** A new signing key and the text of its key file. */
export function generateSigningKey(createdAt = new Date()): { key: SigningKey; fileText: string } {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d as string, 'base64url');
  const key = new SigningKey(seed);
  const created = createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const fileText = `# kubekeeper manifest signing key\n# created: ${created}\n# public key: ${key.publicKey.toString()}\n${bech32Encode(SECRET_HRP.toLowerCase(), seed).toUpperCase()}\n`;
  return { key, fileText };
}

/** Parses a signing key file's text; `where` names it in errors. */
export function parseSigningKeyFile(text: string, where: string): SigningKey {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const fail = (why: string): never => {
    throw new KeyFormatError(`Invalid signing key file ${where}: ${why}`, 'A signing key file is written by "kubekeeper keygen --signing -o FILE"');
  };
  if (lines.length !== 1) fail(`expected one "${SECRET_HRP}1..." line, found ${lines.length}`);
  let decoded: { hrp: string; data: Uint8Array };
  try {
    decoded = bech32Decode((lines[0] as string).trim());
  } catch (err) {
    return fail((err as Error).message);
  }
  if (decoded.hrp !== SECRET_HRP) fail('it is not a kubekeeper signing key');
  if (decoded.data.length !== 32) fail('it does not encode 32 bytes');
  return new SigningKey(decoded.data);
}

/** Reads a signing key file; refuses one that group or others can read (it is a secret key). */
export async function loadSigningKey(file: string): Promise<SigningKey> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new AppError('signing-key-missing', `Cannot read the signing key file "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      hint: 'Create one with "kubekeeper keygen --signing -o FILE"', cause: err,
    });
  }
  if (info.size > MAX_SIGNING_FILE_BYTES) throw new KeyFormatError(`Cannot read the signing key file "${file}": ${info.size} bytes is too large for a key file`, 'Point --signing-key to the file "kubekeeper keygen --signing" wrote');
  if ((info.mode & 0o077) !== 0) {
    throw new AppError('signing-key-insecure', `Refusing the signing key file "${file}": group or others can access it (mode ${(info.mode & 0o777).toString(8)})`, {
      hint: `It holds a secret key: run "chmod 600 ${file}"`,
    });
  }
  return parseSigningKeyFile(await readFile(file, 'utf8'), `"${file}"`);
}

/** Trusted signers from a "kksign1..." string, or from a file of them (one per line, # comments). */
export async function loadTrustedSigners(keyOrFile: string): Promise<SignerPublicKey[]> {
  if (keyOrFile.trim().startsWith(`${PUBLIC_HRP}1`)) return [parseSignerPublicKey(keyOrFile)];
  let text: string;
  try {
    text = await readFile(keyOrFile, 'utf8');
  } catch (err) {
    throw new AppError('trusted-signers-unreadable', `Cannot read the trusted signers file "${keyOrFile}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint: PUBLIC_HINT, cause: err });
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map(parseSignerPublicKey);
}

/** Writes a new signing key file (0600, never overwriting) and returns its public key. */
export async function createSigningKeyFile(file: string, createdAt = new Date()): Promise<SignerPublicKey> {
  const { key, fileText } = generateSigningKey(createdAt);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(fileText);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temp, file); // fails on an existing file instead of replacing it
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(code === 'EEXIST' ? 'signing-key-exists' : 'signing-key-unwritable', `Cannot write the signing key file "${file}": ${code === 'EEXIST' ? 'it already exists' : code ?? (err as Error).message}`, {
      hint: code === 'EEXIST' ? 'Choose another path; an existing key is never overwritten' : 'Check that the directory exists and is writable', cause: err,
    });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return key.publicKey;
}
