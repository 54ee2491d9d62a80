/**
 * Time as a role for the daemon: its loops read `now()` and wait with `sleepUntil()`, so the
 * scheduler's tests run on a fake clock instead of waiting real minutes.
 */

export interface Clock {
  now(): Date;
  /** Resolves at `at` (at once if it is past), or early, without error, when `signal` fires. */
  sleepUntil(at: Date, signal: AbortSignal): Promise<void>;
}

/** setTimeout caps delays at 2^31-1 ms (~24.8 days); longer waits are done in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  async sleepUntil(at, signal) {
    while (!signal.aborted && Date.now() < at.getTime()) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(MAX_TIMER_MS, at.getTime() - Date.now()));
        signal.addEventListener('abort', done, { once: true });
      });
    }
  },
};
