/**
 * What `certs renew` trusts in its backup dir. A renewal's journal tells a later run which
 * files to put back, with which mode and owner, and parked static pod manifests are moved into
 * the manifests dir: whoever can write there could make a root kubekeeper overwrite any file
 * (/etc/passwd, a systemd unit) or start any static pod. So the backup dir, its journal folders,
 * journals and the park dir must belong to the running uid and be writable by nobody else, and
 * a journal may only name targets in the PKI dir (any depth) or kubeconfigs (`*.conf`) directly
 * in the kubeconfig dir, with its staged and backup files where kubekeeper puts them.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';

/** The parts of a renewal journal's entries (renewal-journal.ts) that say where files go. */
interface JournalTargets {
  entries: readonly { target: string; staged: string; backup: string | null; mode: number; uid: number; gid: number }[];
}

/** The only places a journal may restore files to. */
export interface RenewalTargets {
  pkiDir: string;
  kubeconfigDir: string;
}

const myUid = () => process.getuid?.() ?? -1;

/**
 * Throws `certs-backup-dir-unsafe` unless `p` is a `kind` (not a symlink) owned by the running
 * uid that neither group nor others can write to. A missing path passes when `mayBeMissing`.
 */
export async function assertPrivate(p: string, kind: 'dir' | 'file', what: string, mayBeMissing = false): Promise<void> {
  const info = await lstat(p).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && mayBeMissing) return undefined;
    throw err;
  });
  if (!info) return;
  let why: string | undefined;
  if (info.isSymbolicLink()) why = 'is a symbolic link (give the real path)';
  else if (kind === 'dir' ? !info.isDirectory() : !info.isFile()) why = `is not a ${kind === 'dir' ? 'directory' : 'regular file'}`;
  else if (info.uid !== myUid()) why = `is owned by uid ${info.uid}, not by the user running kubekeeper (uid ${myUid()})`;
  else if ((info.mode & 0o022) !== 0) why = `has mode ${(info.mode & 0o777).toString(8)}: others can write to it`;
  if (why !== undefined) {
    throw new AppError('certs-backup-dir-unsafe', `Cannot renew certificates: the ${what} "${p}" ${why}`, {
      hint: 'Give a --backup-dir owned by the user running kubekeeper that others cannot write to (chown root, chmod 0700), and check who wrote into it',
    });
  }
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Why `target` may not be restored by a journal, or undefined when it may. */
function targetProblem(target: string, allowed: RenewalTargets): string | undefined {
  if (!path.isAbsolute(target) && path.normalize(target) !== target) return 'is not a normalized path';
  const abs = path.resolve(target);
  if (inside(abs, path.resolve(allowed.pkiDir))) return undefined;
  if (path.dirname(abs) === path.resolve(allowed.kubeconfigDir) && abs.endsWith('.conf')) return undefined;
  return `is outside the PKI dir "${allowed.pkiDir}" and is not a kubeconfig in "${allowed.kubeconfigDir}"`;
}

/**
 * Throws `certs-journal-refused` unless every entry of the journal at `file` restores a PKI
 * file or kubeconfig, stages it beside its target and keeps its backup in the journal's folder,
 * with plain permission bits (no setuid, setgid or sticky).
 */
export function assertJournalTargets(journal: JournalTargets, file: string, allowed: RenewalTargets): void {
  const folder = path.dirname(file);
  for (const e of journal.entries) {
    const target = typeof e.target === 'string' ? e.target : String(e.target);
    let why = targetProblem(target, allowed);
    if (why === undefined && e.staged !== `${target}.kubekeeper-new`) why = `has its staged copy at "${String(e.staged)}", not beside it`;
    if (why === undefined && e.backup !== null && e.backup !== path.join(folder, 'files', target)) why = `has its backup at "${String(e.backup)}", outside "${folder}/files"`;
    if (why === undefined && (!Number.isInteger(e.mode) || (e.mode & ~0o777) !== 0)) why = `asks for mode ${Number(e.mode).toString(8)}`;
    if (why === undefined && (!Number.isInteger(e.uid) || !Number.isInteger(e.gid))) why = 'names no numeric owner';
    if (why !== undefined) {
      throw new AppError('certs-journal-refused', `Refusing the renewal journal "${file}": its target "${target}" ${why}`, {
        hint: `kubekeeper never writes such a journal: remove "${folder}" if nobody should have written it, and check who can write to the --backup-dir`,
      });
    }
  }
}
