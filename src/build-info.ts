/**
 * What this build of kubekeeper is: its version and the git commit it was built from. The
 * single-file build (scripts/build-sea.sh) fixes both at bundle time through esbuild's
 * `define` of KUBEKEEPER_BUILD; run from dist/, the version comes from package.json and the
 * commit from dist/build-info.json (written by scripts/setup.sh), both found by walking up.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Version, commit and kind of a build. */
export interface BuildInfo {
  version: string;
  /** Full git commit id, with "-dirty" when the tree had changes; "unknown" when not recorded. */
  commit: string;
  /** "sea" (single executable), "bundle" (node kubekeeper.cjs) or "dist" (tsc output). */
  kind: 'sea' | 'bundle' | 'dist';
}

// Replaced by esbuild's `define` in the bundle; undeclared (typeof "undefined") in dist/.
declare const KUBEKEEPER_BUILD: { version: string; commit: string } | undefined;

let cached: Promise<BuildInfo> | undefined;

/** This build's version and commit (read once). */
export function buildInfo(): Promise<BuildInfo> {
  cached ??= typeof KUBEKEEPER_BUILD !== 'undefined' ? Promise.resolve(bundled(KUBEKEEPER_BUILD)) : fromDist();
  return cached;
}

function bundled(build: { version: string; commit: string }): BuildInfo {
  return { ...build, kind: isSea() ? 'sea' : 'bundle' };
}

function isSea(): boolean {
  try {
    // node:sea exists from Node 20.12/21.7; getBuiltinModule avoids a static import of it.
    const sea = process.getBuiltinModule?.('node:sea') as { isSea(): boolean } | undefined;
    return sea?.isSea() === true;
  } catch {
    return false;
  }
}

async function fromDist(): Promise<BuildInfo> {
  let version = 'unknown';
  let commit = 'unknown';
  for (let dir = new URL('./', import.meta.url); dir.pathname !== '/'; dir = new URL('../', dir)) {
    const info = await readJson(new URL('build-info.json', dir));
    if (commit === 'unknown' && typeof info?.commit === 'string') commit = info.commit;
    const pkg = await readJson(new URL('package.json', dir));
    if (pkg?.name === 'kubekeeper' && typeof pkg.version === 'string') {
      version = pkg.version;
      break;
    }
  }
  return { version, commit, kind: 'dist' };
}

async function readJson(url: URL): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(fileURLToPath(url), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined; // not here; the caller keeps walking up
  }
}
