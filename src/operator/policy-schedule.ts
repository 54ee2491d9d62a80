/**
 * A policy's schedule: cron (five fields, UTC, or a macro such as @daily) as in the daemon's
 * config, or "@every <duration>" (robfig/cron's form, which k3s's etcd-snapshot-schedule-cron
 * users know). Interval slots sit on a grid from the Unix epoch, so every replica computes the
 * same slots, and a backup is named after its slot: a slot can be stored at most once (the
 * repository refuses a second manifest of one name), whichever replica runs it.
 */
import { parseDurationMs } from '../daemon/index.js';
import { type Schedule, firstPlannedRun, parseCron } from '../schedule/index.js';

/** The "@every" form; the duration uses the config's units (ms, s, m, h, d, w). */
export const EVERY_PATTERN = /^@every\s+(\S+)$/;
/** Shortest interval accepted (the scheduler's own minimum). */
export const MIN_INTERVAL_MS = 1000;

/** Parses a policy's schedule; throws an Error whose message names the problem. */
export function parsePolicySchedule(text: string): Schedule {
  const every = EVERY_PATTERN.exec(text.trim());
  if (!every) return { cron: parseCron(text) };
  const ms = parseDurationMs(every[1] as string);
  if (ms === undefined || ms < MIN_INTERVAL_MS || ms % 1000 !== 0) throw new Error(`Invalid schedule "${text}": the interval must be whole seconds, at least 1s`);
  return { intervalMs: ms };
}

/**
 * The first slot at or after `now` for a leader that just started: on the epoch grid for an
 * interval, never a slot at or before the newest stored backup's slot, so a successor does not
 * repeat the slot its predecessor stored; for cron, the next match after `now`.
 */
export function firstPolicySlot(schedule: Schedule, now: Date, lastSlot?: Date): Date {
  if (!('intervalMs' in schedule)) return firstPlannedRun(schedule, now);
  const step = schedule.intervalMs;
  let slot = Math.ceil(now.getTime() / step) * step;
  if (lastSlot && slot <= lastSlot.getTime()) slot = (Math.floor(lastSlot.getTime() / step) + 1) * step;
  return new Date(slot);
}

/** "<prefix>-<slot as UTC basic ISO time, second precision>", e.g. etcd-20261206T013000Z. */
export function slotBackupName(prefix: string, slot: Date): string {
  return `${prefix}-${slot.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')}`;
}

/** The slot a backup name encodes (slotBackupName's inverse), or undefined for other names. */
export function slotOfBackupName(prefix: string, name: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : '');
  if (!m) return undefined;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
