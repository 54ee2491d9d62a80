/**
 * The checks every repository kind gets, through the same Backend code path backups use:
 * a small object saved, stated, listed, read back byte for byte and removed; then a large
 * object (several S3 parts: a multipart upload) timed both ways for throughput. The backend
 * given is scoped to a probe folder of its own, which the caller removes afterwards.
 */
import type { Backend, Handle } from '../backend.js';
import { isNotFound } from '../errors.js';
import { type CheckList, failureRow } from './check-result.js';
import { digestOf, probeBytes } from './probe-bytes.js';

const SMALL_PROBE_BYTES = 4099;
const MiB = 1024 * 1024;

export interface ProbeBackendOptions {
  /** Size of the large probe (default 16 MiB + 1: three S3 parts of 8 MiB). */
  largeProbeBytes: number;
  /** Row name of the large-object check: "multipart-upload" on S3. */
  largeName: string;
  signal?: AbortSignal;
}

export interface ProbeThroughput {
  uploadMiBps?: number;
  downloadMiBps?: number;
}

async function listed(backend: Backend, handle: Handle, signal?: AbortSignal): Promise<boolean> {
  for await (const info of backend.list(handle.type, { signal })) if (info.name === handle.name) return true;
  return false;
}

/** Saves, reads back and compares one probe object; returns seconds spent saving and loading. */
async function roundTrip(backend: Backend, handle: Handle, sizeBytes: number, seed: number, signal?: AbortSignal) {
  const expected = await digestOf(probeBytes(sizeBytes, seed));
  const t0 = performance.now();
  const saved = await backend.save(handle, probeBytes(sizeBytes, seed), { signal });
  const t1 = performance.now();
  const read = await backend.load(handle, (stream) => digestOf(stream), { signal });
  const t2 = performance.now();
  return { expected, saved, read, uploadSeconds: (t1 - t0) / 1000, downloadSeconds: (t2 - t1) / 1000 };
}

function equalityDetail(what: string, expected: { sha256: string; sizeBytes: number }, read: { sha256: string; sizeBytes: number }): string {
  return read.sha256 === expected.sha256
    ? `${what}: ${read.sizeBytes} bytes read back identical`
    : `${what}: wrote ${expected.sizeBytes} bytes (sha256 ${expected.sha256.slice(0, 12)}), read back ${read.sizeBytes} bytes (sha256 ${read.sha256.slice(0, 12)})`;
}

export async function probeBackend(backend: Backend, checks: CheckList, options: ProbeBackendOptions): Promise<ProbeThroughput> {
  const { signal } = options;
  const small: Handle = { type: 'data', name: 'probe-small' };
  const smallRow = await checks.run('put-get-list-delete', async () => {
    const r = await roundTrip(backend, small, SMALL_PROBE_BYTES, 0x5eed, signal);
    if (r.read.sha256 !== r.expected.sha256) return { status: 'fail', detail: equalityDetail('Probe object', r.expected, r.read), hint: 'The store changed the bytes: check for a proxy or gateway rewriting bodies' };
    const info = await backend.stat(small, { signal });
    if (info.sizeBytes !== SMALL_PROBE_BYTES) return { status: 'fail', detail: `Probe object stored as ${info.sizeBytes} bytes, ${SMALL_PROBE_BYTES} written` };
    if (!(await listed(backend, small, signal))) return { status: 'fail', detail: 'Probe object saved but not listed', hint: 'The store lists eventually, not at once: backup list and prune would miss new backups' };
    await backend.remove(small, { signal });
    if (await listed(backend, small, signal)) return { status: 'fail', detail: 'Probe object still listed after its removal' };
    try {
      await backend.stat(small, { signal });
      return { status: 'fail', detail: 'Probe object still readable after its removal' };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return { status: 'ok', detail: `Saved, stated, listed, read back identical and removed a ${SMALL_PROBE_BYTES}-byte object` };
  });
  if (smallRow.status === 'fail') return {};
  const large: Handle = { type: 'data', name: 'probe-large' };
  let timing: Awaited<ReturnType<typeof roundTrip>> | undefined;
  await checks.run(options.largeName, async () => {
    timing = await roundTrip(backend, large, options.largeProbeBytes, 0x1a46e, signal);
    return { status: 'ok', detail: `Saved a ${options.largeProbeBytes}-byte object (${timing.saved.sizeBytes} bytes sent)` };
  });
  if (!timing) return {};
  const t = timing;
  await checks.run('read-back', async () => t.read.sha256 === t.expected.sha256
    ? { status: 'ok', detail: equalityDetail('Large probe', t.expected, t.read) }
    : { status: 'fail', detail: equalityDetail('Large probe', t.expected, t.read), hint: 'The store does not keep the bytes it was sent: backups would fail their verification' });
  const uploadMiBps = options.largeProbeBytes / MiB / Math.max(t.uploadSeconds, 1e-6);
  const downloadMiBps = options.largeProbeBytes / MiB / Math.max(t.downloadSeconds, 1e-6);
  checks.add({
    name: 'throughput', status: 'ok',
    detail: `Upload ${uploadMiBps.toFixed(1)} MiB/s, download ${downloadMiBps.toFixed(1)} MiB/s (${(options.largeProbeBytes / MiB).toFixed(1)} MiB probe)`,
  });
  await backend.remove(large, { signal }).catch((err: unknown) => checks.add({ name: 'cleanup', ...failureRow(err) }));
  return { uploadMiBps: round1(uploadMiBps), downloadMiBps: round1(downloadMiBps) };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
