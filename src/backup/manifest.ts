/**
 * The backup manifest: one JSON object per backup, written only after every data object is
 * stored and re-read. It is what makes a backup a backup: `list` reads manifests only, so
 * data without a manifest (an interrupted save) is never listed as good. Manifests are not
 * encrypted: they hold names, sizes, hashes and key fingerprints, no cluster data, so
 * listing and pruning work without the decryption key.
 */
import { AppError, ExitCode } from '../errors.js';
import type { Compression } from '../crypto/index.js';

export const MANIFEST_FORMAT = 'kubekeeper.backup/v1';
/** Manifests are small; a larger file is not one of ours (checked before parsing). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Backup names: one safe path segment without dots (a dot separates the object suffixes). */
export const BACKUP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export type ObjectRole = 'snapshot' | 'bundle';

/** One stored data object of a backup. */
export interface BackupObject {
  role: ObjectRole;
  /** The data object's name in the repository. */
  name: string;
  /** How this object is compressed: the backup's codec, or 'none' when its data did not compress. */
  compression: Compression;
  /** Bytes stored (compressed and encrypted) and their sha256. */
  sizeBytes: number;
  sha256: string;
  /** Bytes before compression and encryption, and their sha256. */
  contentSizeBytes: number;
  contentSha256: string;
}

/** One entry of the DR bundle (a tar stream of --include paths). */
export interface BundleFile {
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  sizeBytes: number;
  /** sha256 of a file's content; absent for directories and symlinks. */
  sha256?: string;
  /** Symlink target. */
  linkTarget?: string;
}

export interface ClusterInfo {
  /** 16 hex digits, as etcdctl prints them. */
  clusterId: string;
  memberId: string;
  memberName?: string;
  endpoint: string;
  etcdVersion: string;
  /** The member's store revision when the snapshot was taken (the snapshot holds at least this). */
  revision: number;
  raftTerm?: number;
  /** The member's backend size as it reported it (before the snapshot). */
  dbSizeBytes: number;
}

export type EncryptionInfo = { scheme: 'age'; recipients: string[] } | { scheme: 'none' };

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  /** When the snapshot started (ISO 8601 UTC). */
  createdAt: string;
  /** When the data was stored and re-checked. */
  completedAt: string;
  cluster: ClusterInfo;
  /** The snapshot file as `etcdctl snapshot save` writes it: bbolt image + sha256 trailer. */
  snapshot: { sizeBytes: number; sha256: string; dbSha256: string };
  /** The codec asked for; each object says what it actually uses. */
  compression: Compression;
  encryption: EncryptionInfo;
  objects: BackupObject[];
  bundle?: { files: BundleFile[] };
  kubekeeperVersion: string;
}

/** A manifest that does not parse or does not describe a valid backup. */
export class ManifestError extends AppError {
  constructor(name: string, problem: string) {
    super('backup-manifest-invalid', `Manifest of backup "${name}" is invalid: ${problem}`, {
      hint: 'The manifest was damaged or not written by kubekeeper; "kubekeeper backup list" marks such backups, and their data is not used',
      // A damaged backup is a problem found (as a failed check), not a failure to run.
      exitCode: ExitCode.checkFailed,
    });
  }
}

/** A bundle entry without its content hash (for the plaintext manifest of an encrypted backup). */
export function withoutContentHash(file: BundleFile): BundleFile {
  const { sha256: _omitted, ...rest } = file;
  return rest;
}

export function isValidBackupName(name: string): boolean {
  return BACKUP_NAME_PATTERN.test(name);
}

/**
 * The attempt token of a save: 8 hex digits in its object names, so two saves of one name
 * (several control-plane nodes in the same UTC second) never write, re-read or clean up
 * each other's objects. Names without one were written before tokens existed.
 */
export const ATTEMPT_PATTERN = /^[0-9a-f]{8}$/;

/** The data object names a backup may own: "<name>[.<attempt>].<role>.<suffixes>". */
export function objectNameFor(backupName: string, role: ObjectRole, compression: Compression, encrypted: boolean, attempt?: string): string {
  const base = role === 'snapshot' ? 'snapshot.db' : 'bundle.tar';
  const comp = compression === 'zstd' ? '.zst' : compression === 'gzip' ? '.gz' : '';
  return `${backupName}${attempt ? `.${attempt}` : ''}.${base}${comp}${encrypted ? '.age' : ''}`;
}

/** The backup a data object belongs to, if its name follows our scheme; else undefined. */
export function backupNameOfObject(objectName: string): string | undefined {
  const m = /^([A-Za-z0-9][A-Za-z0-9_-]{0,99})(\.[0-9a-f]{8})?\.(snapshot\.db|bundle\.tar)(\.zst|\.gz)?(\.age)?$/.exec(objectName);
  return m?.[1];
}

export function encodeManifest(manifest: Manifest): Uint8Array {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}
