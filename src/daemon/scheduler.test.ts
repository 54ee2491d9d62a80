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
