/**
 * `snapshot save`: stream Maintenance.Snapshot from one member into a file, checking the
 * sha256 trailer on the way, so that the file appears under its name only when complete and
 * verified (writeFileAtomic). The member's status is read first for the revision and ID.
 */
import type { EtcdClient } from '../etcd/index.js';
import { writeFileAtomic } from './atomic-file.js';
import type { LeftoverListener } from './leftovers.js';
import { snapshotDigestTap, type SnapshotDigest } from './backup-digest.js';

export interface SaveSnapshotOptions {
  client: EtcdClient;
  path: string;
  /** Replace an existing file. */
  force?: boolean;
  signal?: AbortSignal;
  /** Bytes received so far, and the expected total once the first message told it. */
  onProgress?: (bytes: number, totalBytes?: number) => void;
  /** Told about .part files of killed saves found next to `path` (removed when their writer is gone). */
  onLeftover?: LeftoverListener;
}

export interface SaveSnapshotResult {
  path: string;
  /** File size: bbolt image + 32-byte trailer. */
  sizeBytes: number;
  /** Hex sha256 of the bbolt image, equal to the file's trailer. */
  sha256: string;
  /**
   * The store revision the member reported just before the stream started; the snapshot
   * holds this revision or, if writes landed in between, a slightly newer one.
   */
  revision: bigint;
  memberId: bigint;
  clusterId: bigint;
  /** etcd version of the member, e.g. "3.4.23". */
  etcdVersion: string;
  endpoint: string;
  durationMs: number;
}

async function* counted(source: AsyncIterable<Uint8Array>, onChunk: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of source) {
    bytes += chunk.length;
    onChunk(bytes);
    yield chunk;
  }
}

/**
 * Saves a snapshot of the client's member to `path` (mode 0600). Throws FileExistsError when
 * the file exists and `force` is off, EtcdError when the stream fails, ChecksumMismatchError
 * when the trailer does not match; in every failure no file is left under `path` or `.part`.
 */
export async function saveSnapshot(options: SaveSnapshotOptions): Promise<SaveSnapshotResult> {
  const { client } = options;
  const started = performance.now();
  const status = await client.status();
  let totalBytes: number | undefined;
  let digest: SnapshotDigest | undefined;
  const what = `Snapshot from "${client.endpoint}"`;
  const stream = client.snapshot(options.signal, { onTotalBytes: (n) => (totalBytes = n) });
  // Checks the trailer with no copy of the data (a GiB passes through here).
  const verified = snapshotDigestTap(stream, what, (d) => (digest = d));
  const source = options.onProgress ? counted(verified, (bytes) => options.onProgress?.(bytes, totalBytes)) : verified;
  const { sizeBytes } = await writeFileAtomic(options.path, source, {
    mode: 0o600, overwrite: options.force ?? false, signal: options.signal, action: 'save the snapshot', onLeftover: options.onLeftover,
  });
  // The tap calls back before the iteration ends, so a written file always has it.
  if (!digest) throw new Error('snapshot digest missing after a complete stream');
  return {
    path: options.path,
    sizeBytes,
    sha256: digest.dbSha256,
    revision: status.header.revision,
    memberId: status.memberId,
    clusterId: status.clusterId,
    etcdVersion: status.version,
    endpoint: client.endpoint,
    durationMs: performance.now() - started,
  };
}
