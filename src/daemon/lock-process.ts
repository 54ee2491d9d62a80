/** Process identity for lock files: a PID plus its start time, so a reused PID is not mistaken for the owner. */
import { readFile } from 'node:fs/promises';

/**
 * Field 22 of /proc/PID/stat (start time in clock ticks since boot); undefined where there
 * is no /proc (macOS) or the process is gone. The command name (field 2) may hold spaces
 * and parentheses, so fields are counted from the last ")".
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
