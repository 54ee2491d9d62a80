/**
 * `backup check-storage` on S3, with kubekeeper's own client settings (createS3Client): the
 * endpoint and its TLS, the credentials, the bucket, the addressing style, the server's
 * clock, bucket settings that could remove backups, the probe round trips through the same
 * S3Backend backups use, and the SDK default checksum mode. Probes live under
 * "<folder>/kubekeeper-check-<token>/", a prefix no backup command lists, and are removed
 * at the end whatever happened.
 */
import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type Logger, silentLogger } from '../../logger.js';
import { StorageError } from '../errors.js';
import { CheckList, type StorageCheckReport, failureRow } from '../check/check-result.js';
import { probeBackend } from '../check/probe-backend.js';
import { type S3Config, createS3Client } from './create-s3-backend.js';
import { S3Backend } from './s3-backend.js';
import { lifecycleRow, objectLockRow, removeProbePrefix, sdkDefaultChecksumsRow, versioningRow } from './s3-check-bucket.js';
import { s3Error } from './s3-errors.js';

/** SigV4 signatures are refused beyond 15 minutes of skew (AWS); times in manifests and ages drift before that. */
export const CLOCK_SKEW_FAIL_SECONDS = 15 * 60;
export const CLOCK_SKEW_WARN_SECONDS = 30;
/** The other addressing style is only tried briefly: it is information, not a requirement. */
const ALTERNATE_STYLE_TIMEOUT_MS = 5000;

export interface S3CheckOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  largeProbeBytes: number;
  signal?: AbortSignal;
}

/** Records the Date header of every answer and the local time of the exchange (its midpoint). */
function watchServerDate(client: S3Client): { last?: { serverMs: number; localMs: number } } {
  const seen: { last?: { serverMs: number; localMs: number } } = {};
  client.middlewareStack.add((next) => async (args) => {
    const sent = Date.now();
    const out = await next(args);
    const date = (out.response as { headers?: Record<string, string> }).headers?.date;
    const serverMs = date ? Date.parse(date) : NaN;
    if (Number.isFinite(serverMs)) seen.last = { serverMs, localMs: (sent + Date.now()) / 2 };
    return out;
  }, { step: 'deserialize', name: 'kubekeeperServerDate', priority: 'low' });
  return seen;
}

async function listOne(client: S3Client, bucket: string, prefix: string, signal?: AbortSignal): Promise<void> {
  await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }), { abortSignal: signal });
}

function styleName(pathStyle: boolean): string {
  return pathStyle ? 'path-style' : 'virtual-hosted';
}

export async function checkS3Storage(config: S3Config, options: S3CheckOptions): Promise<StorageCheckReport> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? silentLogger;
  const { signal } = options;
  const location = `s3://${config.bucket}/${config.folder}`;
  const checks = new CheckList();
  const setup = await createS3Client(config, env, logger);
  const dates = watchServerDate(setup.client);
  const folderPrefix = config.folder === '' ? '' : `${config.folder}/`;
  const where = setup.endpoint ?? 'AWS S3';
  const report: StorageCheckReport = { location, kind: 's3', checks: checks.checks, ok: false };
  try {
    let reached: StorageError | undefined;
    try {
      await listOne(setup.client, config.bucket, folderPrefix, signal);
    } catch (err) {
      const mapped = s3Error(err, { action: `Cannot list "${location}"`, location, bucket: config.bucket, endpoint: setup.endpoint, timeoutMs: setup.timeoutMs, attempts: setup.maxAttempts, credentialSource: setup.credentialSource });
      if (!(mapped instanceof StorageError)) throw mapped;
      reached = mapped;
    }
    const code = reached?.code;
    const answered = code === undefined || code === 'storage-access-denied' || code === 'storage-bucket-missing';
    const tls = where.startsWith('https:') || setup.endpoint === undefined ? `https${config.caFile ? ` with the CA bundle "${config.caFile}"` : ''}` : 'plain http';
    checks.add(answered ? { name: 'endpoint', status: 'ok', detail: `${where} answered as an S3 API over ${tls}` } : { name: 'endpoint', ...failureRow(reached) });
    checks.add(!answered ? { name: 'credentials', status: 'skip', detail: 'Endpoint not reached' }
      : code === 'storage-access-denied' ? { name: 'credentials', ...failureRow(reached) }
        : { name: 'credentials', status: 'ok', detail: `Accepted: ${setup.credentialSource}` });
    checks.add(!answered || code === 'storage-access-denied' ? { name: 'bucket', status: 'skip', detail: 'Not reached' }
      : code === 'storage-bucket-missing' ? { name: 'bucket', ...failureRow(reached) }
        : { name: 'bucket', status: 'ok', detail: `Bucket "${config.bucket}" listed` });
    await checks.run('addressing', async () => {
      const other = await createS3Client({ ...config, timeoutMs: Math.min(setup.timeoutMs, ALTERNATE_STYLE_TIMEOUT_MS), maxAttempts: 1 }, env, silentLogger, { forcePathStyle: !setup.forcePathStyle });
      let otherWorks = false;
      try {
        await listOne(other.client, config.bucket, folderPrefix, signal);
        otherWorks = true;
      } catch {
        // reported below
      } finally {
        other.client.destroy();
      }
      const mine = styleName(setup.forcePathStyle);
      const alt = `${styleName(!setup.forcePathStyle)} ${otherWorks ? 'works too' : 'does not work here'}`;
      if (reached === undefined) return { status: 'ok', detail: `Using ${mine} (${alt})` };
      if (otherWorks) return { status: 'fail', detail: `${mine} fails, ${styleName(!setup.forcePathStyle)} works`, hint: `Pass --s3-path-style ${String(!setup.forcePathStyle)} (or path-style=${String(!setup.forcePathStyle)} in the s3:// URL)` };
      return { status: 'skip', detail: `Neither ${mine} nor ${styleName(!setup.forcePathStyle)} reached the bucket` };
    });
    if (reached) return finish(report, checks);
    checks.add({ name: 'clock-skew', ...clockRow(dates.last) });
    if (dates.last) report.clockSkewSeconds = Math.round((dates.last.serverMs - dates.last.localMs) / 1000);
    await checks.run('versioning', () => versioningRow(setup.client, config.bucket, signal));
    await checks.run('object-lock', () => objectLockRow(setup.client, config.bucket, signal));
    await checks.run('lifecycle', () => lifecycleRow(setup.client, config.bucket, config.folder, signal));
    const probeFolder = `${folderPrefix}kubekeeper-check-${randomBytes(4).toString('hex')}`;
    try {
      const probe = new S3Backend({
        client: setup.client, bucket: config.bucket, folder: probeFolder, endpoint: setup.endpoint, logger,
        partSizeBytes: config.partSizeBytes, queueSize: config.queueSize, timeoutMs: setup.timeoutMs, maxAttempts: setup.maxAttempts,
        conditionalWrites: config.conditionalWrites ?? true, credentialSource: setup.credentialSource,
      });
      Object.assign(report, await probeBackend(probe, checks, { largeProbeBytes: options.largeProbeBytes, largeName: 'multipart-upload', signal }));
      await checks.run('sdk-default-checksums', async () => {
        const plain = await createS3Client(config, env, silentLogger, { sdkDefaultChecksums: true });
        // The signing clock as corrected from the server's answers so far: a streaming body cannot be re-sent.
        plain.client.config.systemClockOffset = setup.client.config.systemClockOffset;
        try {
          const { row, safe } = await sdkDefaultChecksumsRow(plain.client, setup.client, config.bucket, `${probeFolder}/sdk-default-checksums`, signal);
          report.sdkDefaultChecksumsSafe = safe;
          return row;
        } finally {
          plain.client.destroy();
        }
      });
    } finally {
      await checks.run('cleanup', async () => {
        const left = await removeProbePrefix(setup.client, config.bucket, `${probeFolder}/`, signal);
        return left.length === 0
          ? { status: 'ok', detail: `Nothing left under "${probeFolder}/"` }
          : { status: 'fail', detail: `Could not remove ${left.map((k) => `"${k}"`).join(', ')}`, hint: 'Remove them by hand; they are not backups' };
      });
    }
    return finish(report, checks);
  } finally {
    setup.client.destroy();
  }
}

function clockRow(last: { serverMs: number; localMs: number } | undefined) {
  if (!last) return { status: 'skip' as const, detail: 'The server sent no Date header' };
  const skew = (last.serverMs - last.localMs) / 1000;
  const text = `Server clock ${skew >= 0 ? 'ahead of' : 'behind'} this host by ${Math.abs(skew).toFixed(0)} s (Date header, 1 s resolution)`;
  if (Math.abs(skew) > CLOCK_SKEW_FAIL_SECONDS) {
    return { status: 'fail' as const, detail: `${text}: S3 refuses signatures beyond 15 minutes, and upload ages and receive times would be off`, hint: 'Synchronise the clocks (chrony or systemd-timesyncd) of this host and the S3 server' };
  }
  if (Math.abs(skew) > CLOCK_SKEW_WARN_SECONDS) return { status: 'warn' as const, detail: text, hint: 'Synchronise the clocks (chrony or systemd-timesyncd)' };
  return { status: 'ok' as const, detail: text };
}

function finish(report: StorageCheckReport, checks: CheckList): StorageCheckReport {
  report.ok = !checks.failed;
  return report;
}
