/**
 * What the operator counts, per policy, for /metrics and /healthz: runs by result, the newest
 * success, the size of the newest backup, the next planned slot, and whether this replica
 * leads. Rendered with the daemon's exposition code on every scrape.
 */
import { type DeltaRunner, deltaMetricFamilies, type MetricFamily } from '../daemon/index.js';

export interface PolicyCounters {
  successes: number;
  failures: number;
  /** Slots already stored when this replica came to run them (another replica ran them). */
  slotsAlreadyStored: number;
  drillSuccesses: number;
  drillFailures: number;
  lastSuccessAt?: Date;
  lastBytes?: number;
  nextAt?: Date;
  backups?: number;
  /** The policy's delta streamer while it runs (spec.continuousDeltas). */
  deltas?: DeltaRunner;
}

export interface OperatorState {
  startedAt: Date;
  leading: boolean;
  /** When this replica became the leader (the current term). */
  leadingSince?: Date;
  /** The newest answer of the API server (a Lease call, a policy list or watch). */
  lastContactAt?: Date;
  /** The newest policy list or watch answer of the current term. */
  lastWatchAt?: Date;
  /** The policies were listed in the current term. */
  listed: boolean;
  leaderTransitions: number;
  /** Keyed "<namespace>/<name>". */
  policies: Map<string, PolicyCounters>;
}

export function createOperatorState(now: Date): OperatorState {
  return { startedAt: now, leading: false, listed: false, leaderTransitions: 0, policies: new Map() };
}

/** The counters of one policy, created on first use. */
export function countersOf(state: OperatorState, key: string): PolicyCounters {
  let c = state.policies.get(key);
  if (!c) {
    c = { successes: 0, failures: 0, slotsAlreadyStored: 0, drillSuccesses: 0, drillFailures: 0 };
    state.policies.set(key, c);
  }
  return c;
}

const seconds = (d: Date | undefined) => (d ? d.getTime() / 1000 : 0);

/** The daemon's delta metrics, one sample per policy whose streamer runs (namespace and policy labels). */
function deltaFamilies(state: OperatorState, now: Date): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  for (const [key, c] of state.policies) {
    if (!c.deltas) continue;
    const [namespace, policy] = key.split('/') as [string, string];
    for (const f of deltaMetricFamilies(c.deltas.status, now)) {
      const labelled = f.samples.map((s) => ({ ...s, labels: { namespace, policy, ...s.labels } }));
      byName.set(f.name, { ...f, samples: [...(byName.get(f.name)?.samples ?? []), ...labelled] });
    }
  }
  return [...byName.values()];
}

/** The metric families, one sample per policy (namespace and policy labels). */
export function operatorMetricFamilies(state: OperatorState, now: Date = new Date()): MetricFamily[] {
  const per = (pick: (c: PolicyCounters) => number, extra: Record<string, string> = {}) => [...state.policies].map(([key, c]) => {
    const [namespace, policy] = key.split('/') as [string, string];
    return { labels: { namespace, policy, ...extra }, value: pick(c) };
  });
  return [
    { name: 'kubekeeper_operator_leader', type: 'gauge', help: '1 while this replica holds the Lease and runs the schedules.', samples: [{ value: state.leading ? 1 : 0 }] },
    { name: 'kubekeeper_operator_leader_transitions_total', type: 'counter', help: 'Times this replica became the leader.', samples: [{ value: state.leaderTransitions }] },
    { name: 'kubekeeper_operator_api_last_answer_timestamp_seconds', type: 'gauge', help: 'When the API server last answered this replica (Lease, list or watch; /healthz fails past --liveness-timeout).', samples: [{ value: seconds(state.lastContactAt) }] },
    { name: 'kubekeeper_operator_policies', type: 'gauge', help: 'EtcdBackupPolicies this replica schedules.', samples: [{ value: state.policies.size }] },
    { name: 'kubekeeper_backup_runs_total', type: 'counter', help: 'Backup runs by policy and result.', samples: [...per((c) => c.successes, { result: 'success' }), ...per((c) => c.failures, { result: 'failure' })] },
    { name: 'kubekeeper_backup_slot_already_stored_total', type: 'counter', help: 'Slots found already stored when this replica came to run them.', samples: per((c) => c.slotsAlreadyStored) },
    { name: 'kubekeeper_backup_last_success_timestamp_seconds', type: 'gauge', help: 'When the newest good backup of the policy was taken (0: none yet).', samples: per((c) => seconds(c.lastSuccessAt)) },
    { name: 'kubekeeper_backup_last_size_bytes', type: 'gauge', help: 'Bytes stored for the newest backup this replica made.', samples: per((c) => c.lastBytes ?? 0) },
    { name: 'kubekeeper_backup_next_run_timestamp_seconds', type: 'gauge', help: 'The next planned slot of the policy.', samples: per((c) => seconds(c.nextAt)) },
    { name: 'kubekeeper_backups', type: 'gauge', help: 'Backups of the policy listed in its repository.', samples: per((c) => c.backups ?? 0) },
    { name: 'kubekeeper_drill_runs_total', type: 'counter', help: 'Restore drills by policy and result.', samples: [...per((c) => c.drillSuccesses, { result: 'success' }), ...per((c) => c.drillFailures, { result: 'failure' })] },
    ...deltaFamilies(state, now),
  ];
}
