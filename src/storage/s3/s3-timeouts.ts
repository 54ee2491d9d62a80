/**
 * The time bound of every S3 request (--s3-timeout, or `timeout=` in an s3:// URL): the
 * connection, the answer's first byte, and every idle gap of a body in either direction each
 * end within it; the SDK then retries the request a bounded number of times. Named in every
 * timeout error, so an operator knows which knob to turn.
 */

/** Per-request bound when none is given: long enough for an 8 MiB part at ~150 KiB/s. */
export const DEFAULT_S3_TIMEOUT_MS = 60_000;
/** Connecting gets at most this, even with a longer request bound: a TCP handshake is quick or dead. */
export const MAX_S3_CONNECT_TIMEOUT_MS = 10_000;
/** Tries per request inside the SDK (first one included). */
export const DEFAULT_S3_ATTEMPTS = 3;

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** "30s", "1500ms", "2m", "1m30s" or plain seconds ("45"); undefined when not a positive duration. */
export function parseS3Timeout(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return positive(Number(trimmed) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    total += Number(m[1]) * (UNITS_MS[m[2] as string] as number);
    end = re.lastIndex;
  }
  return end === trimmed.length && end > 0 ? positive(total) : undefined;
}

function positive(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 1 ? Math.round(ms) : undefined;
}

/** "2 s", "1.5 s", "250 ms": for messages. */
export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(3))} s`;
}
