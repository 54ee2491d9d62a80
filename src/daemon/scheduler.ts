/**
 * One schedule loop: sleep until the next planned time plus jitter, run the job, plan the
 * next run, until the signal fires. The job never overlaps itself; a run that outlasts its
 * slot makes the loop skip the missed slots (see nextPlannedRunAfter), never queue them.
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
  /** Runs once; must not throw (the daemon records failures itself). */
  run(): Promise<void>;
  /** Told each time the next run is fixed, for logs and the next-run metric. */
  onNext?(at: Date): void;
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
    await job.run();
    planned = nextPlannedRunAfter(job.schedule, planned, clock.now());
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
