/**
 * The `endpoint status --detail` view of one member: what the defrag planner and the daemon's
 * metrics need, in etcd's own terms. Pure.
 */
import type { Alarm, AlarmType, EndpointStatus } from '../etcd/index.js';

/** etcd's default --quota-backend-bytes (2 GiB), assumed for members older than 3.6. */
export const DEFAULT_QUOTA_BYTES = 2 * 1024 ** 3;

export interface MemberDetail {
  endpoint: string;
  memberId: bigint;
  /** The member's name from the member list ("" when unknown). */
  name: string;
  version: string;
  isLeader: boolean;
  /** The member this member believes leads (0 when none). */
  leader: bigint;
  isLearner: boolean;
  /** Physically allocated db size: what the quota (NOSPACE) is checked against. */
  dbSizeBytes: number;
  dbSizeInUseBytes: number;
  /** Allocated but unused: what a defrag gives back. */
  freeBytes: number;
  /** freeBytes / dbSize, in percent (0 for an empty db). */
  fragmentationPercent: number;
  quotaBytes: number;
  /** "member": reported by the member (etcd >= 3.6); "assumed": --quota-bytes or etcd's default. */
  quotaSource: 'member' | 'assumed';
  /** dbSize / quota, in percent. */
  quotaPercent: number;
  /** The cluster's active alarms raised by this member. */
  alarms: AlarmType[];
  /** The member's own errors (e.g. "memberID:... alarm:NOSPACE"). */
  errors: string[];
  raftAppliedIndex: bigint;
}

/** Rounds to one decimal, the precision every report shows. */
export function roundPercent(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The detail of one member from its Status and the cluster's alarms; the quota falls back to `quotaBytes` (default 2 GiB) when the member does not report one. */
export function describeMember(status: EndpointStatus, alarms: readonly Alarm[], options: { name?: string; quotaBytes?: number } = {}): MemberDetail {
  const quotaBytes = status.dbSizeQuota > 0 ? status.dbSizeQuota : (options.quotaBytes ?? DEFAULT_QUOTA_BYTES);
  const freeBytes = Math.max(0, status.dbSize - status.dbSizeInUse);
  return {
    endpoint: status.endpoint,
    memberId: status.memberId,
    name: options.name ?? '',
    version: status.version,
    isLeader: status.leader !== 0n && status.leader === status.memberId,
    leader: status.leader,
    isLearner: status.isLearner,
    dbSizeBytes: status.dbSize,
    dbSizeInUseBytes: status.dbSizeInUse,
    freeBytes,
    fragmentationPercent: status.dbSize > 0 ? roundPercent((freeBytes / status.dbSize) * 100) : 0,
    quotaBytes,
    quotaSource: status.dbSizeQuota > 0 ? 'member' : 'assumed',
    quotaPercent: roundPercent((status.dbSize / quotaBytes) * 100),
    alarms: alarms.filter((a) => a.memberId === status.memberId).map((a) => a.alarm),
    errors: status.errors,
    raftAppliedIndex: status.raftAppliedIndex,
  };
}
