/**
 * What the rest of kubekeeper sees of a live etcd member: a small client interface in etcd's
 * own terms (revisions, member IDs, raft indexes). IDs and revisions are bigints because etcd
 * member and cluster IDs use all 64 bits.
 */

/** The header etcd puts on every response. */
export interface ResponseHeader {
  clusterId: bigint;
  memberId: bigint;
  revision: bigint;
  raftTerm: bigint;
}

/** Maintenance.Status of one member, as `etcdctl endpoint status` shows it. */
export interface EndpointStatus {
  /** The endpoint that answered, as given in --endpoints. */
  endpoint: string;
  header: ResponseHeader;
  memberId: bigint;
  clusterId: bigint;
  /** Server version, e.g. "3.4.23". */
  version: string;
  /** Physically allocated backend size in bytes. */
  dbSize: number;
  /** Logically used backend size in bytes (etcd >= 3.4). */
  dbSizeInUse: number;
  /** The member this member believes is the leader (0 when there is none). */
  leader: bigint;
  raftTerm: bigint;
  raftIndex: bigint;
  raftAppliedIndex: bigint;
  isLearner: boolean;
  /** Alarm and health messages the member reports (e.g. "memberID:... alarm:NOSPACE"). */
  errors: string[];
  /** Version of the db file's schema (etcd >= 3.6; "" before). */
  storageVersion: string;
  /** The member's --quota-backend-bytes (etcd >= 3.6; 0 before). */
  dbSizeQuota: number;
  /** DowngradeInfo (etcd >= 3.6); undefined when the member did not send the field. */
  downgradeInfo?: DowngradeInfo;
}

/** etcdserverpb.DowngradeInfo: whether a downgrade is in progress and to which version. */
export interface DowngradeInfo {
  enabled: boolean;
  targetVersion: string;
}

/** One entry of Cluster.MemberList. */
export interface Member {
  id: bigint;
  /** Empty while the member has not started. */
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface MemberList {
  header: ResponseHeader;
  members: Member[];
}

/** mvccpb.KeyValue. */
export interface KeyValue {
  key: Uint8Array;
  value: Uint8Array;
  createRevision: bigint;
  modRevision: bigint;
  version: bigint;
  lease: bigint;
}

export interface RangeOptions {
  key: Uint8Array | string;
  /** Exclusive end of the range; "\0" means "all keys >= key". Omitted: only `key`. */
  rangeEnd?: Uint8Array | string;
  /** 0 or omitted: no limit. */
  limit?: number;
  /** Read at this revision (0 or omitted: the newest). */
  revision?: bigint;
  keysOnly?: boolean;
  /** Member-local read instead of a linearizable one. */
  serializable?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** More keys matched than `limit` allowed. */
  more: boolean;
  /** Number of keys in the range (not limited). */
  count: number;
  header: ResponseHeader;
}

/** AlarmType in etcd's rpc.proto. */
export type AlarmType = 'NONE' | 'NOSPACE' | 'CORRUPT' | 'UNKNOWN';

export interface Alarm {
  memberId: bigint;
  alarm: AlarmType;
}

export interface SnapshotStreamOptions {
  /**
   * Called once with the stream's total size in bytes (bbolt image + 32-byte trailer), known
   * from the first message's remaining_bytes; for progress bars.
   */
  onTotalBytes?: (totalBytes: number) => void;
}

/**
 * A connection to one etcd member. Short calls use the command timeout; the snapshot stream
 * has none (it runs until done, failed or aborted). All methods throw EtcdError (an AppError)
 * with a hint. The caller closes the client.
 */
export interface EtcdClient {
  /** The endpoint in use, as given in --endpoints. */
  readonly endpoint: string;
  /**
   * Maintenance.Snapshot: the raw blobs in order, the last one being the 32-byte sha256
   * trailer. Not verified here (see snapshot/verifyTrailerStream). Breaking out of the loop
   * or aborting `signal` cancels the stream.
   */
  snapshot(signal?: AbortSignal, options?: SnapshotStreamOptions): AsyncIterable<Uint8Array>;
  /** Maintenance.Status of the member in use, or of another `endpoint` with the same options. */
  status(endpoint?: string): Promise<EndpointStatus>;
  /** Cluster.MemberList. */
  memberList(): Promise<Member[]>;
  /** Cluster.MemberList with the response header. */
  memberListWithHeader(): Promise<MemberList>;
  /** Maintenance.Alarm GET: the active alarms of the cluster. */
  alarms(): Promise<Alarm[]>;
  range(options: RangeOptions): Promise<RangeResult>;
  put(key: Uint8Array | string, value: Uint8Array | string, lease?: bigint): Promise<{ revision: bigint }>;
  deleteRange(key: Uint8Array | string, rangeEnd?: Uint8Array | string): Promise<{ deleted: number; revision: bigint }>;
  /** Closes the channel; in-flight calls fail. Safe to call twice. */
  close(): void;
}

/** The result of `endpoint health` for one endpoint. */
export interface EndpointHealth {
  endpoint: string;
  health: boolean;
  /** Time of the health read (and alarm check), in milliseconds. */
  tookMs: number;
  /** Why it is unhealthy; set only when `health` is false or an alarm is active. */
  error?: string;
}
