import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock } from './clock.js';
import { createSerialQueue, runSchedule } from './scheduler.js';

/** A clock whose sleeps end at once, moving time to the wake-up moment. */
function fakeClock(start: string): Clock & { sleeps: string[] } {
  let now = Date.parse(start);
  const sleeps: string[] = [];
  return {
    sleeps,
    now: () => new Date(now),
    async sleepUntil(at, signal) {
      if (signal.aborted) return;
      sleeps.push(at.toISOString());
      now = Math.max(now, at.getTime());
    },
  };
}

test('runSchedule runs on the interval grid with jitter and skips slots a long run missed', async () => {
  const clock = fakeClock('2024-06-01T10:00:00Z');
  const controller = new AbortController();
  let runs = 0;
  await runSchedule({
    name: 'backup', schedule: { intervalMs: 60_000 }, jitterMs: 10_000, firstPlanned: clock.now(),
    async run() {
      runs++;
      // The second run takes 2.5 minutes: the slots at 10:02 and 10:03 are skipped.
      if (runs === 2) await clock.sleepUntil(new Date(clock.now().getTime() + 150_000), controller.signal);
      if (runs === 3) controller.abort();
    },
  }, { clock, signal: controller.signal, random: () => 0.5 });
  assert.equal(runs, 3);
  assert.deepEqual(clock.sleeps, [
    '2024-06-01T10:00:05.000Z', '2024-06-01T10:01:05.000Z', '2024-06-01T10:03:35.000Z', '2024-06-01T10:04:05.000Z',
  ]);
});

test('runSchedule stops without running when the signal fires while it waits', async () => {
  const controller = new AbortController();
  controller.abort();
  let runs = 0;
  await runSchedule({ name: 'x', schedule: { intervalMs: 1000 }, jitterMs: 0, firstPlanned: new Date(), run: async () => void runs++ }, {
    clock: fakeClock('2024-06-01T10:00:00Z'), signal: controller.signal, random: Math.random,
  });
  assert.equal(runs, 0);
});

test('createSerialQueue runs tasks one at a time in call order even when one fails', async () => {
  const serial = createSerialQueue();
  const events: string[] = [];
  const task = (name: string, fail = false) => serial(async () => {
    events.push(`start ${name}`);
    await new Promise((r) => setImmediate(r));
    events.push(`end ${name}`);
    if (fail) throw new Error(name);
  });
  const results = await Promise.allSettled([task('a', true), task('b')]);
  assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b']);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled']);
});

test('runSchedule retries a failed run with backoff within its slot, and stops retrying before the next slot', async () => {
  const clock = fakeClock('2024-06-01T06:00:00Z');
  const controller = new AbortController();
  const results = [false, false, true, false, false, false, false, false, false, false, false];
  const runs: string[] = [];
  const retries: number[] = [];
  await runSchedule({
    name: 'backup', schedule: { intervalMs: 3_600_000 }, jitterMs: 0, firstPlanned: clock.now(),
    retry: { initialMs: 60_000, maxMs: 20 * 60_000 },
    onRetry: (attempt) => retries.push(attempt),
    async run() {
      runs.push(clock.now().toISOString().slice(11, 16));
      const ok = results.shift() ?? false;
      if (results.length === 0) controller.abort();
      return ok;
    },
  }, { clock, signal: controller.signal, random: () => 0 });
  // Slot 06:00 fails twice, then a retry succeeds; slot 07:00 fails and retries after 1, 2, 4, 8,
  // 16 and 20 (capped) min; the next would start at 08:11, past the next slot: slot 08:00 runs.
  assert.deepEqual(runs, ['06:00', '06:01', '06:03', '07:00', '07:01', '07:03', '07:07', '07:15', '07:31', '07:51', '08:00']);
  assert.deepEqual(retries, [1, 2, 1, 2, 3, 4, 5, 6]);
});
