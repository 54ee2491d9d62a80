/**
 * Polling a Node until a condition holds (Ready, a kubelet version, labels present), with the
 * injected clock and a timeout. A node that does not exist yet (404) is waited for too: a new
 * node appears only once its kubelet registers.
 */
import { AppError, throwIfAborted } from '../../errors.js';
import type { Clock } from '../clock.js';
import { formatDuration } from '../clock.js';
import { isNotFound } from '../kube-api-error.js';
import type { Node } from '../types.js';

/** How often node status is polled; the kubelet reports status every 10 s by default. */
export const NODE_POLL_INTERVAL_MS = 5_000;

export interface WaitForNodeOptions {
  getNode(name: string): Promise<Node>;
  clock: Clock;
  signal?: AbortSignal;
  timeoutMs: number;
  /** Undefined when the node is as wanted; otherwise what is still missing, for the timeout error. */
  missing(node: Node): string | undefined;
  /** What we wait for, for messages: 'node "n1" to be Ready with kubelet v1.29.3'. */
  what: string;
  onWaiting?: (missing: string) => void;
}

/** Resolves with the node once `missing(node)` is undefined; throws AppError at the timeout. */
export async function waitForNode(name: string, options: WaitForNodeOptions): Promise<Node> {
  const deadline = options.clock.now() + options.timeoutMs;
  let last = 'not registered yet';
  for (;;) {
    throwIfAborted(options.signal, `Waiting for ${options.what}`);
    try {
      const node = await options.getNode(name);
      const missing = options.missing(node);
      if (missing === undefined) return node;
      last = missing;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      last = 'not registered yet';
    }
    options.onWaiting?.(last);
    const left = deadline - options.clock.now();
    if (left <= 0) {
      throw new AppError('node-wait-timeout', `Timed out after ${formatDuration(options.timeoutMs)} waiting for ${options.what}: ${last}`, {
        hint: 'Check the kubelet on that node (journalctl -u kubelet), then rerun the same command to resume',
      });
    }
    await options.clock.sleep(Math.min(NODE_POLL_INTERVAL_MS, left), options.signal);
  }
}
