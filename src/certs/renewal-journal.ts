/**
 * The renewal's journal, which makes replacing several files all-or-nothing across crashes.
 *
 * Order of work: journal `staging` -> copy originals to the backup folder -> write every new
 * file beside its target as `<target>.kubekeeper-new` (fsynced) -> journal `swapping` (the
 * commit point) -> rename each staged file over its target in the recorded order -> `done`.
 * Recovery of an unfinished journal: `staging` rolls back (staged files removed, originals were
 * never touched); `swapping` rolls forward (the staged files still present are renamed in), and
 * if that fails, rolls back from the backups. Either way it ends with every target holding
 * all-old or all-new content, which it verifies by hash.
 */
import { readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AppError, messageOf } from '../errors.js';
import { fsyncPath, replaceFileAtomic } from '../replace-file.js';
import { assertJournalTargets, assertPrivate, type RenewalTargets } from './renewal-trust.js';
import { listDir, readSourceFile } from './source-file.js';

export const JOURNAL_FILE = 'journal.json';
export const BACKUP_DIR_PREFIX = 'kubekeeper-certs-';
export const STAGED_SUFFIX = '.kubekeeper-new';

export type JournalPhase = 'staging' | 'swapping' | 'done' | 'rolled-back';

export interface JournalEntry {
  target: string;
  staged: string;
  /** Copy of the original, or null when the target did not exist (a missing key file). */
  backup: string | null;
  oldSha256: string | null;
  newSha256: string;
  mode: number;
  uid: number;
  gid: number;
}

export interface RenewalJournal {
  kind: 'kubekeeper-certs-renewal';
  version: 1;
  createdAt: string;
  phase: JournalPhase;
  entries: JournalEntry[];
}

/** Replaces the journal atomically: a crash leaves the previous phase or the new one. */
export async function writeJournal(file: string, journal: RenewalJournal): Promise<void> {
  await replaceFileAtomic(file, `${JSON.stringify(journal, null, 2)}\n`, { mode: 0o600 });
}

/** Reads a journal; throws AppError `certs-journal-invalid` for anything that is not one. */
export async function readJournal(file: string): Promise<RenewalJournal> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as RenewalJournal;
  if (parsed.kind !== 'kubekeeper-certs-renewal' || parsed.version !== 1 || !Array.isArray(parsed.entries)) {
    throw new AppError('certs-journal-invalid', `Cannot read renewal journal "${file}": unknown format`, { hint: 'Restore the files by hand from the backup folder next to it' });
  }
  return parsed;
}

/** Journals under `backupRoot` whose renewal did not finish, oldest first. */
export async function findUnfinishedJournals(backupRoot: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of (await listDir(backupRoot)).filter((d) => d.startsWith(BACKUP_DIR_PREFIX))) {
    const file = path.join(backupRoot, dir, JOURNAL_FILE);
    const journal = await readJournal(file).catch(() => undefined);
    if (journal && (journal.phase === 'staging' || journal.phase === 'swapping')) out.push(file);
  }
  return out;
}

async function removeIfPresent(file: string): Promise<void> {
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

async function rollForward(journal: RenewalJournal): Promise<void> {
  for (const e of journal.entries) {
    if ((await readSourceFile(e.staged)) !== undefined) await rename(e.staged, e.target);
  }
  for (const dir of new Set(journal.entries.map((e) => path.dirname(e.target)))) await fsyncPath(dir);
}

async function rollBack(journal: RenewalJournal): Promise<void> {
  for (const e of journal.entries) {
    const current = await readSourceFile(e.target);
    if (e.backup === null) {
      if (current) await removeIfPresent(e.target);
    } else if (current?.sha256 !== e.oldSha256) {
      await replaceFileAtomic(e.target, await readFile(e.backup), { mode: e.mode, uid: e.uid, gid: e.gid });
    }
    await removeIfPresent(e.staged);
  }
}

/** 'new' or 'old' when every target is consistently one or the other, else 'mixed'. */
export async function journalState(journal: RenewalJournal): Promise<'new' | 'old' | 'mixed'> {
  const hashes = await Promise.all(journal.entries.map(async (e) => (await readSourceFile(e.target))?.sha256 ?? null));
  if (hashes.every((h, i) => h === journal.entries[i]?.newSha256)) return 'new';
  if (hashes.every((h, i) => h === journal.entries[i]?.oldSha256)) return 'old';
  return 'mixed';
}

/**
 * Finishes an interrupted renewal: forward when it had passed the commit point, back
 * otherwise (or when forward fails). Returns which way it went. Throws when the files end
 * up neither all-old nor all-new, naming the backup folder to restore from. With `allowed`,
 * the journal (a file left on disk by an earlier run) is first checked: its folder and file
 * must be ours alone and its targets PKI files or kubeconfigs (renewal-trust.ts).
 */
export async function recoverJournal(file: string, allowed?: RenewalTargets): Promise<'completed' | 'rolled-back'> {
  if (allowed) {
    await assertPrivate(path.dirname(file), 'dir', 'renewal backup folder');
    await assertPrivate(file, 'file', 'renewal journal');
  }
  const journal = await readJournal(file);
  if (allowed) assertJournalTargets(journal, file, allowed);
  let outcome: 'completed' | 'rolled-back' = 'rolled-back';
  if (journal.phase === 'swapping') {
    try {
      await rollForward(journal);
      if ((await journalState(journal)) === 'new') outcome = 'completed';
    } catch {
      // handled below: the backups are the way back
    }
    // Forward failed (a staged file lost, a rename refused): restore the originals.
    if (outcome !== 'completed') await rollBack(journal);
  } else {
    await rollBack(journal);
  }
  const state = await journalState(journal);
  if (state !== (outcome === 'completed' ? 'new' : 'old')) {
    throw new AppError('certs-recovery-failed', `Cannot finish the interrupted renewal in "${path.dirname(file)}": files are ${state}`, {
      hint: `Restore the originals from "${path.dirname(file)}/files" and run "kubekeeper certs check"`,
    });
  }
  await writeJournal(file, { ...journal, phase: outcome === 'completed' ? 'done' : 'rolled-back' });
  return outcome;
}

/**
 * Recovers every unfinished journal under `backupRoot`, each restoring only into `allowed`;
 * returns what happened to each.
 */
export async function recoverUnfinished(backupRoot: string, allowed: RenewalTargets): Promise<{ journal: string; outcome: 'completed' | 'rolled-back' }[]> {
  const out = [];
  for (const journal of await findUnfinishedJournals(backupRoot)) {
    try {
      out.push({ journal, outcome: await recoverJournal(journal, allowed) });
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('certs-recovery-failed', `Cannot finish the interrupted renewal "${journal}": ${messageOf(err)}`, { cause: err });
    }
  }
  return out;
}
