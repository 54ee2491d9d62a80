/**
 * Continuous deltas of one EtcdBackupPolicy (spec.continuousDeltas) while this replica leads:
 * the daemon's delta streamer (startDeltaRunner, the same entry point as the daemon's `deltas`
 * section and `backup stream`) on the policy's repository, etcd and recipients, with the
 * Secrets the policy names. The streamer's own etcd election keeps one streamer per etcd
 * cluster, whichever policy or process runs it. Its status becomes the ContinuousDeltas
 * condition (Streaming with the recovery-point lag, WaitingForElection, or StreamFailed with
 * the streamer's error) and, through the policy's counters, the delta metrics.
 */
import { DEFAULT_FLUSH_BYTES, DEFAULT_FLUSH_INTERVAL_MS } from '../backup/index.js';
import { type DeltaRunner, type DeltaRunnerOptions, deltaLag, type KubekeeperConfig, startDeltaRunner } from '../daemon/index.js';
import { abortableSleep } from '../storage/index.js';
import { CONDITION, type ConditionInput, conditionMessage } from './conditions.js';
import type { OperatorState } from './operator-state.js';
import { countersOf } from './operator-state.js';

/** How often the streamer's status is turned into the condition (a patch only when it changed). */
export const DELTA_STATUS_CHECK_MS = 2000;
/** A condition whose status and reason did not change is re-patched (new lag) at most this often. */
export const DELTA_STATUS_REFRESH_MS = 30_000;
/** /healthz of the daemon turns unhealthy past this lag; the operator reports it in the condition. */
const MAX_LAG_MS = 5 * 60_000;

/** Starts a streamer for a config (the daemon's startDeltaRunner unless a test passes another). */
export type StartDeltas = (config: KubekeeperConfig, options: DeltaRunnerOptions) => DeltaRunner;

export interface PolicyDeltasOptions {
  /** The policy's config (policyConfig); it must stay valid (Secret files) until the promise settles. */
  config: KubekeeperConfig;
  /** "<namespace>/<name>" of the policy. */
  key: string;
  state: OperatorState;
  signal: AbortSignal;
  logger: DeltaRunnerOptions['logger'];
  /** Takes one full backup now (the policy's serial backup job) and returns its revision. */
  takeFullBackup: () => Promise<number>;
  /** Sets the ContinuousDeltas condition (patches the policy's status). */
  report: (condition: ConditionInput) => Promise<void>;
  now: () => Date;
  start?: StartDeltas;
}

/** The config with the `deltas` section the streamer reads. */
export function withDeltas(config: KubekeeperConfig): KubekeeperConfig {
  return { ...config, deltas: { enabled: true, flushIntervalMs: DEFAULT_FLUSH_INTERVAL_MS, flushBytes: DEFAULT_FLUSH_BYTES, maxLagMs: MAX_LAG_MS } };
}

/** The ContinuousDeltas condition for what the streamer says now. Pure. */
export function deltaCondition(runner: Pick<DeltaRunner, 'status' | 'failingSince' | 'lastError'>, repository: string, now: Date): ConditionInput {
  const type = CONDITION.continuousDeltas;
  const failingSince = runner.failingSince ?? runner.status.failingSince;
  if (failingSince !== undefined) {
    const since = new Date(failingSince).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { type, status: 'False', reason: 'StreamFailed', message: conditionMessage(`The delta streamer keeps failing since ${since}: ${runner.lastError ?? 'etcd is unreachable (see the delta.stream.* logs)'}`) };
  }
  const { status } = runner;
  if (!status.leader) {
    return { type, status: 'False', reason: 'WaitingForElection', message: 'Another delta streamer of this etcd cluster holds the election (or the election is pending): this policy stores no deltas meanwhile' };
  }
  const lag = deltaLag(status, now);
  return {
    type, status: 'True', reason: 'Streaming',
    message: `Recovery point at revision ${status.storedRevision} (etcd at ${status.etcdRevision}): ${Math.round(lag.seconds)}s and ${lag.revisions} revisions behind; ${status.segmentsWritten} segments stored in ${repository}`,
  };
}

/** Runs the streamer until `signal` fires, reporting its condition; settles once it stopped. */
export async function runPolicyDeltas(options: PolicyDeltasOptions): Promise<void> {
  const { signal, key, logger } = options;
  const config = withDeltas(options.config);
  const runner = (options.start ?? startDeltaRunner)(config, { signal, logger, env: {}, takeFullBackup: options.takeFullBackup });
  const counters = countersOf(options.state, key);
  counters.deltas = runner;
  logger.log('info', 'policy.deltas.start', { policy: key, repository: config.repository.url });
  let last: ConditionInput | undefined;
  let lastAt = 0;
  try {
    while (!signal.aborted) {
      const now = options.now();
      const next = deltaCondition(runner, config.repository.url, now);
      const changed = !last || last.status !== next.status || last.reason !== next.reason;
      if (changed || (last?.message !== next.message && now.getTime() - lastAt >= DELTA_STATUS_REFRESH_MS)) {
        last = next;
        lastAt = now.getTime();
        await options.report(next);
      }
      await abortableSleep(DELTA_STATUS_CHECK_MS, signal).catch(() => undefined);
    }
  } finally {
    await runner.done;
    if (counters.deltas === runner) counters.deltas = undefined;
    logger.log('info', 'policy.deltas.stop', { policy: key });
  }
}
