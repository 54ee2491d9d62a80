/**
 * Typed reads from a parsed YAML config with positions: every value is fetched by its path,
 * and every problem becomes a ConfigError naming file:line:column, the dotted field and what
 * is allowed. Pure: the text comes in, values come out.
 */
import path from 'node:path';
import { type Document, LineCounter, type Node, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { ConfigError, type ConfigPosition } from './config.js';

export type ConfigPath = readonly (string | number)[];

/** A secret given in the file, or where to get it: `{ env: NAME }` or `{ file: PATH }`. */
export type SecretRef = { value: string } | { env: string } | { file: string };

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "90s", "1h30m", "30d", "2w"; a bare number is seconds. Undefined when not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    total += Number(m[1]) * (DURATION_UNITS_MS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  return matched === trimmed.length && matched > 0 ? Math.round(total) : undefined;
}

export const fieldName = (path: ConfigPath): string => path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');

export class ConfigReader {
  readonly doc: Document;
  private readonly lines = new LineCounter();

  constructor(readonly file: string, text: string) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    const first = this.doc.errors[0];
    if (first) {
      const at = this.lines.linePos(first.pos[0]);
      throw new ConfigError({ file, line: at?.line, column: at?.col }, undefined, `not valid YAML: ${first.message.split('\n')[0]}`);
    }
    if (this.doc.contents !== null && !isMap(this.doc.contents)) throw this.error([], 'the file must be a YAML mapping (key: value lines)');
  }

  /** The node at `path`, or undefined when any part is missing. */
  node(path: ConfigPath): Node | undefined {
    if (path.length === 0) return (this.doc.contents as Node | null) ?? undefined;
    return this.doc.getIn(path, true) as Node | undefined;
  }

  has(path: ConfigPath): boolean {
    const n = this.node(path);
    return n !== undefined && !(isScalar(n) && n.value === null);
  }

  /** The position of `path`, or of its nearest existing parent. */
  position(path: ConfigPath): ConfigPosition {
    for (let n = path.length; n >= 0; n--) {
      const node = this.node(path.slice(0, n));
      if (node?.range) {
        const { line, col } = this.lines.linePos(node.range[0]);
        return { file: this.file, line, column: col };
      }
    }
    return { file: this.file };
  }

  error(path: ConfigPath, problem: string, allowed?: string, hint?: string): ConfigError {
    return new ConfigError(this.position(path), path.length ? fieldName(path) : undefined, problem, allowed, hint);
  }

  /** Keys of the mapping at `path` ([] when absent); with `allowed`, unknown keys are errors. */
  keys(path: ConfigPath, allowed?: readonly string[]): string[] {
    const node = this.node(path);
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    if (!isMap(node)) throw this.error(path, 'must be a mapping of keys to values');
    const keys: string[] = [];
    for (const pair of node.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      if (allowed && !allowed.includes(key)) {
        const keyNode = pair.key as Node;
        const at = keyNode.range ? this.lines.linePos(keyNode.range[0]) : undefined;
        throw new ConfigError({ file: this.file, line: at?.line, column: at?.col }, fieldName([...path, key]), 'unknown field', allowed.join(', '));
      }
      keys.push(key);
    }
    return keys;
  }

  /** The plain value at `path` (undefined when absent or null). */
  scalar(path: ConfigPath): unknown {
    const node = this.node(path);
    if (node === undefined) return undefined;
    if (!isScalar(node)) throw this.error(path, 'must be a single value, not a list or mapping');
    return node.value ?? undefined;
  }

  string(path: ConfigPath, what = 'a string'): string | undefined {
    const v = this.scalar(path);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') throw this.error(path, `must be ${what}, got ${JSON.stringify(v)}`);
    const s = String(v).trim();
    if (s === '') throw this.error(path, `must be ${what}, got an empty string`);
    return s;
  }

  /** Like string(), but an empty string means unset (RKE writes `region: ""` for "not set"). */
  optionalString(path: ConfigPath, what = 'a string'): string | undefined {
    const v = this.scalar(path);
    return typeof v === 'string' && v.trim() === '' ? undefined : this.string(path, what);
  }

  /** A file path; a relative one is taken from the config file's directory, not the cwd. */
  path(at: ConfigPath): string | undefined {
    const p = this.string(at, 'a file path');
    return p === undefined ? undefined : this.resolve(p);
  }

  resolve(p: string): string {
    return path.resolve(path.dirname(this.file), p);
  }

  bool(path: ConfigPath): boolean | undefined {
    const v = this.scalar(path);
    if (v === undefined || typeof v === 'boolean') return v;
    throw this.error(path, `must be true or false, got ${JSON.stringify(v)}`, 'true, false');
  }

  /** A whole number in [min, max]. */
  int(path: ConfigPath, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.scalar(path);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw this.error(path, `must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  /** A duration ("90s", "6h", "30d"; a number is seconds), at least `minMs`. */
  duration(path: ConfigPath, minMs = 1): number | undefined {
    const v = this.scalar(path);
    if (v === undefined) return undefined;
    const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? parseDurationMs(v) : undefined;
    if (ms === undefined || !Number.isFinite(ms)) throw this.error(path, `must be a duration, got ${JSON.stringify(v)}`, 'a duration such as 90s, 15m, 6h, 30d or 2w');
    if (ms < minMs) throw this.error(path, `must be at least ${minMs} ms, got ${JSON.stringify(v)}`);
    return Math.round(ms);
  }

  choice<const C extends string>(path: ConfigPath, choices: readonly C[]): C | undefined {
    const v = this.string(path);
    if (v === undefined) return undefined;
    if (!(choices as readonly string[]).includes(v)) throw this.error(path, `${JSON.stringify(v)} is not supported`, choices.join(', '));
    return v as C;
  }

  /** A list of strings; a single string is a one-element list. */
  list(path: ConfigPath): string[] {
    const node = this.node(path);
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    if (isScalar(node)) return [this.string(path) as string];
    if (!isSeq(node)) throw this.error(path, 'must be a list of strings');
    return node.items.map((_, i) => {
      const s = this.string([...path, i]);
      if (s === undefined) throw this.error([...path, i], 'must be a string, got an empty item');
      return s;
    });
  }

  /** A secret: a plain value, `{ env: NAME }` or `{ file: PATH }`. */
  secret(path: ConfigPath): SecretRef | undefined {
    const node = this.node(path);
    if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
    if (isScalar(node)) return { value: String(this.string(path)) };
    const keys = this.keys(path, ['env', 'file']);
    if (keys.length !== 1) throw this.error(path, 'must have exactly one of env or file', 'a value, { env: VAR_NAME } or { file: /path/to/file }');
    return keys[0] === 'env' ? { env: this.string([...path, 'env']) as string } : { file: this.path([...path, 'file']) as string };
  }
}
