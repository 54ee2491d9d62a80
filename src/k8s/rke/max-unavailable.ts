/**
 * RKE's max_unavailable_worker / max_unavailable_controlplane (spec §5.1): an integer or a
 * percentage of the role's node count, rounded down, at least 1, at most 50 (the worker pool's
 * batch size); zero, negative values and "0%" are refused by `rke up`.
 */

/** RKE never upgrades more than this many nodes of a role at once. */
export const MAX_UNAVAILABLE_CAP = 50;

export type MaxUnavailable = { ok: true; count: number; text: string } | { ok: false; error: string };

/** Resolves a max_unavailable value against `nodeCount` nodes of the role. Pure. */
export function resolveMaxUnavailable(value: unknown, nodeCount: number, role: 'worker' | 'controlplane'): MaxUnavailable {
  const text = String(value).trim();
  const invalid = (): MaxUnavailable => ({ ok: false, error: `invalid input for max_unavailable_${role}: ${text}, value must be > 0` });
  let count: number;
  const percent = /^(-?\d+)%$/.exec(text);
  if (percent) {
    const p = Number(percent[1]);
    if (p <= 0) return invalid();
    count = Math.floor((nodeCount * p) / 100);
  } else if (/^-?\d+$/.test(text)) {
    count = Number(text);
    if (count <= 0) return invalid();
  } else {
    return { ok: false, error: `invalid input for max_unavailable_${role}: ${text}, expected an integer or a percentage` };
  }
  return { ok: true, count: Math.min(Math.max(count, 1), MAX_UNAVAILABLE_CAP), text };
}
