/**
 * planDrain: the pure half of drain. Given the pods on a node (and the DaemonSet lookups the
 * filters need) it decides, per pod, evict / skip / refuse and why, and renders kubectl's
 * aggregated warning and error texts. Executors act on `evict` only when `errors` is empty.
 */
import type { Pod } from '../types.js';
import { podKey } from '../types.js';
import type { DrainOptions } from './drain-options.js';
import type { DaemonSetLookup, FilterName } from './pod-filters.js';
import { filterPod } from './pod-filters.js';

export interface PodDecision {
  /** "namespace/name". */
  pod: string;
  action: 'evict' | 'skip' | 'refuse';
  /** The filter whose status was final. */
  decidedBy: FilterName;
  /** Every reason collected along the filters, for people reading the plan. */
  why: string;
}

export interface DrainPlan {
  node: string;
  /** "eviction" uses the Eviction API (PodDisruptionBudgets apply); "delete" bypasses them. */
  method: 'eviction' | 'delete';
  /** policy/v1 or policy/v1beta1 when method is "eviction". */
  evictionVersion: string | undefined;
  decisions: PodDecision[];
  /** The pods to evict or delete, in list order. */
  evict: Pod[];
  /** kubectl's warning text ("<message>: ns/a, ns/b; <message2>: ns/c"), "" when none. */
  warnings: string;
  /** kubectl's "cannot delete <message>: ns/a, ..." groups; any entry blocks the whole node. */
  errors: string[];
}

export interface PlanDrainInput {
  node: string;
  pods: readonly Pod[];
  daemonSets: ReadonlyMap<string, DaemonSetLookup>;
  options: DrainOptions;
  /** From API discovery: the group/version serving pods/eviction, undefined when none does. */
  evictionVersion: string | undefined;
  nowMs: number;
}

/** Groups pod names by message, keeping first-appearance order (kubectl's map order is random). */
function groupByMessage(entries: ReadonlyArray<{ message: string; pod: string }>): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const { message, pod } of entries) groups.set(message, [...(groups.get(message) ?? []), pod]);
  return [...groups.entries()];
}

/** Decides what draining `node` would do. Pure: no I/O, time comes in as `nowMs`. */
export function planDrain(input: PlanDrainInput): DrainPlan {
  const ctx = { options: input.options, daemonSets: input.daemonSets, nowMs: input.nowMs };
  const decisions: PodDecision[] = [];
  const evict: Pod[] = [];
  const warnings: Array<{ message: string; pod: string }> = [];
  const errors: Array<{ message: string; pod: string }> = [];
  for (const pod of input.pods) {
    const { status, decidedBy, notes } = filterPod(pod, ctx);
    const key = podKey(pod);
    const action = status.delete ? 'evict' : status.kind === 'error' ? 'refuse' : 'skip';
    decisions.push({ pod: key, action, decidedBy, why: notes.join('; ') });
    if (status.delete) evict.push(pod);
    if (status.kind === 'warning') warnings.push({ message: status.message, pod: key });
    if (status.kind === 'error') errors.push({ message: status.message || 'unexpected error', pod: key });
  }
  const method = input.options.disableEviction || input.evictionVersion === undefined ? 'delete' : 'eviction';
  return {
    node: input.node,
    method,
    evictionVersion: method === 'eviction' ? input.evictionVersion : undefined,
    decisions,
    evict,
    warnings: groupByMessage(warnings).map(([m, pods]) => `${m}: ${pods.join(', ')}`).join('; '),
    errors: groupByMessage(errors).map(([m, pods]) => `cannot delete ${m}: ${pods.join(', ')}`),
  };
}
