import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyspaceWatch, WatchResponse } from '../etcd/index.js';
import { type PendingDelta, runDeltaSession } from './delta-session.js';

const header = (revision: number) => ({ clusterId: 1n, memberId: 1n, revision: BigInt(revision), raftTerm: 1n });
const events = (...revisions: number[]): WatchResponse => ({
  header: header(revisions[revisions.length - 1] as number), watchId: 1n, created: false, canceled: false, compactRevision: 0n, cancelReason: '', fragment: false,
  events: revisions.map((r) => ({ type: 'put' as const, kvBytes: new Uint8Array([r]), key: new TextEncoder().encode(`/k/${r}`), modRevision: r })),
});
const progress = (revision: number): WatchResponse => ({ ...events(revision), header: header(revision), events: [] });

/** A watch that hands out `script`, waiting `gapMs` before each response. */
function scripted(script: WatchResponse[], gapMs: number): KeyspaceWatch {
  return {
    async *responses() {
      for (const r of script) {
        await new Promise((resolve) => setTimeout(resolve, gapMs));
        yield r;
      }
    },
    requestProgress: () => undefined,
    cancel: () => undefined,
  };
}

test('a progress response ahead of events still in flight does not make them complete: they are stored, not dropped', async () => {
  const flushed: PendingDelta[] = [];
  // Revisions 5-6 arrive, then a progress response claiming 9 (etcd 3.4 sends it ahead of the
  // events queued for the watch), then 7-9: every one of them must be stored, in order.
  const next = await runDeltaSession(scripted([events(5, 6), progress(9), events(7, 8, 9)], 30), {
    startRevision: 5, flushIntervalMs: 40, flushBytes: 1 << 30, now: Date.now,
    flush: async (p) => {
      flushed.push({ ...p, segment: p.segment });
    },
  });
  const ranges = flushed.map((p) => [p.firstRevision, p.lastRevision, p.segment.eventCount]);
  assert.deepEqual(ranges.map((r) => r.slice(0, 2)), ranges.length === 1 ? [[5, 9]] : [[5, 6], [7, 9]], `contiguous ranges ${JSON.stringify(ranges)}`);
  assert.equal(ranges.reduce((n, r) => n + (r[2] as number), 0), 5, 'every event stored once');
  assert.equal(next, 10);
});
