/**
 * Waiting until deleted pods are gone, as kubectl does: poll at once and then every second;
 * a 404, or the same name with a different UID (a StatefulSet re-created it), counts as gone.
 */
import { throwIfAborted } from '../../errors.js';
import type { Clock } from '../clock.js';
import { isNotFound } from '../kube-api-error.js';
import { messageOf } from '../../errors.js';
import type { Pod } from '../types.js';
import { podKey } from '../types.js';
import type { DrainApi, DrainEvent } from './drain-api.js';
import { DELETE_POLL_INTERVAL_MS } from './drain-options.js';

export interface WaitContext {
  api: Pick<DrainApi, 'getPod'>;
  clock: Clock;
  signal?: AbortSignal;
  /** Clock time when the drain's global timeout ends (Infinity for none). */
  deadlineMs: number;
  timeoutMs: number;
  skipWaitForDeleteTimeoutSeconds: number;
  method: 'eviction' | 'delete';
  onEvent: (event: DrainEvent) => void;
}

/** kubectl's error when the drain's timeout ends while pods are still terminating (Go's context.DeadlineExceeded). */
export const WAIT_TIMEOUT_MESSAGE = 'context deadline exceeded';

/** Pods still present when waiting failed, with kubectl's reason. */
export interface WaitFailure {
  pods: Pod[];
  message: string;
}

async function isGone(pod: Pod, ctx: WaitContext): Promise<boolean> {
  try {
    const current = await ctx.api.getPod(pod.metadata.namespace ?? 'default', pod.metadata.name);
    if (current.metadata.uid !== pod.metadata.uid) return true;
    const limit = ctx.skipWaitForDeleteTimeoutSeconds;
    const since = current.metadata.deletionTimestamp;
    if (limit > 0 && since !== undefined && ctx.clock.now() - Date.parse(since) > limit * 1000) {
      ctx.onEvent({ type: 'skip-wait', pod: podKey(pod), seconds: limit });
      return true;
    }
    return false;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

/** Waits until every pod is gone; returns undefined on success or the pods left and why. */
export async function waitForDelete(pods: readonly Pod[], ctx: WaitContext): Promise<WaitFailure | undefined> {
  let pending = [...pods];
  for (;;) {
    throwIfAborted(ctx.signal, 'Waiting for pods to terminate');
    const still: Pod[] = [];
    for (const pod of pending) {
      let gone: boolean;
      try {
        gone = await isGone(pod, ctx);
      } catch (err) {
        return { pods: pending, message: messageOf(err) };
      }
      if (gone) ctx.onEvent({ type: 'gone', pod: podKey(pod), method: ctx.method });
      else still.push(pod);
    }
    pending = still;
    if (pending.length === 0) return undefined;
    const left = ctx.deadlineMs - ctx.clock.now();
    // kubectl 1.37 waits with wait.PollUntilContextTimeout under the drain's deadline: its error is ctx.Err().
    if (left <= 0) return { pods: pending, message: WAIT_TIMEOUT_MESSAGE };
    await ctx.clock.sleep(Math.min(DELETE_POLL_INTERVAL_MS, left), ctx.signal);
  }
}
