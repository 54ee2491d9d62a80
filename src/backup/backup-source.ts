/**
 * The role `backup save` needs from etcd: who the member is, and its snapshot stream.
 * Owned here (the consumer), implemented over the etcd client by snapshotSourceFromEtcd,
 * and faked in tests by a stream of fixture bytes.
 */

export interface SnapshotSourceInfo {
  /** The endpoint the snapshot comes from, for the manifest and messages. */
  endpoint: string;
  /** Hex IDs as etcdctl prints them (no leading zeros). */
  clusterId: string;
  memberId: string;
  memberName?: string;
  etcdVersion: string;
  /** The store revision the member reported just before the snapshot started. */
  revision: number;
  raftTerm?: number;
  /** The member's backend size as reported (the snapshot is about this size). */
  dbSizeBytes: number;
}

export interface SnapshotSource {
  describe(signal?: AbortSignal): Promise<SnapshotSourceInfo>;
  /** The snapshot as `etcdctl snapshot save` writes it: bbolt image + 32-byte sha256 trailer. */
  snapshot(signal?: AbortSignal): AsyncIterable<Uint8Array>;
}
