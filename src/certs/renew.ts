/**
 * Carries out a renewal plan (see renewal-journal.ts for the crash-safe order of work):
 * new certificates and keys are issued in memory first, then originals are backed up, new
 * files staged, and the journal's commit point passed before any target is replaced.
 */
import { mkdir, copyFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AppError, messageOf, throwIfAborted } from '../errors.js';
import { fsyncPath, writeNewFile } from '../replace-file.js';
import type { CertificateEntry, PkiInventory, SourceFile } from './inventory.js';
import { replaceKubeconfigCredentials } from './kubeconfig.js';
import { reissueCertificate } from './reissue.js';
import { BACKUP_DIR_PREFIX, JOURNAL_FILE, recoverJournal, STAGED_SUFFIX, writeJournal, type JournalEntry, type RenewalJournal } from './renewal-journal.js';
import type { RenewalItem, RenewalPlan } from './renewal-plan.js';
import { signingCertificate } from './inventory.js';
import { readSourceFile, sha256Hex } from './source-file.js';

/** Failure injection points for tests; each is awaited after the numbered step. */
export interface RenewHooks {
  afterStage?(index: number, target: string): void | Promise<void>;
  afterSwap?(index: number, target: string): void | Promise<void>;
}

export interface ExecuteRenewalOptions {
  now: Date;
  validityMs: number;
  /** Where the timestamped backup folder (with the journal) is created. */
  backupRoot: string;
  signal?: AbortSignal;
  hooks?: RenewHooks;
}

export interface RenewalResult {
  backupDir: string;
  journal: string;
  renewed: RenewalItem[];
}

interface NewFile {
  target: string;
  source: SourceFile | undefined;
  data: string;
  /** Where the source's mode comes from when the target is new (a missing key file). */
  fallback: SourceFile | undefined;
}

async function issueFiles(entry: CertificateEntry, inventory: PkiInventory, options: ExecuteRenewalOptions): Promise<NewFile[]> {
  const ca = inventory.authorities.find((a) => a.name === entry.caName);
  const signer = ca ? signingCertificate(ca) : undefined;
  if (!entry.cert || !ca?.key || !signer) throw new AppError('certs-renew-failed', `Cannot renew "${entry.name}": certificate or CA key is not available`);
  const issued = await reissueCertificate({
    current: entry.cert, keyFormat: entry.keyFormat ?? 'pkcs8', ca: signer, caKey: ca.key, now: options.now, validityMs: options.validityMs,
  });
  // kubeconfigs are rewritten in place (one file); pairs swap the key first, then the certificate.
  if (entry.kind === 'kubeconfig') {
    const source = entry.certFile as SourceFile;
    return [{ target: source.path, source, fallback: source, data: replaceKubeconfigCredentials(source.text, source.path, issued.certPem, issued.keyPem) }];
  }
  return [
    { target: entry.keyPath, source: entry.keyFile, fallback: entry.certFile, data: issued.keyPem },
    { target: entry.certPath, source: entry.certFile, fallback: entry.certFile, data: issued.certPem },
  ];
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

async function makeBackupDir(root: string, now: Date): Promise<string> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  for (let n = 0; ; n++) {
    const dir = path.join(root, `${BACKUP_DIR_PREFIX}${timestamp(now)}${n === 0 ? '' : `-${n}`}`);
    try {
      await mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function journalEntry(file: NewFile, backupDir: string): JournalEntry {
  // A missing key file gets 0600 and the certificate's owner: it is a private key.
  const meta = file.source ?? { mode: 0o600, uid: file.fallback?.uid ?? process.getuid?.() ?? 0, gid: file.fallback?.gid ?? process.getgid?.() ?? 0 };
  return {
    target: file.target, staged: `${file.target}${STAGED_SUFFIX}`, backup: file.source ? path.join(backupDir, 'files', file.target) : null,
    oldSha256: file.source?.sha256 ?? null, newSha256: sha256Hex(file.data), mode: meta.mode, uid: meta.uid, gid: meta.gid,
  };
}

/** Refuses to go on when a file changed since the inventory read it (kubeadm running alongside). */
async function assertUnchanged(files: NewFile[]): Promise<void> {
  for (const f of files) {
    const now = await readSourceFile(f.target);
    if (now?.sha256 !== f.source?.sha256) {
      throw new AppError('certs-renew-conflict', `Cannot renew: "${f.target}" changed while kubekeeper was preparing the renewal`, { hint: 'Run the command again' });
    }
  }
}

async function stage(files: NewFile[], entries: JournalEntry[], hooks: RenewHooks | undefined, signal: AbortSignal | undefined): Promise<void> {
  for (const [i, e] of entries.entries()) {
    throwIfAborted(signal, 'Certificate renewal');
    if (e.backup) {
      await mkdir(path.dirname(e.backup), { recursive: true, mode: 0o700 });
      await copyFile(e.target, e.backup);
      // A rollback after a crash reads the backups: they must be on disk before the commit point.
      await fsyncPath(e.backup);
      await fsyncPath(path.dirname(e.backup));
    }
    // Same directory as the target, so the later rename is atomic (never across file systems).
    await unlink(e.staged).catch(() => undefined); // a leftover of a run that never journaled
    await writeNewFile(e.staged, (files[i] as NewFile).data, { mode: e.mode, uid: e.uid, gid: e.gid });
    await hooks?.afterStage?.(i, e.target);
  }
  for (const dir of new Set(entries.map((e) => path.dirname(e.target)))) await fsyncPath(dir);
}

/** Executes the plan's `renew` items. Dry runs never call this. */
export async function executeRenewal(inventory: PkiInventory, plan: RenewalPlan, options: ExecuteRenewalOptions): Promise<RenewalResult> {
  const renewed = plan.items.filter((i) => i.action === 'renew');
  // Everything that can fail for a reason other than the disk (signing, parsing) fails here,
  // before the first byte is written.
  throwIfAborted(options.signal, 'Certificate renewal');
  const issued = await Promise.all(renewed.map((item) => issueFiles(inventory.certificates.find((c) => c.name === item.name) as CertificateEntry, inventory, options)));
  throwIfAborted(options.signal, 'Certificate renewal');
  const files: NewFile[] = issued.flat();
  await assertUnchanged(files);
  const backupDir = await makeBackupDir(options.backupRoot, options.now);
  const journalPath = path.join(backupDir, JOURNAL_FILE);
  const entries = files.map((f) => journalEntry(f, backupDir));
  const journal: RenewalJournal = { kind: 'kubekeeper-certs-renewal', version: 1, createdAt: options.now.toISOString(), phase: 'staging', entries };
  await writeJournal(journalPath, journal);
  try {
    await stage(files, entries, options.hooks, options.signal);
    await writeJournal(journalPath, { ...journal, phase: 'swapping' });
    // Past the commit point: no abort checks; the swap is a handful of renames.
    for (const [i, e] of entries.entries()) {
      await rename(e.staged, e.target);
      await options.hooks?.afterSwap?.(i, e.target);
    }
    for (const dir of new Set(entries.map((e) => path.dirname(e.target)))) await fsyncPath(dir);
    await writeJournal(journalPath, { ...journal, phase: 'done' });
  } catch (err) {
    // The same recovery a rerun would do: back before the commit point, forward after it.
    const outcome = await recoverJournal(journalPath);
    if (outcome === 'rolled-back') throw err instanceof AppError ? err : wrap(err, `the original files are back in place (backup: "${backupDir}")`);
    throw wrap(err, `the renewal was completed from its journal "${journalPath}"`);
  }
  return { backupDir, journal: journalPath, renewed };
}

function wrap(err: unknown, what: string): AppError {
  return new AppError('certs-renew-interrupted', `Certificate renewal failed: ${messageOf(err)}; ${what}`, {
    cause: err, hint: 'Run "kubekeeper certs check" to see the current state',
  });
}
