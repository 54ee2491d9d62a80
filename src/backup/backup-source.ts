/**
 * The role `backup save` needs from etcd: who the member is, and its snapshot stream.
 * Owned here (the consumer), implemented over the etcd client by snapshotSourceFromEtcd,
 * and faked in tests by a stream of fixture bytes.
 */
import type { EtcdClient } from '../etcd/index.js';

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

/** etcd prints IDs as unpadded lower-case hex. */
function hexId(id: bigint): string {
  return id.toString(16);
}

/**
 * The SnapshotSource of a live member: Maintenance.Status (and the member list, for the
 * member's name) for the manifest, Maintenance.Snapshot for the data.
 */
export function snapshotSourceFromEtcd(client: EtcdClient): SnapshotSource {
  return {
    async describe() {
      const status = await client.status();
      // The name is a nicety for humans: a member list that fails must not fail the backup.
      const members = await client.memberList().catch(() => []);
      const name = members.find((m) => m.id === status.memberId)?.name;
      return {
        endpoint: client.endpoint,
        clusterId: hexId(status.header.clusterId),
        memberId: hexId(status.memberId),
        ...(name ? { memberName: name } : {}),
        etcdVersion: status.version,
        revision: Number(status.header.revision),
        raftTerm: Number(status.raftTerm),
        dbSizeBytes: status.dbSize,
      };
    },
    snapshot: (signal) => client.snapshot(signal),
  };
}
