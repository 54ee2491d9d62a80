/**
 * Leftovers of drills whose process died without cleaning up (SIGKILL, the OOM killer, a
 * reboot in the middle): a throwaway etcd still running, and a temp dir with a restored copy
 * of every Secret of the cluster. Each drill's temp dir ("kubekeeper-drill-*") holds a marker
 * with its owner's PID and start time and, once started, its etcd's PID, start time and
 * executable. The next drill (the daemon runs them on a schedule) reaps dirs whose owner is
 * gone: it removes the dir and kills its etcd, but only when /proc shows that very process
 * (same start time, same executable, same uid as ours) serving that very data dir. A dir of a
 * live drill is never touched.
 *
 * Markers are trusted only where nobody else can write: drill dirs live under a parent owned
 * by the running uid that no other user can write to (drillParentDir), and a parent, drill dir
 * or marker owned by another uid, or writable by group or others, is left alone. A local user
 * can therefore neither make a root kubekeeper kill a process nor remove a tree of their choice.
 */
import { lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors.js';

/** Prefix of every drill temp dir. */
export const DRILL_DIR_PREFIX = 'kubekeeper-drill-';
/** The marker inside a drill temp dir. */
export const DRILL_MARKER = 'drill.json';
/** A dir without a marker is left alone this long: its drill may be about to write one. */
const UNMARKED_GRACE_MS = 60 * 60 * 1000;
/** How long a killed etcd gets to disappear from /proc. */
const KILL_WAIT_MS = 5000;

export interface DrillMarker {
  ownerPid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot): tells a reused PID apart. */
  ownerStart: string;
  dataDir: string;
  etcdPid?: number;
  /** Start time of etcdPid (as ownerStart): a reused PID is not that etcd. */
  etcdStart?: string;
  /** /proc/<etcdPid>/exe right after the spawn: the program that really runs. */
  etcdExe?: string;
}

export interface ReapedDrill {
  dir: string;
  /** PID of the leftover etcd that was killed, if one was still running. */
  killedEtcdPid?: number;
}

/** Fields 3 on (state first) of /proc/<pid>/stat, or undefined when there is no such process. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Start time of process `pid` from /proc, or undefined when there is no such process. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** True when process `pid` has exited: no /proc entry, or a zombie its parent has not reaped. */
export function processGone(pid: number): boolean {
  const fields = statFields(pid);
  return fields === undefined || fields[0] === 'Z';
}

/** Writes (or rewrites) the marker of the drill dir `dir`, synchronously: no window without it. */
export function writeDrillMarker(dir: string, marker: DrillMarker): void {
  writeFileSync(path.join(dir, DRILL_MARKER), `${JSON.stringify(marker)}\n`, { mode: 0o600 });
}

/** The marker for this process's drill, whose etcd will serve `dataDir`. */
export function ownMarker(dataDir: string): DrillMarker {
  return { ownerPid: process.pid, ownerStart: processStartTime(process.pid) ?? '', dataDir };
}

/** What identifies the drill etcd `pid` in its marker: start time and executable, read from /proc now. */
export function etcdIdentity(pid: number): Pick<DrillMarker, 'etcdPid' | 'etcdStart' | 'etcdExe'> {
  let etcdExe: string | undefined;
  try {
    etcdExe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    // already gone: nothing will ever match, so nothing is killed
  }
  const etcdStart = processStartTime(pid);
  return { etcdPid: pid, ...(etcdStart !== undefined ? { etcdStart } : {}), ...(etcdExe !== undefined ? { etcdExe } : {}) };
}

const myUid = () => process.getuid?.() ?? -1;

/** Why a file or dir cannot be trusted (owner, type, mode), or undefined when it can. */
function untrusted(info: { uid: number; mode: number }, kind: 'dir' | 'file', isKind: boolean, forbiddenBits: number): string | undefined {
  if (!isKind) return `not a ${kind === 'dir' ? 'directory' : 'regular file'}`;
  if (info.uid !== myUid()) return `owned by uid ${info.uid}, not ${myUid()}`;
  if ((info.mode & forbiddenBits) !== 0) return `mode ${(info.mode & 0o777).toString(8)} lets others write`;
  return undefined;
}

/** Reads a marker only if it is a regular file of ours that nobody else can read or write, naming a data dir inside `dir`. */
function readMarker(dir: string): DrillMarker | undefined {
  try {
    const file = path.join(dir, DRILL_MARKER);
    const info = lstatSync(file);
    if (untrusted(info, 'file', info.isFile(), 0o077) !== undefined) return undefined;
    const m = JSON.parse(readFileSync(file, 'utf8')) as Partial<DrillMarker>;
    if (typeof m.ownerPid !== 'number' || typeof m.ownerStart !== 'string' || typeof m.dataDir !== 'string') return undefined;
    if (path.dirname(m.dataDir) !== dir) return undefined;
    const optional = {
      ...(typeof m.etcdPid === 'number' ? { etcdPid: m.etcdPid } : {}),
      ...(typeof m.etcdStart === 'string' ? { etcdStart: m.etcdStart } : {}),
      ...(typeof m.etcdExe === 'string' ? { etcdExe: m.etcdExe } : {}),
    };
    return { ownerPid: m.ownerPid, ownerStart: m.ownerStart, dataDir: m.dataDir, ...optional };
  } catch {
    return undefined;
  }
}

/** Real uid of process `pid` from /proc/<pid>/status. */
function processUid(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:'));
    return line ? Number(line.split(/\s+/)[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True only when process `pid` is the etcd the marker recorded: same start time (not a reused
 * PID), same executable, our uid, and `--data-dir` naming the marker's data dir.
 */
function isRecordedEtcd(marker: DrillMarker): boolean {
  const pid = marker.etcdPid;
  if (pid === undefined || marker.etcdStart === undefined || marker.etcdExe === undefined) return false;
  try {
    if (processStartTime(pid) !== marker.etcdStart || processUid(pid) !== myUid()) return false;
    if (readlinkSync(`/proc/${pid}/exe`) !== marker.etcdExe) return false;
    const args = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
    const at = args.indexOf('--data-dir');
    return at >= 0 && args[at + 1] === marker.dataDir;
  } catch {
    return false;
  }
}

/**
 * The parent of this uid's drill dirs: `workDir` when given, which must be a directory owned by
 * the running uid that others cannot write to; otherwise "kubekeeper-drills-<uid>" in the OS
 * temp dir, created 0700 (and refused when someone else created it first).
 */
export async function drillParentDir(workDir?: string): Promise<string> {
  const dir = workDir ?? path.join(os.tmpdir(), `kubekeeper-drills-${myUid()}`);
  if (workDir === undefined) {
    await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  const info = await lstat(dir).catch(() => undefined);
  const why = info ? untrusted(info, 'dir', info.isDirectory(), workDir === undefined ? 0o077 : 0o022) : 'missing';
  if (why !== undefined) {
    throw new AppError('drill-work-dir-unsafe', `Cannot run a restore drill in "${dir}": it is ${why}`, {
      hint: workDir === undefined
        ? `Remove "${dir}" (someone else may have planted it) or give a private --work-dir`
        : 'Give a --work-dir owned by the user running kubekeeper that others cannot write to (chmod 0700)',
    });
  }
  return dir;
}

async function killAndWait(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + KILL_WAIT_MS;
  while (Date.now() < deadline && !processGone(pid)) await sleep(20);
}

/**
 * Reaps the drill dirs under `parent` whose owner process is gone; see the file comment. A
 * parent or drill dir that is not ours alone is skipped, as is a dir with an untrusted marker
 * (until it is old enough to count as unmarked: then the dir, ours, is removed, nothing killed).
 */
export async function reapStaleDrills(parent: string, now = Date.now()): Promise<ReapedDrill[]> {
  let names: string[];
  try {
    const info = await lstat(parent);
    if (untrusted(info, 'dir', info.isDirectory(), 0o022) !== undefined) return [];
    names = await readdir(parent);
  } catch {
    return [];
  }
  const reaped: ReapedDrill[] = [];
  for (const name of names.filter((n) => n.startsWith(DRILL_DIR_PREFIX)).sort()) {
    const dir = path.join(parent, name);
    const info = await lstat(dir).catch(() => undefined);
    if (!info || untrusted(info, 'dir', info.isDirectory(), 0o022) !== undefined) continue;
    const marker = readMarker(dir);
    if (!marker) {
      if (now - info.mtimeMs < UNMARKED_GRACE_MS) continue;
    } else if (processStartTime(marker.ownerPid) === marker.ownerStart) {
      continue; // a live drill
    }
    const result: ReapedDrill = { dir };
    if (marker && isRecordedEtcd(marker) && marker.etcdPid !== undefined) {
      await killAndWait(marker.etcdPid);
      result.killedEtcdPid = marker.etcdPid;
    }
    await rm(dir, { recursive: true, force: true });
    reaped.push(result);
  }
  return reaped;
}
