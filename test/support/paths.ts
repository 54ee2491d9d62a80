/** Locations used by tests: the repository root and the built CLI, from any build dir. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kubekeeper') return dir;
  }
  throw new Error(`no kubekeeper package.json above ${start}`);
}

/** The repository root (where package.json, test/fixtures and shared specs' sibling live). */
export const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));

/** The compiled CLI entry of the same build as this file. */
export const cliPath = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
