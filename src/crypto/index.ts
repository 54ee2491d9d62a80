/**
 * crypto/: streaming age encryption (X25519 recipients, passphrases, armor) and compression
 * for backups. Other folders import only from here.
 */
export { decryptStream, encryptStream, type EncryptOptions } from './age.js';
export {
  formatIdentityFile, generateIdentity, identityFingerprint, parseIdentityFile, parseRecipient,
  parseRecipientsFile, passphraseIdentity, passphraseRecipient, recipientFingerprint,
  type Identity, type Recipient,
} from './keys.js';
export { createIdentityFile, loadIdentities, loadRecipients, type LoadIdentitiesOptions } from './key-files.js';
export {
  AgeArmorError, AgeHeaderError, DecryptionError, HeaderMacError, KeyFormatError, NoIdentityMatchError,
  PayloadError, type NoMatchDetails,
} from './errors.js';
export { X25519Identity, X25519Recipient } from './x25519.js';
export { DEFAULT_WORK_FACTOR, MAX_WORK_FACTOR, UNATTENDED_MAX_WORK_FACTOR, ScryptIdentity, ScryptRecipient } from './scrypt.js';
export {
  canDecompressIntoFd, compressStream, COMPRESSIONS, decompressIntoFd, decompressStream, defaultCompression, GZIP_LEVEL, zstdAvailable, zstdEngine, type Compression,
  type CompressOptions,
} from './compression.js';
export {
  createSigningKeyFile, generateSigningKey, loadSigningKey, loadTrustedSigners, parseSignerPublicKey, parseSigningKeyFile, SignerPublicKey, SigningKey,
} from './signing.js';
