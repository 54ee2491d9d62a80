#!/usr/bin/env node
/* global process, console, URL, Buffer */
// Bundles the CLI with esbuild into build/bundle/: kubekeeper.cjs, a launcher that turns on V8's
// compile cache (module.enableCompileCache) before it loads kubekeeper-main.cjs, and the chunks
// it loads (CommonJS, one per command plus shared ones: a command loads only its own code);
// sea-main.cjs, the single executable's main script, loads the same chunks from SEA assets.
// Fixed at build time through esbuild's `define`:
//   KUBEKEEPER_BUILD         version (package.json) and git commit
//   KUBEKEEPER_COMMAND_INFO  every command's name, summary and flags, as JSON text (help loads no command)
//   KUBEKEEPER_DRILL_WORKER  the drill's worker, bundled on its own, as source (eval'd worker)
//   KUBEKEEPER_DELTA_WORKER  the point-in-time restore's segment worker, the same way
// The dashboard's assets, when there are some, go in the same way (see ASSETS below).
// Needs the tsc build in dist/ (the command info is read from the compiled commands).
// Usage: node scripts/build-bundle.mjs [outdir]      (default build/bundle)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { directImports } from './esbuild-direct-imports.mjs';

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

// "punycode": the npm package, not Node's deprecated builtin of the same name (which
// @kubernetes/client-node's node-fetch -> whatwg-url -> tr46 asks for, and which prints a
// DEP0040 warning on stderr when loaded).
const common = {
  bundle: true, platform: 'node', format: 'cjs', target, minify: true, keepNames: true, legalComments: 'none', logLevel: 'warning',
  alias: { punycode: 'punycode/' },
};

const worker = await esbuild.build({ ...common, entryPoints: [path.join(root, 'src/backup/drill-count-worker.ts')], write: false, define: { 'import.meta.url': 'undefined' } });
const workerSource = worker.outputFiles[0].text;
// The point-in-time restore's worker (reads, checks and decodes delta segments), the same way.
const deltaWorker = await esbuild.build({ ...common, entryPoints: [path.join(root, 'src/backup/delta-restore-worker.ts')], write: false, define: { 'import.meta.url': 'undefined' } });
const deltaWorkerSource = deltaWorker.outputFiles[0].text;

// The dashboard's assets (scripts/build-dashboard.mjs builds them into dist/dashboard/); they
// reach the code as KUBEKEEPER_ASSETS (src/dashboard/assets.ts).
const ASSETS = { 'dashboard/app.js': 'dist/dashboard/app.js', 'dashboard/app.css': 'dist/dashboard/app.css' };
const assets = Object.fromEntries(Object.entries(ASSETS).map(([name, file]) => [name, readFileSync(path.join(root, file), 'base64')]));

const commands = await commandInfo();
const build = { version: pkg.version, commit: process.env.KUBEKEEPER_COMMIT ?? gitCommit() };
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
// ESM with code splitting, so that each command's code is a chunk of its own (shared code in
// shared chunks) and a command loads only what it uses; then each chunk becomes CommonJS (the
// single executable runs CommonJS and loads chunks from its assets, see sea-main.cjs).
const result = await esbuild.build({
  ...common,
  format: 'esm',
  splitting: true,
  entryPoints: { 'kubekeeper-main': path.join(root, 'src/cli/bundle-entry.ts') },
  plugins: [directImports(path.join(root, 'src') + path.sep)],
  outdir,
  chunkNames: 'chunk-[hash]',
  entryNames: '[name]',
  write: false,
  metafile: true,
  define: {
    'import.meta.url': 'undefined',
    KUBEKEEPER_BUILD: JSON.stringify(build),
    KUBEKEEPER_COMMAND_INFO: JSON.stringify(JSON.stringify(commands)),
    KUBEKEEPER_DRILL_WORKER: JSON.stringify(workerSource),
    KUBEKEEPER_DELTA_WORKER: JSON.stringify(deltaWorkerSource),
    KUBEKEEPER_ASSETS: JSON.stringify(assets),
  },
});
const chunks = [];
for (const file of result.outputFiles) {
  const cjs = await esbuild.transform(file.text, { format: 'cjs', platform: 'node', target, minify: true, keepNames: true, supported: { 'dynamic-import': false }, logLevel: 'error' });
  // Chunks name each other "./chunk-X.js"; they are .cjs files (and SEA assets) here.
  const text = cjs.code.replace(/require\("\.\/([\w.-]+)\.js"\)/g, 'require("./$1.cjs")');
  const name = `${path.basename(file.path, '.js')}.cjs`;
  writeFileSync(path.join(outdir, name), text);
  chunks.push({ name, bytes: Buffer.byteLength(text) });
  // V8 code cache for the single executable, which compiles chunks itself (sea-main.cjs). Valid
  // only for the V8 that made it: build-sea.sh runs this script with the Node it embeds; a cache
  // V8 rejects (another Node) only costs the compile it would have saved.
  const fn = vm.compileFunction(text, ['exports', 'require', 'module'], { filename: `kubekeeper:${name}`, produceCachedData: true });
  if (fn.cachedDataProduced) writeFileSync(path.join(outdir, `${name}.cache`), fn.cachedData);
}
/**
 * A chunk loader (CommonJS source): compiles each chunk once, with its V8 code cache when V8
 * accepts it, and gives it a require that loads sibling chunks ("./chunk-X.cjs") the same way
 * and anything else (Node's builtins) through `require`. `source(name)` and `cache(name)` are
 * expressions of the host: SEA assets, or files beside the launcher.
 */
const loader = (source, cache) => [
  "const { compileFunction } = require('node:vm');",
  'const loaded = new Map();',
  'function load(name) {',
  '  let m = loaded.get(name);',
  '  if (m) return m.exports;',
  '  m = { exports: {} };',
  '  loaded.set(name, m);',
  '  let cachedData;',
  `  try { cachedData = ${cache}; } catch { /* none: compile without */ }`,
  `  const fn = compileFunction(${source}, ['exports', 'require', 'module'], { filename: \`kubekeeper:\${name}\`, cachedData });`,
  '  fn.call(m.exports, m.exports, requireChunk, m);',
  '  return m.exports;',
  '}',
  "function requireChunk(id) { return id.startsWith('./') ? load(id.slice(2)) : require(id); }",
  "load('kubekeeper-main.cjs');",
];
// The bundle's launcher: on the Node that built the chunks (whose V8 made the code caches) it
// loads them itself; on another Node through require(), with Node's compile cache (>= 22.1).
writeFileSync(path.join(outdir, 'kubekeeper.cjs'), [
  '#!/usr/bin/env node',
  "'use strict';",
  `if (process.version !== ${JSON.stringify(process.version)}) {`,
  "  const m = require('node:module');",
  "  if (typeof m.enableCompileCache === 'function' && !process.env.NODE_DISABLE_COMPILE_CACHE) m.enableCompileCache();",
  "  require('./kubekeeper-main.cjs');",
  '} else {',
  "  const { readFileSync } = require('node:fs');",
  // Concatenation, not path.join: the launcher runs before anything is compiled or warm.
  "  const at = (name) => `${__dirname}/${name}`;",
  ...loader("readFileSync(at(name), 'utf8')", 'readFileSync(at(`${name}.cache`))').map((l) => `  ${l}`),
  '}',
  '',
].join('\n'), { mode: 0o755 });
// The single executable's main script: the same loader, on the SEA's assets (node:sea).
writeFileSync(path.join(outdir, 'sea-main.cjs'), [
  "'use strict';",
  "const { getAsset } = require('node:sea');",
  ...loader("getAsset(name, 'utf8')", 'new Uint8Array(getAsset(`${name}.cache`))'),
  '',
].join('\n'));
writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify(result.metafile));
// The command names for the man page (scripts/gen-man.mjs).
writeFileSync(path.join(outdir, 'commands.json'), `${JSON.stringify(commands.map((c) => ({ name: c.name, summary: c.summary })), null, 1)}\n`);
writeFileSync(path.join(outdir, 'chunks.json'), `${JSON.stringify(chunks.flatMap((c) => (existsSync(path.join(outdir, `${c.name}.cache`)) ? [c.name, `${c.name}.cache`] : [c.name])))}\n`);
const bytes = chunks.reduce((n, c) => n + c.bytes, 0);
console.log(`${path.relative(root, outdir)}: ${chunks.length} chunks, ${(bytes / 1e6).toFixed(1)} MB, main ${(chunks.find((c) => c.name === 'kubekeeper-main.cjs').bytes / 1e3).toFixed(0)} kB (version ${build.version}, commit ${build.commit}, workers ${(workerSource.length / 1e3).toFixed(0)} + ${(deltaWorkerSource.length / 1e3).toFixed(0)} kB)`);
