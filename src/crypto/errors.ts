/**
 * What can go wrong with age files and keys. Every class is an AppError with a stable `code`
 * and a hint; messages never contain key material or passphrases (identities are named by
 * their fingerprint, file lines by their number).
 */
import { AppError } from '../errors.js';

/** Base class of every failure to decrypt an age file; catch this to handle them all. */
export class DecryptionError extends AppError {}

/** The header does not follow the age v1 grammar or a stanza addressed to us is malformed. */
export class AgeHeaderError extends DecryptionError {
  readonly reason: string;
  constructor(reason: string) {
    super('age-header-invalid', `Cannot decrypt: the age header is invalid: ${reason}`, {
      hint: 'The file is not an age-encrypted file or it was damaged; check the stored copy or use another backup',
    });
    this.reason = reason;
  }
}

/** The ASCII armor (`-----BEGIN AGE ENCRYPTED FILE-----`) is malformed. */
export class AgeArmorError extends DecryptionError {
  readonly reason: string;
  constructor(reason: string) {
    super('age-armor-invalid', `Cannot decrypt: the ASCII armor is invalid: ${reason}`, {
      hint: 'The armored file was altered (an editor or mail client may have rewrapped it); use an unmodified copy',
    });
    this.reason = reason;
  }
}

/** A file key was unwrapped but the header MAC does not match: the header was tampered with. */
export class HeaderMacError extends DecryptionError {
  constructor() {
    super('age-header-mac-mismatch', 'Cannot decrypt: the age header MAC does not match', {
      hint: 'The header was modified or damaged after encryption; use another copy of the backup',
    });
  }
}

/** The encrypted payload failed authentication, was truncated or has data after its end. */
export class PayloadError extends DecryptionError {
  readonly reason: string;
  /** True when the file ended before its final chunk (an interrupted upload or copy). */
  readonly truncated: boolean;
  constructor(reason: string, truncated = false) {
    super(truncated ? 'age-payload-truncated' : 'age-payload-invalid', `Cannot decrypt: the encrypted payload ${reason}`, {
      hint: truncated
        ? 'The file is incomplete (interrupted upload or copy); use another backup'
        : 'The file was modified or damaged after encryption; do not use its content, use another backup',
    });
    this.reason = reason;
    this.truncated = truncated;
  }
}

/** What the identities were, for a "no match" message without secrets. */
export interface NoMatchDetails {
  /** Stanza types in the file header, e.g. ["X25519", "X25519"] or ["scrypt"]. */
  stanzaTypes: readonly string[];
  /** Fingerprints of the X25519 identities tried. */
  identityFingerprints: readonly string[];
  /** Whether a passphrase was among the identities. */
  passphraseGiven: boolean;
}

/** No identity (key or passphrase) unwrapped the file key: wrong key or wrong passphrase. */
export class NoIdentityMatchError extends DecryptionError {
  readonly details: NoMatchDetails;
  constructor(details: NoMatchDetails) {
    const { message, hint } = describeNoMatch(details);
    super('age-no-identity-matched', message, { hint });
    this.details = details;
  }
}

function describeNoMatch(d: NoMatchDetails): { message: string; hint: string } {
  const keyHint = 'Use the identity file whose public key (age1...) was a recipient when the file was encrypted; ' +
    '"age-keygen -y FILE" prints the public key of an identity file';
  if (d.stanzaTypes.includes('scrypt')) {
    return d.passphraseGiven
      ? { message: 'Cannot decrypt: wrong passphrase', hint: 'Check the passphrase (it is case-sensitive) and that it belongs to this file' }
      : { message: 'Cannot decrypt: the file is encrypted with a passphrase, and no passphrase was given', hint: 'Provide the passphrase used when the file was encrypted' };
  }
  if (!d.stanzaTypes.includes('X25519')) {
    return {
      message: `Cannot decrypt: the file's recipients are of unsupported types (${[...new Set(d.stanzaTypes)].map((t) => `"${t}"`).join(', ')})`,
      hint: 'Decrypt it with the tool that created it (for example the age CLI with the matching plugin)',
    };
  }
  if (d.identityFingerprints.length === 0) {
    return { message: 'Cannot decrypt: the file is encrypted to public keys, and no identity was given', hint: keyHint };
  }
  const n = d.identityFingerprints.length;
  return {
    message: `Cannot decrypt: ${n === 1 ? 'the identity' : `none of the ${n} identities`} (${d.identityFingerprints.join(', ')}) ` +
      `${n === 1 ? 'does not match' : 'matches'} ${d.stanzaTypes.length === 1 ? "the file's recipient stanza" : `any of the file's ${d.stanzaTypes.length} recipient stanzas`}`,
    hint: keyHint,
  };
}

/** A recipient, identity or key file does not parse. */
export class KeyFormatError extends AppError {
  constructor(message: string, hint: string) {
    super('age-key-invalid', message, { hint });
  }
}
