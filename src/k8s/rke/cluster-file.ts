/**
 * An RKE1 cluster.yml as a YAML document that remembers where each key is, so review findings
 * can name the line to change. Values are read as plain JS; lines come from the source.
 */
import type { Document } from 'yaml';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { AppError } from '../../errors.js';

export type YamlPath = readonly string[];

export class ClusterFile {
  private constructor(
    readonly name: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Parses the file; throws AppError with the first YAML error's line. */
  static parse(text: string, name: string): ClusterFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const first = doc.errors[0];
    if (first) {
      const line = lines.linePos(first.pos[0]).line;
      throw new AppError('rke-yaml', `Cannot parse "${name}" line ${line}: ${first.message.split('\n')[0]}`, { hint: 'Fix the YAML syntax; "yamllint" shows the same spot' });
    }
    if (doc.contents !== null && !isMap(doc.contents)) throw new AppError('rke-yaml', `"${name}" is not an RKE cluster file: the top level is not a mapping`);
    return new ClusterFile(name, doc, lines);
  }

  /** The value at `path` as plain JS (undefined when absent). */
  get(path: YamlPath): unknown {
    const value = this.doc.getIn(path, false);
    return value !== null && typeof value === 'object' && 'toJSON' in value ? (value as { toJSON(): unknown }).toJSON() : value;
  }

  has(path: YamlPath): boolean {
    return this.doc.hasIn(path);
  }

  /**
   * The 1-based line of the key at `path`; when it is absent, the line of its deepest present
   * parent key (where the setting would be added), or undefined when even the top key is absent.
   */
  lineOf(path: YamlPath): number | undefined {
    let node: unknown = this.doc.contents;
    let line: number | undefined;
    for (const key of path) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (!pair || !isScalar(pair.key) || !pair.key.range) break;
      line = this.lines.linePos(pair.key.range[0]).line;
      node = pair.value;
    }
    return line;
  }
}

/** Reads a YAML boolean the way RKE's Go structs do (true/false only; strings are not booleans). */
export function asBool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
  return undefined;
}
