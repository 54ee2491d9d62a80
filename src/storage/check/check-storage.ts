/**
 * `backup check-storage`: proves a repository can take backups before the first one is due.
 * A local directory gets its existence and permissions checked and the probe round trips;
 * S3 gets the full list in ../s3/s3-check.ts (loaded on demand, like the S3 backend).
 * Probes go to a folder of their own beside the repository's objects and are removed.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Logger, silentLogger } from '../../logger.js';
import { LocalBackend } from '../local/local-backend.js';
import type { RepositoryLocation } from '../open-backend.js';
import { CheckList, type StorageCheckReport } from './check-result.js';
import { probeBackend } from './probe-backend.js';

/** Default large probe: three parts of 8 MiB plus one byte (a multipart upload on S3). */
export const DEFAULT_PROBE_BYTES = 16 * 1024 * 1024 + 1;

export interface CheckStorageOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Size of the throughput probe (default DEFAULT_PROBE_BYTES). */
  probeBytes?: number;
  signal?: AbortSignal;
}

/** Runs every check that applies to `location`; never throws for a failed check (see report.ok). */
export async function checkStorage(location: RepositoryLocation, options: CheckStorageOptions = {}): Promise<StorageCheckReport> {
  const largeProbeBytes = options.probeBytes ?? DEFAULT_PROBE_BYTES;
  if (location.kind === 's3') {
    const { checkS3Storage } = await import('../s3/s3-check.js');
    return checkS3Storage(location, { env: options.env, logger: options.logger ?? silentLogger, largeProbeBytes, signal: options.signal });
  }
  const checks = new CheckList();
  const report: StorageCheckReport = { location: location.path, kind: 'local', checks: checks.checks, ok: false };
  let missing = false;
  const dir = await checks.run('directory', async () => {
    const info = await stat(location.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      return undefined;
    });
    if (!info) {
      missing = true;
      return { status: 'warn', detail: `"${location.path}" does not exist yet: the first "backup save" creates it (mode 0700); nothing was probed`, hint: `Create it (mkdir -m 700 "${location.path}") and run check-storage again` };
    }
    if (!info.isDirectory()) return { status: 'fail', detail: `"${location.path}" is not a directory`, hint: 'Point --repo at a directory' };
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    if (info.mode & 0o077) return { status: 'warn', detail: `"${location.path}" has mode ${mode}: object names and sizes are visible to other users`, hint: `chmod 700 "${location.path}"` };
    return { status: 'ok', detail: `"${location.path}" exists, mode ${mode}` };
  });
  if (dir.status === 'fail' || missing) {
    report.ok = !checks.failed;
    return report;
  }
  // A dot-name: the repository's own listing skips it, and so does a concurrent prune.
  const probeDir = path.join(location.path, `.kubekeeper-check-${randomBytes(4).toString('hex')}`);
  try {
    Object.assign(report, await probeBackend(new LocalBackend(probeDir), checks, { largeProbeBytes, largeName: 'large-object', signal: options.signal }));
  } finally {
    await checks.run('cleanup', async () => {
      await rm(probeDir, { recursive: true, force: true });
      const left = (await readdir(location.path)).filter((n) => n === path.basename(probeDir));
      return left.length === 0 ? { status: 'ok', detail: 'Probe directory removed' } : { status: 'fail', detail: `Could not remove "${probeDir}"` };
    });
  }
  report.ok = !checks.failed;
  return report;
}
