/**
 * The retention planner: which backups to keep and which to remove, with the reasons for
 * every decision. Pure: backups, a policy and `now` in; a plan out. The executor
 * (backup/prune) carries it out, and `prune --dry-run` prints it.
 *
 * Rules follow restic's `forget`, with the runbooks' usual knobs:
 * - keepLast N: the N newest (RKE's `retention: 6`).
 * - keepWithinMs D: everything younger than D (30 days in the usual runbooks).
 * - keepHourly/Daily/Weekly/Monthly/Yearly N: walking from the newest, the newest backup of
 *   each of the N most recent hours/days/ISO weeks/months/years that have one. Periods are
 *   UTC, so a plan does not depend on the host's time zone.
 * Safety rules, applied whatever the policy says:
 * - the newest verified backup is always kept;
 * - a backup dated after `now` (clock skew) is kept;
 * - an empty policy keeps everything (removing all backups is never a default).
 */

export interface RetentionPolicy {
  keepLast?: number;
  keepWithinMs?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

export interface RetentionCandidate {
  name: string;
  createdAt: Date;
  /** The data was re-read and matched its manifest (at save, or by the last verify). */
  verified: boolean;
}

export type RetentionAction = 'keep' | 'remove';

export interface RetentionDecision {
  name: string;
  createdAt: Date;
  action: RetentionAction;
  /** Why: every rule that keeps it, or why it goes. Never empty. */
  reasons: string[];
}

export interface RetentionPlan {
  /** Newest first. */
  decisions: RetentionDecision[];
  keep: RetentionDecision[];
  remove: RetentionDecision[];
}

type PeriodRule = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

const PERIOD_RULES: readonly { rule: PeriodRule; key: keyof RetentionPolicy; period: (d: Date) => string }[] = [
  { rule: 'hourly', key: 'keepHourly', period: (d) => d.toISOString().slice(0, 13) },
  { rule: 'daily', key: 'keepDaily', period: (d) => d.toISOString().slice(0, 10) },
  { rule: 'weekly', key: 'keepWeekly', period: isoWeek },
  { rule: 'monthly', key: 'keepMonthly', period: (d) => d.toISOString().slice(0, 7) },
  { rule: 'yearly', key: 'keepYearly', period: (d) => d.toISOString().slice(0, 4) },
];

/** "2024-W01" for the ISO 8601 week (Monday first; week 1 holds the year's first Thursday). */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  // The Thursday of this week decides the ISO year.
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** True when no rule is set: the planner then keeps everything. */
export function isEmptyPolicy(policy: RetentionPolicy): boolean {
  return Object.values(policy).every((v) => v === undefined);
}

/** Throws a RangeError naming the field when a count or duration is not a non-negative integer. */
export function checkPolicy(policy: RetentionPolicy): void {
  for (const [key, value] of Object.entries(policy)) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw new RangeError(`${key} must be a non-negative integer, got ${value}`);
  }
}

export function planRetention(backups: readonly RetentionCandidate[], policy: RetentionPolicy, now: Date): RetentionPlan {
  checkPolicy(policy);
  // Newest first; equal times by name so the plan is deterministic.
  const sorted = [...backups].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.name.localeCompare(a.name));
  const reasons = new Map<RetentionCandidate, string[]>(sorted.map((b) => [b, []]));
  const add = (b: RetentionCandidate, why: string) => reasons.get(b)?.push(why);

  if (isEmptyPolicy(policy)) sorted.forEach((b) => add(b, 'no retention rule given: keeping everything'));
  // Future-dated backups are kept anyway; the newest verified one is chosen among the rest,
  // so one bad clock cannot take the place of the real newest backup.
  const newestVerified = sorted.find((b) => b.verified && b.createdAt.getTime() <= now.getTime());
  if (newestVerified) add(newestVerified, 'newest verified backup (always kept)');
  for (const b of sorted) if (b.createdAt.getTime() > now.getTime()) add(b, 'dated in the future (clock skew?): kept');

  if (policy.keepLast !== undefined) {
    sorted.slice(0, policy.keepLast).forEach((b, i) => add(b, `keep-last ${policy.keepLast}: #${i + 1} newest`));
  }
  if (policy.keepWithinMs !== undefined) {
    const cutoff = now.getTime() - policy.keepWithinMs;
    for (const b of sorted) {
      if (b.createdAt.getTime() >= cutoff) add(b, `keep-within ${formatDuration(policy.keepWithinMs)}: age ${formatDuration(Math.max(0, now.getTime() - b.createdAt.getTime()))}`);
    }
  }
  for (const { rule, key, period } of PERIOD_RULES) {
    const limit = policy[key];
    if (limit === undefined || limit === 0) continue;
    const seen = new Set<string>();
    for (const b of sorted) {
      if (seen.size >= limit) break;
      const p = period(b.createdAt);
      if (seen.has(p)) continue;
      seen.add(p);
      add(b, `keep-${rule} ${limit}: newest of ${p} (${seen.size} of ${limit})`);
    }
  }

  const decisions = sorted.map((b): RetentionDecision => {
    const why = reasons.get(b) ?? [];
    return why.length > 0
      ? { name: b.name, createdAt: b.createdAt, action: 'keep', reasons: why }
      : { name: b.name, createdAt: b.createdAt, action: 'remove', reasons: ['matched no keep rule'] };
  });
  return { decisions, keep: decisions.filter((d) => d.action === 'keep'), remove: decisions.filter((d) => d.action === 'remove') };
}

/** "30d", "3d4h", "45m", "0s": the largest two units, for reasons. */
export function formatDuration(ms: number): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const parts: string[] = [];
  let left = Math.floor(ms);
  for (const [unit, size] of units) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.length > 0 ? parts.join('') : '0s';
}
