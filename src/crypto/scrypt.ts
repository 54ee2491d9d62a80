/**
 * The scrypt (passphrase) recipient type (spec §5). A file encrypted with a passphrase has
 * exactly one stanza; the work factor read from a file is capped like age does, since an
 * attacker-chosen N would otherwise cost unbounded memory and time.
 */
import { randomBytes } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64.js';
import { AppError } from '../errors.js';
import { AgeHeaderError, DecryptionError } from './errors.js';
import type { Stanza } from './header.js';
import { aeadOpen, aeadSeal, scryptKey } from './primitives.js';

export const SCRYPT_TYPE = 'scrypt';
/** log2(N) used by the age CLI when encrypting: about one second here. */
export const DEFAULT_WORK_FACTOR = 18;
/** Highest log2(N) accepted when decrypting (age's limit; N = 2^22 needs 4 GiB). */
export const MAX_WORK_FACTOR = 22;
/**
 * The limit for unattended runs (daemon, cron, no terminal): 2^18 is age's and kubekeeper's
 * default and needs 256 MiB; a forged header asking for 2^22 (4 GiB) on a control-plane node
 * would bring the OOM killer onto etcd or the API server.
 */
export const UNATTENDED_MAX_WORK_FACTOR = 18;
const SALT_LABEL = 'age-encryption.org/v1/scrypt';
const SALT_BYTES = 16;
const ZERO_NONCE = new Uint8Array(12);
const WRAPPED_KEY_BYTES = 32;
const WORK_FACTOR = /^[1-9][0-9]*$/;

/** Encrypts to a passphrase. Construct with passphraseRecipient(). */
export class ScryptRecipient {
  readonly kind = 'scrypt';
  readonly #passphrase: Buffer;
  readonly workFactor: number;

  constructor(passphrase: string, workFactor: number) {
    this.#passphrase = Buffer.from(passphrase, 'utf8');
    this.workFactor = workFactor;
  }

  async wrap(fileKey: Uint8Array, salt: Uint8Array = randomBytes(SALT_BYTES)): Promise<Stanza[]> {
    const wrapKey = await scryptKey(this.#passphrase, Buffer.concat([Buffer.from(SALT_LABEL), salt]), this.workFactor);
    return [{ type: SCRYPT_TYPE, args: [encodeBase64(salt), String(this.workFactor)], body: aeadSeal(wrapKey, ZERO_NONCE, fileKey) }];
  }
}

/** scrypt for a file's stanza; a work factor this machine cannot afford becomes an AppError. */
async function deriveForFile(passphrase: Buffer, salt: Uint8Array, logN: number): Promise<Buffer> {
  try {
    return await scryptKey(passphrase, Buffer.concat([Buffer.from(SALT_LABEL), salt]), logN);
  } catch (err) {
    throw new AppError('age-scrypt-failed', `Cannot derive the passphrase key (scrypt work factor ${logN}, ${2 ** (logN - 10)} MiB of memory): ${(err as Error).message}`, {
      hint: 'Decrypt on a machine with more free memory', cause: err,
    });
  }
}

/** Decrypts with a passphrase. Construct with passphraseIdentity(). */
export class ScryptIdentity {
  readonly kind = 'scrypt';
  readonly #passphrase: Buffer;
  readonly maxWorkFactor: number;

  constructor(passphrase: string, maxWorkFactor = MAX_WORK_FACTOR) {
    this.#passphrase = Buffer.from(passphrase, 'utf8');
    this.maxWorkFactor = maxWorkFactor;
  }

  /**
   * The file key if the scrypt stanza opens with this passphrase; undefined for a wrong
   * passphrase. Malformed scrypt stanzas are fatal. The caller has checked the stanza is alone.
   */
  async unwrap(stanzas: readonly Stanza[]): Promise<Uint8Array | undefined> {
    for (const stanza of stanzas) {
      if (stanza.type !== SCRYPT_TYPE) continue;
      if (stanza.args.length !== 2) throw new AgeHeaderError('an scrypt stanza must have exactly two arguments (salt, work factor)');
      const salt = decodeBase64(stanza.args[0]!);
      if (!salt || salt.length !== SALT_BYTES) throw new AgeHeaderError('an scrypt salt is not 16 bytes of canonical base64');
      const text = stanza.args[1]!;
      if (!WORK_FACTOR.test(text)) throw new AgeHeaderError('an scrypt work factor is not a decimal number without leading zeros');
      const logN = Number(text);
      if (logN > this.maxWorkFactor && logN <= MAX_WORK_FACTOR) {
        throw new DecryptionError('age-scrypt-work-factor-capped', `Cannot decrypt: the passphrase's scrypt work factor ${logN} needs ${2 ** (logN - 10)} MiB of memory, above the limit of ${this.maxWorkFactor} (${2 ** (this.maxWorkFactor - 10)} MiB) for unattended runs`, {
          hint: 'Run backup verify, download or drill on a terminal (the limit is then 22), or re-encrypt with the default work factor of 18; an identity file (-i) has no such cost',
        });
      }
      if (logN > this.maxWorkFactor) {
        throw new AgeHeaderError(`the scrypt work factor ${logN > 999 ? '(over 999)' : logN} exceeds the limit of ${this.maxWorkFactor}`);
      }
      if (stanza.body.length !== WRAPPED_KEY_BYTES) throw new AgeHeaderError('an scrypt stanza body is not 32 bytes');
      const wrapKey = await deriveForFile(this.#passphrase, salt, logN);
      const fileKey = aeadOpen(wrapKey, ZERO_NONCE, stanza.body);
      if (fileKey) return fileKey;
    }
    return undefined;
  }
}
