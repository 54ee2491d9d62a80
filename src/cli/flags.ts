/**
 * Command-line parsing in etcdctl's style: --flag value, --flag=value, -w json, booleans as
 * --flag or --flag=false, lists as repeated flags or comma-separated, env var fallbacks.
 */
import { UsageError } from '../errors.js';
import type { FlagDef, FlagValues } from './command.js';

export interface ParsedCommandLine<F extends Record<string, FlagDef>> {
  args: string[];
  flags: FlagValues<F>;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a Go-style duration ("5s", "1m30s", "250ms", "30d") or plain seconds ("5") into milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    total += Number(m[1]) * (DURATION_UNITS_MS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  return matched === trimmed.length && matched > 0 ? total : undefined;
}

function convert(name: string, def: FlagDef, raw: string): unknown {
  switch (def.type) {
    case 'boolean': {
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      throw new UsageError(`Invalid value for --${name}: expected true or false`);
    }
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`Invalid value for --${name}: "${raw}" is not a number`);
      if (def.integer && !Number.isInteger(n)) throw new UsageError(`Invalid value for --${name}: ${raw} is not a whole number`);
      if (def.min !== undefined && n < def.min) throw new UsageError(`Invalid value for --${name}: ${raw} is less than ${def.min}`);
      return n;
    }
    case 'duration': {
      const ms = parseDurationMs(raw);
      if (ms === undefined) throw new UsageError(`Invalid value for --${name}: "${raw}" is not a duration`, 'Use a duration such as 5s, 2m or 1h30m');
      return ms;
    }
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    case 'string':
      if (def.choices && !def.choices.includes(raw)) {
        throw new UsageError(`Invalid value for --${name}: "${def.secret ? '***' : raw}"`, `Use one of: ${def.choices.join(', ')}`);
      }
      return raw;
  }
}

/** The error for a flag the command does not have, naming the flag to use when there is one. */
function unknownFlag(token: string, defs: Record<string, FlagDef>, renamed: Readonly<Record<string, string>>): UsageError {
  const key = token.replace(/^--?/, '');
  const newName = token.startsWith('--') ? renamed[key] : undefined;
  if (newName !== undefined) return new UsageError(`Flag ${token} was renamed --${newName}`, `Use --${newName}`);
  // `--write` was the name of -w in some commands before every command called it --write-out.
  if (token === '--write' && defs['write-out'] !== undefined) return new UsageError(`Unknown flag "${token}"`, 'Use -w/--write-out to choose the output format');
  return new UsageError(`Unknown flag "${token}"`);
}

/** Parses argv (after the command words) against the flag definitions. */
export function parseCommandLine<F extends Record<string, FlagDef>>(
  argv: readonly string[],
  defs: F,
  env: NodeJS.ProcessEnv,
  renamed: Readonly<Record<string, string>> = {},
): ParsedCommandLine<F> {
  const byShort = new Map<string, string>();
  for (const [name, def] of Object.entries(defs)) if (def.short) byShort.set(def.short, name);
  const values = new Map<string, unknown>();
  const args: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      args.push(token);
      continue;
    }
    const isLong = token.startsWith('--');
    const body = token.slice(isLong ? 2 : 1);
    const eq = body.indexOf('=');
    const key = eq >= 0 ? body.slice(0, eq) : body;
    const name = isLong ? key : byShort.get(key);
    const def = name === undefined ? undefined : defs[name];
    if (name === undefined || def === undefined) throw unknownFlag(isLong ? `--${key}` : `-${key}`, defs, renamed);
    let raw: string;
    if (eq >= 0) raw = body.slice(eq + 1);
    else if (def.type === 'boolean') raw = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`Flag --${name} needs a value`);
      raw = next;
      i++;
    }
    const value = convert(name, def, raw);
    if (def.type === 'list') values.set(name, [...((values.get(name) as string[] | undefined) ?? []), ...(value as string[])]);
    else values.set(name, value);
  }

  const flags: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(defs)) {
    if (values.has(name)) {
      flags[name] = values.get(name);
      continue;
    }
    const fromEnv = def.env?.map((v) => env[v]).find((v) => v !== undefined && v !== '');
    if (fromEnv !== undefined) flags[name] = convert(name, def, fromEnv);
    else if (def.default !== undefined) flags[name] = Array.isArray(def.default) ? [...def.default] : def.default;
    else flags[name] = def.type === 'boolean' ? false : def.type === 'list' ? [] : undefined;
  }
  return { args, flags: flags as FlagValues<F> };
}
