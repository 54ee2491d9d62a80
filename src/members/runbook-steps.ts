/**
 * Glue between the member runbooks and the generic runbook runner: a crash point after each
 * step's work (for the kill-and-resume tests), the --dry-run plan, and writing the join flags.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { crashPointAfterStep } from '../crash-point.js';
import { AppError, fileErrorText } from '../errors.js';
import type { Member } from '../etcd/index.js';
import type { RunbookStep } from '../k8s/index.js';
import { replaceFileAtomic } from '../replace-file.js';
import { joinFlags, renderCommandLine, renderEnvFile, type JoiningMember } from './member-flags.js';
import { planJoinManifest } from './join-manifest.js';
import type { MemberSession } from './member-session.js';

/** Adds the test-only crash point `<runbook>.<step>` after each step's work, before it is recorded. */
export function withCrashPoints<D>(runbook: string, steps: Array<RunbookStep<D>>): Array<RunbookStep<D>> {
  return steps.map((step) => ({
    ...step,
    run: async (state) => {
      const outcome = await step.run(state);
      crashPointAfterStep(runbook, step.name);
      return outcome;
    },
  }));
}

/** --dry-run: tells the steps in order and runs nothing. */
export function emitPlan<D>(session: MemberSession, steps: ReadonlyArray<RunbookStep<D>>): void {
  session.emit({ type: 'plan', steps: steps.map((s) => s.title) });
}

/**
 * Writes the env file of `joining` (0600, atomically; its directory 0700) and tells the
 * operator how to start it. Returns the command line.
 */
export async function writeJoinFlags(session: MemberSession, members: readonly Member[], joining: JoiningMember, flagsFile: string, where: string): Promise<string> {
  const flags = joinFlags(members, joining);
  await mkdir(path.dirname(flagsFile), { recursive: true, mode: 0o700 });
  await replaceFileAtomic(flagsFile, renderEnvFile(flags), { mode: 0o600 });
  const command = renderCommandLine(flags);
  session.emit({
    type: 'instructions',
    title: `Start etcd for "${joining.name}" ${where}`,
    lines: [
      `Its data dir must be empty or absent${joining.dataDir ? ` (${joining.dataDir})` : ''}: move an old one aside, do not reuse it.`,
      'Start etcd with the flags below, plus the usual --listen-client-urls, --listen-peer-urls, --advertise-client-urls and TLS flags of this cluster:',
      `  ${command}`,
      `The same as an environment file (systemd EnvironmentFile=, docker run --env-file): ${flagsFile}`,
      'RKE (etcd in Docker): run the etcd container with these values; kubekeeper does not start containers.',
    ],
  });
  return command;
}

/** The flags a kubeadm manifest gets: the join flags, not the node's own addresses or data dir. */
const MANIFEST_FLAGS = new Set(['name', 'initial-cluster', 'initial-cluster-state', 'initial-advertise-peer-urls']);

/**
 * Sets the join flags in kubeadm's etcd static pod manifest, atomically and with its mode and
 * owner kept; the original is kept once in `keepDir` (outside the manifests folder, so the
 * kubelet never starts it). Returns what changed.
 */
export async function applyJoinManifest(manifest: string, members: readonly Member[], joining: JoiningMember, keepDir: string): Promise<string> {
  const text = await readFile(manifest, 'utf8').catch((err: unknown) => {
    throw new AppError('member-manifest-read', `Cannot read the kubeadm manifest "${manifest}": ${fileErrorText(err)}`, { hint: 'Check --kubeadm-manifest (kubeadm: /etc/kubernetes/manifests/etcd.yaml)' });
  });
  const edit = planJoinManifest(manifest, text, joinFlags(members, joining).filter(([k]) => MANIFEST_FLAGS.has(k)));
  if (edit.changes.length === 0) return `${manifest} already has the join flags`;
  const kept = path.join(keepDir, `${path.basename(manifest)}.before-${joining.name}`);
  await mkdir(keepDir, { recursive: true, mode: 0o700 });
  if (!(await stat(kept).then(() => true, () => false))) await replaceFileAtomic(kept, text, { mode: 0o600 });
  const st = await stat(manifest);
  await replaceFileAtomic(manifest, edit.updated, { mode: st.mode & 0o777, uid: st.uid, gid: st.gid });
  return `${manifest}: ${edit.changes.map((c) => `--${c.flag}=${c.to}${c.from === undefined ? ' (added)' : ''}`).join(' ')} (original kept in ${kept})`;
}
