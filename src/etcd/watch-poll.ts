/**
 * A keyspace watch that is not held open (the delta streamer's default). etcd answers an open
 * watch with one response per revision, each a gRPC message it marshals and sends and the
 * reader decodes; a watch opened behind etcd's revision is answered from etcd's backend instead,
 * up to 1,000 revisions in one response. So this watch is cancelled each time it has received
 * every event up to etcd's revision, and opened again a little later from the last revision
 * received: the wait is paced so that about POLL_TARGET_REVISIONS accumulate (one of etcd's
 * responses, which etcd reads once), never longer than `maxPollMs`. Revisions are never skipped
 * or repeated. An idle cluster costs one watch per maxPollMs that gets that last revision again
 * (dropped here) and so proves that nothing is new.
 */
import { AbortedError } from '../errors.js';
import type { KeyspaceWatch, WatchEvent, WatchResponse } from './watch-messages.js';

/** Revisions to let accumulate between polls: half of what etcd sends in one response (watchBatchMaxRevs). */
export const POLL_TARGET_REVISIONS = 500;

/** How long to wait before the next poll, given the revisions the last cycle brought and how long it took. */
export function nextPollDelayMs(revisions: number, elapsedMs: number, maxPollMs: number): number {
  if (revisions <= 0 || elapsedMs <= 0) return maxPollMs;
  return Math.min(maxPollMs, Math.round((POLL_TARGET_REVISIONS * elapsedMs) / revisions));
}

/** The revision of the last event of `r` (which has events): received whole, with all before it. */
function receivedThrough(r: WatchResponse): bigint {
  return BigInt((r.events[r.events.length - 1] as WatchEvent).modRevision);
}

/** Polls through `source` (a WatchStream: its watches one after another, then close()). */
export function pollingWatch(source: { watch(startRevision: bigint): KeyspaceWatch; close(): void }, options: { startRevision: bigint; maxPollMs: number; signal?: AbortSignal; now?: () => number }): KeyspaceWatch {
  const now = options.now ?? (() => performance.now());
  let current: KeyspaceWatch | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    source.close();
    wake?.();
  };
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return {
    async *responses() {
      let next = options.startRevision;
      options.signal?.addEventListener('abort', stop, { once: true });
      try {
        for (let cycleStart = now(); !stopped;) {
          const from = next;
          // From the last revision received, not the next one, so that every poll gets an answer
          // even when nothing changed (that revision again, dropped here): a watch opened in etcd's
          // future waits silently for the next write (and etcd 3.6 ignores progress requests for it),
          // and the reader's due flush would wait with it.
          const openAt = from > 1n ? from - 1n : from;
          const watch = source.watch(openAt);
          current = watch;
          let caughtUp = false;
          for await (const r of watch.responses()) {
            // A progress response proves nothing here (etcd 3.4 sends it ahead of events still
            // queued for the watch); it is passed on as it came.
            if (r.events.length === 0) {
              yield r;
              continue;
            }
            const through = receivedThrough(r);
            // Every event up to etcd's revision is here (etcd never splits a revision): stop until the next poll.
            caughtUp = through >= r.header.revision;
            if (caughtUp) watch.cancel();
            const first = Number(next);
            const events = (r.events[0]?.modRevision ?? first) < first ? r.events.filter((e) => e.modRevision >= first) : r.events;
            if (through >= next) next = through + 1n;
            // Left empty (only the revision received before): yielded once caught up, as a sign of life.
            if (events.length > 0 || caughtUp) yield events === r.events ? r : { ...r, events };
            if (caughtUp) break;
          }
          current = undefined;
          // The server ended the watch: so does this one.
          if (!caughtUp) return;
          const at = now();
          await sleep(nextPollDelayMs(Number(next - from), at - cycleStart, options.maxPollMs));
          wake = undefined;
          cycleStart = at;
        }
        if (options.signal?.aborted) throw new AbortedError('Watching the keyspace');
      } finally {
        options.signal?.removeEventListener('abort', stop);
        source.close();
      }
    },
    requestProgress: () => current?.requestProgress(),
    cancel: stop,
  };
}
