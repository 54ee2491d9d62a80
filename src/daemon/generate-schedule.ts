/**
 * The config's schedule in the forms schedulers read: a cron expression (crontab, Kubernetes
 * CronJob) and a systemd OnCalendar= value. An interval becomes cron only when it divides an
 * hour, a day or a week evenly; otherwise the operator is asked for schedule.cron. Pure.
 */
import { AppError, ExitCode } from '../errors.js';
import type { KubekeeperConfig } from './config.js';
import { parseCron } from '../schedule/index.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

function unschedulable(why: string): AppError {
  return new AppError('schedule-unsupported', `Cannot write the backup schedule for this scheduler: ${why}`, {
    hint: 'Set schedule.cron in the config, e.g. "0 */6 * * *"', exitCode: ExitCode.usage,
  });
}

/** A cron expression for an interval, or undefined when cron cannot say it. */
export function cronForInterval(intervalMs: number): string | undefined {
  if (intervalMs % MINUTE_MS !== 0) return undefined;
  const minutes = intervalMs / MINUTE_MS;
  if (minutes < 60 && 60 % minutes === 0) return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  if (intervalMs % HOUR_MS !== 0) return undefined;
  const hours = intervalMs / HOUR_MS;
  if (hours < 24 && 24 % hours === 0) return hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
  if (hours === 24) return '0 0 * * *';
  if (hours === 24 * 7) return '0 0 * * 0';
  return undefined;
}

/** The backup schedule as cron: schedule.cron, else the interval translated. */
export function backupCron(config: KubekeeperConfig): string {
  const { cron, intervalMs } = config.schedule;
  if (cron) return cron;
  if (intervalMs === undefined) throw unschedulable('the config has no schedule.interval or schedule.cron');
  const translated = cronForInterval(intervalMs);
  if (!translated) throw unschedulable(`an interval of ${intervalMs / MINUTE_MS} minutes does not divide an hour, a day or a week`);
  return translated;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** One OnCalendar component: `*` when the field allows every value of its range. */
function calendarPart(values: ReadonlySet<number>, rangeSize: number, pad: number, names?: string[]): string {
  if (values.size === rangeSize) return '*';
  return [...values].sort((a, b) => a - b).map((v) => (names ? (names[v] as string) : String(v).padStart(pad, '0'))).join(',');
}

/**
 * systemd's OnCalendar= for a cron expression ("DOW *-MM-DD hh:mm:00"). cron matches
 * day-of-month OR day-of-week when both are restricted; systemd ANDs them, so that case
 * is refused rather than silently changed.
 */
export function systemdCalendar(cron: string): string {
  const c = parseCron(cron);
  if (c.daysOfMonthRestricted && c.daysOfWeekRestricted) throw unschedulable(`"${cron}" restricts both day of month and day of week, which systemd cannot combine as cron does`);
  const dow = c.daysOfWeekRestricted ? `${calendarPart(c.daysOfWeek, 7, 0, DAY_NAMES)} ` : '';
  const dom = c.daysOfMonthRestricted ? calendarPart(c.daysOfMonth, 0, 2) : '*';
  return `${dow}*-${calendarPart(c.months, 12, 2)}-${dom} ${calendarPart(c.hours, 24, 2)}:${calendarPart(c.minutes, 60, 2)}:00`;
}
