/**
 * Removing a node's pods: through the Eviction API (one concurrent worker per pod, 429 from a
 * PodDisruptionBudget retried every 5 s until the drain's global timeout) or, with
 * --disable-eviction, by sequential DELETEs followed by one combined wait. Mirrors kubectl's
 * DeleteOrEvictPods, including its error texts.
 */
import { messageOf, throwIfAborted } from '../../errors.js';
import type { Clock } from '../clock.js';
import { formatDuration } from '../clock.js';
import { blockingBudget, isNamespaceTerminating, isNotFound, isTooManyRequests, KubeApiError } from '../kube-api-error.js';
import type { Pod } from '../types.js';
import { podKey } from '../types.js';
import type { DrainApi, DrainEvent } from './drain-api.js';
import { EVICT_RETRY_DELAY_MS } from './drain-options.js';
import { waitForDelete } from './wait-for-delete.js';

export interface EvictContext {
  api: DrainApi;
  clock: Clock;
  signal?: AbortSignal;
  deadlineMs: number;
  timeoutMs: number;
  gracePeriodSeconds: number;
  skipWaitForDeleteTimeoutSeconds: number;
  onEvent: (event: DrainEvent) => void;
}

/** One pod that could not be removed, with kubectl's message and the budget that held it. */
export interface PodFailure {
  pod: string;
  message: string;
  /** "namespace/name" of the PodDisruptionBudget whose 429 was the last answer, if any. */
  budget?: string;
  budgetDetail?: string;
}

const grace = (seconds: number) => (seconds >= 0 ? seconds : undefined);

/** Evicts one pod, retrying 429s, then waits for it to disappear. */
async function evictOne(pod: Pod, version: string, ctx: EvictContext): Promise<PodFailure | undefined> {
  const ns = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name;
  let current = pod;
  let lastBudget: ReturnType<typeof blockingBudget>;
  const failure = (message: string): PodFailure => ({
    pod: podKey(pod),
    message,
    ...(lastBudget ? { budget: `${ns}/${lastBudget.name}`, budgetDetail: lastBudget.detail } : {}),
  });
  for (;;) {
    throwIfAborted(ctx.signal, `Evicting pod "${ns}/${name}"`);
    ctx.onEvent({ type: 'evicting', pod: podKey(pod), method: 'eviction', dryRun: false });
    if (ctx.clock.now() >= ctx.deadlineMs) return failure(`error when evicting pods/"${name}" -n "${ns}": global timeout reached: ${formatDuration(ctx.timeoutMs)}`);
    try {
      await ctx.api.evictPod(current, { version, gracePeriodSeconds: grace(ctx.gracePeriodSeconds) });
      lastBudget = undefined;
      break;
    } catch (err) {
      if (isNotFound(err)) {
        ctx.onEvent({ type: 'gone', pod: podKey(pod), method: 'eviction' });
        return undefined;
      }
      const terminating = isNamespaceTerminating(err);
      if (terminating && current.metadata.deletionTimestamp !== undefined) break;
      if (!isTooManyRequests(err) && !terminating) return failure(`error when evicting pods/"${name}" -n "${ns}": ${messageOf(err instanceof KubeApiError ? err.serverMessage : err)}`);
      if (isTooManyRequests(err)) lastBudget = blockingBudget(err) ?? lastBudget;
      const retryInMs = Math.max(0, Math.min(EVICT_RETRY_DELAY_MS, ctx.deadlineMs - ctx.clock.now()));
      ctx.onEvent({
        type: 'evict-retry',
        pod: podKey(pod),
        message: (err as KubeApiError).serverMessage,
        budget: lastBudget ? `${ns}/${lastBudget.name}` : undefined,
        retryInMs: EVICT_RETRY_DELAY_MS,
        namespaceTerminating: terminating,
      });
      await ctx.clock.sleep(retryInMs, ctx.signal);
      // kubectl >= 1.35 re-reads the pod between attempts so a re-created pod is not evicted by a stale UID.
      try {
        current = await ctx.api.getPod(ns, name);
      } catch (getErr) {
        if (isNotFound(getErr)) {
          ctx.onEvent({ type: 'gone', pod: podKey(pod), method: 'eviction' });
          return undefined;
        }
      }
    }
  }
  const waited = await waitForDelete([current], { ...ctx, method: 'eviction' });
  if (waited === undefined) return undefined;
  return failure(`error when waiting for pod "${name}" in namespace "${ns}" to terminate: ${waited.message}`);
}

/** Evicts all pods concurrently; returns the failures (empty when every pod is gone). */
export async function evictPods(pods: readonly Pod[], version: string, ctx: EvictContext): Promise<PodFailure[]> {
  const results = await Promise.all(pods.map((pod) => evictOne(pod, version, ctx)));
  return results.filter((r): r is PodFailure => r !== undefined);
}

/** Deletes pods one by one (404 ignored, any other error stops), then waits for all of them. */
export async function deletePods(pods: readonly Pod[], ctx: EvictContext): Promise<PodFailure[]> {
  for (const pod of pods) {
    throwIfAborted(ctx.signal, `Deleting pod "${podKey(pod)}"`);
    ctx.onEvent({ type: 'evicting', pod: podKey(pod), method: 'delete', dryRun: false });
    try {
      await ctx.api.deletePod(pod, { gracePeriodSeconds: grace(ctx.gracePeriodSeconds) });
    } catch (err) {
      if (isNotFound(err)) continue;
      return [{ pod: podKey(pod), message: messageOf(err instanceof KubeApiError ? err.serverMessage : err) }];
    }
  }
  const waited = await waitForDelete(pods, { ...ctx, method: 'delete' });
  if (waited === undefined) return [];
  // kubectl's delete path returns the wait's own error, once for all pods (not wrapped per pod).
  return waited.pods.map((pod) => ({ pod: podKey(pod), message: waited.message }));
}
