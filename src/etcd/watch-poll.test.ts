import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortedError } from '../errors.js';
import { EMPTY_HEADER } from './response-header.js';
import type { KeyspaceWatch, WatchEvent, WatchResponse } from './watch-messages.js';
import { nextPollDelayMs, POLL_TARGET_REVISIONS, pollingWatch } from './watch-poll.js';

/**
 * An etcd stand-in with etcd's two ways of answering a watch: a watch opened behind the
 * current revision gets up to `batch` revisions per response (read from the backend), and one
 * that has caught up gets one response per new revision. Revisions with two events check that
 * whole revisions travel together; `write()` adds revisions at any time.
 */
function fakeEtcd(batch: number) {
  const revisions: WatchEvent[][] = [];
  const opened: { from: bigint; cancelled: boolean }[] = [];
  let ended = false;
  const event = (rev: number, i: number): WatchEvent => ({ type: 'put', kvBytes: new Uint8Array([rev, i]), key: new Uint8Array([i]), modRevision: rev });
  const response = (events: WatchEvent[]): WatchResponse => ({ header: { ...EMPTY_HEADER, revision: BigInt(revisions.length) }, watchId: 0n, created: false, canceled: false, compactRevision: 0n, cancelReason: '', fragment: false, events });
  return {
    opened,
    current: () => revisions.length,
    write(n = 1) {
      for (let i = 0; i < n; i++) {
        const rev = revisions.length + 1;
        revisions.push(rev % 3 === 0 ? [event(rev, 0), event(rev, 1)] : [event(rev, 0)]);
      }
    },
    end: () => (ended = true),
    closed: false,
    close() {
      this.closed = true;
    },
    watch(from: bigint): KeyspaceWatch {
      const state = { from, cancelled: false };
      opened.push(state);
      let next = Number(from);
      return {
        async *responses() {
          while (!state.cancelled && !ended) {
            await new Promise((r) => setImmediate(r));
            if (next > revisions.length) continue;
            const until = Math.min(revisions.length, next + batch - 1);
            yield response(revisions.slice(next - 1, until).flat());
            next = until + 1;
          }
        },
        requestProgress: () => undefined,
        cancel: () => (state.cancelled = true),
      };
    },
  };
}

test('a polling watch yields every revision once, in order, across polls, while writes go on', async () => {
  const etcd = fakeEtcd(4);
  etcd.write(10);
  const watch = pollingWatch(etcd, { startRevision: 3n, maxPollMs: 5 });
  const seen: bigint[] = [];
  const writer = setInterval(() => etcd.write(3), 1);
  for await (const r of watch.responses()) {
    for (const ev of r.events) seen.push(BigInt(ev.modRevision));
    if (seen.length > 200) break;
  }
  clearInterval(writer);
  watch.cancel();
  const revisions = [...new Set(seen)];
  assert.deepEqual(revisions, revisions.map((_, i) => BigInt(i + 3)), 'every revision from the start, none skipped');
  const events = revisions.map((r) => seen.filter((s) => s === r).length);
  assert.deepEqual(events, revisions.map((r) => (r % 3n === 0n ? 2 : 1)), 'each revision whole and only once');
  assert.ok(etcd.opened.length > 3, `several polls (${etcd.opened.length})`);
  for (let i = 1; i < etcd.opened.length; i++) assert.ok((etcd.opened[i - 1] as { cancelled: boolean }).cancelled, 'each watch cancelled once caught up');
  assert.equal(etcd.opened[0]?.from, 2n, 'opened at the revision before the start (its events dropped)');
  assert.equal(etcd.closed, true, 'the stream is closed at the end');
});

test('each poll takes over from the last revision received, the first is cancelled once caught up, an idle poll proves nothing is new', async () => {
  const etcd = fakeEtcd(1000);
  etcd.write(7);
  const watch = pollingWatch(etcd, { startRevision: 1n, maxPollMs: 20 });
  const it = watch.responses();
  const first = await it.next();
  assert.equal((first.value as WatchResponse).events.length, 9, 'revisions 1-7, 3 and 6 with two events');
  assert.equal(etcd.opened[0]?.cancelled, true, 'cancelled as soon as it had caught up');
  etcd.write(2);
  const second = await it.next();
  assert.deepEqual((second.value as WatchResponse).events.map((e) => BigInt(e.modRevision)), [8n, 9n, 9n]);
  assert.equal(etcd.opened[1]?.from, 7n, 'from the last revision received, its events dropped');
  // Nothing new: the next poll proves it with an empty (progress) response at etcd's revision.
  const idle = (await it.next()).value as WatchResponse;
  assert.deepEqual([idle.events.length, idle.header.revision], [0, 9n]);
  watch.cancel();
  assert.equal((await it.next()).done, true, 'cancel ends it');
});

test('a polling watch ends when etcd ends the watch, and fails with AbortedError when its signal fires', async () => {
  const etcd = fakeEtcd(1000);
  const watch = pollingWatch(etcd, { startRevision: 1n, maxPollMs: 10 });
  const ended = (async () => {
    for await (const _ of watch.responses()) assert.fail('no revision was written');
  })();
  setTimeout(() => etcd.end(), 10);
  await ended;

  const aborting = new AbortController();
  const etcd2 = fakeEtcd(1000);
  etcd2.write(1);
  const watch2 = pollingWatch(etcd2, { startRevision: 1n, maxPollMs: 60_000, signal: aborting.signal });
  const started = performance.now();
  await assert.rejects(async () => {
    for await (const _ of watch2.responses()) aborting.abort();
  }, AbortedError);
  assert.ok(performance.now() - started < 5000, 'the abort cuts the wait between polls short');
});

test('nextPollDelayMs lets about one etcd batch accumulate, within the longest wait', () => {
  assert.equal(nextPollDelayMs(0, 1000, 1000), 1000, 'an idle cluster: the longest wait');
  assert.equal(nextPollDelayMs(POLL_TARGET_REVISIONS * 10, 1000, 1000), 100, '5,000 revisions/s: 100 ms');
  assert.equal(nextPollDelayMs(10, 1000, 1000), 1000, 'a slow cluster: capped');
  assert.equal(nextPollDelayMs(POLL_TARGET_REVISIONS * 100, 1000, 1000), 10);
});

test('a progress response ahead of the events (etcd 3.4 sends it before what is queued) neither ends a poll nor moves it on', async () => {
  const etcd = fakeEtcd(1000);
  etcd.write(5);
  const ahead: WatchResponse = { header: { ...EMPTY_HEADER, revision: 9n }, watchId: -1n, created: false, canceled: false, compactRevision: 0n, cancelReason: '', fragment: false, events: [] };
  const source = {
    watch(from: bigint): KeyspaceWatch {
      const inner = etcd.watch(from);
      return { ...inner, async *responses() {
        yield ahead;
        yield* inner.responses();
      } };
    },
    close: () => undefined,
  };
  const watch = pollingWatch(source, { startRevision: 1n, maxPollMs: 5 });
  const it = watch.responses();
  assert.equal((await it.next()).value, ahead, 'passed on as it came');
  assert.equal(etcd.opened[0]?.cancelled, false, 'not taken as caught up');
  const events = (await it.next()).value as WatchResponse;
  assert.deepEqual(events.events.map((e) => e.modRevision), [1, 2, 3, 3, 4, 5]);
  assert.equal(etcd.opened[0]?.cancelled, true);
  await it.next();
  assert.equal(etcd.opened[1]?.from, 5n, 'the next poll from the last event received, not the progress revision');
  watch.cancel();
});
