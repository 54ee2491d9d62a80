/**
 * Bucket settings and server behaviour `backup check-storage` reports on S3: versioning,
 * object lock, lifecycle rules, whether the SDK's default checksum mode stores objects byte
 * for byte, and the removal of every probe object. A store that does not implement a query
 * (NotImplemented, 501) gets a `skip` row.
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, DeleteObjectCommand, GetBucketLifecycleConfigurationCommand, GetBucketVersioningCommand, GetObjectCommand,
  GetObjectLockConfigurationCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import type { StorageCheck } from '../check/check-result.js';
import { lifecycleCheck } from '../check/lifecycle-rules.js';
import { digestOf, probeBytes } from '../check/probe-bytes.js';

type Row = Omit<StorageCheck, 'name'>;

const NOT_SUPPORTED = new Set(['NotImplemented', 'MethodNotAllowed', 'XNotImplemented']);

function errorName(err: unknown): string {
  return (err as { name?: string }).name ?? 'Error';
}

function notSupported(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return NOT_SUPPORTED.has(errorName(err)) || status === 501 || status === 405;
}

function skipRow(what: string, err: unknown): Row {
  return { status: 'skip', detail: `The server does not report ${what} (${errorName(err)})` };
}

export async function versioningRow(client: S3Client, bucket: string, signal?: AbortSignal): Promise<Row> {
  try {
    const out = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }), { abortSignal: signal });
    if (out.Status === 'Enabled') {
      return {
        status: 'warn',
        detail: 'Versioning is enabled: objects "backup prune" removes stay as noncurrent versions, still stored and billed',
        hint: 'Add a lifecycle rule with NoncurrentVersionExpiration for the repository folder, or suspend versioning',
      };
    }
    return { status: 'ok', detail: `Versioning ${out.Status === 'Suspended' ? 'suspended' : 'not enabled'}: removed backups are gone` };
  } catch (err) {
    if (notSupported(err)) return skipRow('versioning', err);
    throw err;
  }
}

export async function objectLockRow(client: S3Client, bucket: string, signal?: AbortSignal): Promise<Row> {
  try {
    const out = await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }), { abortSignal: signal });
    const config = out.ObjectLockConfiguration;
    if (config?.ObjectLockEnabled !== 'Enabled') return { status: 'ok', detail: 'Object lock not enabled' };
    const retention = config.Rule?.DefaultRetention;
    if (!retention) return { status: 'ok', detail: 'Object lock enabled without a default retention: objects stay removable' };
    const period = retention.Days !== undefined ? `${retention.Days} days` : `${retention.Years ?? 0} years`;
    return {
      status: 'warn',
      detail: `Object lock keeps every object for ${period} (${retention.Mode ?? 'mode unknown'}): "backup prune" cannot remove younger backups${retention.Mode === 'COMPLIANCE' ? ', and nobody can shorten that' : ''}`,
      hint: 'Make retention (--keep-within) at least the lock period, or lower the bucket\'s default retention',
    };
  } catch (err) {
    if (errorName(err) === 'ObjectLockConfigurationNotFoundError') return { status: 'ok', detail: 'Object lock not enabled' };
    if (notSupported(err)) return skipRow('object lock', err);
    throw err;
  }
}

export async function lifecycleRow(client: S3Client, bucket: string, folder: string, signal?: AbortSignal): Promise<Row> {
  try {
    const out = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }), { abortSignal: signal });
    return lifecycleCheck(out.Rules, folder);
  } catch (err) {
    if (errorName(err) === 'NoSuchLifecycleConfiguration') return lifecycleCheck(undefined, folder);
    if (notSupported(err)) return skipRow('lifecycle rules', err);
    throw err;
  }
}

const CHECKSUM_PROBE_BYTES = 200_003;

/**
 * Uploads a probe with `defaultClient` (the SDK's default checksum mode: a streaming body goes
 * as `aws-chunked` with a CRC32 trailer) and reads it back with kubekeeper's own client.
 */
export async function sdkDefaultChecksumsRow(defaultClient: S3Client, client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<{ row: Row; safe?: boolean }> {
  const expected = await digestOf(probeBytes(CHECKSUM_PROBE_BYTES, 0xc0ffee));
  try {
    await defaultClient.send(new PutObjectCommand({
      Bucket: bucket, Key: key, Body: Readable.from(probeBytes(CHECKSUM_PROBE_BYTES, 0xc0ffee)), ContentLength: CHECKSUM_PROBE_BYTES,
    }), { abortSignal: signal });
  } catch (err) {
    return {
      row: { status: 'warn', detail: `The server refused an upload in the AWS SDK's default checksum mode (aws-chunked with a CRC32 trailer): ${errorName(err)}. kubekeeper sends checksums only when required and is not affected` },
      safe: false,
    };
  }
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  const read = await digestOf(out.Body as AsyncIterable<Uint8Array>);
  if (read.sha256 === expected.sha256) {
    return { row: { status: 'ok', detail: `An upload in the AWS SDK's default checksum mode (aws-chunked, CRC32 trailer) was stored byte for byte (${read.sizeBytes} bytes)` }, safe: true };
  }
  return {
    row: {
      status: 'warn',
      detail: `The server stores the AWS SDK's default checksum framing as data: ${CHECKSUM_PROBE_BYTES} bytes sent as aws-chunked came back as ${read.sizeBytes} different bytes. kubekeeper sends checksums only when required and is not affected; other tools on the SDK defaults (AWS CLI v2.23+, SDKs since 2025) would store corrupted objects here`,
      hint: 'Set AWS_REQUEST_CHECKSUM_CALCULATION=when_required for other S3 tools that write to this server, or upgrade the server',
    },
    safe: false,
  };
}

/** Removes every object and unfinished upload under `prefix`; returns what is still there. */
export async function removeProbePrefix(client: S3Client, bucket: string, prefix: string, signal?: AbortSignal): Promise<string[]> {
  try {
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }), { abortSignal: signal });
    for (const u of uploads.Uploads ?? []) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }), { abortSignal: signal }).catch(() => undefined);
    }
  } catch (err) {
    if (!notSupported(err)) throw err;
  }
  const keys = async () => ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }), { abortSignal: signal })).Contents ?? []).map((c) => c.Key ?? '');
  for (const key of await keys()) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  return keys();
}
