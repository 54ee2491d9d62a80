/**
 * A view of the cluster for the maintenance commands: the member list, the active alarms and
 * the status of every member (each through its first client URL) or of the given endpoints,
 * as MemberDetails. Endpoints follow etcdctl: the --endpoints given, or with `cluster` every
 * client URL of the member list.
 */
import { connectEtcd, getEndpointStatus, type Alarm, type EtcdConnectOptions, type Member } from '../etcd/index.js';
import { AppError, messageOf } from '../errors.js';
import { describeMember, type MemberDetail } from './member-detail.js';

export interface ClusterViewOptions {
  /** Use every client URL of the member list instead of --endpoints (etcdctl's --cluster). */
  cluster?: boolean;
  /** Quota assumed for members that do not report theirs (etcd < 3.6). */
  quotaBytes?: number;
  signal?: AbortSignal;
}

export interface UnreachableEndpoint {
  endpoint: string;
  error: AppError;
}

export interface ClusterView {
  members: Member[];
  alarms: Alarm[];
  /** The endpoints acted on, in order, with their details. */
  targets: MemberDetail[];
  /** Every started member through its first client URL (for leadership moves and health). */
  all: MemberDetail[];
  unreachable: UnreachableEndpoint[];
}

function asAppError(err: unknown): AppError {
  return err instanceof AppError ? err : new AppError('etcd-rpc', messageOf(err));
}

/** The member list and active alarms, from the first healthy endpoint. */
export async function readMembership(options: EtcdConnectOptions, signal?: AbortSignal): Promise<{ members: Member[]; alarms: Alarm[] }> {
  const client = await connectEtcd(options, signal);
  try {
    return { members: await client.memberList(), alarms: await client.alarms() };
  } finally {
    client.close();
  }
}

/** Status of each endpoint, in parallel; failures are collected, not thrown. */
export async function statusDetails(
  options: EtcdConnectOptions, endpoints: readonly string[], members: readonly Member[], alarms: readonly Alarm[], quotaBytes?: number, signal?: AbortSignal,
): Promise<{ details: MemberDetail[]; unreachable: UnreachableEndpoint[] }> {
  const settled = await Promise.allSettled(endpoints.map((e) => getEndpointStatus(options, e, signal)));
  const details: MemberDetail[] = [];
  const unreachable: UnreachableEndpoint[] = [];
  settled.forEach((r, i) => {
    if (r.status === 'rejected') {
      const error = asAppError(r.reason);
      if (error.code === 'aborted' || error.code === 'etcd-tls-file') throw error;
      unreachable.push({ endpoint: endpoints[i] as string, error });
      return;
    }
    const name = members.find((m) => m.id === r.value.memberId)?.name;
    details.push(describeMember(r.value, alarms, { ...(name !== undefined ? { name } : {}), ...(quotaBytes !== undefined ? { quotaBytes } : {}) }));
  });
  return { details, unreachable };
}

/** The first client URL of every started member (a learner included). */
export function memberEndpoints(members: readonly Member[]): string[] {
  return members.flatMap((m) => (m.clientURLs[0] === undefined ? [] : [m.clientURLs[0]]));
}

/**
 * The member list, alarms and details of the endpoints to act on (deduplicated by member) and of
 * every member; endpoints that do not answer are listed, not thrown.
 */
export async function readClusterView(options: EtcdConnectOptions, view: ClusterViewOptions = {}): Promise<ClusterView> {
  const { members, alarms } = await readMembership(options, view.signal);
  const endpoints = view.cluster ? members.flatMap((m) => m.clientURLs) : options.endpoints;
  const all = await statusDetails(options, memberEndpoints(members), members, alarms, view.quotaBytes, view.signal);
  const sameAsAll = endpoints.length === all.details.length + all.unreachable.length && endpoints.every((e, i) => memberEndpoints(members)[i] === e);
  const targets = sameAsAll ? all : await statusDetails(options, endpoints, members, alarms, view.quotaBytes, view.signal);
  // A member with several client URLs answers on each: act on it once.
  const unique = targets.details.filter((d, i) => targets.details.findIndex((x) => x.memberId === d.memberId) === i);
  return { members, alarms, targets: unique, all: all.details, unreachable: targets.unreachable };
}

/** etcdctl's endpointsFromCluster: --endpoints as given, or with `cluster` every client URL of the member list. */
export async function resolveEndpoints(options: EtcdConnectOptions, cluster: boolean, signal?: AbortSignal): Promise<string[]> {
  if (!cluster) return options.endpoints;
  const { members } = await readMembership(options, signal);
  return members.flatMap((m) => m.clientURLs);
}
