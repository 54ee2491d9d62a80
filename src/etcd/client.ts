/**
 * The EtcdClient over one gRPC channel. Short calls carry the command timeout; the snapshot
 * stream (over its own HTTP/2 connection, see snapshot-stream.ts) has no deadline (a 1 GiB
 * snapshot takes seconds to minutes) and is ended by the caller's AbortSignal or a dead
 * connection (keepalive).
 */
import { decodeDeleteRangeResponse, decodeHeaderOnly, decodeRangeResponse, encodeDeleteRangeRequest, encodePutRequest, encodeRangeRequest } from './kv-messages.js';
import { decodeAlarmResponse, decodeStatusResponse, EMPTY_MESSAGE, encodeAlarmGetRequest } from './maintenance-messages.js';
import { streamSnapshot } from './snapshot-stream.js';
import { decodeMemberListResponse } from './cluster-messages.js';
import {
  CLUSTER_METHODS, decodeMemberAddResponse, decodeMemberChangeResponse, encodeMemberAddRequest, encodeMemberIdRequest, encodeMemberListRequest, type MemberAddResult,
} from './cluster-messages.js';
import type { EtcdConnectOptions } from './connect-options.js';
import { METHODS, type GrpcChannel } from './grpc-channel.js';
import type { Alarm, EndpointStatus, EtcdClient, Member, MemberList, RangeOptions, RangeResult, ResponseHeader, SnapshotStreamOptions } from './types.js';
import { decodeAlarmList, decodeHashKVResponse, decodeMoveLeaderResponse, encodeAlarmRequest, encodeHashKVRequest, encodeMoveLeaderRequest, MAINTENANCE_METHODS, type AlarmList, type HashKV } from './maintenance-rpc.js';
import type { EtcdMaintenanceClient } from './maintenance-types.js';

/** Opens a channel to another endpoint with the same options, for status(endpoint). */
export type ChannelOpener = (endpoint: string) => Promise<GrpcChannel>;

export class GrpcEtcdClient implements EtcdClient, EtcdMaintenanceClient {
  readonly endpoint: string;

  constructor(
    /** The channel, for protocols built beside the client (election.ts). */
    readonly channel: GrpcChannel,
    private readonly options: EtcdConnectOptions,
    private readonly openOther: ChannelOpener,
  ) {
    this.endpoint = channel.endpoint.endpoint;
  }

  private call(path: string, request: Uint8Array, action: string, timeoutMs = this.options.commandTimeoutMs): Promise<Buffer> {
    return this.channel.unary(path, request, { action, timeoutMs });
  }

  snapshot(signal?: AbortSignal, options: SnapshotStreamOptions = {}): AsyncGenerator<Uint8Array> {
    const target = { endpoint: this.channel.endpoint, tls: this.channel.tls, token: this.channel.token, dialTimeoutMs: this.options.dialTimeoutMs };
    return streamSnapshot(target, { signal, onTotalBytes: options.onTotalBytes });
  }

  async status(endpoint?: string): Promise<EndpointStatus> {
    if (endpoint === undefined || endpoint === this.endpoint) {
      return decodeStatusResponse(await this.call(METHODS.status, EMPTY_MESSAGE, 'get the status'), this.endpoint);
    }
    const other = await this.openOther(endpoint);
    try {
      return decodeStatusResponse(await other.unary(METHODS.status, EMPTY_MESSAGE, { action: 'get the status', timeoutMs: this.options.commandTimeoutMs }), endpoint);
    } finally {
      other.close();
    }
  }

  async memberListWithHeader(): Promise<MemberList> {
    return decodeMemberListResponse(await this.call(METHODS.memberList, EMPTY_MESSAGE, 'list the members'));
  }

  async memberList(): Promise<Member[]> {
    return (await this.memberListWithHeader()).members;
  }

  async alarms(): Promise<Alarm[]> {
    return decodeAlarmResponse(await this.call(METHODS.alarm, encodeAlarmGetRequest(), 'list the alarms'));
  }

  async range(options: RangeOptions): Promise<RangeResult> {
    return decodeRangeResponse(await this.call(METHODS.range, encodeRangeRequest(options), 'read keys'));
  }

  async put(key: Uint8Array | string, value: Uint8Array | string, lease?: bigint): Promise<{ revision: bigint }> {
    const header = decodeHeaderOnly(await this.call(METHODS.put, encodePutRequest(key, value, lease), 'write a key'));
    return { revision: header.revision };
  }

  async deleteRange(key: Uint8Array | string, rangeEnd?: Uint8Array | string): Promise<{ deleted: number; revision: bigint }> {
    const r = decodeDeleteRangeResponse(await this.call(METHODS.deleteRange, encodeDeleteRangeRequest(key, rangeEnd), 'delete keys'));
    return { deleted: r.deleted, revision: r.header.revision };
  }

  // --- Maintenance: defragment, hash, leadership, alarms (see maintenance-client.ts) ---

  async defragment(timeoutMs: number): Promise<void> {
    await this.call(MAINTENANCE_METHODS.defragment, EMPTY_MESSAGE, 'defragment the member', timeoutMs);
  }

  async hashKV(revision: bigint): Promise<HashKV> {
    return decodeHashKVResponse(await this.call(MAINTENANCE_METHODS.hashKV, encodeHashKVRequest(revision), `hash the keyspace at revision ${revision}`));
  }

  async moveLeader(targetId: bigint): Promise<ResponseHeader | undefined> {
    return decodeMoveLeaderResponse(await this.call(MAINTENANCE_METHODS.moveLeader, encodeMoveLeaderRequest(targetId), `move the leadership to member ${targetId.toString(16)}`));
  }

  async alarmList(): Promise<AlarmList> {
    return decodeAlarmList(await this.call(METHODS.alarm, encodeAlarmGetRequest(), 'list the alarms'));
  }

  async alarmDisarm(alarm: Alarm): Promise<Alarm[]> {
    return decodeAlarmResponse(await this.call(METHODS.alarm, encodeAlarmRequest('DEACTIVATE', alarm.memberId, alarm.alarm), 'disarm an alarm'));
  }

  close(): void {
    this.channel.close();
  }

  // --- Cluster membership changes (member runbooks): see EtcdMemberAdmin ---

  async memberListLinearizable(): Promise<MemberList> {
    return decodeMemberChangeResponse(await this.call(CLUSTER_METHODS.memberList, encodeMemberListRequest(true), 'list the members'));
  }

  async memberAdd(peerURLs: readonly string[], isLearner: boolean): Promise<MemberAddResult> {
    const what = `add member ${peerURLs.join(',')}${isLearner ? ' as a learner' : ''}`;
    return decodeMemberAddResponse(await this.call(CLUSTER_METHODS.memberAdd, encodeMemberAddRequest(peerURLs, isLearner), what));
  }

  async memberRemove(id: bigint): Promise<MemberList> {
    return decodeMemberChangeResponse(await this.call(CLUSTER_METHODS.memberRemove, encodeMemberIdRequest(id), `remove member ${id.toString(16)}`));
  }

  async memberPromote(id: bigint): Promise<MemberList> {
    return decodeMemberChangeResponse(await this.call(CLUSTER_METHODS.memberPromote, encodeMemberIdRequest(id), `promote member ${id.toString(16)}`));
  }
}

/**
 * Cluster membership changes, for the member runbooks. Separate from EtcdClient so fakes of
 * the read-only client need not implement them; a client from connectEtcd/openEtcdClient has
 * them (see asMemberAdmin).
 */
export interface EtcdMemberAdmin {
  /** Cluster.MemberList served through raft (3.5+; 3.4 answers from the member's own view). */
  memberListLinearizable(): Promise<MemberList>;
  /** Cluster.MemberAdd; the new member is not started (its name stays empty until it is). */
  memberAdd(peerURLs: readonly string[], isLearner: boolean): Promise<MemberAddResult>;
  memberRemove(id: bigint): Promise<MemberList>;
  /** Cluster.MemberPromote of a learner; etcd refuses one that has not caught up with the leader. */
  memberPromote(id: bigint): Promise<MemberList>;
}

/** The membership calls of a client made by connectEtcd/openEtcdClient. Throws for another EtcdClient. */
export function asMemberAdmin(client: EtcdClient): EtcdClient & EtcdMemberAdmin {
  if (client instanceof GrpcEtcdClient) return client;
  throw new TypeError('membership changes need a gRPC etcd client');
}
