/**
 * `kubekeeper operator`: composition only. Every replica campaigns for one coordination.k8s.io
 * Lease; only the leader reconciles. Reconciling lists the EtcdBackupPolicies and watches them
 * (policy-watch.ts: a change takes effect within seconds; a full list every resyncPeriod is
 * the safety net) and keeps one runner (policy-runner.ts) per policy generation: a new or
 * changed policy gets a fresh runner, a deleted one's runner stops (it also checks before each
 * slot). Losing the Lease, or SIGTERM, stops every runner (an upload in flight is aborted and
 * never listed as good) before the replica campaigns again or releases the Lease. /metrics,
 * /healthz (operator-health.ts: alive while the API server answers and, when leading, the
 * watch does) and /readyz are served by every replica.
 */
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { type Clock, type MetricsServer, renderMetrics, startMetricsServer, systemClock } from '../daemon/index.js';
import { runLeaderElection } from '../k8s/index.js';
import type { OperatorApi } from './operator-api.js';
import { observeLeaseApi, operatorHealth, operatorReadiness } from './operator-health.js';
import { createOperatorState, operatorMetricFamilies, type OperatorState } from './operator-state.js';
import { type PolicyRunContext, runPolicy } from './policy-runner.js';
import { watchPolicies } from './policy-watch.js';
import type { EtcdBackupPolicy } from './resources.js';

/** Default of livenessTimeoutMs: /healthz fails after this long without an answer of the API server. */
export const DEFAULT_LIVENESS_TIMEOUT_MS = 120_000;
/** Longest watch request; shorter when the liveness timeout is short, so an idle watch still answers in time. */
const MAX_WATCH_TIMEOUT_SECONDS = 60;

export interface OperatorOptions {
  api: OperatorApi;
  logger: Logger;
  signal: AbortSignal;
  identity: string;
  /** Where the Lease lives. */
  leaseNamespace: string;
  leaseName: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** How often the policies are listed again although the watch runs (the safety net). */
  resyncPeriodMs: number;
  /** /healthz fails once the API server (or, when leading, the policy watch) has not answered for this long. */
  livenessTimeoutMs?: number;
  /** Only this namespace's policies (default: all namespaces). */
  watchNamespace?: string;
  /** host:port for /metrics, /healthz and /readyz; undefined: no server. */
  metricsListen?: string;
  onListening?: (address: { host: string; port: number }) => void;
  clock?: Clock;
  /** Seams for tests (see PolicyRunContext). */
  runBackup?: PolicyRunContext['runBackup'];
  runDrill?: PolicyRunContext['runDrill'];
  startDeltas?: PolicyRunContext['startDeltas'];
}

/** Runs until `signal` fires; throws only when it cannot start (the metrics port is taken). */
export async function runOperator(options: OperatorOptions): Promise<OperatorState> {
  const clock = options.clock ?? systemClock;
  const state = createOperatorState(clock.now());
  let server: MetricsServer | undefined;
  if (options.metricsListen) {
    server = await startMetricsServer({
      listen: options.metricsListen,
      metrics: () => Promise.resolve(renderMetrics(operatorMetricFamilies(state, clock.now()))),
      health: () => operatorHealth(state, clock.now(), options.livenessTimeoutMs ?? DEFAULT_LIVENESS_TIMEOUT_MS),
      ready: () => operatorReadiness(state),
    });
    options.onListening?.({ host: server.host, port: server.port });
  }
  options.logger.log('info', 'operator.start', { identity: options.identity, server: options.api.server, lease: `${options.leaseNamespace}/${options.leaseName}`, namespace: options.watchNamespace ?? '(all)' });
  try {
    await runLeaderElection({
      api: observeLeaseApi(options.api, () => (state.lastContactAt = clock.now())), namespace: options.leaseNamespace, name: options.leaseName, identity: options.identity,
      leaseDurationMs: options.leaseDurationMs, renewDeadlineMs: options.renewDeadlineMs, retryPeriodMs: options.retryPeriodMs,
      signal: options.signal, logger: options.logger,
      lead: async (leading) => {
        state.leading = true;
        state.leadingSince = clock.now();
        state.listed = false;
        state.lastWatchAt = undefined;
        state.leaderTransitions++;
        try {
          await reconcile(options, state, clock, leading);
        } finally {
          state.leading = false;
        }
      },
    });
  } finally {
    await server?.close();
    options.logger.log('info', 'operator.stop', { identity: options.identity });
  }
  return state;
}

interface Runner {
  uid: string;
  generation: number;
  stop: AbortController;
  done: Promise<void>;
}

/** The leader's loop: one runner per policy generation, until `leading` fires. */
async function reconcile(options: OperatorOptions, state: OperatorState, clock: Clock, leading: AbortSignal): Promise<void> {
  const { api, logger } = options;
  const runners = new Map<string, Runner>();
  const ctx: PolicyRunContext = { api, logger, clock, state, identity: options.identity, runBackup: options.runBackup, runDrill: options.runDrill, startDeltas: options.startDeltas };
  const stopRunner = async (key: string) => {
    const r = runners.get(key);
    if (!r) return;
    runners.delete(key);
    r.stop.abort();
    await r.done;
  };
  /** Starts, replaces and stops runners so that they match `policies`. */
  const apply = async (policies: EtcdBackupPolicy[]) => {
    const seen = new Set<string>();
    for (const p of policies) {
      const key = `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
      seen.add(key);
      const r = runners.get(key);
      const generation = p.metadata.generation ?? 0;
      if (r && r.uid === p.metadata.uid && r.generation === generation && !p.metadata.deletionTimestamp) continue;
      await stopRunner(key);
      if (p.metadata.deletionTimestamp) continue;
      const stop = new AbortController();
      const done = runPolicy(p, ctx, AbortSignal.any([leading, stop.signal])).catch((err: unknown) => logger.log('error', 'policy.failed', { policy: key, error: messageOf(err) }));
      runners.set(key, { uid: p.metadata.uid ?? '', generation, stop, done });
      logger.log('info', 'policy.reconciled', { policy: key, generation });
    }
    for (const key of [...runners.keys()]) {
      if (seen.has(key)) continue;
      logger.log('info', 'policy.deleted', { policy: key });
      await stopRunner(key);
      state.policies.delete(key);
    }
  };
  const livenessSeconds = Math.floor((options.livenessTimeoutMs ?? DEFAULT_LIVENESS_TIMEOUT_MS) / 2000);
  try {
    await watchPolicies({
      api, namespace: options.watchNamespace, signal: leading, resyncPeriodMs: options.resyncPeriodMs, logger, clock,
      watchTimeoutSeconds: Math.max(1, Math.min(MAX_WATCH_TIMEOUT_SECONDS, livenessSeconds)),
      onPolicies: apply,
      onAlive: (what) => {
        state.lastContactAt = state.lastWatchAt = clock.now();
        if (what === 'list') state.listed = true;
      },
    });
  } finally {
    await Promise.all([...runners.keys()].map(stopRunner));
  }
}
