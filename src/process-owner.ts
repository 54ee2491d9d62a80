/**
 * Process identity for files a run leaves while it works (staging dirs, temp files): a PID
 * plus the kernel start time of that process, "<pid>-<start>", so a later run can tell a
 * dead owner from a live one even after the PID was reused.
 */
import { readFileSync } from 'node:fs';

/** Field 22 of /proc/<pid>/stat (clock ticks since boot), or undefined when there is no such process. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** This process as "<pid>-<start>" ("<pid>-0" where there is no /proc). */
export function ownerTag(): string {
  return `${process.pid}-${startTimeOf(process.pid) ?? '0'}`;
}

/** Parses "<pid>-<start>" at the start of `text`; undefined when it is not one. */
export function parseOwnerTag(text: string): { pid: number; start: string } | undefined {
  const m = /^(\d{1,10})-(\d{1,20})(?:$|[-.])/.exec(text);
  if (!m) return undefined;
  const pid = Number(m[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, start: m[2] as string } : undefined;
}

/**
 * True when the owner is certainly gone: no such PID, or the PID now belongs to a process
 * started at another time. Without /proc (start "0") only a missing PID counts.
 */
export function ownerGone(owner: { pid: number; start: string }): boolean {
  if (owner.start === '0') {
    try {
      process.kill(owner.pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  return startTimeOf(owner.pid) !== owner.start;
}
