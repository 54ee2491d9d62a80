/**
 * When the next scheduled run is due. Pure: the schedule, a reference time and a random
 * source in; a Date out. The daemon owns the timers.
 * Two kinds of schedule:
 * - every `intervalMs` (RKE's `interval_hours`): the next run is one interval after the
 *   previous planned run, so jitter and slow runs do not make the schedule drift;
 * - a cron expression: the first matching minute strictly after the reference time.
 * Jitter spreads many clusters' backups over [0, jitterMs) after the planned time, so a
 * fleet on "0 * * * *" does not hit one S3 bucket in the same second.
 */
import { type CronExpression, cronMatchesDay } from './cron.js';

export type Schedule = { intervalMs: number } | { cron: CronExpression };

/** How far ahead a cron search goes: past one leap cycle, enough for "29 feb" on a weekday. */
const MAX_CRON_SEARCH_DAYS = 366 * 8 + 2;
const MINUTE_MS = 60_000;

/** Throws a RangeError naming the field when an interval or jitter is not usable. */
export function checkSchedule(schedule: Schedule, jitterMs: number): void {
  if ('intervalMs' in schedule && (!Number.isSafeInteger(schedule.intervalMs) || schedule.intervalMs < 1000)) {
    throw new RangeError(`intervalMs must be an integer of at least 1000, got ${schedule.intervalMs}`);
  }
  if (!Number.isSafeInteger(jitterMs) || jitterMs < 0) throw new RangeError(`jitterMs must be a non-negative integer, got ${jitterMs}`);
}

/** The first whole UTC minute strictly after `after` that `cron` matches. */
export function nextCronTime(cron: CronExpression, after: Date): Date {
  const t = new Date(Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  const limit = after.getTime() + MAX_CRON_SEARCH_DAYS * 86_400_000;
  // Coarse to fine: skip whole months, days and hours that cannot match, then minutes.
  while (t.getTime() <= limit) {
    if (!cron.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!cronMatchesDay(cron, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!cron.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!cron.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t;
    }
  }
  throw new RangeError(`cron expression "${cron.source}" matches no time in the ${MAX_CRON_SEARCH_DAYS} days after ${after.toISOString()}`);
}

/**
 * The planned (unjittered) run after `previous`: for an interval, `previous + intervalMs`;
 * for cron, the next match after `previous`. Pass the previous *planned* time to keep an
 * interval schedule on its grid.
 */
export function nextPlannedRun(schedule: Schedule, previous: Date): Date {
  if ('intervalMs' in schedule) return new Date(previous.getTime() + schedule.intervalMs);
  return nextCronTime(schedule.cron, previous);
}

/**
 * The next run: the planned time after `after` plus a jitter of `random() * jitterMs`
 * (`random` returns [0, 1), like Math.random; tests pass a fixed one).
 */
export function nextRun(schedule: Schedule, after: Date, jitterMs: number, random: () => number): Date {
  checkSchedule(schedule, jitterMs);
  const planned = nextPlannedRun(schedule, after);
  return new Date(planned.getTime() + Math.floor(random() * jitterMs));
}

/**
 * The next planned run after one planned for `previous` that ran until `now`: runs missed
 * while it ran long are skipped, not queued. An interval schedule stays on its grid.
 */
export function nextPlannedRunAfter(schedule: Schedule, previous: Date, now: Date): Date {
  if ('intervalMs' in schedule) {
    const missed = Math.max(0, Math.floor((now.getTime() - previous.getTime()) / schedule.intervalMs));
    return new Date(previous.getTime() + (missed + 1) * schedule.intervalMs);
  }
  return nextCronTime(schedule.cron, previous.getTime() > now.getTime() ? previous : now);
}

/**
 * The first planned run when the daemon starts at `now`. An interval schedule runs one
 * interval after the newest good backup, at once when that is overdue or there is none
 * (like a restarted RKE snapshot loop, but without waiting a whole interval unprotected);
 * a cron schedule waits for its next match. A `lastSuccessAt` after `now` is not history
 * (a forged or skewed manifest): it is ignored, so it can never push the schedule out.
 */
export function firstPlannedRun(schedule: Schedule, now: Date, lastSuccessAt?: Date): Date {
  if ('intervalMs' in schedule) {
    const due = lastSuccessAt && lastSuccessAt.getTime() <= now.getTime() ? lastSuccessAt.getTime() + schedule.intervalMs : now.getTime();
    return new Date(Math.max(due, now.getTime()));
  }
  return nextCronTime(schedule.cron, now);
}
