/**
 * Carries out a DefragPlan: a health gate, then each step (a member's defrag, or the
 * leadership move before the leader's), a health gate after each; then disarms NOSPACE alarms
 * of members whose db now sits below the quota-pressure line. Stops at the first failure:
 * a member that failed its defrag, or a cluster that does not come back healthy, ends the run
 * before anything else is touched.
 */
import { AppError, throwIfAborted } from '../errors.js';
import type { Alarm } from '../etcd/index.js';
import type { DefragPlan, DefragPolicy, DefragStep } from './defrag-plan.js';
import { waitClusterHealthy, type HealthSource } from './health-gate.js';
import type { MemberDetail } from './member-detail.js';

/** What the executor does to the cluster (etcd-actions.ts implements it over gRPC). */
export interface DefragActions extends HealthSource {
  /** Maintenance.Defragment on exactly `endpoint`. */
  defragment(endpoint: string): Promise<void>;
  /** Maintenance.MoveLeader sent to the leader at `leaderEndpoint`. */
  moveLeader(leaderEndpoint: string, targetId: bigint): Promise<void>;
  /** The status of one endpoint. */
  status(endpoint: string): Promise<MemberDetail>;
  disarm(alarm: Alarm): Promise<void>;
}

export interface SizeSnapshot {
  dbSizeBytes: number;
  dbSizeInUseBytes: number;
}

export interface DefragStepResult {
  kind: DefragStep['kind'];
  endpoint: string;
  memberId: bigint;
  name: string;
  /** For a leadership move: the new leader. */
  toMemberId?: bigint;
  tookMs: number;
  before?: SizeSnapshot;
  after?: SizeSnapshot;
}

export interface DefragResult {
  steps: DefragStepResult[];
  disarmed: Alarm[];
  /** NOSPACE alarms left armed, with why. */
  kept: { alarm: Alarm; reason: string }[];
}

export interface ApplyDefragOptions {
  policy: DefragPolicy;
  healthTimeoutMs: number;
  /** Called when a step starts and when it ends (with its result). */
  onStep?: (step: DefragStep, result?: DefragStepResult) => void;
  signal?: AbortSignal;
}

const sizes = (d: MemberDetail): SizeSnapshot => ({ dbSizeBytes: d.dbSizeBytes, dbSizeInUseBytes: d.dbSizeInUseBytes });

async function runStep(step: DefragStep, actions: DefragActions, options: ApplyDefragOptions): Promise<DefragStepResult> {
  const started = Date.now();
  if (step.kind === 'move-leader') {
    await actions.moveLeader(step.from.endpoint, step.to.memberId);
    await waitClusterHealthy(actions, { timeoutMs: options.healthTimeoutMs, expectLeader: step.to.memberId, ...(options.signal ? { signal: options.signal } : {}) });
    return { kind: 'move-leader', endpoint: step.from.endpoint, memberId: step.from.memberId, name: step.from.name, toMemberId: step.to.memberId, tookMs: Date.now() - started };
  }
  const before = sizes(await actions.status(step.member.endpoint));
  try {
    await actions.defragment(step.member.endpoint);
  } catch (err) {
    throw new AppError('maintenance-defrag-failed', `Cannot defragment member ${step.member.endpoint}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'Check the member with "kubekeeper endpoint status --detail"; raise --defrag-timeout for a large db', cause: err,
    });
  }
  const tookMs = Date.now() - started;
  await waitClusterHealthy(actions, { timeoutMs: options.healthTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  const after = sizes(await actions.status(step.member.endpoint));
  return { kind: 'defrag', endpoint: step.member.endpoint, memberId: step.member.memberId, name: step.member.name, tookMs, before, after };
}

/** Disarms NOSPACE alarms of members whose db is back under the quota-pressure line. */
async function disarmNoSpace(actions: DefragActions, policy: DefragPolicy): Promise<Pick<DefragResult, 'disarmed' | 'kept'>> {
  const noSpace = (await actions.alarms()).filter((a) => a.alarm === 'NOSPACE');
  if (noSpace.length === 0) return { disarmed: [], kept: [] };
  const { details } = await actions.statuses();
  const result: Pick<DefragResult, 'disarmed' | 'kept'> = { disarmed: [], kept: [] };
  for (const alarm of noSpace) {
    const member = details.find((d) => d.memberId === alarm.memberId);
    if (!member) result.kept.push({ alarm, reason: 'the member did not answer' });
    else if (member.quotaPercent >= policy.quotaPressurePercent) {
      result.kept.push({ alarm, reason: `db size is still ${member.quotaPercent}% of the quota (>= ${policy.quotaPressurePercent}%)` });
    } else {
      await actions.disarm(alarm);
      result.disarmed.push(alarm);
    }
  }
  return result;
}

/** Carries out `plan` step by step (see the file comment); throws at the first failed step or health gate. */
export async function applyDefragPlan(plan: DefragPlan, actions: DefragActions, options: ApplyDefragOptions): Promise<DefragResult> {
  const gate = { timeoutMs: options.healthTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
  const steps: DefragStepResult[] = [];
  if (plan.steps.length > 0) await waitClusterHealthy(actions, gate);
  for (const step of plan.steps) {
    throwIfAborted(options.signal, 'The defrag');
    options.onStep?.(step);
    const result = await runStep(step, actions, options);
    steps.push(result);
    options.onStep?.(step, result);
  }
  return { steps, ...(await disarmNoSpace(actions, options.policy)) };
}
