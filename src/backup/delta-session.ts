/**
 * One watch session of the delta streamer: from a start revision, buffer complete revisions,
 * and hand them to `flush` every flushIntervalMs (after a progress request, whose response
 * wakes the loop when nothing else arrives) or once flushBytes are buffered. A session
 * ends when the watch ends, fails, or the signal fires; pending complete revisions are
 * flushed first when the failure allows it. Events under the reserved prefix are dropped
 * after their sub-revision is counted.
 */
import type { KeyspaceWatch, WatchResponse } from '../etcd/index.js';
import { isReservedKey } from '../snapshot/index.js';
import { DeltaSegmentBuffer } from './delta-segment.js';

export interface PendingDelta {
  firstRevision: number;
  lastRevision: number;
  /** The revisions' events, already in segment form. */
  segment: DeltaSegmentBuffer;
  /** [revision, epoch ms]: the last revision received in each second. */
  receivedAt: [number, number][];
}

export interface SessionOptions {
  startRevision: number;
  flushIntervalMs: number;
  flushBytes: number;
  now: () => number;
  /** Stores one batch of complete revisions; the session goes on from lastRevision + 1. */
  flush: (pending: PendingDelta) => Promise<void>;
  /** etcd's current revision as last seen, for lag metrics. */
  onRevision?: (etcdRevision: number, completeRevision: number) => void;
  /** Whether complete revisions buffered when the watch failed with `err` may still be stored (not after losing the election). */
  flushOnError?: (err: unknown) => boolean;
}

/** Runs one session on `watch`; resolves with the next revision to stream from. */
export async function runDeltaSession(watch: KeyspaceWatch, options: SessionOptions): Promise<number> {
  let firstPending = options.startRevision;
  let complete = options.startRevision - 1;
  let segment = new DeltaSegmentBuffer();
  let receivedAt: [number, number][] = [];
  let due = false;
  const timer = setInterval(() => {
    due = true;
    watch.requestProgress();
  }, options.flushIntervalMs);
  const flush = async () => {
    due = false;
    if (segment.eventCount === 0 || complete < firstPending) return;
    const pending: PendingDelta = { firstRevision: firstPending, lastRevision: complete, segment, receivedAt };
    await options.flush(pending);
    firstPending = complete + 1;
    segment = new DeltaSegmentBuffer();
    receivedAt = [];
  };
  const take = (r: WatchResponse) => {
    let sub = 0;
    let main = -1;
    for (const ev of r.events) {
      const revision = ev.modRevision;
      sub = revision === main ? sub + 1 : 0;
      main = revision;
      if (revision < firstPending) continue;
      if (isReservedKey(ev.key)) continue;
      segment.addEvent(revision, sub, ev.type, ev.kvBytes);
    }
    // One response holds whole revisions (etcd never splits one across responses).
    if (main > complete) complete = main;
    const second = Math.floor(options.now() / 1000);
    const last = receivedAt[receivedAt.length - 1];
    if (last && Math.floor(last[1] / 1000) === second) last[0] = complete;
    else receivedAt.push([complete, options.now()]);
  };
  try {
    for await (const r of watch.responses()) {
      // A response without events (a progress response) only wakes the loop for a due flush: it
      // does not advance `complete`. etcd 3.4 sends it ahead of events still queued for the watch,
      // so its revision proves nothing; and every revision of the keyspace has events, so the
      // last event received is the last complete revision.
      if (r.events.length > 0) take(r);
      options.onRevision?.(Number(r.header.revision), complete);
      if (due || segment.sizeBytes >= options.flushBytes) await flush();
    }
  } catch (err) {
    if (options.flushOnError?.(err)) await flush().catch(() => undefined);
    throw err;
  } finally {
    clearInterval(timer);
    watch.cancel();
  }
  await flush();
  return firstPending;
}
