/**
 * The local half of `member recover`: confirming that the old cluster really lost quorum (a
 * recovery of a working cluster would throw away its newer writes), and the flags that start
 * this node's etcd on the restored data dir.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import { replaceFileAtomic } from '../replace-file.js';
import { renderCommandLine, renderEnvFile, type JoiningMember } from './member-flags.js';
import type { MemberSession } from './member-session.js';

/**
 * How long a leader may still be reported after the members died: a leader steps down once it
 * has not heard from a quorum for an election timeout (etcd's CheckQuorum; default 1 s).
 */
export const QUORUM_LOSS_CONFIRM_MS = 10_000;

/** Throws unless no old endpoint reports a leader (within QUORUM_LOSS_CONFIRM_MS) and no local client URL answers. */
export async function checkQuorumLost(session: MemberSession, oldEndpoints: readonly string[], localClientURLs: readonly string[], force: boolean): Promise<string> {
  for (const url of localClientURLs) {
    const answer = await session.statusOf(url).then(() => true, () => false);
    if (answer) {
      throw new AppError('member-recover-local-running', `Cannot recover: etcd still answers at "${url}" on this node`, {
        hint: 'Stop etcd on this node first (systemctl stop etcd, or docker stop etcd); its data dir is moved aside, not deleted',
      });
    }
  }
  const deadline = session.clock.now() + QUORUM_LOSS_CONFIRM_MS;
  for (;;) {
    const statuses = await Promise.all(oldEndpoints.map((e) => session.statusOf(e).then((s) => ({ e, s }), () => ({ e, s: undefined }))));
    const answering = statuses.filter((x) => x.s !== undefined);
    const led = answering.filter((x) => x.s?.leader !== 0n);
    const summary = `${answering.length} of ${oldEndpoints.length} old endpoints answer${answering.length > 0 ? ` (${answering.map((x) => x.e).join(', ')})` : ''}, none knows a leader`;
    if (led.length === 0) return summary;
    if (session.clock.now() >= deadline) {
      if (force) return `${led.length} endpoint(s) still report a leader; going on because of --force`;
      throw new AppError('member-recover-has-quorum', `Cannot recover: "${led[0]?.e}" reports a leader, so the cluster still has quorum (recovering would discard what it wrote since the snapshot)`, {
        hint: 'Replace the failed members one at a time with "kubekeeper member replace"; pass --force only if you know the leader is stale',
      });
    }
    await session.clock.sleep(session.pollIntervalMs, session.signal);
  }
}

/** Writes this node's env file and tells how to start etcd on the restored data dir. */
export async function writeLocalFlags(session: MemberSession, local: JoiningMember & { dataDir: string; clientURLs: string[] }, flagsFile: string): Promise<void> {
  const flags: Array<[string, string]> = [
    ['name', local.name],
    ['data-dir', local.dataDir],
    ['initial-advertise-peer-urls', local.peerURLs.join(',')],
    ['initial-cluster', local.peerURLs.map((u) => `${local.name}=${u}`).join(',')],
    ['advertise-client-urls', local.clientURLs.join(',')],
  ];
  await mkdir(path.dirname(flagsFile), { recursive: true, mode: 0o700 });
  await replaceFileAtomic(flagsFile, renderEnvFile(flags), { mode: 0o600 });
  session.emit({
    type: 'instructions',
    title: `Start etcd for "${local.name}" on this node`,
    lines: [
      'Start etcd on the restored data dir with these flags plus the usual --listen-* and TLS flags (the data dir holds the new one-member cluster):',
      `  ${renderCommandLine(flags)}`,
      `The same as an environment file: ${flagsFile}`,
    ],
  });
}
