/**
 * The etcd part of `health`: every member (as `etcdctl member list`), health and status of each
 * member's client URL (as `etcdctl endpoint health/status --cluster`), the leader, db sizes and
 * active alarms. Members without client URLs have not started yet and count as unhealthy.
 */
import { messageOf } from '../../errors.js';
import type { EtcdEndpointStatus, EtcdHealthSource, EtcdMemberInfo } from './health-api.js';

export interface EtcdEndpointReport {
  endpoint: string;
  member: string | undefined;
  healthy: boolean;
  tookMs: number | undefined;
  status: EtcdEndpointStatus | undefined;
  error: string | undefined;
}

export interface EtcdHealthReport {
  members: EtcdMemberInfo[];
  endpoints: EtcdEndpointReport[];
  /** Member id (hex) of the leader every reachable member agrees on; undefined when none. */
  leader: string | undefined;
  alarms: Array<{ memberId: string; alarm: string }>;
  problems: string[];
  /** Worth knowing, not unhealthy (e.g. an even member count). */
  notes: string[];
}

async function probe(source: EtcdHealthSource, endpoint: string, member: string | undefined): Promise<EtcdEndpointReport> {
  const report: EtcdEndpointReport = { endpoint, member, healthy: false, tookMs: undefined, status: undefined, error: undefined };
  try {
    const health = await source.endpointHealth(endpoint);
    report.healthy = health.healthy;
    report.tookMs = health.tookMs;
    report.error = health.error;
    report.status = await source.endpointStatus(endpoint);
  } catch (err) {
    report.healthy = false;
    report.error ??= messageOf(err);
  }
  return report;
}

/** Checks etcd through `source`; never throws for an unhealthy cluster, only reports. */
export async function checkEtcdHealth(source: EtcdHealthSource): Promise<EtcdHealthReport> {
  const problems: string[] = [];
  let members: EtcdMemberInfo[] = [];
  try {
    members = await source.memberList();
  } catch (err) {
    problems.push(`cannot list etcd members: ${messageOf(err)}`);
  }
  const targets = members.length > 0
    ? members.map((m) => ({ endpoint: m.clientUrls[0], member: m.name || m.id }))
    : source.endpoints.map((endpoint) => ({ endpoint, member: undefined }));
  const endpoints: EtcdEndpointReport[] = [];
  for (const t of targets) {
    if (t.endpoint === undefined) {
      endpoints.push({ endpoint: '', member: t.member, healthy: false, tookMs: undefined, status: undefined, error: 'member has not started (no client URLs)' });
    } else endpoints.push(await probe(source, t.endpoint, t.member));
  }
  for (const e of endpoints) if (!e.healthy) problems.push(`etcd ${e.member ? `member "${e.member}"` : `endpoint ${e.endpoint}`} is unhealthy: ${e.error ?? 'health check failed'}`);
  const leaders = new Set(endpoints.map((e) => e.status?.leaderId).filter((id): id is string => id !== undefined && id !== '0'));
  const leader = leaders.size === 1 ? [...leaders][0] : undefined;
  if (leaders.size === 0 && endpoints.some((e) => e.status)) problems.push('etcd has no leader');
  if (leaders.size > 1) problems.push(`etcd members disagree on the leader (${[...leaders].join(', ')})`);
  let alarms: Array<{ memberId: string; alarm: string }> = [];
  try {
    alarms = await source.alarms();
  } catch (err) {
    problems.push(`cannot list etcd alarms: ${messageOf(err)}`);
  }
  for (const a of alarms) problems.push(`etcd alarm ${a.alarm} is active on member ${a.memberId}`);
  const voters = members.filter((m) => !m.isLearner).length;
  const notes: string[] = [];
  if (voters > 0 && voters % 2 === 0) notes.push(`etcd has ${voters} voting members: an even count tolerates no more failures than ${voters - 1} would`);
  return { members, endpoints, leader, alarms, problems, notes };
}
