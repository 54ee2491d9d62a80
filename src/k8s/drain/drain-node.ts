/**
 * drainNode: cordon, list the node's pods, plan (planDrain), then evict or delete what the
 * plan allows and wait for it to go. Like kubectl, a failed cordon does not stop the drain, and
 * any filter error stops the node before a single eviction. A PodDisruptionBudget that keeps
 * answering 429 is retried until --timeout and then named in the result with the pods it held.
 */
import { AppError, throwIfAborted } from '../../errors.js';
import type { Clock } from '../clock.js';
import { formatDuration } from '../clock.js';
import { setNodeCordon } from '../cordon.js';
import { isNotFound, KubeApiError } from '../kube-api-error.js';
import { messageOf } from '../../errors.js';
import type { Pod } from '../types.js';
import { podKey } from '../types.js';
import type { DrainApi, DrainEvent } from './drain-api.js';
import type { DrainOptions } from './drain-options.js';
import type { PodFailure } from './evict-pods.js';
import { deletePods, evictPods } from './evict-pods.js';
import type { DrainPlan } from './plan-drain.js';
import { planDrain } from './plan-drain.js';
import type { DaemonSetLookup } from './pod-filters.js';
import { daemonSetOf } from './pod-filters.js';

export interface DrainRunOptions {
  clock: Clock;
  signal?: AbortSignal;
  /** Print the plan only: no PATCH, no eviction, no delete. */
  dryRun?: boolean;
  /** False when the caller already cordoned the node (drainNodes cordons all nodes first). */
  cordon?: boolean;
  onEvent?: (event: DrainEvent) => void;
}

/** A PodDisruptionBudget that still refused evictions when the drain gave up. */
export interface BlockingBudget {
  /** "namespace/name". */
  budget: string;
  /** The server's words, e.g. "needs 2 healthy pods and has 2 currently". */
  detail: string;
  pods: string[];
}

export interface DrainNodeResult {
  node: string;
  plan: DrainPlan;
  dryRun: boolean;
  drained: boolean;
  failures: PodFailure[];
  blockedBy: BlockingBudget[];
  /** Pods that still had to go when the drain failed (re-listed after the failure). */
  pending: string[];
  /** kubectl's aggregate error text ("e1" or "[e1, e2]"); undefined when drained. */
  error: string | undefined;
}

async function lookupDaemonSets(api: DrainApi, pods: readonly Pod[]): Promise<Map<string, DaemonSetLookup>> {
  const lookups = new Map<string, DaemonSetLookup>();
  for (const pod of pods) {
    const ds = daemonSetOf(pod);
    if (ds === undefined || lookups.has(ds)) continue;
    const [ns, name] = ds.split('/') as [string, string];
    try {
      await api.getDaemonSet(ns, name);
      lookups.set(ds, { found: true });
    } catch (err) {
      const message = err instanceof KubeApiError ? err.serverMessage : messageOf(err);
      lookups.set(ds, { found: false, notFound: isNotFound(err), message });
    }
  }
  return lookups;
}

/** Lists the node's pods and plans their drain (used before evicting and again after a failure). */
export async function planNodeDrain(api: DrainApi, node: string, options: DrainOptions, nowMs: number): Promise<DrainPlan> {
  const pods = await api.listPodsOnNode(node, options.podSelector);
  const daemonSets = await lookupDaemonSets(api, pods);
  const evictionVersion = options.disableEviction ? undefined : await api.evictionVersion();
  return planDrain({ node, pods, daemonSets, options, evictionVersion, nowMs });
}

function budgetsOf(failures: readonly PodFailure[]): BlockingBudget[] {
  const byBudget = new Map<string, BlockingBudget>();
  for (const f of failures) {
    if (f.budget === undefined) continue;
    const entry = byBudget.get(f.budget) ?? { budget: f.budget, detail: f.budgetDetail ?? '', pods: [] };
    entry.pods.push(f.pod);
    byBudget.set(f.budget, entry);
  }
  return [...byBudget.values()];
}

/**
 * Cordons a node before draining it. Like kubectl, a failed PATCH is reported and the drain
 * carries on (it still evicts); only a node that does not exist stops it.
 */
export async function cordonForDrain(api: DrainApi, node: string, dryRun: boolean, onEvent: (e: DrainEvent) => void): Promise<void> {
  try {
    onEvent({ type: 'cordon', result: await setNodeCordon(api, node, true, { dryRun }) });
  } catch (err) {
    if (isNotFound(err)) throw err;
    onEvent({ type: 'cordon-failed', node, message: err instanceof KubeApiError ? err.serverMessage : messageOf(err) });
  }
}

/** The text of apimachinery's aggregate error: one message as is, several in brackets, each distinct message once. */
const aggregate = (all: readonly string[]) => {
  const messages = [...new Set(all)];
  return messages.length === 1 ? (messages[0] as string) : `[${messages.join(', ')}]`;
};

/** Drains one node. Returns the outcome; throws only for interruption (AbortedError) or a failed pod list. */
export async function drainNode(api: DrainApi, node: string, options: DrainOptions, run: DrainRunOptions): Promise<DrainNodeResult> {
  const onEvent = run.onEvent ?? (() => undefined);
  const dryRun = run.dryRun === true;
  if (run.cordon !== false) await cordonForDrain(api, node, dryRun, onEvent);
  const startMs = run.clock.now();
  const plan = await planNodeDrain(api, node, options, startMs);
  const base = { node, plan, dryRun, failures: [], blockedBy: [], pending: [] };
  if (plan.errors.length > 0) return { ...base, drained: false, error: aggregate(plan.errors) };
  if (plan.warnings !== '') onEvent({ type: 'warning', node, text: plan.warnings });
  if (dryRun) {
    for (const d of plan.decisions) if (d.action === 'evict') onEvent({ type: 'evicting', pod: d.pod, method: plan.method, dryRun: true });
    onEvent({ type: 'drained', node, dryRun: true });
    return { ...base, drained: true, error: undefined };
  }
  const ctx = {
    api,
    clock: run.clock,
    signal: run.signal,
    deadlineMs: options.timeoutMs > 0 ? startMs + options.timeoutMs : Infinity,
    timeoutMs: options.timeoutMs,
    gracePeriodSeconds: options.gracePeriodSeconds,
    skipWaitForDeleteTimeoutSeconds: options.skipWaitForDeleteTimeoutSeconds,
    onEvent,
  };
  const failures = plan.method === 'eviction' ? await evictPods(plan.evict, plan.evictionVersion as string, ctx) : await deletePods(plan.evict, ctx);
  throwIfAborted(run.signal, `Draining node "${node}"`);
  if (failures.length === 0) {
    onEvent({ type: 'drained', node, dryRun: false });
    return { ...base, drained: true, error: undefined };
  }
  let pending: string[] = [];
  try {
    pending = (await planNodeDrain(api, node, options, run.clock.now())).evict.map(podKey);
  } catch {
    // The pending list is a courtesy; the failure itself is already known.
  }
  return { ...base, drained: false, failures, blockedBy: budgetsOf(failures), pending, error: aggregate(failures.map((f) => f.message)) };
}

/** The AppError for a failed drain, naming each blocking PodDisruptionBudget and its pods. */
export function drainFailedError(result: DrainNodeResult, timeoutMs: number): AppError {
  const budgets = result.blockedBy.map((b) => `PodDisruptionBudget "${b.budget}" (${b.detail}) still blocks eviction of ${b.pods.join(', ')}`);
  const detail = budgets.length > 0 ? `${budgets.join('; ')} after ${formatDuration(timeoutMs)}` : (result.error ?? 'unknown error');
  return new AppError('drain-failed', `Cannot drain node "${result.node}": ${detail}`, {
    hint: budgets.length > 0
      ? 'Wait until the budget allows a disruption (scale up, or fix unhealthy pods), or raise --timeout; --disable-eviction bypasses budgets and is unsafe'
      : 'Read the per-pod errors above; rerun with --dry-run to see the plan',
  });
}
