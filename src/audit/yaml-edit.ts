/**
 * Editing YAML files that people and tools maintain (static pod manifests, RKE cluster.yml)
 * without losing their comments or layout: edits go through the `yaml` package's Document
 * API, serialised in the style that best reproduces the original file; then only the lines
 * the edit changed are taken from that output, every other line is kept byte for byte (the
 * serialiser would otherwise re-space trailing comments and flow lists). Pure.
 */
import { isScalar, parseDocument, visit, type Document, type Node, type ToStringOptions } from 'yaml';
import { AppError } from '../errors.js';
import { diffLines } from './line-diff.js';

export interface EditableYaml {
  doc: Document;
  /** Serialises the (edited) document in the original file's style. */
  render(): string;
}

/** The serialisation options that turn `doc` back into `text`, or the closest ones. */
function styleOf(doc: Document, text: string): ToStringOptions {
  const candidates: ToStringOptions[] = [false, true].flatMap((indentSeq) =>
    [false, true].map((flowCollectionPadding) => ({ indentSeq, flowCollectionPadding, lineWidth: 0 })),
  );
  const lines = new Set(text.split('\n'));
  let best = candidates[0] as ToStringOptions;
  let bestScore = -1;
  for (const options of candidates) {
    const out = doc.toString(options);
    if (out === text) return options;
    const score = out.split('\n').filter((l) => lines.has(l)).length;
    if (score > bestScore) [best, bestScore] = [options, score];
  }
  return best;
}

/** Parses `text`; throws AppError naming `file` and the line of the first syntax error. */
export function openEditableYaml(text: string, file: string): EditableYaml {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0].line;
    throw new AppError('yaml-invalid', `Cannot read "${file}": ${err.message.split('\n')[0]}${line ? ` (line ${line})` : ''}`, {
      hint: 'Fix the YAML syntax first; kubekeeper does not edit a file it cannot parse',
    });
  }
  const options = styleOf(doc, text);
  const original = text.split('\n');
  const canonical = doc.toString(options).split('\n');
  return { doc, render: () => keepUntouchedLines(original, canonical, doc.toString(options).split('\n')) };
}

/**
 * Applies the edit (canonical -> edited) to the original lines. Needs the original and its
 * canonical form to correspond line by line; when they do not, the edited form is returned.
 */
function keepUntouchedLines(original: readonly string[], canonical: readonly string[], edited: readonly string[]): string {
  if (original.length !== canonical.length) return edited.join('\n');
  const out: string[] = [];
  let i = 0;
  for (const op of diffLines(canonical, edited)) {
    if (op.kind === 'same') out.push(original[i++] as string);
    else if (op.kind === 'del') i++;
    else out.push(op.line);
  }
  return out.join('\n');
}

/** Puts short lists of names on one line ([get, list]), as in the upstream policy examples. */
export function flowScalarLists(node: Document | Node): void {
  visit(node, {
    Seq(_, seq) {
      if (seq.items.every((item) => isScalar(item))) seq.flow = true;
    },
  });
}
