/**
 * What the member runbooks need from the world: a client on a member of the working quorum,
 * the status and health of one endpoint, a clock, and where progress goes. The CLI builds it
 * from the etcd flags; tests build it the same way against real members.
 */
import type { EndpointHealth, EndpointStatus, EtcdClient, EtcdMemberAdmin, Member } from '../etcd/index.js';
import type { Clock, RunbookEvent } from '../k8s/index.js';

export type MemberEvent =
  | RunbookEvent
  | { type: 'waiting'; what: string; missing: string }
  /** What an operator must do by hand (on another node, or because kubekeeper cannot). */
  | { type: 'instructions'; title: string; lines: string[] }
  /** --dry-run: the steps that would run, in order. */
  | { type: 'plan'; steps: string[] };

export interface MemberSession {
  /** A client on a member of the working quorum; connected on first use. */
  client(): Promise<EtcdClient & EtcdMemberAdmin>;
  /** Maintenance.Status of exactly `endpoint`; throws when it does not answer. */
  statusOf(endpoint: string): Promise<EndpointStatus>;
  /** `endpoint health` of exactly `endpoint` (a linearizable read through it); never throws for a sick member. */
  healthOf(endpoint: string): Promise<EndpointHealth>;
  clock: Clock;
  signal?: AbortSignal;
  emit(event: MemberEvent): void;
  /** Bound of every wait (a member to start, catch up, become promotable). */
  waitTimeoutMs: number;
  /** Pause between two polls of a wait. */
  pollIntervalMs: number;
}

/** "m1" or the hex ID of a member that has not started. */
export const memberLabel = (m: Pick<Member, 'id' | 'name'>): string => (m.name ? `"${m.name}"` : m.id.toString(16));

/** Member `ref` by name or hex ID (as `member list` prints it). */
export function findMember(members: readonly Member[], ref: string): Member | undefined {
  const byName = members.filter((m) => m.name === ref);
  if (byName.length === 1) return byName[0];
  const id = /^[0-9a-f]{1,16}$/i.test(ref) ? BigInt(`0x${ref}`) : undefined;
  return members.find((m) => m.id === id);
}

/** The member holding any of `peerURLs`. */
export const byPeerUrls = (members: readonly Member[], peerURLs: readonly string[]): Member | undefined =>
  members.find((m) => m.peerURLs.some((u) => peerURLs.includes(u)));

/** IDs of the members whose first client URL answers Status. Members never started have none. */
export async function answeringMembers(session: MemberSession, members: readonly Member[]): Promise<Set<bigint>> {
  const up = new Set<bigint>();
  await Promise.all(members.map(async (m) => {
    const url = m.clientURLs[0];
    if (url === undefined) return;
    try {
      await session.statusOf(url);
      up.add(m.id);
    } catch {
      // Unreachable: counted as down.
    }
  }));
  return up;
}
