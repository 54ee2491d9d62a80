#!/usr/bin/env node
/* global process, console, URL */
// Bundles the CLI with esbuild into build/bundle/: kubekeeper.cjs, a launcher that turns on V8's
// compile cache (module.enableCompileCache) before it loads kubekeeper-main.cjs, the whole CLI in
// one CommonJS file. Fixed at build time through esbuild's `define`:
//   KUBEKEEPER_BUILD         version (package.json) and git commit
//   KUBEKEEPER_COMMAND_INFO  every command's name, summary and flags (help loads no command)
//   KUBEKEEPER_DRILL_WORKER  the drill's worker, bundled on its own, as source (eval'd worker)
// The dashboard's assets, when there are some, go in the same way (see ASSETS below).
// Needs the tsc build in dist/ (the command info is read from the compiled commands).
// Usage: node scripts/build-bundle.mjs [outdir]      (default build/bundle)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const outdir = path.resolve(root, process.argv[2] ?? 'build/bundle');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
// Oldest Node the bundle runs on (engines); the single executable embeds a newer one.
const target = 'node22';

function gitCommit() {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return 'unknown';
  }
}

/** Name, summary, args and flags of every registered command (their `run` stays behind). */
async function commandInfo() {
  const { COMMAND_LOADERS } = await import(pathToFileURL(path.join(root, 'dist/src/cli/command-registry.js')).href);
  const infos = [];
  for (const load of Object.values(COMMAND_LOADERS)) {
    const { run: _run, ...info } = (await load()).default;
    infos.push(info);
  }
  return infos.sort((a, b) => a.name.localeCompare(b.name));
}

const common = { bundle: true, platform: 'node', format: 'cjs', target, minify: true, keepNames: true, legalComments: 'none', logLevel: 'warning' };

const worker = await esbuild.build({ ...common, entryPoints: [path.join(root, 'src/backup/drill-count-worker.ts')], write: false, define: { 'import.meta.url': 'undefined' } });
const workerSource = worker.outputFiles[0].text;

// Dashboard assets (none yet): add { 'name': path } here; they reach the code as KUBEKEEPER_ASSETS.
const ASSETS = {};
const assets = Object.fromEntries(Object.entries(ASSETS).map(([name, file]) => [name, readFileSync(path.join(root, file), 'base64')]));

const commands = await commandInfo();
const build = { version: pkg.version, commit: process.env.KUBEKEEPER_COMMIT ?? gitCommit() };
mkdirSync(outdir, { recursive: true });
const result = await esbuild.build({
  ...common,
  entryPoints: [path.join(root, 'src/cli/bundle-entry.ts')],
  outfile: path.join(outdir, 'kubekeeper-main.cjs'),
  metafile: true,
  define: {
    'import.meta.url': 'undefined',
    KUBEKEEPER_BUILD: JSON.stringify(build),
    KUBEKEEPER_COMMAND_INFO: JSON.stringify(commands),
    KUBEKEEPER_DRILL_WORKER: JSON.stringify(workerSource),
    KUBEKEEPER_ASSETS: JSON.stringify(assets),
  },
});
writeFileSync(path.join(outdir, 'kubekeeper.cjs'), [
  '#!/usr/bin/env node',
  '// kubekeeper launcher: V8 compile cache on (Node >= 22.1), then the bundled CLI.',
  "'use strict';",
  "const m = require('node:module');",
  "if (typeof m.enableCompileCache === 'function' && !process.env.NODE_DISABLE_COMPILE_CACHE) m.enableCompileCache();",
  "require('./kubekeeper-main.cjs');",
  '',
].join('\n'), { mode: 0o755 });
writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify(result.metafile));
// The command names for the man page (scripts/gen-man.mjs).
writeFileSync(path.join(outdir, 'commands.json'), `${JSON.stringify(commands.map((c) => ({ name: c.name, summary: c.summary })), null, 1)}\n`);
const bytes = Object.values(result.metafile.outputs)[0].bytes;
console.log(`${path.relative(root, outdir)}/kubekeeper-main.cjs: ${(bytes / 1e6).toFixed(1)} MB (version ${build.version}, commit ${build.commit}, worker ${(workerSource.length / 1e3).toFixed(0)} kB)`);
