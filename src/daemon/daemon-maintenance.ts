/**
 * The daemon's etcd maintenance (config `maintenance:`): per-member db gauges on /metrics, read
 * at scrape time, and the scheduled need-based defrag (the same planner and executor as
 * `kubekeeper defrag --cluster`). Composition only.
 */
import { AppError, messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { applyDefragPlan, etcdDefragActions, planDefrag, readClusterView, type DefragResult } from '../maintenance/index.js';
import type { KubekeeperConfig } from './config.js';
import type { MetricFamily } from './metrics.js';

export interface MaintenanceState {
  /** Scheduled defrag runs by result ("ok", "failed"). */
  defragRuns: Map<string, number>;
  lastDefragSuccessAt?: Date;
  /** Members defragmented by the last successful run. */
  lastDefragMembers: number;
}

export function createMaintenanceState(): MaintenanceState {
  return { defragRuns: new Map(), lastDefragMembers: 0 };
}

const gauge = (name: string, help: string, samples: MetricFamily['samples']): MetricFamily => ({ name, help, type: 'gauge', samples });

/**
 * kubekeeper_etcd_* gauges for every member (labels: member name and endpoint), plus the defrag
 * counters. An unreachable cluster yields kubekeeper_etcd_members_reachable 0 and no member gauges.
 */
export async function maintenanceMetricFamilies(config: KubekeeperConfig, state: MaintenanceState, signal?: AbortSignal): Promise<MetricFamily[]> {
  const maintenance = config.maintenance;
  if (!maintenance?.metrics) return [];
  let members: { labels: Record<string, string>; d: Awaited<ReturnType<typeof readClusterView>>['all'][number] }[] = [];
  let reachable = 0;
  try {
    const view = await readClusterView(config.etcd, { cluster: true, quotaBytes: maintenance.quotaBytes, ...(signal ? { signal } : {}) });
    members = view.all.map((d) => ({ labels: { member: d.name, endpoint: d.endpoint }, d }));
    reachable = view.all.length;
  } catch {
    // Scrapes must not fail: the gauges go missing and members_reachable says why.
  }
  const each = (value: (d: (typeof members)[number]['d']) => number) => members.map((m) => ({ labels: m.labels, value: value(m.d) }));
  return [
    gauge('kubekeeper_etcd_members_reachable', 'etcd members that answered Maintenance.Status at this scrape', [{ value: reachable }]),
    gauge('kubekeeper_etcd_db_size_bytes', 'Physically allocated size of the member backend db', each((d) => d.dbSizeBytes)),
    gauge('kubekeeper_etcd_db_size_in_use_bytes', 'Logically used size of the member backend db', each((d) => d.dbSizeInUseBytes)),
    gauge('kubekeeper_etcd_db_fragmentation_ratio', 'Share of the db that is allocated but unused (what a defrag reclaims), 0 to 1', each((d) => d.fragmentationPercent / 100)),
    gauge('kubekeeper_etcd_db_quota_bytes', 'Backend quota of the member (reported by etcd 3.6+, else maintenance.quotaBytes)', each((d) => d.quotaBytes)),
    gauge('kubekeeper_etcd_db_quota_used_ratio', 'db size over the backend quota, 0 to 1 (NOSPACE at 1)', each((d) => d.quotaPercent / 100)),
    gauge('kubekeeper_etcd_alarm_active', 'Active etcd alarms by member and type', members.flatMap((m) => m.d.alarms.map((alarm) => ({ labels: { ...m.labels, alarm }, value: 1 })))),
    gauge('kubekeeper_etcd_is_leader', '1 for the member that leads', each((d) => (d.isLeader ? 1 : 0))),
    {
      name: 'kubekeeper_defrag_runs_total', help: 'Scheduled defrag runs by result', type: 'counter',
      samples: ['ok', 'failed'].map((result) => ({ labels: { result }, value: state.defragRuns.get(result) ?? 0 })),
    },
    gauge('kubekeeper_defrag_last_success_timestamp_seconds', 'End of the last successful scheduled defrag run, Unix time (0: none yet)', [{ value: state.lastDefragSuccessAt ? state.lastDefragSuccessAt.getTime() / 1000 : 0 }]),
  ];
}

/** One scheduled defrag: plan over every member, carry it out, record the result. */
export async function runScheduledDefrag(config: KubekeeperConfig, state: MaintenanceState, options: { signal?: AbortSignal; logger: Logger; now: () => Date }): Promise<DefragResult | undefined> {
  const maintenance = config.maintenance;
  if (!maintenance) return undefined;
  const { logger, signal } = options;
  try {
    const view = await readClusterView(config.etcd, { cluster: true, quotaBytes: maintenance.quotaBytes, ...(signal ? { signal } : {}) });
    if (view.unreachable.length > 0) throw new AppError('maintenance-unhealthy', `Skipped the defrag: endpoint ${view.unreachable[0]?.endpoint} does not answer`);
    const plan = planDefrag(view.targets, maintenance.defrag.policy, view.all);
    for (const d of plan.decisions) logger.log('info', 'defrag.decision', { endpoint: d.member.endpoint, member: d.member.name, defrag: d.defrag, reason: d.reason });
    const actions = etcdDefragActions(config.etcd, { members: view.members, quotaBytes: maintenance.quotaBytes, defragTimeoutMs: maintenance.defrag.defragTimeoutMs, ...(signal ? { signal } : {}) });
    const result = await applyDefragPlan(plan, actions, {
      policy: maintenance.defrag.policy, healthTimeoutMs: maintenance.defrag.healthTimeoutMs, ...(signal ? { signal } : {}),
      onStep: (step, done) => {
        if (done) logger.log('info', `defrag.${step.kind}`, { endpoint: done.endpoint, tookMs: done.tookMs, ...(done.after ? { dbSizeBytes: done.after.dbSizeBytes } : {}) });
      },
    });
    state.defragRuns.set('ok', (state.defragRuns.get('ok') ?? 0) + 1);
    state.lastDefragSuccessAt = options.now();
    state.lastDefragMembers = result.steps.filter((s) => s.kind === 'defrag').length;
    logger.log('info', 'defrag.done', { members: state.lastDefragMembers, disarmed: result.disarmed.length });
    return result;
  } catch (err) {
    if (signal?.aborted) throw err;
    state.defragRuns.set('failed', (state.defragRuns.get('failed') ?? 0) + 1);
    logger.log('error', 'defrag.failed', { code: err instanceof AppError ? err.code : 'internal', error: messageOf(err) });
    throw err;
  }
}
