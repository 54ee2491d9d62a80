/**
 * Quorum arithmetic for membership changes. Pure. etcd needs a majority of its voting
 * members (learners do not count) to commit anything, including the removal itself, and the
 * cluster after a removal needs a majority of the remaining voters to be up.
 */
import { AppError } from '../errors.js';
import type { Member } from '../etcd/index.js';

/** Members that vote: everything but learners. */
export const votersOf = (members: readonly Member[]): Member[] => members.filter((m) => !m.isLearner);

/** The majority of `voters` members. */
export const quorumOf = (voters: number): number => Math.floor(voters / 2) + 1;

/** A membership change refused because the cluster would lose (or has lost) quorum. */
export class QuorumError extends AppError {
  readonly voters: number;
  readonly healthy: number;
  readonly needed: number;
  constructor(message: string, fields: { voters: number; healthy: number; needed: number; hint: string }) {
    super('member-quorum', message, { hint: fields.hint });
    this.voters = fields.voters;
    this.healthy = fields.healthy;
    this.needed = fields.needed;
  }
}

const hex = (id: bigint) => id.toString(16);

/**
 * Throws QuorumError unless removing `removeId` leaves a cluster whose healthy voters are a
 * majority of its voters, and unless the cluster has quorum now (a removal is itself a raft
 * proposal). `healthy` holds the IDs of members that answered.
 */
export function checkRemovalKeepsQuorum(members: readonly Member[], healthy: ReadonlySet<bigint>, removeId: bigint): void {
  const voters = votersOf(members);
  const up = voters.filter((m) => healthy.has(m.id)).length;
  if (up < quorumOf(voters.length)) {
    throw new QuorumError(`Cannot remove member ${hex(removeId)}: only ${up} of ${voters.length} voting members answer, fewer than the ${quorumOf(voters.length)} a quorum needs, so the cluster cannot commit any change`, {
      voters: voters.length, healthy: up, needed: quorumOf(voters.length),
      hint: 'The cluster has lost quorum: bring it back from a backup with "kubekeeper member recover"',
    });
  }
  const removed = members.find((m) => m.id === removeId);
  if (!removed || removed.isLearner) return;
  const after = voters.filter((m) => m.id !== removeId);
  const upAfter = after.filter((m) => healthy.has(m.id)).length;
  if (upAfter < quorumOf(after.length)) {
    const down = after.filter((m) => !healthy.has(m.id)).map((m) => `"${m.name || hex(m.id)}"`);
    throw new QuorumError(`Cannot remove member "${removed.name || hex(removeId)}" (${hex(removeId)}): the ${after.length} voting members left would have only ${upAfter} up (${down.join(', ')} down), fewer than the ${quorumOf(after.length)} a quorum needs`, {
      voters: after.length, healthy: upAfter, needed: quorumOf(after.length),
      hint: `Replace the member that is down first (kubekeeper member replace ${down[0]?.replace(/"/g, '') ?? 'NAME'} ...), or check "kubekeeper endpoint health" of every member`,
    });
  }
}
