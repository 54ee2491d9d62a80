/**
 * Fakes for tests of the backup use cases: a SnapshotSource over bytes in memory, and
 * snapshots with a valid sha256 trailer. Not used by the product.
 */
import { createHash } from 'node:crypto';
import type { SnapshotSource, SnapshotSourceInfo } from './backup-source.js';

/** `db` followed by its sha256: a snapshot file as etcdctl writes it. */
export function withTrailer(db: Uint8Array): Uint8Array {
  // A plain Uint8Array, so tests can deepEqual it against what they read back.
  return new Uint8Array(Buffer.concat([db, createHash('sha256').update(db).digest()]));
}

export const FAKE_SOURCE_INFO: SnapshotSourceInfo = {
  endpoint: 'http://127.0.0.1:2379', clusterId: 'cdf818194e3a8c32', memberId: '8e9e05c52164694d', memberName: 'default',
  etcdVersion: '3.4.23', revision: 2, raftTerm: 2, dbSizeBytes: 12288,
};

export interface FakeSourceOptions {
  info?: Partial<SnapshotSourceInfo>;
  /** Chunk size of the stream (default 4096, odd sizes welcome). */
  chunkBytes?: number;
  /** Throw this after `failAfterBytes` bytes (a member dying mid-stream). */
  failWith?: unknown;
  failAfterBytes?: number;
}

/** A SnapshotSource that streams `snapshot` (trailer included) and counts its calls. */
export function fakeSnapshotSource(snapshot: Uint8Array, options: FakeSourceOptions = {}): SnapshotSource & { snapshotCalls: number } {
  const source = {
    snapshotCalls: 0,
    async describe() {
      return { ...FAKE_SOURCE_INFO, ...options.info };
    },
    async *snapshot(signal?: AbortSignal) {
      source.snapshotCalls++;
      const step = options.chunkBytes ?? 4096;
      for (let at = 0; at < snapshot.length; at += step) {
        if (options.failWith !== undefined && at >= (options.failAfterBytes ?? 0)) throw options.failWith;
        signal?.throwIfAborted();
        yield snapshot.subarray(at, at + step);
      }
    },
  };
  return source;
}
