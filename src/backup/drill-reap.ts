/**
 * Leftovers of drills whose process died without cleaning up (SIGKILL, the OOM killer, a
 * reboot in the middle): a throwaway etcd still running, and a temp dir with a restored copy
 * of every Secret of the cluster. Each drill's temp dir ("kubekeeper-drill-*") holds a marker
 * with its owner's PID and start time and, once started, its etcd's PID. The next drill (the
 * daemon runs them on a schedule) reaps dirs whose owner is gone: it kills their etcd, but
 * only when /proc shows that process serving that very data dir (PIDs get reused), and
 * removes the dir. A dir of a live drill is never touched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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

function readMarker(dir: string): DrillMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(path.join(dir, DRILL_MARKER), 'utf8')) as Partial<DrillMarker>;
    if (typeof m.ownerPid !== 'number' || typeof m.ownerStart !== 'string' || typeof m.dataDir !== 'string') return undefined;
    return { ownerPid: m.ownerPid, ownerStart: m.ownerStart, dataDir: m.dataDir, ...(typeof m.etcdPid === 'number' ? { etcdPid: m.etcdPid } : {}) };
  } catch {
    return undefined;
  }
}

/** True when process `pid` runs with `dataDir` as one of its arguments (our etcd, not a reused PID). */
function servesDataDir(pid: number, dataDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').includes(dataDir);
  } catch {
    return false;
  }
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

/** Reaps the drill dirs under `parent` whose owner process is gone; see the file comment. */
export async function reapStaleDrills(parent: string, now = Date.now()): Promise<ReapedDrill[]> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const reaped: ReapedDrill[] = [];
  for (const name of names.filter((n) => n.startsWith(DRILL_DIR_PREFIX)).sort()) {
    const dir = path.join(parent, name);
    const marker = readMarker(dir);
    if (!marker) {
      const info = await stat(dir).catch(() => undefined);
      if (!info?.isDirectory() || now - info.mtimeMs < UNMARKED_GRACE_MS) continue;
    } else if (processStartTime(marker.ownerPid) === marker.ownerStart) {
      continue; // a live drill
    }
    const result: ReapedDrill = { dir };
    if (marker?.etcdPid !== undefined && servesDataDir(marker.etcdPid, marker.dataDir)) {
      await killAndWait(marker.etcdPid);
      result.killedEtcdPid = marker.etcdPid;
    }
    await rm(dir, { recursive: true, force: true });
    reaped.push(result);
  }
  return reaped;
}
