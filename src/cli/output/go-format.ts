/**
 * Two of Go's text formats that etcdctl output contains: time.Duration's String() ("1.5ms",
 * "5.000285917s", "1m2.5s") and encoding/json's escaping of strings (it escapes <, > and &).
 */

function trimFraction(whole: bigint, fraction: bigint, digits: number): string {
  if (fraction === 0n) return whole.toString();
  return `${whole}.${fraction.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Go's time.Duration(ns).String() for a duration given in (fractional) milliseconds. */
export function formatGoDuration(ms: number): string {
  const ns = BigInt(Math.round(ms * 1e6));
  if (ns === 0n) return '0s';
  if (ns < 0n) return `-${formatGoDuration(-ms)}`;
  if (ns < 1000n) return `${ns}ns`;
  if (ns < 1_000_000n) return `${trimFraction(ns / 1000n, ns % 1000n, 3)}µs`;
  if (ns < 1_000_000_000n) return `${trimFraction(ns / 1_000_000n, ns % 1_000_000n, 6)}ms`;
  const hours = ns / 3_600_000_000_000n;
  const minutes = (ns / 60_000_000_000n) % 60n;
  const secNs = ns % 60_000_000_000n;
  const seconds = `${trimFraction(secNs / 1_000_000_000n, secNs % 1_000_000_000n, 9)}s`;
  if (hours > 0n) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0n) return `${minutes}m${seconds}`;
  return seconds;
}

/** A JSON string literal as Go's encoding/json writes it. */
export function goJsonString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Fields of a Go struct with `omitempty`: entries whose value is undefined are left out. */
export function goJsonObject(fields: readonly (readonly [string, string | undefined])[]): string {
  return `{${fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${goJsonString(k)}:${v}`).join(',')}}`;
}

/** omitempty for numbers: 0 is left out; bigints print as plain decimal (uint64 IDs exceed 2^53). */
export function omitZero(value: bigint | number): string | undefined {
  return value === 0 || value === 0n ? undefined : value.toString();
}
