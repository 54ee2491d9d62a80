/**
 * What a restored etcd must serve, read offline from the snapshot file: the number of live
 * keys, in total and per group (`/registry/<resource>/` for Kubernetes objects, the first
 * path segment otherwise). One pass over the `key` bucket in revision order; the last event
 * of a key decides whether it is live, so memory is one small map entry per key, no values
 * (inspect's liveKeyIndex, shared with `snapshot ls`).
 */
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { openSnapshotFile } from './snapshot-file.js';
import { workerOnce } from './worker-once.js';
import { liveKeyIndex } from '../inspect/index.js';
import { openBolt } from '../snapshot/index.js';

export interface KeyCounts {
  total: number;
  /** Group prefix -> live keys under it; every live key is in exactly one group. */
  groups: Map<string, number>;
}

/**
 * The group of a key: "/registry/pods/" for "/registry/pods/ns/name", "/registry/apps/x/"
 * is not special-cased (the group is the resource segment right after /registry/), and
 * "/foo/" for "/foo/bar". A key without a second slash is its own group.
 */
export function keyGroup(key: string): string {
  const registry = /^\/registry\/[^/]+\//.exec(key);
  if (registry) return registry[0];
  const first = /^\/?[^/]*\//.exec(key);
  return first ? first[0] : key;
}

/** The exclusive end of the range of keys starting with `prefix` (etcd's GetPrefixRangeEnd). */
export function prefixRangeEnd(prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff: every key >= prefix.
  return Uint8Array.of(0);
}

/** Counts the live keys of the snapshot at `snapshotPath`; see the file comment. */
export async function countLiveKeys(snapshotPath: string): Promise<KeyCounts> {
  const file = await openSnapshotFile(snapshotPath);
  try {
    // Plain Uint8Array views: Buffer#slice inside the reader would not copy (see snapshot-restore).
    const ra = { sizeBytes: file.ra.sizeBytes, read: (o: number, n: number) => { const v = file.ra.read(o, n); return new Uint8Array(v.buffer, v.byteOffset, v.length); } };
    // inspect's first pass: a zero-copy scan that reads only each value's key field.
    const live = liveKeyIndex(openBolt(ra));
    const groups = new Map<string, number>();
    for (const id of live.keys()) {
      const group = keyGroup(id);
      groups.set(group, (groups.get(group) ?? 0) + 1);
    }
    return { total: live.size, groups };
  } finally {
    await file.close();
  }
}

// Defined by esbuild in the bundle (scripts/build-bundle.mjs): drill-count-worker bundled as CommonJS source.
declare const KUBEKEEPER_DRILL_WORKER: string | undefined;

/** What drill-count-worker posts back. */
type WorkerReply = { ok: true; total: number; groups: [string, number][] } | { ok: false; message: string; code?: string; hint?: string };

/**
 * `countLiveKeys` on a worker thread, so that a drill counts while it restores on the main
 * thread (a second core is otherwise idle then) and notices at once that its etcd is up.
 * Errors keep their AppError code and hint; `signal` terminates the worker.
 */
export function countLiveKeysOnWorker(snapshotPath: string, signal?: AbortSignal): Promise<KeyCounts> {
  // The bundle and the single executable carry the worker's own bundle as source (no file beside them).
  const worker = typeof KUBEKEEPER_DRILL_WORKER === 'string'
    ? new Worker(KUBEKEEPER_DRILL_WORKER, { eval: true, workerData: { snapshotPath } })
    : new Worker(new URL('./drill-count-worker.js', import.meta.url), { workerData: { snapshotPath } });
  return workerOnce<WorkerReply, KeyCounts>(worker, {
    signal, aborting: 'The restore drill',
    onReply: (reply) => {
      if (reply.ok) return { total: reply.total, groups: new Map(reply.groups) };
      throw reply.code ? new AppError(reply.code, reply.message, { hint: reply.hint }) : new Error(reply.message);
    },
    onFailure: (why, cause) => new AppError('drill-count', `Cannot count the keys of "${snapshotPath}": ${why}`, { cause }),
  });
}
