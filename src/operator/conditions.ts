/**
 * Status conditions of an EtcdBackupPolicy, as metav1.Condition: one entry per type, and
 * lastTransitionTime changes only when the status does (as apimachinery's SetStatusCondition). Pure.
 */
import type { Condition } from './resources.js';

/** Condition types the operator sets. */
export const CONDITION = {
  ready: 'Ready',
  lastBackup: 'LastBackupSucceeded',
  lastDrill: 'LastDrillSucceeded',
  continuousDeltas: 'ContinuousDeltas',
} as const;

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** `conditions` with `next` set: the transition time is kept when the status did not change. */
export function setCondition(conditions: readonly Condition[] | undefined, next: ConditionInput, now: Date): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const previous = i >= 0 ? list[i] : undefined;
  const lastTransitionTime = previous && previous.status === next.status ? previous.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const merged: Condition = { ...next, lastTransitionTime };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

/** A condition message is bounded (metav1.Condition allows 32768 bytes; events and UIs want less). */
export function conditionMessage(text: string): string {
  return text.length > 1024 ? `${text.slice(0, 1021)}...` : text;
}
