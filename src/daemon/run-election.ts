/**
 * The coordination rule of scheduled work: on a cluster with several control-plane nodes, a
 * backup or drill slot runs on one node at a time. Before the run, the node campaigns for the
 * job's election key (etcd/election.ts, under the reserved prefix /kubekeeper.io/); the loser
 * logs `<job>.skipped {reason: "not-leader", holder}` and throws NotLeaderError, which the
 * daemon counts in kubekeeper_schedule_skipped_total and `backup run` exits 0 on. The winner
 * keeps the lease alive during the run (a lost lease aborts the run) and revokes it after.
 *
 * `schedule.election` in the config: "auto" (default) campaigns when etcd has more than one
 * member, "on" always, "off" never (one node per cluster runs the schedule by design).
 * `schedule.electionTtl` (default 30s): how long a dead winner blocks the job on other nodes.
 */
import { campaign, connectEtcd, ELECTION_TTL_SECONDS, type EtcdClient, type Leadership } from '../etcd/index.js';
import { AppError, ExitCode, messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MetricFamily } from './metrics.js';
import type { KubekeeperConfig } from './config.js';

export type ElectionMode = 'auto' | 'on' | 'off';
export const ELECTION_MODES: readonly ElectionMode[] = ['auto', 'on', 'off'];

/** Another node holds the job's election key: this slot is skipped here, which is not a failure. */
export class NotLeaderError extends AppError {
  constructor(readonly job: string, readonly holder: string) {
    super('not-leader', `Skipped the ${job}: another node runs it now (election holder "${holder}")`, {
      hint: 'Nothing to do: one node per slot runs scheduled work; set schedule.election: off to run on every node',
      exitCode: ExitCode.ok,
    });
  }
}

export interface RunAsLeaderOptions {
  signal?: AbortSignal;
  logger: Logger;
}

/**
 * Runs `run` when this node wins `job`'s election (or no election is needed); `run` gets a
 * signal that also fires when leadership is lost. Throws NotLeaderError when another node holds it.
 */
export async function runAsLeader<T>(config: KubekeeperConfig, job: 'backup' | 'drill' | 'defrag', options: RunAsLeaderOptions, run: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  const mode = config.schedule.election ?? 'auto';
  if (mode === 'off') return run(options.signal);
  const { logger } = options;
  let client: EtcdClient | undefined;
  let leadership: Leadership | undefined;
  try {
    client = await connectEtcd(config.etcd, options.signal);
    if (mode === 'auto' && (await client.memberList()).length <= 1) {
      client.close();
      client = undefined;
      return await run(options.signal);
    }
    const result = await campaign(client, {
      job, ttlSeconds: Math.ceil((config.schedule.electionTtlMs ?? ELECTION_TTL_SECONDS * 1000) / 1000), timeoutMs: config.etcd.commandTimeoutMs,
      onLost: (reason) => logger.log('error', 'election.lost', { job, reason }),
    });
    if (!result.won) {
      logger.log('info', `${job}.skipped`, { reason: 'not-leader', holder: result.holder, key: result.key });
      throw new NotLeaderError(job, result.holder);
    }
    leadership = result.leadership;
    logger.log('info', 'election.won', { job, key: leadership.key, identity: leadership.identity });
    const signal = options.signal ? AbortSignal.any([options.signal, leadership.lost]) : leadership.lost;
    try {
      return await run(signal);
    } catch (err) {
      throw leadership.lost.aborted && !options.signal?.aborted ? leadership.lost.reason : err;
    }
  } finally {
    if (leadership) await leadership.resign().catch((err: unknown) => logger.log('warn', 'election.resign.failed', { job, error: messageOf(err) }));
    client?.close();
  }
}

/** Skipped slots by job and reason, for kubekeeper_schedule_skipped_total. */
export type SkipCounts = Map<string, number>;

/** Counts a skip of `job` (NotLeaderError) and returns true; false for any other error. */
export function countSkip(skips: SkipCounts, err: unknown): boolean {
  if (!(err instanceof NotLeaderError)) return false;
  const key = `${err.job}\u0000not-leader`;
  skips.set(key, (skips.get(key) ?? 0) + 1);
  return true;
}

/** The metric family of the skipped slots (one sample per job and reason seen; 0 for backup before any). */
export function skipMetricFamily(skips: SkipCounts): MetricFamily {
  const samples = [...skips].map(([key, value]) => {
    const [job, reason] = key.split('\u0000') as [string, string];
    return { labels: { job, reason }, value };
  });
  return {
    name: 'kubekeeper_schedule_skipped_total', type: 'counter',
    help: 'Scheduled slots this node skipped, by job and reason (not-leader: another control-plane node ran it).',
    samples: samples.length ? samples : [{ labels: { job: 'backup', reason: 'not-leader' }, value: 0 }],
  };
}
