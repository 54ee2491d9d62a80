/**
 * The defrag planner: which members need a defrag and why, and in which order. Pure.
 *
 * A member is defragmented when it gives back enough (fragmentation at or over the threshold
 * and at least `minReclaimBytes` free), when its db presses on the quota (quota % at or over
 * `quotaPressurePercent` with space to give back), or when it raised NOSPACE. Followers go
 * first, one at a time; the leader goes last, after its leadership has moved to a healthy
 * voting follower, so the cluster never waits on a leader whose backend is locked.
 */
import type { MemberDetail } from './member-detail.js';

export interface DefragPolicy {
  /** Fragmentation (free / db size) in percent at or over which a member is defragmented. */
  fragmentationThresholdPercent: number;
  /** Free bytes below which fragmentation alone is not worth a defrag. */
  minReclaimBytes: number;
  /** Quota use (db size / quota) in percent at or over which any free space is reclaimed. */
  quotaPressurePercent: number;
  /** Defragment every member, needed or not. */
  force: boolean;
}

export const DEFAULT_DEFRAG_POLICY: DefragPolicy = {
  fragmentationThresholdPercent: 30,
  minReclaimBytes: 16 * 1024 ** 2,
  quotaPressurePercent: 80,
  force: false,
};

export interface MemberDecision {
  member: MemberDetail;
  defrag: boolean;
  reason: string;
}

export type DefragStep =
  | { kind: 'defrag'; member: MemberDetail; reason: string }
  | { kind: 'move-leader'; from: MemberDetail; to: MemberDetail; reason: string };

export interface DefragPlan {
  /** Every member considered, in member list order, with the decision and why. */
  decisions: MemberDecision[];
  /** What will run, in order (followers, then the leadership move, then the leader). */
  steps: DefragStep[];
}

/** Sizes in reasons, IEC units like the tables ("16.0 MiB"). */
function mib(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  for (; value >= 1024 && unit < units.length - 1; unit++) value /= 1024;
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Whether `m` needs a defrag under `policy`, and why (one sentence with the numbers). */
export function decideMember(m: MemberDetail, policy: DefragPolicy): MemberDecision {
  const frag = `fragmentation ${m.fragmentationPercent}% (${mib(m.freeBytes)} free of ${mib(m.dbSizeBytes)})`;
  if (policy.force) return { member: m, defrag: true, reason: `--force; ${frag}` };
  if (m.alarms.includes('NOSPACE') && m.freeBytes > 0) return { member: m, defrag: true, reason: `NOSPACE alarm raised; ${frag}` };
  if (m.quotaPercent >= policy.quotaPressurePercent && m.freeBytes > 0) {
    return { member: m, defrag: true, reason: `db size is ${m.quotaPercent}% of the quota ${mib(m.quotaBytes)} (>= ${policy.quotaPressurePercent}%); ${frag}` };
  }
  if (m.fragmentationPercent >= policy.fragmentationThresholdPercent && m.freeBytes >= policy.minReclaimBytes) {
    return { member: m, defrag: true, reason: `${frag} >= ${policy.fragmentationThresholdPercent}%` };
  }
  if (m.fragmentationPercent >= policy.fragmentationThresholdPercent) {
    return { member: m, defrag: false, reason: `${frag}: less than ${mib(policy.minReclaimBytes)} to reclaim` };
  }
  return { member: m, defrag: false, reason: `${frag} < ${policy.fragmentationThresholdPercent}%` };
}

/**
 * Plans the defrag of `members` (the endpoints to act on). `candidates` are the voting members
 * the leadership may move to (healthy followers, any endpoint); the most caught-up one wins, a
 * member already defragmented in this plan first.
 */
export function planDefrag(members: readonly MemberDetail[], policy: DefragPolicy, candidates: readonly MemberDetail[] = members): DefragPlan {
  const decisions = members.map((m) => decideMember(m, policy));
  const followers = decisions.filter((d) => d.defrag && !d.member.isLeader);
  const leader = decisions.find((d) => d.defrag && d.member.isLeader);
  const steps: DefragStep[] = followers.map((d) => ({ kind: 'defrag', member: d.member, reason: d.reason }));
  if (leader) {
    const done = new Set(followers.map((d) => d.member.memberId));
    const targets = candidates
      .filter((c) => !c.isLeader && !c.isLearner && c.memberId !== leader.member.memberId)
      .sort((a, b) => Number(done.has(b.memberId)) - Number(done.has(a.memberId)) || Number(b.raftAppliedIndex - a.raftAppliedIndex));
    const to = targets[0];
    if (to) steps.push({ kind: 'move-leader', from: leader.member, to, reason: 'the leader is defragmented last, as a follower' });
    steps.push({ kind: 'defrag', member: leader.member, reason: to ? leader.reason : `${leader.reason}; no voting follower to take the leadership, defragmented as leader` });
  }
  return { decisions, steps };
}
