#!/usr/bin/env node
/* global console */
// Builds the dashboard's browser assets from src/dashboard/web (TypeScript + uPlot) into
// dist/dashboard/: app.js (one minified IIFE, no external requests) and app.css (uPlot's
// stylesheet + ours). The daemon serves them and `kubekeeper report --html` inlines them.
// Usage: node scripts/build-dashboard.mjs   (run by `npm run build` and scripts/setup.sh)
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'dashboard');
await mkdir(out, { recursive: true, mode: 0o755 });
await build({
  entryPoints: [path.join(root, 'src/dashboard/web/app.ts')],
  bundle: true, minify: true, format: 'iife', target: ['chrome110', 'firefox110', 'safari16'],
  legalComments: 'eof', outfile: path.join(out, 'app.js'), logLevel: 'warning',
});
const css = [
  await readFile(path.join(root, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8'),
  await readFile(path.join(root, 'src/dashboard/web/style.css'), 'utf8'),
].join('\n');
await writeFile(path.join(out, 'app.css'), css);
const sizes = await Promise.all(['app.js', 'app.css'].map(async (f) => `${f} ${(await stat(path.join(out, f))).size} bytes`));
console.log(`dashboard assets: ${sizes.join(', ')} in ${path.relative(root, out)}/`);
