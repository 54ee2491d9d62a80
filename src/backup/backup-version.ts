/** kubekeeper's own version, recorded in every manifest (read once from package.json). */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

let cached: Promise<string> | undefined;

/** The version in kubekeeper's package.json, found by walking up from this file; "unknown" if none. */
export function kubekeeperVersion(): Promise<string> {
  cached ??= (async () => {
    for (let dir = new URL('./', import.meta.url); dir.pathname !== '/'; dir = new URL('../', dir)) {
      try {
        const pkg = JSON.parse(await readFile(fileURLToPath(new URL('package.json', dir)), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'kubekeeper' && pkg.version) return pkg.version;
      } catch {
        // Not here: keep walking up.
      }
    }
    return 'unknown';
  })();
  return cached;
}
