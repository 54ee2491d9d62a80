/**
 * The library's warnings a user at a terminal must see (the daemon logs every event as JSON;
 * an interactive command prints only these, as "Warning: ..." lines on stderr).
 */
import type { LogFields, Logger } from '../../logger.js';
import type { CliIo } from '../command.js';

const WARNINGS: Record<string, (f: LogFields) => string> = {
  's3.plain-http': (f) => `the S3 endpoint ${String(f.endpoint)} is plain HTTP: request signatures, object names and manifests travel unencrypted (use https://)`,
};

/** A logger that prints the warnings above to stderr and drops everything else. */
export function cliWarnings(io: Pick<CliIo, 'stderr'>): Logger {
  return {
    log(level, event, fields = {}) {
      const text = level === 'warn' ? WARNINGS[event] : undefined;
      if (text) io.stderr.write(`Warning: ${text(fields)}\n`);
    },
  };
}
