/**
 * `member replace`: a failed member out, a new one in, without ever leaving the cluster short
 * of quorum. Resumable through a state file; every step is safe to repeat:
 * check quorum -> snapshot -> remove the failed member -> add the new one as a learner ->
 * [issue its certificates] -> write its flags (and tell how to start it) -> wait for it to
 * start -> wait for it to catch up -> promote it -> verify every member votes and serves.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { saveSnapshot } from '../backup/index.js';
import { AppError } from '../errors.js';
import { runRunbook, type RunbookState, type RunbookStep } from '../k8s/index.js';
import type { JoiningMember } from './member-flags.js';
import { answeringMembers, findMember, memberLabel, type MemberSession } from './member-session.js';
import { addLearner, promote, retryWhileSettling, verifyCluster, waitCaughtUp, waitStarted } from './member-steps.js';
import { checkRemovalKeepsQuorum, votersOf } from './quorum.js';
import { emitRkeNotes } from './rke-notes.js';
import { applyJoinManifest, emitPlan, withCrashPoints, writeJoinFlags } from './runbook-steps.js';

export const REPLACE_RUNBOOK = 'member-replace';

export interface ReplaceMemberOptions {
  /** Name or hex ID of the member to replace. */
  member: string;
  joining: JoiningMember;
  /** Where the snapshot taken before the removal goes. */
  backupDir: string;
  /** The new member's env file (ETCD_NAME=...). */
  flagsFile: string;
  /** Issues the new member's certificates; the detail says what was written. Omitted: no certificates. */
  issueCertificates?: () => Promise<string>;
  /** kubeadm etcd static pod manifest of the new node (kubekeeper runs there) to give the join flags. */
  kubeadmManifest?: string;
  stateFile: string;
  dryRun: boolean;
  /** RKE: print the steps (and RKE's own way) only, like dryRun. */
  rke?: boolean;
}

export interface ReplaceData {
  failed: { id: string; name: string; peerURLs: string[] };
  votersBefore: number;
  snapshotPath: string;
  newId?: string;
}

const idOf = (hex: string) => BigInt(`0x${hex}`);

/** Builds the steps; `data` is read when they run (captured at the start of the run). */
function replaceSteps(session: MemberSession, options: ReplaceMemberOptions): Array<RunbookStep<ReplaceData>> {
  const { joining } = options;
  const list = async () => (await (await session.client()).memberListLinearizable()).members;
  const newId = (state: RunbookState<ReplaceData>) => {
    if (!state.data.newId) throw new AppError('state-file', `State file "${options.stateFile}" has no ID for the new member`, { hint: 'Move the state file away to start over' });
    return idOf(state.data.newId);
  };
  const steps: Array<RunbookStep<ReplaceData>> = [
    {
      name: 'check-quorum',
      title: `Check that removing "${options.member}" keeps quorum`,
      run: async (state) => {
        const members = await list();
        const failed = members.find((m) => m.id === idOf(state.data.failed.id));
        if (!failed) return { skipped: 'already removed' };
        const up = await answeringMembers(session, members);
        checkRemovalKeepsQuorum(members, up, failed.id);
        return `${up.size} of ${members.length} members answer; ${memberLabel(failed)} ${up.has(failed.id) ? 'still answers' : 'does not answer'}`;
      },
    },
    {
      name: 'snapshot',
      title: `Save a snapshot to ${options.backupDir} before changing the membership`,
      run: async (state) => {
        await mkdir(options.backupDir, { recursive: true, mode: 0o700 });
        const saved = await saveSnapshot({ client: await session.client(), path: state.data.snapshotPath, force: true, signal: session.signal });
        return `${saved.path} (${saved.sizeBytes} bytes, revision ${saved.revision})`;
      },
    },
    {
      name: 'remove',
      title: `Remove the failed member "${options.member}"`,
      run: async (state) => {
        const id = idOf(state.data.failed.id);
        let sent = false;
        // Looked up before every attempt: a removal whose answer was lost is found done, not repeated.
        return retryWhileSettling(session, `etcd to accept the removal of "${options.member}"`, async () => {
          const members = await list();
          const failed = members.find((m) => m.id === id);
          if (!failed) return sent ? `removed ${id.toString(16)}` : { skipped: 'already removed' };
          checkRemovalKeepsQuorum(members, await answeringMembers(session, members), id);
          sent = true;
          await (await session.client()).memberRemove(id);
          return `removed ${id.toString(16)}`;
        });
      },
    },
    {
      name: 'add-learner',
      title: `Add "${joining.name}" (${joining.peerURLs.join(',')}) as a learner`,
      run: async (state) => {
        const added = await addLearner(session, joining);
        state.data.newId = added.id.toString(16);
        return added.skipped ? { skipped: added.detail } : added.detail;
      },
    },
  ];
  if (options.issueCertificates) {
    const issue = options.issueCertificates;
    steps.push({ name: 'certificates', title: `Issue the server and peer certificates of "${joining.name}" from the etcd CA`, run: async () => issue() });
  }
  if (options.kubeadmManifest) {
    const manifest = options.kubeadmManifest;
    steps.push({
      name: 'kubeadm-manifest',
      title: `Give ${manifest} the join flags of "${joining.name}" (--initial-cluster, --initial-cluster-state=existing)`,
      run: async () => applyJoinManifest(manifest, await list(), joining, path.dirname(options.stateFile)),
    });
  }
  steps.push(
    {
      name: 'write-flags',
      title: `Write the flags of "${joining.name}" to ${options.flagsFile}`,
      run: async () => writeJoinFlags(session, await list(), joining, options.flagsFile, 'on its node'),
    },
    {
      name: 'wait-started',
      title: `Wait for "${joining.name}" to start`,
      run: async (state) => `started, client URLs ${(await waitStarted(session, newId(state), joining.name)).clientURLs.join(',')}`,
    },
    { name: 'catch-up', title: `Wait for "${joining.name}" to catch up with the leader`, run: async (state) => waitCaughtUp(session, newId(state), joining.name) },
    { name: 'promote', title: `Promote "${joining.name}" to a voting member`, run: async (state) => promote(session, newId(state), joining.name) },
    { name: 'verify', title: 'Verify: every member votes and serves a linearizable read', run: async (state) => verifyCluster(session, state.data.votersBefore) },
  );
  return withCrashPoints(REPLACE_RUNBOOK, steps);
}

/** Replaces (or resumes replacing) a member. Throws AppError at the first failed guard. */
export async function replaceMember(session: MemberSession, options: ReplaceMemberOptions): Promise<RunbookState<ReplaceData> | undefined> {
  const steps = replaceSteps(session, options);
  const init = async (): Promise<ReplaceData> => {
    const members = (await (await session.client()).memberListLinearizable()).members;
    const failed = findMember(members, options.member);
    if (!failed) {
      throw new AppError('member-not-found', `Cannot replace member "${options.member}": no member has that name or ID (members: ${members.map(memberLabel).join(', ')})`, {
        hint: 'Pass a name or hex ID as "kubekeeper member list" prints it',
      });
    }
    const stamp = new Date(session.clock.now()).toISOString().replace(/[:.]/g, '-');
    return {
      failed: { id: failed.id.toString(16), name: failed.name, peerURLs: failed.peerURLs },
      votersBefore: votersOf(members).length,
      snapshotPath: path.join(options.backupDir, `member-replace-${failed.name || failed.id.toString(16)}-${stamp}.db`),
    };
  };
  if (options.rke) {
    emitRkeNotes(session, 'replace');
    emitPlan(session, steps);
    return undefined;
  }
  if (options.dryRun) {
    const data = await init();
    const members = (await (await session.client()).memberListLinearizable()).members;
    checkRemovalKeepsQuorum(members, await answeringMembers(session, members), idOf(data.failed.id));
    emitPlan(session, steps);
    return undefined;
  }
  return runRunbook(steps, {
    name: REPLACE_RUNBOOK,
    stateFile: options.stateFile,
    key: { member: options.member, new: options.joining.name },
    init,
    clock: session.clock,
    signal: session.signal,
    onEvent: session.emit,
  });
}
