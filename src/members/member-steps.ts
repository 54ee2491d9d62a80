/**
 * The steps both member runbooks share, each safe to repeat: add a learner (or find the one a
 * killed run added), wait for it to start, to catch up with the leader, promote it, and
 * verify the cluster. A step that finds its effect already there says so and does nothing.
 */
import { AppError, messageOf } from '../errors.js';
import type { EndpointStatus, Member } from '../etcd/index.js';
import { byPeerUrls, memberLabel, type MemberSession } from './member-session.js';
import type { JoiningMember } from './member-flags.js';
import { votersOf } from './quorum.js';
import { waitUntil } from './wait-until.js';

/**
 * How far (raft entries) a learner may trail the leader before it is promoted. etcd itself
 * refuses a promotion below 90% of the leader's progress; kubekeeper waits for "close" so the
 * new voter does not slow commits while it catches up.
 */
export const CATCH_UP_MAX_LAG_ENTRIES = 100;

const RESUME_HINT = 'Rerun the same command to resume from this step';

/**
 * etcd refuses membership changes while the cluster settles: "unhealthy cluster" (Unavailable)
 * until the member that serves the call has been connected to every voting member for 5 s (its
 * strict reconfiguration check), e.g. just after another member was removed or restarted; and
 * a member that is restarting or changing leader cannot be reached or answers Unavailable.
 * Those are told by their codes (etcd/errors.ts). Two refusals come with other gRPC codes
 * (FailedPrecondition, ResourceExhausted), so only their etcd texts tell them.
 */
const SETTLING_CODES: ReadonlySet<string> = new Set(['etcd-unreachable', 'etcd-timeout', 'etcd-connection-lost', 'etcd-unavailable']);
const SETTLING_REFUSALS = /not enough started members|too many requests/i;

/** True when `err` is etcd saying "not now" (retry), not "no" (a TLS or auth problem, a bad request). */
export function isSettling(err: unknown): boolean {
  if (!(err instanceof AppError)) return false;
  return SETTLING_CODES.has(err.code) || (err.code === 'etcd-rpc' && SETTLING_REFUSALS.test(err.message));
}

/** Calls `change` until etcd stops refusing it as settling (isSettling), within the session's bound. */
export async function retryWhileSettling<T>(session: MemberSession, what: string, change: () => Promise<T>): Promise<T> {
  return waitUntil<T>(session, what, async () => {
    try {
      return { done: await change() };
    } catch (err) {
      if (!isSettling(err)) throw err;
      return { missing: messageOf(err).replace(/^Cannot [^:]+: /, '') };
    }
  }, `Check "kubekeeper endpoint health" of every member; ${RESUME_HINT}`);
}

/**
 * Adds `joining` as a learner unless a member with its peer URLs exists (looked up again before
 * every attempt, so an add whose answer was lost is found, not repeated). Returns its ID.
 */
export async function addLearner(session: MemberSession, joining: JoiningMember): Promise<{ id: bigint; detail: string; skipped: boolean }> {
  let attempts = 0;
  return retryWhileSettling(session, `etcd to accept "${joining.name}" as a learner`, async () => {
    const client = await session.client();
    const existing = byPeerUrls((await client.memberListLinearizable()).members, joining.peerURLs);
    if (existing) {
      const detail = `${attempts > 0 ? 'added' : 'already a member'} (${existing.id.toString(16)}${existing.isLearner ? ', learner' : ''})`;
      return { id: existing.id, skipped: attempts === 0, detail };
    }
    attempts++;
    const added = await client.memberAdd(joining.peerURLs, true);
    return { id: added.member.id, skipped: false, detail: `learner ${added.member.id.toString(16)} added` };
  });
}

/** The current member with `id`, from a linearizable list. */
async function memberById(session: MemberSession, id: bigint): Promise<Member | undefined> {
  return (await (await session.client()).memberListLinearizable()).members.find((m) => m.id === id);
}

/** Waits until member `id` has started: it has published its name and client URLs. */
export async function waitStarted(session: MemberSession, id: bigint, name: string): Promise<Member> {
  return waitUntil<Member>(session, `member "${name}" (${id.toString(16)}) to start`, async () => {
    const m = await memberById(session, id);
    if (!m) throw new AppError('member-gone', `Member "${name}" (${id.toString(16)}) is no longer in the cluster`, { hint: 'Someone removed it: move the state file away and start over' });
    if (!m.name || m.clientURLs.length === 0) return { missing: 'not started yet (it has not published its name)' };
    return { done: m };
  }, `Start etcd for "${name}" with the flags printed above, then rerun the same command to resume`);
}

async function statusOrReason(session: MemberSession, url: string | undefined): Promise<EndpointStatus | string> {
  if (url === undefined) return 'no client URL';
  try {
    return await session.statusOf(url);
  } catch (err) {
    return messageOf(err).replace(/^Cannot [^:]+: /, '');
  }
}

/** Waits until learner `id`'s raft index is within CATCH_UP_MAX_LAG_ENTRIES of the leader's. */
export async function waitCaughtUp(session: MemberSession, id: bigint, name: string): Promise<string> {
  return waitUntil<string>(session, `member "${name}" to catch up with the leader`, async () => {
    const members = (await (await session.client()).memberListLinearizable()).members;
    const member = members.find((m) => m.id === id);
    if (!member) throw new AppError('member-gone', `Member "${name}" (${id.toString(16)}) is no longer in the cluster`, { hint: 'Someone removed it: move the state file away and start over' });
    const mine = await statusOrReason(session, member.clientURLs[0]);
    if (typeof mine === 'string') return { missing: `its status is not available (${mine})` };
    const leader = members.find((m) => m.id === mine.leader);
    if (!leader) return { missing: 'it knows no leader yet' };
    const lead = await statusOrReason(session, leader.clientURLs[0]);
    if (typeof lead === 'string') return { missing: `the leader's status is not available (${lead})` };
    const lag = lead.raftIndex - mine.raftIndex;
    if (lag > BigInt(CATCH_UP_MAX_LAG_ENTRIES)) return { missing: `${lag} raft entries behind the leader` };
    return { done: `raft index ${mine.raftIndex}, leader ${lead.raftIndex}` };
  }, `Check that "${name}" can reach the other members' peer URLs; ${RESUME_HINT}`);
}

const NOT_READY = /in sync with leader|not ready|learner.*not.*caught up/i;

/** Promotes learner `id`, retrying while etcd says it is not in sync yet. Skips a voter. */
export async function promote(session: MemberSession, id: bigint, name: string): Promise<{ skipped: string } | string> {
  const first = await memberById(session, id);
  if (!first) throw new AppError('member-gone', `Member "${name}" (${id.toString(16)}) is no longer in the cluster`, { hint: 'Someone removed it: move the state file away and start over' });
  if (!first.isLearner) return { skipped: 'already a voting member' };
  let attempts = 0;
  await waitUntil(session, `member "${name}" to be promotable`, async () => {
    attempts++;
    try {
      await (await session.client()).memberPromote(id);
      return { done: true };
    } catch (err) {
      // A promotion that was applied but whose answer was lost: the member now votes.
      if (/can only promote a learner member$|not a learner/i.test(messageOf(err)) && !(await memberById(session, id))?.isLearner) return { done: true };
      if (!NOT_READY.test(messageOf(err))) throw err;
      return { missing: 'etcd says it is not in sync with the leader yet' };
    }
  }, `Check the learner's log; ${RESUME_HINT}`);
  return `promoted${attempts > 1 ? ` after ${attempts} attempts` : ''}`;
}

/** Checks every member votes and serves a linearizable read; `expectedVoters` of them. */
export async function verifyCluster(session: MemberSession, expectedVoters: number): Promise<string> {
  return waitUntil<string>(session, `${expectedVoters} healthy voting members`, async () => {
    const members = (await (await session.client()).memberListLinearizable()).members;
    const learners = members.filter((m) => m.isLearner);
    if (learners.length > 0) return { missing: `${learners.map(memberLabel).join(', ')} still a learner` };
    if (votersOf(members).length !== expectedVoters) return { missing: `${members.length} members, expected ${expectedVoters}` };
    const sick: string[] = [];
    for (const m of members) {
      const url = m.clientURLs[0];
      const health = url === undefined ? { health: false, error: 'not started' } : await session.healthOf(url);
      if (!health.health) sick.push(`${memberLabel(m)}: ${health.error ?? 'unhealthy'}`);
    }
    if (sick.length > 0) return { missing: sick.join('; ') };
    return { done: `${members.length} voting members, all healthy: ${members.map(memberLabel).join(', ')}` };
  }, 'Check "kubekeeper endpoint health" and the members\' logs; rerun the same command to verify again');
}
