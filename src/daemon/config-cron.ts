/**
 * Five-field cron expressions as cron(8) reads them ("m h dom mon dow", numbers, "*", ranges
 * "a-b", steps "/n", lists "a,b", month and weekday names). Parsed to field lists so the
 * config check can name a bad field and the generators can translate to systemd calendars.
 * Pure.
 */

export interface CronField {
  /** The field text as written (names kept), e.g. "1-5" or "*\/15". */
  text: string;
  /** Every value the field matches, ascending. */
  values: number[];
  /** True for "*" (every value), so dom/dow "or" semantics can be applied. */
  any: boolean;
}

export interface CronExpression {
  minute: CronField;
  hour: CronField;
  dayOfMonth: CronField;
  month: CronField;
  dayOfWeek: CronField;
}

const FIELDS = [
  { key: 'minute', min: 0, max: 59 },
  { key: 'hour', min: 0, max: 23 },
  { key: 'dayOfMonth', min: 1, max: 31 },
  { key: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { key: 'dayOfWeek', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
] as const;

const MACROS: Record<string, string> = { '@hourly': '0 * * * *', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@weekly': '0 0 * * 0', '@monthly': '0 0 1 * *', '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *' };

function parseValue(text: string, spec: (typeof FIELDS)[number]): number {
  const names: readonly string[] | undefined = 'names' in spec ? spec.names : undefined;
  const named = names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (spec.key === 'month' ? 1 : 0);
  if (!/^\d+$/.test(text)) throw new RangeError(`"${text}" is not a number`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) throw new RangeError(`${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

function parseField(text: string, spec: (typeof FIELDS)[number]): CronField {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (range === undefined || extra !== undefined || range === '') throw new RangeError(`"${part}" is not a value, range or step`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isSafeInteger(step) || step < 1) throw new RangeError(`step "${stepText}" must be a whole number from 1`);
    let lo: number = spec.min;
    let hi: number = spec.max;
    if (range !== '*') {
      const [a, b] = range.split('-');
      lo = parseValue(a ?? '', spec);
      hi = b === undefined ? (stepText === undefined ? lo : spec.max) : parseValue(b, spec);
      if (hi < lo) throw new RangeError(`range "${range}" goes backwards`);
    }
    // Weekday 7 is Sunday, as in cron(8).
    for (let v = lo; v <= hi; v += step) values.add(spec.key === 'dayOfWeek' && v === 7 ? 0 : v);
  }
  return { text, values: [...values].sort((x, y) => x - y), any: text === '*' };
}

/** Parses a cron expression; throws RangeError naming the bad field. */
export function parseCron(expression: string): CronExpression {
  const text = MACROS[expression.trim().toLowerCase()] ?? expression.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new RangeError(`expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const out: Partial<Record<(typeof FIELDS)[number]['key'], CronField>> = {};
  FIELDS.forEach((spec, i) => {
    try {
      out[spec.key] = parseField(parts[i] as string, spec);
    } catch (err) {
      throw new RangeError(`${spec.key} field: ${(err as Error).message}`);
    }
  });
  return out as CronExpression;
}
