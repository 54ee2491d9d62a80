/**
 * `endpoint hashkv --check`: HashKV of every endpoint at one revision that all of them have
 * and none has compacted away (the lowest current revision among them), compared. A member
 * whose hash differs from the majority diverged. Compaction runs on each member on its own
 * schedule, so hashes taken while two members had different compacted revisions are not
 * comparable: the check then takes them again at a newer revision (up to 3 rounds).
 */
import { getEndpointStatus, openMaintenanceClient, type Alarm, type EtcdConnectOptions, type HashKV } from '../etcd/index.js';
import { AppError, messageOf } from '../errors.js';
import { readMembership } from './cluster-view.js';

export interface MemberHash {
  endpoint: string;
  memberId: bigint;
  name: string;
  /** The member's current revision when the check began. */
  revision: bigint;
  hash: number;
  compactRevision: bigint;
  /** Whether the hash equals the majority's. */
  agrees: boolean;
}

export interface HashKVCheck {
  /** The revision hashed on every member. */
  revision: bigint;
  members: MemberHash[];
  /** Endpoints that did not answer. */
  unreachable: { endpoint: string; error: string }[];
  /** The compacted revisions seen (one value when they agree). */
  compactRevisions: bigint[];
  alarms: Alarm[];
  /** What is wrong, one sentence each; empty when all is well. */
  findings: string[];
}

export interface HashKVCheckOptions {
  cluster?: boolean;
  signal?: AbortSignal;
  /** Rounds when compacted revisions differ; default 3. */
  rounds?: number;
}

async function hashAt(options: EtcdConnectOptions, endpoint: string, revision: bigint, signal?: AbortSignal): Promise<HashKV> {
  const client = await openMaintenanceClient({ ...options, endpoints: [endpoint] }, endpoint, signal);
  try {
    return await client.hashKV(revision);
  } finally {
    client.close();
  }
}

/** The hash most members report; undefined on a tie between the most frequent ones. */
function majorityHash(hashes: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const h of hashes) counts.set(h, (counts.get(h) ?? 0) + 1);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (sorted.length > 1 && sorted[0]?.[1] === sorted[1]?.[1]) return undefined;
  return sorted[0]?.[0];
}

async function oneRound(options: EtcdConnectOptions, endpoints: readonly string[], signal?: AbortSignal) {
  const statuses = await Promise.allSettled(endpoints.map((e) => getEndpointStatus(options, e, signal)));
  const live = statuses.flatMap((s, i) => (s.status === 'fulfilled' ? [{ endpoint: endpoints[i] as string, status: s.value }] : []));
  const unreachable = statuses.flatMap((s, i) => (s.status === 'rejected' ? [{ endpoint: endpoints[i] as string, error: messageOf(s.reason) }] : []));
  if (live.length === 0) throw new AppError('etcd-unreachable', `Cannot hash any of ${endpoints.length} endpoints: ${unreachable.map((u) => u.error).join('; ')}`, { hint: 'Check --endpoints and that etcd is running' });
  const revision = live.reduce((min, l) => (l.status.header.revision < min ? l.status.header.revision : min), live[0]?.status.header.revision as bigint);
  const hashed = await Promise.allSettled(live.map((l) => hashAt(options, l.endpoint, revision, signal)));
  const results = hashed.flatMap((h, i) => (h.status === 'fulfilled' ? [{ ...(live[i] as (typeof live)[number]), hash: h.value }] : []));
  hashed.forEach((h, i) => {
    if (h.status === 'rejected') unreachable.push({ endpoint: (live[i] as (typeof live)[number]).endpoint, error: messageOf(h.reason) });
  });
  return { revision, results, unreachable };
}

/** Runs the check (see the file comment); never throws for a finding, only when no endpoint answers. */
export async function checkHashKV(options: EtcdConnectOptions, check: HashKVCheckOptions = {}): Promise<HashKVCheck> {
  const { members, alarms } = await readMembership(options, check.signal);
  const endpoints = check.cluster ? members.flatMap((m) => m.clientURLs) : options.endpoints;
  let round = await oneRound(options, endpoints, check.signal);
  const compacted = () => [...new Set(round.results.map((r) => r.hash.compactRevision))].sort((a, b) => (a < b ? -1 : 1));
  for (let i = 1; i < (check.rounds ?? 3) && compacted().length > 1; i++) round = await oneRound(options, endpoints, check.signal);
  const compactRevisions = compacted();
  const majority = compactRevisions.length === 1 ? majorityHash(round.results.map((r) => r.hash.hash)) : undefined;
  const memberHashes: MemberHash[] = round.results.map((r) => ({
    endpoint: r.endpoint, memberId: r.status.memberId, name: members.find((m) => m.id === r.status.memberId)?.name ?? '',
    revision: r.status.header.revision, hash: r.hash.hash, compactRevision: r.hash.compactRevision, agrees: majority !== undefined && r.hash.hash === majority,
  }));
  const findings: string[] = [];
  if (compactRevisions.length > 1) findings.push(`compacted revisions differ between members (${compactRevisions.join(', ')}): hashes at revision ${round.revision} are not comparable`);
  else if (majority === undefined && memberHashes.length > 1) findings.push(`no majority: the ${memberHashes.length} members report ${new Set(memberHashes.map((m) => m.hash)).size} different hashes at revision ${round.revision}`);
  for (const m of memberHashes.filter((h) => majority !== undefined && !h.agrees)) {
    findings.push(`member ${m.name || m.memberId.toString(16)} (${m.endpoint}) diverged: hash ${m.hash} at revision ${round.revision}, the others ${majority}`);
  }
  for (const u of round.unreachable) findings.push(`endpoint ${u.endpoint} did not answer: ${u.error}`);
  for (const a of alarms) findings.push(`alarm ${a.alarm} raised by member ${members.find((m) => m.id === a.memberId)?.name || a.memberId.toString(16)}`);
  return { revision: round.revision, members: memberHashes, unreachable: round.unreachable, compactRevisions, alarms, findings };
}
