/**
 * Keys for backups, from what an operator or a daemon config gives: age recipients
 * (age1... strings or recipients files) or a passphrase (from a file, or a value the
 * caller read from the environment) for saving; identity files or the passphrase for
 * reading. Secrets never appear in errors.
 */
import { readFile, stat } from 'node:fs/promises';
import {
  type Identity, type Recipient, MAX_WORK_FACTOR, UNATTENDED_MAX_WORK_FACTOR, loadIdentities, loadRecipients, passphraseIdentity, passphraseRecipient,
} from '../crypto/index.js';
import { AppError } from '../errors.js';

export interface BackupKeySources {
  /** age1... recipients or paths of recipients files (saving). */
  recipients?: readonly string[];
  /** Paths of identity files (reading). */
  identityFiles?: readonly string[];
  /** A file whose first line is the passphrase. */
  passphraseFile?: string;
  /** The passphrase itself (e.g. from KUBEKEEPER_PASSPHRASE); the file wins when both are set. */
  passphrase?: string;
  /**
   * No one is watching (daemon, cron, no terminal): a passphrase-encrypted file may ask for
   * at most UNATTENDED_MAX_WORK_FACTOR of scrypt, so a forged header cannot make this run
   * allocate gigabytes on a control-plane node.
   */
  unattended?: boolean;
}

/** Passphrase files are one line; anything larger is a wrong path. */
const MAX_PASSPHRASE_FILE_BYTES = 64 * 1024;

async function readPassphrase(sources: BackupKeySources): Promise<string | undefined> {
  if (!sources.passphraseFile) return sources.passphrase;
  const file = sources.passphraseFile;
  try {
    const info = await stat(file);
    if ((info.mode & 0o004) !== 0) {
      // Like identity files: a secret every user can read is refused, with the fix.
      throw new AppError('passphrase-file-insecure', `Refusing the passphrase file "${file}": it is readable by every user (mode ${(info.mode & 0o777).toString(8)})`, {
        hint: `It holds the backup passphrase: run "chmod 600 ${file}"`,
      });
    }
    if (info.size > MAX_PASSPHRASE_FILE_BYTES) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
    const first = (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? '';
    if (first === '') throw Object.assign(new Error('empty'), { code: 'empty first line' });
    return first;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('passphrase-file-unreadable', `Cannot read the passphrase file "${file}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'Pass a readable file whose first line is the passphrase to --passphrase-file',
    });
  }
}

/** Recipients to encrypt a new backup to; [] when none is configured. */
export async function loadBackupRecipients(sources: BackupKeySources): Promise<Recipient[]> {
  const passphrase = await readPassphrase(sources);
  const keys = (await Promise.all((sources.recipients ?? []).map((r) => loadRecipients(r)))).flat();
  if (passphrase !== undefined && keys.length > 0) {
    throw new AppError('backup-keys-conflict', 'Cannot encrypt to both a passphrase and recipient keys', {
      hint: 'age files use one or the other: drop --passphrase-file (or KUBEKEEPER_PASSPHRASE) or the --recipient flags',
    });
  }
  return passphrase !== undefined ? [passphraseRecipient(passphrase)] : keys;
}

/** Identities to decrypt with: every identity file, plus the passphrase if given. */
export async function loadBackupIdentities(sources: BackupKeySources): Promise<Identity[]> {
  const passphrase = await readPassphrase(sources);
  const identities = (await Promise.all((sources.identityFiles ?? []).map((f) => loadIdentities(f)))).flat();
  if (passphrase !== undefined) identities.push(passphraseIdentity(passphrase, sources.unattended ? UNATTENDED_MAX_WORK_FACTOR : MAX_WORK_FACTOR));
  return identities;
}
