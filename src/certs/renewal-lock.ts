/**
 * One renewal at a time per node: two interleaved renewals would each journal a consistent
 * swap and together leave a mix. The lock is a file holding the owner's PID, created with
 * O_EXCL; a lock whose process is gone (a crash) is taken over.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { AppError } from '../errors.js';

export const LOCK_FILE = 'kubekeeper-certs.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock at `file`; returns the function that releases it. */
export async function acquireRenewalLock(file: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => unlink(file).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new AppError('certs-renew-locked', `Cannot renew certificates: another renewal (PID ${pid}) holds "${file}"`, {
          hint: 'Wait for it to finish; remove the lock file only if that process is not kubekeeper',
        });
      }
      await unlink(file).catch(() => undefined); // stale: its owner died
    }
  }
  throw new AppError('certs-renew-locked', `Cannot renew certificates: could not take the lock "${file}"`, { hint: 'Retry in a moment' });
}
