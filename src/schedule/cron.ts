/**
 * Cron expressions, the five-field form crontab(5) and Kubernetes CronJobs use:
 *   minute hour day-of-month month day-of-week
 * with `*`, ranges `a-b`, steps `* /n` `a-b/n` `a/n`, lists `a,b-c`, month and weekday
 * names (jan..dec, sun..sat), 7 as another Sunday, and the macros @hourly, @daily
 * (@midnight), @weekly, @monthly, @yearly (@annually). Times are UTC, like the retention
 * planner, so a schedule does not move with the host's time zone or DST.
 * Vixie cron's rule for the two day fields holds: when both are restricted, a day matches
 * if either matches ("0 0 1,15 * mon" runs on the 1st, the 15th and every Monday).
 */

export interface CronExpression {
  /** The text as given, for logs and errors. */
  source: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday ... 6 = Saturday (7 is folded into 0). */
  daysOfWeek: ReadonlySet<number>;
  /** The field was not `*`: decides the either-day rule above. */
  daysOfMonthRestricted: boolean;
  daysOfWeekRestricted: boolean;
}

/** A cron expression that does not parse; `message` names the field and the value. */
export class CronSyntaxError extends Error {
  constructor(readonly expression: string, problem: string) {
    super(`Invalid cron expression "${expression}": ${problem}`);
    this.name = 'CronSyntaxError';
  }
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  // 7 is accepted as Sunday and folded into 0 after parsing.
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Longest day of each month in any year (February 29 in leap years). */
const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function parseValue(text: string, spec: FieldSpec, fail: (p: string) => never): number {
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  // Month names are 1-based, weekday names 0-based: the offset is the field's minimum.
  if (index >= 0) return index + (spec.name === 'month' ? 1 : 0);
  if (!/^\d{1,2}$/.test(text)) fail(`"${text}" is not a number${spec.names ? ' or name' : ''} in the ${spec.name} field`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) fail(`${spec.name} ${n} is out of range ${spec.min}-${spec.max}`);
  return n;
}

function parseField(text: string, spec: FieldSpec, fail: (p: string) => never): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText, extra] = part.split('/');
    if (extra !== undefined || range === '') fail(`"${part}" is not a valid ${spec.name} item`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d{1,2}$/.test(stepText) || Number(stepText) === 0) fail(`step "${stepText}" in the ${spec.name} field must be a positive number`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*') {
      [lo, hi] = [spec.min, spec.max];
    } else if (range.includes('-')) {
      const [a = '', b = '', more] = range.split('-');
      if (more !== undefined) fail(`"${range}" is not a valid ${spec.name} range`);
      [lo, hi] = [parseValue(a, spec, fail), parseValue(b, spec, fail)];
      if (lo > hi) fail(`${spec.name} range "${range}" runs backwards`);
    } else {
      lo = parseValue(range, spec, fail);
      // "a/n" means "from a to the end, every n" (Vixie cron); a plain "a" is just a.
      hi = stepText === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return values;
}

/** Parses a five-field cron expression or macro; throws CronSyntaxError naming the problem. */
export function parseCron(expression: string): CronExpression {
  const fail = (problem: string): never => {
    throw new CronSyntaxError(expression, problem);
  };
  const trimmed = expression.trim();
  const expanded = trimmed.startsWith('@') ? MACROS[trimmed.toLowerCase()] ?? fail(`unknown macro "${trimmed}"`) : trimmed;
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5) fail(`expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = FIELDS.map((spec, i) => parseField(fields[i] as string, spec, fail)) as Set<number>[];
  if (daysOfWeek!.delete(7)) daysOfWeek!.add(0);
  const cron: CronExpression = {
    source: trimmed,
    minutes: minutes!, hours: hours!, daysOfMonth: daysOfMonth!, months: months!, daysOfWeek: daysOfWeek!,
    daysOfMonthRestricted: fields[2] !== '*' && !fields[2]!.startsWith('*/'),
    daysOfWeekRestricted: fields[4] !== '*' && !fields[4]!.startsWith('*/'),
  };
  // "0 0 30 2 *" parses but never runs; say so now rather than loop forever later.
  const someDayExists = [...cron.months].some((m) => [...cron.daysOfMonth].some((d) => d <= (MAX_DAYS_IN_MONTH[m - 1] ?? 0)));
  if (!someDayExists && !cron.daysOfWeekRestricted) fail('no day of the given months matches, so it would never run');
  return cron;
}

/** True when the UTC day of `date` matches the day fields (with the either-day rule). */
export function cronMatchesDay(cron: CronExpression, date: Date): boolean {
  const dom = cron.daysOfMonth.has(date.getUTCDate());
  const dow = cron.daysOfWeek.has(date.getUTCDay());
  if (cron.daysOfMonthRestricted && cron.daysOfWeekRestricted) return dom || dow;
  return dom && dow;
}
