/**
 * The health gate between two maintenance steps: every member answers, all name the same
 * leader (the expected one after a leadership move), no CORRUPT alarm, and every member has
 * applied at least what the leader had applied when the gate opened (so a member that was just
 * defragmented has caught up with the writes it missed). Polls until then or the timeout.
 */
import { AppError, throwIfAborted } from '../errors.js';
import type { Alarm } from '../etcd/index.js';
import type { MemberDetail } from './member-detail.js';
import type { UnreachableEndpoint } from './cluster-view.js';

/** What the gate reads: every member's status, and the alarms. */
export interface HealthSource {
  statuses(): Promise<{ details: MemberDetail[]; unreachable: UnreachableEndpoint[] }>;
  alarms(): Promise<Alarm[]>;
}

export interface HealthGateOptions {
  timeoutMs: number;
  /** Pause between two polls; default 200 ms. */
  pollMs?: number;
  /** The leader every member must name (after MoveLeader). */
  expectLeader?: bigint;
  signal?: AbortSignal;
}

export class UnhealthyClusterError extends AppError {
  constructor(readonly reason: string, timeoutMs: number) {
    super('maintenance-unhealthy', `The cluster did not become healthy within ${timeoutMs / 1000} s: ${reason}`, {
      hint: 'Check "kubekeeper endpoint status --detail" and "kubekeeper endpoint health"; raise --health-timeout for a slow cluster',
    });
  }
}

/** Why the cluster is not (yet) healthy, or undefined when it is. */
function problem(view: { details: MemberDetail[]; unreachable: UnreachableEndpoint[] }, expectLeader: bigint | undefined, appliedFloor: bigint): string | undefined {
  const dead = view.unreachable[0];
  if (dead) return `endpoint ${dead.endpoint} does not answer (${dead.error.message})`;
  const leaders = new Set(view.details.map((d) => d.leader));
  if (leaders.has(0n)) return 'a member has no leader';
  if (leaders.size > 1) return `members name different leaders (${[...leaders].map((l) => l.toString(16)).join(', ')})`;
  const [leader] = leaders;
  if (expectLeader !== undefined && leader !== expectLeader) return `the leader is ${leader?.toString(16)}, not ${expectLeader.toString(16)}`;
  const behind = view.details.find((d) => d.raftAppliedIndex < appliedFloor);
  if (behind) return `member ${behind.endpoint} has applied raft index ${behind.raftAppliedIndex}, behind ${appliedFloor}`;
  return undefined;
}

/** Resolves once the cluster passes the gate; throws UnhealthyClusterError after `timeoutMs`, or at a CORRUPT alarm. */
export async function waitClusterHealthy(source: HealthSource, options: HealthGateOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let floor: bigint | undefined;
  let last = 'no status read yet';
  for (;;) {
    throwIfAborted(options.signal, 'The health check');
    const view = await source.statuses();
    const leader = view.details.find((d) => d.isLeader);
    if (floor === undefined && leader && view.unreachable.length === 0) floor = leader.raftAppliedIndex;
    const why = floor === undefined ? (problem(view, options.expectLeader, 0n) ?? 'no leader answered') : problem(view, options.expectLeader, floor);
    if (why === undefined) {
      const corrupt = (await source.alarms()).find((a) => a.alarm === 'CORRUPT');
      if (corrupt) throw new AppError('maintenance-corrupt', `Member ${corrupt.memberId.toString(16)} raised a CORRUPT alarm: stopping`, { hint: 'Run "kubekeeper endpoint hashkv --check" to see which member diverged' });
      return;
    }
    last = why;
    if (Date.now() > deadline) throw new UnhealthyClusterError(last, options.timeoutMs);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
}
