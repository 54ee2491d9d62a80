/**
 * The logger the library writes to. The library never prints: it logs structured events
 * through an injected Logger, and cli/ or daemon/ decide where they go. Fields must never
 * hold credentials; callers pass names, paths and numbers only.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

/** Discards everything; the default for library calls made without a logger. */
export const silentLogger: Logger = { log: () => undefined };

/** One JSON object per line: {"time","level","event",...fields}. Used by the daemon. */
export function createJsonLogger(write: (line: string) => void, now: () => Date = () => new Date()): Logger {
  return {
    log(level, event, fields = {}) {
      write(`${JSON.stringify({ time: now().toISOString(), level, event, ...fields })}\n`);
    },
  };
}
