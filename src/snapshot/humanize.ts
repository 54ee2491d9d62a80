/**
 * go-humanize's `Bytes` (SI units), as etcdctl prints TOTAL SIZE (spec §4.3, §6.6). Go
 * rounds to one decimal half-up, then `%.0f` rounds half to even: 20480 bytes is "20 kB",
 * where JavaScript's toFixed/Math.round would say "21 kB".
 */

const SUFFIXES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** Formats a byte count exactly like go-humanize.Bytes. */
export function formatSizeSI(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  // Float logs on purpose: go-humanize does the same, so boundary cases agree.
  const e = Math.floor(Math.log(bytes) / Math.log(1000));
  const suffix = SUFFIXES[e] ?? '?';
  // k = value in tenths, rounded half-up like math.Floor(x*10 + 0.5).
  const k = Math.floor((bytes / Math.pow(1000, e)) * 10 + 0.5);
  const q = Math.floor(k / 10);
  const r = k % 10;
  if (k < 100) return `${q}.${r} ${suffix}`;
  // k/10 is exactly representable when r == 5, so Go's %.0f sees a true tie: half to even.
  const rounded = r > 5 || (r === 5 && q % 2 === 1) ? q + 1 : q;
  return `${rounded} ${suffix}`;
}
