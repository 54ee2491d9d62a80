/**
 * `member recover`: a cluster that lost quorum back from a snapshot, the way etcd's disaster
 * recovery guide does it, one member at a time. Resumable through a state file; every step is
 * safe to repeat:
 * stop the API servers (checked with --kubeadm-manifest) -> confirm quorum is lost and the
 * local etcd is stopped -> fetch the snapshot (newest verified backup, a member's db, a file) ->
 * move this node's old data dir aside (never deleted) -> restore it as a new one-member cluster
 * (Kubernetes-safe revision bump; kubeadm manifest pointed at it) -> wait for it to serve ->
 * for each other member: add it as a learner, write its flags (and tell how to start it on its
 * node, old data dir moved aside), wait for it to start and catch up, promote it -> verify.
 */
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { restoreSnapshot } from '../backup/index.js';
import { AppError } from '../errors.js';
import { checkApiServerStopped, runRunbook, type RunbookState, type RunbookStep } from '../k8s/index.js';
import type { JoiningMember } from './member-flags.js';
import type { MemberSession } from './member-session.js';
import { addLearner, promote, verifyCluster, waitCaughtUp, waitStarted } from './member-steps.js';
import { emitRkeNotes } from './rke-notes.js';
import { emitPlan, withCrashPoints, writeJoinFlags } from './runbook-steps.js';
import { checkQuorumLost, writeLocalFlags } from './recover-local.js';
import { waitUntil } from './wait-until.js';

export const RECOVER_RUNBOOK = 'member-recover';

/** Where the snapshot comes from; the CLI fetches a backup here. */
export interface RecoverSource {
  /** "backup latest from /var/backups/kubekeeper", "member db /mnt/m2/member/snap/db", ... */
  describe: string;
  /** Fetches (or finds) the snapshot file in `dir`; idempotent. */
  fetch(dir: string): Promise<{ path: string; skipHashCheck: boolean; detail: string }>;
}

export interface RecoverClusterOptions {
  /** This node's new one-member cluster. */
  local: JoiningMember & { dataDir: string; clientURLs: string[] };
  /** The other members, added back one at a time. */
  others: JoiningMember[];
  source: RecoverSource;
  /** Client URLs of the old cluster, probed to confirm it has no quorum. */
  oldEndpoints: string[];
  /** Recover although a leader answers (never needed after a real quorum loss). */
  force: boolean;
  kubeadmManifest?: string;
  /** Scratch space for the fetched snapshot and the members' env files. */
  workDir: string;
  stateFile: string;
  dryRun: boolean;
  /** RKE: print the steps (and RKE's own way) only, like dryRun. */
  rke?: boolean;
}

export interface RecoverData {
  stamp: string;
  snapshotPath?: string;
  skipHashCheck?: boolean;
  movedAside?: string;
  ids: Record<string, string>;
}

const isNonEmptyDir = async (dir: string) => (await readdir(dir).catch(() => [])).length > 0;

function recoverSteps(session: MemberSession & { setEndpoints(e: string[]): void }, options: RecoverClusterOptions): Array<RunbookStep<RecoverData>> {
  const { local } = options;
  const flagsFile = (name: string) => path.join(options.workDir, `member-${name.replace(/[^A-Za-z0-9._-]/g, '_')}.env`);
  const idOf = (state: RunbookState<RecoverData>, name: string) => {
    const id = state.data.ids[name];
    if (!id) throw new AppError('state-file', `State file "${options.stateFile}" has no ID for member "${name}"`, { hint: 'Move the state file away to start over' });
    return BigInt(`0x${id}`);
  };
  const list = async () => (await (await session.client()).memberListLinearizable()).members;
  const steps: Array<RunbookStep<RecoverData>> = [
    {
      name: 'stop-api-servers',
      title: 'Stop the API servers first, on every control-plane node',
      run: async () => {
        session.emit({ type: 'instructions', title: 'Stop every kube-apiserver before etcd comes back with older data', lines: [
          'kubeadm: mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/ on each control-plane node (move it back at the end).',
          'RKE: docker stop kube-apiserver on each control-plane node.',
        ] });
        if (!options.kubeadmManifest) return 'not checked here (no --kubeadm-manifest): make sure they are stopped';
        const folder = path.dirname(options.kubeadmManifest);
        checkApiServerStopped(options.kubeadmManifest, await readdir(folder));
        return `no kube-apiserver.yaml in ${folder}`;
      },
    },
    {
      name: 'check-quorum-lost',
      title: 'Check that the old cluster has lost quorum and this node\'s etcd is stopped',
      run: async () => checkQuorumLost(session, options.oldEndpoints, options.kubeadmManifest ? [] : local.clientURLs, options.force),
    },
    {
      name: 'fetch',
      title: `Fetch the snapshot: ${options.source.describe}`,
      run: async (state) => {
        await mkdir(options.workDir, { recursive: true, mode: 0o700 });
        const got = await options.source.fetch(options.workDir);
        state.data.snapshotPath = got.path;
        state.data.skipHashCheck = got.skipHashCheck;
        return got.detail;
      },
    },
    {
      name: 'move-aside',
      title: `Move this node's old data dir ${local.dataDir} aside (nothing is deleted)`,
      run: async (state) => {
        const aside = `${local.dataDir}.kubekeeper-old-${state.data.stamp}`;
        if (!(await isNonEmptyDir(local.dataDir))) {
          const already = await stat(aside).then(() => true, () => false);
          return { skipped: already ? `already moved to ${aside}` : 'absent or empty' };
        }
        await rename(local.dataDir, aside);
        state.data.movedAside = aside;
        return `moved to ${aside}`;
      },
    },
    {
      name: 'restore',
      title: `Restore the snapshot into ${local.dataDir} as a new one-member cluster "${local.name}"`,
      run: async (state) => {
        // The old dir was moved aside by the previous step and a restore appears only complete
        // (built aside, renamed in): a data dir with a WAL here is the interrupted run's restore.
        if (await isNonEmptyDir(path.join(local.dataDir, 'member', 'wal'))) {
          if (options.kubeadmManifest && !(await readFile(options.kubeadmManifest, 'utf8')).includes(local.dataDir)) {
            throw new AppError('member-recover-manifest', `"${local.dataDir}" is restored but ${options.kubeadmManifest} does not point at it (the run was interrupted in between)`, {
              hint: `Point the etcd-data hostPath and --data-dir of ${options.kubeadmManifest} at ${local.dataDir} by hand, then rerun`,
            });
          }
          return { skipped: 'already restored by the interrupted run' };
        }
        const report = await restoreSnapshot({
          snapshotPath: state.data.snapshotPath as string,
          dataDir: local.dataDir,
          name: local.name,
          initialCluster: local.peerURLs.map((u) => `${local.name}=${u}`).join(','),
          initialClusterToken: `kubekeeper-recover-${state.data.stamp}`,
          initialAdvertisePeerUrls: local.peerURLs,
          skipHashCheck: state.data.skipHashCheck ?? false,
          // undefined: the Kubernetes-safe default (bump 1e9 and mark compacted when /registry/ keys exist).
          bumpRevision: undefined,
          markCompacted: false,
          dryRun: false,
          ...(options.kubeadmManifest ? { kubeadmManifest: options.kubeadmManifest } : {}),
        }, { signal: session.signal });
        return `cluster ${report.clusterId}, revision ${report.revision.before} -> ${report.revision.after}: ${report.revision.explanation}`;
      },
    },
    {
      name: 'start-local',
      title: `Start "${local.name}" on the restored data dir and wait for it to serve`,
      run: async () => {
        if (options.kubeadmManifest) {
          session.emit({ type: 'instructions', title: 'The kubelet restarts etcd from the edited manifest', lines: [`${options.kubeadmManifest} now points at ${local.dataDir}.`] });
        } else {
          await writeLocalFlags(session, local, flagsFile(local.name));
        }
        return waitUntil<string>(session, `"${local.name}" to serve`, async () => {
          try {
            const members = await list();
            return members.length === 1 ? { done: `serving at ${local.clientURLs.join(',')}` } : { missing: `${members.length} members in the restored cluster` };
          } catch (err) {
            return { missing: (err as Error).message.replace(/^Cannot [^:]+: /, '') };
          }
        }, 'Start etcd with the flags printed above (check its log), then rerun the same command to resume');
      },
    },
  ];
  for (const other of options.others) {
    const n = other.name;
    steps.push(
      {
        name: `add-${n}`,
        title: `Add "${n}" (${other.peerURLs.join(',')}) as a learner`,
        run: async (state) => {
          const added = await addLearner(session, other);
          state.data.ids[n] = added.id.toString(16);
          return added.skipped ? { skipped: added.detail } : added.detail;
        },
      },
      {
        name: `write-flags-${n}`,
        title: `Write the flags of "${n}" to ${flagsFile(n)}`,
        run: async () => writeJoinFlags(session, await list(), other, flagsFile(n), `on its node, after moving its old data dir aside (e.g. mv ${other.dataDir ?? '/var/lib/etcd'} ${other.dataDir ?? '/var/lib/etcd'}.old; nothing is deleted)`),
      },
      { name: `wait-started-${n}`, title: `Wait for "${n}" to start`, run: async (state) => `started, client URLs ${(await waitStarted(session, idOf(state, n), n)).clientURLs.join(',')}` },
      { name: `catch-up-${n}`, title: `Wait for "${n}" to catch up with the leader`, run: async (state) => waitCaughtUp(session, idOf(state, n), n) },
      { name: `promote-${n}`, title: `Promote "${n}" to a voting member`, run: async (state) => promote(session, idOf(state, n), n) },
    );
  }
  steps.push({ name: 'verify', title: 'Verify: every member votes and serves a linearizable read', run: async () => verifyCluster(session, 1 + options.others.length) });
  return withCrashPoints(RECOVER_RUNBOOK, steps);
}

/** Recovers (or resumes recovering) a cluster that lost quorum. Throws AppError at the first failed guard. */
export async function recoverCluster(session: MemberSession & { setEndpoints(e: string[]): void }, options: RecoverClusterOptions): Promise<RunbookState<RecoverData> | undefined> {
  const names = [options.local.name, ...options.others.map((o) => o.name)];
  if (new Set(names).size !== names.length) throw new AppError('usage', `Member names must differ: ${names.join(', ')}`, { hint: 'Give each --add member its own name', exitCode: 2 });
  // Every cluster call goes to the restored member, also in a resumed run that skips start-local;
  // the old endpoints are only probed (statusOf) to confirm the quorum loss.
  session.setEndpoints(options.local.clientURLs);
  const steps = recoverSteps(session, options);
  if (options.dryRun || options.rke) {
    if (options.rke) emitRkeNotes(session, 'recover');
    emitPlan(session, steps);
    return undefined;
  }
  return runRunbook(steps, {
    name: RECOVER_RUNBOOK,
    stateFile: options.stateFile,
    key: { name: options.local.name, members: names.join(',') },
    init: async () => ({ stamp: new Date(session.clock.now()).toISOString().replace(/[:.]/g, '-'), ids: {} }),
    clock: session.clock,
    signal: session.signal,
    onEvent: session.emit,
  });
}
