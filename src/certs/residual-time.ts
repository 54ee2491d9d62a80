/**
 * How kubeadm shows time left on a certificate. `kubeadm certs check-expiration` renders
 * RESIDUAL TIME with apimachinery's ShortHumanDuration ("364d", "9y"); some builds use
 * HumanDuration ("6y362d"), so the parser accepts both.
 */

const SECOND_MS = 1000;
const MINUTE_S = 60;
const HOUR_S = 60 * MINUTE_S;
const DAY_S = 24 * HOUR_S;
/** Go's duration rendering counts a year as 365 days, leap years ignored. */
const YEAR_S = 365 * DAY_S;

/** The text kubeadm prints for a certificate that expired more than a second ago. */
export const INVALID_RESIDUAL_TIME = '<invalid>';

/**
 * Renders `residualMs` like apimachinery's ShortHumanDuration: `<invalid>` below -1 s,
 * `0s` for the last second (clock skew tolerance), then the largest whole unit.
 * Go truncates toward zero (int(d.Seconds())), hence Math.trunc, not floor.
 */
export function formatResidualTime(residualMs: number): string {
  const seconds = Math.trunc(residualMs / SECOND_MS);
  if (seconds < -1) return INVALID_RESIDUAL_TIME;
  if (seconds < 0) return '0s';
  if (seconds < MINUTE_S) return `${seconds}s`;
  if (seconds < HOUR_S) return `${Math.trunc(seconds / MINUTE_S)}m`;
  if (seconds < DAY_S) return `${Math.trunc(seconds / HOUR_S)}h`;
  const hours = Math.trunc(seconds / HOUR_S);
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

const UNIT_SECONDS: Record<string, number> = { y: YEAR_S, d: DAY_S, h: HOUR_S, m: MINUTE_S, s: 1 };

/**
 * Parses a RESIDUAL TIME cell from either kubeadm rendering ("364d", "6y362d", "1h5m", "0s")
 * into seconds. `<invalid>` (already expired) parses to -Infinity; anything else unknown to
 * undefined. Precision is the unit shown, as in the source text.
 */
export function parseResidualTime(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === INVALID_RESIDUAL_TIME) return -Infinity;
  const re = /(\d+)([ydhms])/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    total += Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
    end = re.lastIndex;
  }
  return end > 0 && end === trimmed.length ? total : undefined;
}

/** Formats a date as kubeadm's EXPIRES column: Go layout "Jan 02, 2006 15:04 MST" in UTC. */
export function formatExpires(date: Date): string {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${month} ${pad(date.getUTCDate())}, ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}
