/**
 * Manifest signatures: who wrote a manifest. Anyone with write access to the bucket can put a
 * manifest there; only a holder of a signing key can sign one. The signature is a top-level
 * "signature" field {scheme: "ed25519", signer: "kksign1...", keyId, value (base64)} over the
 * compact JSON of every other field in stored order (JSON.stringify of the parsed object
 * without "signature"): the bytes a reader verifies are the object it then uses.
 */
import { type SignerPublicKey, type SigningKey, parseSignerPublicKey } from '../crypto/index.js';
import { AppError } from '../errors.js';
import type { Manifest } from './manifest.js';

export const SIGNATURE_SCHEME = 'ed25519';

/**
 * What a manifest's signature says, for the reader's trusted signers:
 * - signed: a trusted signer signed exactly this manifest;
 * - untrusted-signer: signed, by a key the reader does not trust;
 * - bad-signature: the signature does not verify (the manifest was altered, or forged);
 * - unsigned: no signature (written before signing existed, without --signing-key, or forged).
 */
export type SignatureStatus = 'signed' | 'untrusted-signer' | 'bad-signature' | 'unsigned';

export interface SignatureInfo {
  status: SignatureStatus;
  /** The key that signed (whether trusted or not). */
  keyId?: string;
}

interface StoredSignature {
  scheme: string;
  signer: string;
  keyId: string;
  value: string;
}

function payload(fields: Record<string, unknown>): Uint8Array {
  return Buffer.from(JSON.stringify(fields), 'utf8');
}

/** The manifest's stored bytes, signed by `key` (same layout as encodeManifest plus "signature"). */
export function encodeSignedManifest(manifest: Manifest, key: SigningKey): Uint8Array {
  return encodeSignedJson(manifest, key);
}

/**
 * Any small JSON record (a manifest, a drill or verify record) signed the same way: the
 * stored bytes checkManifestSignature verifies.
 */
export function encodeSignedJson(record: object, key: SigningKey): Uint8Array {
  const fields = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  const signature: StoredSignature = {
    scheme: SIGNATURE_SCHEME, signer: key.publicKey.toString(), keyId: key.publicKey.keyId(),
    value: Buffer.from(key.sign(payload(fields))).toString('base64'),
  };
  return Buffer.from(`${JSON.stringify({ ...fields, signature }, null, 2)}\n`, 'utf8');
}

/** Checks the signature of a manifest's stored bytes against `trusted`; never throws. */
export function checkManifestSignature(bytes: Uint8Array, trusted: readonly SignerPublicKey[]): SignatureInfo {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    return { status: 'unsigned' };
  }
  if (typeof fields !== 'object' || fields === null || !('signature' in fields)) return { status: 'unsigned' };
  const { signature, ...rest } = fields;
  const s = signature as Partial<StoredSignature> | null;
  if (!s || s.scheme !== SIGNATURE_SCHEME || typeof s.signer !== 'string' || typeof s.value !== 'string') return { status: 'bad-signature' };
  let signer: SignerPublicKey;
  try {
    signer = parseSignerPublicKey(s.signer);
  } catch {
    return { status: 'bad-signature' };
  }
  const keyId = signer.keyId();
  if (!signer.verify(payload(rest), Buffer.from(s.value, 'base64'))) return { status: 'bad-signature', keyId };
  return { status: trusted.some((k) => k.keyId() === keyId) ? 'signed' : 'untrusted-signer', keyId };
}

/** How a listing shows a signature status. */
export function describeSignature(info: SignatureInfo): string {
  switch (info.status) {
    case 'signed': return `signed (key ${info.keyId})`;
    case 'untrusted-signer': return `signed by an untrusted key ${info.keyId}`;
    case 'bad-signature': return 'signature does not verify (altered or forged)';
    case 'unsigned': return 'unsigned (legacy)';
  }
}

/** Which manifests a reader trusts: those signed by one of `signers` (several: key rotation). */
export interface ManifestTrust {
  signers: readonly SignerPublicKey[];
  /** Read a manifest named explicitly even when no trusted signer signed it (--allow-unsigned). */
  allowUnsigned?: boolean;
  /**
   * The reader holds an identity or passphrase, so it expects encrypted backups: a manifest
   * saying "encryption: none" is refused (it would hand the reader whatever data the writer
   * chose) unless allowUnencrypted (--insecure-no-encryption given again at read time).
   */
  expectEncrypted?: boolean;
  allowUnencrypted?: boolean;
}

/** Why the signature does not satisfy `trust`, or undefined when it does (or no signer is trusted). */
export function signatureProblem(signature: SignatureInfo, trust: ManifestTrust): string | undefined {
  return trust.signers.length > 0 && signature.status !== 'signed' ? `manifest is ${describeSignature(signature)}` : undefined;
}

/** Why an unencrypted backup is refused to a reader holding a key, or undefined. */
export function encryptionProblem(manifest: Manifest, trust: ManifestTrust): string | undefined {
  return trust.expectEncrypted === true && trust.allowUnencrypted !== true && manifest.encryption.scheme === 'none'
    ? 'manifest says the backup is not encrypted, but an identity or passphrase was given'
    : undefined;
}

/** Why a reader with `trust` must not use this manifest unasked, or undefined when it may. */
export function untrustedReason(manifest: Manifest, signature: SignatureInfo, trust: ManifestTrust): string | undefined {
  return signatureProblem(signature, trust) ?? encryptionProblem(manifest, trust);
}

/** A backup named explicitly whose manifest is not trusted (untrustedReason). */
export class UntrustedManifestError extends AppError {
  constructor(name: string, reason: string, unencrypted: boolean) {
    super(unencrypted ? 'backup-unencrypted' : 'backup-unsigned', `Refusing backup "${name}": its ${reason}${unencrypted ? '' : ', not signed by a trusted signer'}`, {
      hint: unencrypted
        ? 'A forged or tampered manifest? If it really was saved unencrypted, pass --insecure-no-encryption again to read it'
        : 'Check who wrote it ("kubekeeper backup list" shows each signature); to use it anyway, name it and pass --allow-unsigned',
    });
  }
}

/**
 * A repository holding signed manifests (or the marker the first signed save writes) read
 * without a trusted signer: trusting every manifest there would trust forged ones too.
 */
export class SignersRequiredError extends AppError {
  constructor(location: string, why: string) {
    super('backup-signers-required', `Repository "${location}" ${why}, but no trusted signer was given: its manifests cannot be told from forged ones`, {
      hint: 'Pass --trusted-signer KKSIGN1...|FILE (the public key "kubekeeper keygen --signing" printed; in a config: repository.trustedSigners), or --allow-unsigned to trust every manifest as before',
    });
  }
}
