/**
 * One schedule loop: sleep until the next planned time plus jitter, run the job, plan the
 * next run, until the signal fires. The job never overlaps itself; a run that outlasts its
 * slot makes the loop skip the missed slots (see nextPlannedRunAfter), never queue them.
 * A failed run is retried with exponential backoff while the retry still starts before the
 * next planned slot (an etcd blip does not cost a whole `0 *\/6 * * *` period).
 * Time comes from the injected Clock, randomness from `random`, so tests are exact.
 */
import { type Schedule, checkSchedule, nextPlannedRunAfter } from '../schedule/index.js';
import type { Clock } from './clock.js';

export interface ScheduledJob {
  name: string;
  schedule: Schedule;
  jitterMs: number;
  /** The first planned (unjittered) run. */
  firstPlanned: Date;
  /** Runs once; must not throw (the daemon records failures itself). false: it failed (retry). */
  run(): Promise<boolean | void>;
  /** Told each time the next run is fixed, for logs and the next-run metric. */
  onNext?(at: Date): void;
  /** Backoff for retries of a failed run within its slot; none when omitted. */
  retry?: RetryBackoff;
  /** Told before each retry: the attempt number (1 = first retry) and when it starts. */
  onRetry?(attempt: number, at: Date): void;
}

/** Exponential backoff: initialMs, 2x, 4x, ... capped at maxMs. */
export interface RetryBackoff {
  initialMs: number;
  maxMs: number;
}

/** The delay before retry `attempt` (1-based). */
export function retryDelayMs(backoff: RetryBackoff, attempt: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt - 1, 30));
}

export interface ScheduleContext {
  clock: Clock;
  signal: AbortSignal;
  /** [0, 1), like Math.random. */
  random: () => number;
}

/** Runs `job` on its schedule until `signal` fires; resolves after the current run ends. */
export async function runSchedule(job: ScheduledJob, { clock, signal, random }: ScheduleContext): Promise<void> {
  checkSchedule(job.schedule, job.jitterMs);
  let planned = job.firstPlanned;
  while (!signal.aborted) {
    const at = new Date(planned.getTime() + Math.floor(random() * job.jitterMs));
    job.onNext?.(at);
    await clock.sleepUntil(at, signal);
    if (signal.aborted) break;
    let ok = (await job.run()) !== false;
    const slot = planned;
    planned = nextPlannedRunAfter(job.schedule, slot, clock.now());
    for (let attempt = 1; !ok && job.retry && !signal.aborted; attempt++) {
      const retryAt = new Date(clock.now().getTime() + retryDelayMs(job.retry, attempt));
      // The next slot runs anyway: a retry that would start at or after it is not made.
      if (retryAt.getTime() >= planned.getTime()) break;
      job.onRetry?.(attempt, retryAt);
      await clock.sleepUntil(retryAt, signal);
      if (signal.aborted) break;
      ok = (await job.run()) !== false;
      planned = nextPlannedRunAfter(job.schedule, slot, clock.now());
    }
  }
}

/** Runs tasks one at a time in call order: a backup and a drill never compete for disk and network. */
export function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const result = tail.then(task, task);
    tail = result.catch(() => undefined);
    return result;
  };
}
