/**
 * Run records: what a drill, a verify or a failed backup run found, stored in the backup
 * repository beside the manifests as small signed JSON objects, so the repository alone tells
 * the dashboard (and the fleet view of another host) the drill and verify history. Objects
 * are "manifest/run-<kind>-<UTC time>-<8 hex>.record": never taken for a backup (no ".json"),
 * immutable like every stored object, and signed with the manifest signature scheme when the
 * writer has a signing key. They hold names, times, durations and reasons, never cluster data.
 */
import { randomBytes } from 'node:crypto';
import { type SignatureInfo, checkManifestSignature, encodeSignedJson } from '../backup/index.js';
import type { SignerPublicKey, SigningKey } from '../crypto/index.js';
import { type Backend, type Handle, isNotFound, replayableBody } from '../storage/index.js';

export const RUN_RECORD_FORMAT = 'kubekeeper.run/v1';
/** A record is a few hundred bytes; a larger object is not one of ours. */
export const MAX_RUN_RECORD_BYTES = 64 * 1024;
/** The newest records read per repository (older ones stay stored, unread). */
export const MAX_RUN_RECORDS_READ = 400;
const READ_CONCURRENCY = 8;
const NAME = /^run-(drill|verify|backup)-(\d{8}T\d{9}Z)-[0-9a-f]{8}\.record$/;

export type RunKind = 'drill' | 'verify' | 'backup';

export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  kind: RunKind;
  /** ISO 8601 UTC. */
  startedAt: string;
  durationMs: number;
  ok: boolean;
  backupName?: string;
  /** Why it failed: the failed step's detail or the error message. */
  reason?: string;
  /** The failed step or error code ("keys", "etcd-unreachable"). */
  failedStep?: string;
  /** Time per step (drill: download, restore, start, revision, alarms, keys, expected-keys). */
  stepsMs?: Record<string, number>;
}

/** A record as read back, with what its signature says for the reader's trusted signers. */
export interface StoredRunRecord {
  name: string;
  record: RunRecord;
  signature: SignatureInfo;
}

function compactTime(iso: string): string {
  return iso.replace(/[-:.]/g, '');
}

/** The object a record is stored as. */
export function runRecordHandle(record: RunRecord, random: () => string = () => randomBytes(4).toString('hex')): Handle {
  return { type: 'manifest', name: `run-${record.kind}-${compactTime(new Date(record.startedAt).toISOString())}-${random()}.record` };
}

/** The record's stored bytes: signed when `key` is given. */
export function encodeRunRecord(record: RunRecord, key?: SigningKey): Uint8Array {
  return key ? encodeSignedJson(record, key) : Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8');
}

/** Stores one record; returns its object name. */
export async function writeRunRecord(backend: Backend, record: RunRecord, key?: SigningKey, signal?: AbortSignal): Promise<string> {
  const handle = runRecordHandle(record);
  await backend.save(handle, replayableBody(encodeRunRecord(record, key)), { signal });
  return handle.name;
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** Parses a stored record; undefined when it is not a valid one (it is then skipped, never trusted). */
export function parseRunRecord(bytes: Uint8Array): RunRecord | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || v.format !== RUN_RECORD_FORMAT) return undefined;
  if (!['drill', 'verify', 'backup'].includes(v.kind as string) || !isString(v.startedAt) || Number.isNaN(Date.parse(v.startedAt))) return undefined;
  if (typeof v.durationMs !== 'number' || !(v.durationMs >= 0) || typeof v.ok !== 'boolean') return undefined;
  const steps = v.stepsMs;
  const stepsOk = steps === undefined || (typeof steps === 'object' && steps !== null && Object.values(steps).every((x) => typeof x === 'number'));
  if (!stepsOk || [v.backupName, v.reason, v.failedStep].some((x) => x !== undefined && !isString(x))) return undefined;
  return {
    format: RUN_RECORD_FORMAT, kind: v.kind as RunKind, startedAt: v.startedAt, durationMs: v.durationMs, ok: v.ok,
    ...(isString(v.backupName) ? { backupName: v.backupName } : {}),
    ...(isString(v.reason) ? { reason: v.reason } : {}),
    ...(isString(v.failedStep) ? { failedStep: v.failedStep } : {}),
    ...(steps ? { stepsMs: steps as Record<string, number> } : {}),
  };
}

async function readBytes(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array | undefined> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > MAX_RUN_RECORD_BYTES) return undefined;
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/**
 * Records already read, by object name (null: not a valid record). Stored objects are
 * immutable, so a reader that keeps one (the daemon's dashboard) reads each record once.
 * Valid for one set of trusted signers.
 */
export type RunRecordCache = Map<string, StoredRunRecord | null>;

/** The newest records of a repository, newest first; invalid or oversized objects are skipped. */
export async function readRunRecords(backend: Backend, trusted: readonly SignerPublicKey[], signal?: AbortSignal, cache?: RunRecordCache): Promise<StoredRunRecord[]> {
  const names: string[] = [];
  for await (const info of backend.list('manifest', { signal })) if (NAME.test(info.name)) names.push(info.name);
  // The name carries the start time: sorting by it needs no read.
  const timeOf = (n: string) => NAME.exec(n)?.[2] ?? '';
  names.sort((a, b) => timeOf(b).localeCompare(timeOf(a)) || b.localeCompare(a));
  const readOne = async (name: string): Promise<StoredRunRecord | undefined> => {
    const known = cache?.get(name);
    if (known !== undefined) return known ?? undefined;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await backend.load({ type: 'manifest', name }, readBytes, { signal });
    } catch (err) {
      // Removed between the listing and the read: skipped like any other missing record.
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const record = bytes && parseRunRecord(bytes);
    const stored = bytes && record ? { name, record, signature: checkManifestSignature(bytes, trusted) } : undefined;
    cache?.set(name, stored ?? null);
    return stored;
  };
  const out: StoredRunRecord[] = [];
  const wanted = names.slice(0, MAX_RUN_RECORDS_READ);
  // A few at a time: on S3 each read is a round trip.
  for (let i = 0; i < wanted.length; i += READ_CONCURRENCY) {
    for (const r of await Promise.all(wanted.slice(i, i + READ_CONCURRENCY).map(readOne))) if (r) out.push(r);
  }
  return out;
}
