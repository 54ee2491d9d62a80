/**
 * Every flag and command that kubekeeper's texts name exists: the help of every command, and
 * every string in the arguments of an error (message and hint) or a `hint` anywhere in src/.
 * A hint that names a flag or a command that does not exist sends the user in a circle.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../test/support/paths.js';
import type { FlagDef } from './command.js';
import { allCommands } from './main.js';
import { renderHelp } from './output/help.js';

/** Flags of other programs that kubekeeper's texts name on purpose, with the program. */
const FOREIGN_FLAGS: Record<string, string> = {
  audit: 'kube-apiserver (--audit-* flags)',
  'audit-policy-file': 'kube-apiserver',
  'audit-log-format': 'kube-apiserver',
  'from-file': 'kubectl create secret',
  'from-literal': 'kubectl create secret',
  now: 'systemctl enable --now',
  service: 'rke cert rotate',
  'rotate-ca': 'rke cert rotate',
};

/** Quoted texts that start with a group word but are not kubekeeper commands. */
const QUOTED_PROSE = ['snapshot missing hash']; // etcd's own error, quoted in restore's

/** The command words at the start of `words` that name a command, or undefined. */
function commandPrefix(words: readonly string[], names: ReadonlySet<string>): string | undefined {
  for (let n = Math.min(words.length, 3); n > 0; n--) if (names.has(words.slice(0, n).join(' '))) return words.slice(0, n).join(' ');
  return undefined;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(full)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.includes('testing') && !entry.name.includes('fakes')) out.push(full);
  }
  return out;
}

/** Reads the string literal starting at `i` (a quote or backtick); returns its raw text and end. */
function readLiteral(src: string, i: number): { text: string; end: number } {
  const quote = src[i];
  let j = i + 1;
  let text = '';
  let depth = 0;
  while (j < src.length) {
    const c = src[j] as string;
    if (c === '\\') {
      text += src.slice(j, j + 2);
      j += 2;
      continue;
    }
    if (quote === '`' && c === '$' && src[j + 1] === '{') depth++;
    else if (quote === '`' && c === '}' && depth > 0) depth--;
    else if (c === quote && depth === 0) return { text, end: j + 1 };
    text += c;
    j++;
  }
  return { text, end: j };
}

/** The string literals in the balanced expression that starts at `i` (arguments of a call, or a hint value). */
function literalsFrom(src: string, i: number, closing: string): string[] {
  const out: string[] = [];
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j] as string;
    if (c === "'" || c === '"' || c === '`') {
      const lit = readLiteral(src, j);
      out.push(lit.text);
      j = lit.end - 1;
    } else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      if (depth === 0) return out;
      depth--;
    } else if (depth === 0 && closing.includes(c)) return out;
  }
  return out;
}

/** Texts users read: error constructor arguments and hint values, by file. */
async function userTexts(): Promise<Array<{ where: string; text: string }>> {
  const texts: Array<{ where: string; text: string }> = [];
  for (const file of await sourceFiles(path.join(repoRoot, 'src'))) {
    const src = await readFile(file, 'utf8');
    const rel = path.relative(repoRoot, file);
    for (const m of src.matchAll(/new [A-Z]\w*Error\(/g)) {
      for (const text of literalsFrom(src, (m.index ?? 0) + m[0].length, ')')) texts.push({ where: rel, text });
    }
    for (const m of src.matchAll(/\bhint\b\s*(?::|\?\?|=(?!=))\s*/g)) {
      for (const text of literalsFrom(src, (m.index ?? 0) + m[0].length, ',;\n')) texts.push({ where: rel, text });
    }
  }
  return texts;
}

test('every flag and command named in help texts, errors and hints exists', async () => {
  const commands = await allCommands();
  const names = new Set(commands.map((c) => c.name));
  const groups = new Set(commands.map((c) => c.name.split(' ')[0] as string));
  const flags = new Set<string>();
  for (const c of commands) for (const name of Object.keys(c.flags as Record<string, FlagDef>)) flags.add(name);
  const texts = [...commands.map((c) => ({ where: `kubekeeper ${c.name} --help`, text: renderHelp(c) })), ...(await userTexts())];
  assert.ok(texts.length > 200, `only ${texts.length} texts found: the scan is broken`);
  const problems: string[] = [];
  for (const { where, text } of texts) {
    for (const m of text.matchAll(/(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(-\*)?/g)) {
      const flag = m[1] as string;
      const exists = m[2] ? [...flags].some((f) => f.startsWith(`${flag}-`)) : flags.has(flag) || flag === 'help';
      if (!exists && FOREIGN_FLAGS[flag] === undefined) problems.push(`${where}: --${flag} is no flag of any command: ${JSON.stringify(text.slice(0, 160))}`);
    }
    // "kubekeeper backup run", `kubekeeper snapshot save`, or a quoted "node drain": commands that must exist.
    for (const m of text.matchAll(/(?:\bkubekeeper |(?<=["'`(])(?=[a-z]+ [a-z]))([a-z][a-z0-9-]*(?: [a-z][a-z0-9-]*)*)/g)) {
      const words = (m[1] as string).split(' ');
      if (!groups.has(words[0] as string)) continue; // prose: "kubekeeper never overwrites ..."
      const quoted = !m[0].startsWith('kubekeeper ');
      if (quoted && QUOTED_PROSE.some((p) => words.join(' ').startsWith(p))) continue;
      if (commandPrefix(words, names) === undefined && !(words.length === 1 && !quoted)) {
        problems.push(`${where}: "${words.join(' ')}" names no command: ${JSON.stringify(text.slice(0, 160))}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
