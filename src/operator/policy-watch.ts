/**
 * The leader's view of the EtcdBackupPolicies, as client-go's reflector keeps it: one list,
 * then a watch from the list's resourceVersion, so a created, changed or deleted policy takes
 * effect within the watch's latency. Each watch request is bounded (the server ends it after
 * `watchTimeoutSeconds`, then it is reopened from the last resourceVersion seen, bookmarks
 * included); an expired resourceVersion (410 Gone, as an answer or an ERROR event) means a
 * new list; any other failure is retried with exponential backoff. Every `resyncPeriodMs` the
 * policies are listed again anyway, a safety net for a change a watch could have missed.
 */
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../daemon/index.js';
import { isGone, type KubeObject } from '../k8s/index.js';
import type { OperatorApi } from './operator-api.js';
import { type EtcdBackupPolicy, POLICY_TYPE } from './resources.js';

/** First and longest wait before another attempt after a failed list or watch. */
export const WATCH_BACKOFF = { initialMs: 500, maxMs: 30_000 } as const;

export interface WatchPoliciesOptions {
  api: Pick<OperatorApi, 'listVersioned' | 'watch'>;
  /** Only this namespace (default: all). */
  namespace?: string;
  signal: AbortSignal;
  resyncPeriodMs: number;
  watchTimeoutSeconds: number;
  logger: Logger;
  clock: Clock;
  backoff?: { initialMs: number; maxMs: number };
  /** Every policy: after each list, and after each change (called serially). */
  onPolicies: (policies: EtcdBackupPolicy[]) => Promise<void>;
  /** The API server answered: a list, an opened watch, an event, or a watch that ended on its timeout. */
  onAlive?: (what: 'list' | 'watch') => void;
}

const keyOf = (p: KubeObject) => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;

/** Runs until `signal` fires; never throws. */
export async function watchPolicies(o: WatchPoliciesOptions): Promise<void> {
  const { api, signal, clock, logger } = o;
  const backoff = o.backoff ?? WATCH_BACKOFF;
  const cache = new Map<string, EtcdBackupPolicy>();
  let resourceVersion: string | undefined;
  let nextResyncMs = 0;
  let delayMs = backoff.initialMs;
  while (!signal.aborted) {
    try {
      if (resourceVersion === undefined || clock.now().getTime() >= nextResyncMs) {
        const listed = await api.listVersioned<EtcdBackupPolicy>(POLICY_TYPE, o.namespace);
        cache.clear();
        for (const p of listed.items) cache.set(keyOf(p), p);
        resourceVersion = listed.resourceVersion;
        nextResyncMs = clock.now().getTime() + o.resyncPeriodMs;
        o.onAlive?.('list');
        await o.onPolicies([...cache.values()]);
      }
      const untilResync = Math.ceil((nextResyncMs - clock.now().getTime()) / 1000);
      const timeoutSeconds = Math.max(1, Math.min(o.watchTimeoutSeconds, untilResync));
      for await (const event of api.watch<EtcdBackupPolicy>(POLICY_TYPE, o.namespace, resourceVersion, { signal, timeoutSeconds, onOpen: () => o.onAlive?.('watch') })) {
        o.onAlive?.('watch');
        if (event.type === 'ERROR') {
          const status = event.object as unknown as { code?: number; message?: string };
          if (status.code !== 410) throw new Error(`the watch reported an error: ${status.message ?? JSON.stringify(status)}`);
          logger.log('info', 'policies.watch.expired', { resourceVersion });
          resourceVersion = undefined;
          break;
        }
        resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
        if (event.type === 'BOOKMARK') continue;
        if (event.type === 'DELETED') cache.delete(keyOf(event.object));
        else cache.set(keyOf(event.object), event.object);
        await o.onPolicies([...cache.values()]);
      }
      // Ended on its timeout (or expired): the API server answered; watch (or list) again at once.
      if (!signal.aborted) o.onAlive?.('watch');
      delayMs = backoff.initialMs;
    } catch (err) {
      if (signal.aborted) break;
      if (isGone(err)) {
        logger.log('info', 'policies.watch.expired', { resourceVersion });
        resourceVersion = undefined;
        continue;
      }
      logger.log('warn', 'policies.watch.failed', { error: messageOf(err), retryInMs: delayMs });
      await clock.sleepUntil(new Date(clock.now().getTime() + delayMs), signal);
      delayMs = Math.min(backoff.maxMs, delayMs * 2);
    }
  }
}
